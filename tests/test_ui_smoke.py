"""``kproducer gui``: the smoke test contract (DESIGN §5), its errors, and the UI benchmarks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def kproducer(*args: str, home: Path, timeout: float = 120, **env: str):
    environment = {**os.environ, "KPRODUCER_HOME": str(home), "QT_QPA_PLATFORM": "offscreen",
                   "QTWEBENGINE_DISABLE_SANDBOX": "1", **env}
    for name, value in env.items():
        if value is None:
            environment.pop(name, None)
    return subprocess.run([sys.executable, "-m", "kproducer", *args], capture_output=True,
                          text=True, timeout=timeout, env=environment)


def one_sentence(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


@pytest.mark.slow
def test_smoke_test_prints_one_json_line_and_saves_each_tab(tmp_path):
    shots = tmp_path / "shots"
    result = kproducer("gui", "--sandbox", "--smoke-test", "--screenshot", str(shots),
                       home=tmp_path / "home")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    report = json.loads(lines[0])
    for key in ("window_shown_ms", "events_loaded_ms", "entries_loaded_ms"):
        assert isinstance(report[key], float) and report[key] > 0
    assert report["window_shown_ms"] < report["events_loaded_ms"] <= report["entries_loaded_ms"]
    assert report["events"] >= 1 and report["entries"] >= 3
    names = sorted(p.name for p in shots.glob("*.png"))
    assert names == ["01-events.png", "02-go-live-check.png", "03-sessions.png",
                     "04-moderators.png", "05-preview.png", "06-links.png",
                     "07-entries-live-1280x800.png", "08-entries-live-1024x700.png",
                     "09-accounts-dialog.png"]
    assert all(p.stat().st_size > 5_000 for p in shots.glob("*.png"))
    # the smoke test leaves no layout behind
    assert not (tmp_path / "home" / "config" / "gui.ini").exists() or "geometry" not in (
        tmp_path / "home" / "config" / "gui.ini").read_text()


def test_screenshot_needs_the_smoke_test(tmp_path):
    result = kproducer("gui", "--screenshot", str(tmp_path), home=tmp_path)
    assert result.returncode == 2
    assert "--smoke-test" in one_sentence(result.stderr)


def test_smoke_test_without_an_account_fails_with_a_sentence(tmp_path):
    result = kproducer("gui", "--smoke-test", home=tmp_path)
    assert result.returncode == 1
    assert "--sandbox or --profile" in one_sentence(result.stderr)
    assert result.stdout == ""


def test_smoke_test_with_an_unknown_profile(tmp_path):
    result = kproducer("gui", "--profile", "Nowhere", "--smoke-test", home=tmp_path)
    assert result.returncode == 2
    assert "Nowhere" in one_sentence(result.stderr)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="display detection is for X11/Wayland")
def test_no_display_is_a_sentence_not_a_crash(tmp_path):
    result = kproducer("gui", "--sandbox", home=tmp_path, QT_QPA_PLATFORM=None, DISPLAY=None,
                       WAYLAND_DISPLAY=None)
    assert result.returncode == 1
    assert "QT_QPA_PLATFORM=offscreen" in one_sentence(result.stderr)


@pytest.mark.slow
def test_ui_benchmarks_run(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "ui_responsiveness.py"), "--rows", "120",
         "--latency-ms", "20"], capture_output=True, text=True, timeout=300, env=env, check=True)
    assert "longest stall" in result.stdout and "120 added" in result.stdout
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "startup.py"), "--runs", "1"],
                            capture_output=True, text=True, timeout=300, env=env, check=True)
    assert "Bare QMainWindow shown" in result.stdout and "QtWebEngine loaded at startup: False" in result.stdout
