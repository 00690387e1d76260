"""The PyInstaller bundle (dist/kproducer), when one has been built from the current sources.

The normal test run never builds it (`make bundle` takes a while): without a bundle, or with
one older than a source file, the test skips and says why. It runs the same checks as
`make bundle-check` (scripts/bundle-check), without the start-time comparison.
"""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT / "dist" / "kproducer" / "kproducer"


def newest_source() -> Path:
    """The most recently changed file the bundle is built from (as the Makefile lists them)."""
    sources = [ROOT / "kproducer.spec", ROOT / "pyproject.toml", ROOT / "scripts/install-desktop",
               ROOT / "scripts/icu_data.py"]
    sources += [p for folder in ("kproducer", "desktop", "bundle_hooks") for p in (ROOT / folder).rglob("*")
                if p.is_file() and "__pycache__" not in p.parts]
    return max(sources, key=lambda p: p.stat().st_mtime)


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_bundle_passes_bundle_check(tmp_path):
    if not BUNDLE.is_file():
        pytest.skip(f"no bundle at {BUNDLE.relative_to(ROOT)}: build it with 'make bundle'")
    newest = newest_source()
    if newest.stat().st_mtime > BUNDLE.stat().st_mtime:
        pytest.skip(f"{BUNDLE.relative_to(ROOT)} is older than {newest.relative_to(ROOT)}: "
                    "rebuild it with 'make bundle'")
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bundle-check"), "--runs", "0",
         "--screenshot", str(tmp_path / "shots")],
        capture_output=True, text=True, timeout=540, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "gui --sandbox --smoke-test" in result.stdout
    assert len(list((tmp_path / "shots").glob("*.png"))) >= 4
