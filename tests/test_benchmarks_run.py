"""The benchmark scripts keep working (they print figures; the numbers are not asserted)."""

from __future__ import annotations

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
