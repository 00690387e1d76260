"""The benchmark scripts keep working (they print figures; the numbers are not asserted)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_sandbox_throughput_runs():
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "sandbox_throughput.py"), "--seconds", "0.2"],
        capture_output=True, text=True, timeout=120, check=True,
    )
    assert "calls/s" in result.stdout
    assert "1 connection(s)" in result.stdout  # keep-alive: one connection for every call


def test_roundtrips_runs_and_shows_one_request_cold():
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "roundtrips.py"), "--users", "1,3", "--latency-ms", "0"],
        capture_output=True, text=True, timeout=120, check=True,
    )
    cold_one = next(line for line in result.stdout.splitlines() if line.startswith("kproducer, cold cache"))
    warm_one = next(line for line in result.stdout.splitlines() if line.startswith("kproducer, warm cache"))
    assert cold_one.split()[-4:-2] == ["1", "1"]  # 1 user, 1 request
    assert warm_one.split()[-3] == "0"  # warm: no request


def test_sessions_benchmark_meets_the_request_targets():
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "sessions.py"), "--sessions", "5"],
        capture_output=True, text=True, timeout=120, check=True,
    )
    rows = [line for line in result.stdout.splitlines()[2:] if line.strip()]
    assert len(rows) == 6
    for row in rows:
        target, used = (int(n) for n in row.split()[-4:-2])
        assert used <= target, row


def test_person_picker_benchmark_runs():
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "person_picker.py"), "--sizes", "250"],
        capture_output=True, text=True, timeout=120, check=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    row = result.stdout.splitlines()[1].split()
    assert row[0] == "250" and row[2] == "50" and row[4] == "1"  # 50 Okafors, 1 user ID
