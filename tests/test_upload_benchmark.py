"""benchmarks/upload.py keeps working (small sizes; the figures are printed, and the
re-sent chunk count, a count rather than a time, is held to its target)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_upload_benchmark_runs():
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "upload.py"), "--mb", "20", "--skip-big",
         "--rounds", "1", "--resume-mb", "40"],
        capture_output=True, text=True, timeout=300, check=True,
    )
    lines = result.stdout.splitlines()
    assert any(line.strip().startswith("ratio") for line in lines)
    assert any("MB peak RSS" in line for line in lines)
    resent = next(line for line in lines if "re-sent" in line)
    assert int(resent.split("re-sent")[1].split()[0]) <= 1
