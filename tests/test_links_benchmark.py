"""benchmarks/links_export.py keeps working (tiny sizes; the figures are not asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_links_export_benchmark_runs():
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "links_export.py"), "--sizes", "60,120",
         "--naive-rows", "5", "--latency-ms", "0"],
        capture_output=True, text=True, timeout=300, check=True,
    )
    lines = result.stdout.splitlines()
    cold = [line.split() for line in lines if line.startswith("kproducer attendees, cold")]
    warm = [line.split() for line in lines if line.startswith("kproducer attendees, warm")]
    assert [c[3:6] for c in cold] == [["60", "3", "4"], ["120", "4", "5"]]  # rows, requests, budget
    assert [w[4] for w in warm] == ["0", "0"]  # warm: no request
    assert all(c[-1] == "0" for c in cold + warm)  # no failed row
    assert any(line.startswith("naive (reference sample)") for line in lines)
    assert any(line.startswith("ratio naive / kproducer") for line in lines)
    assert "target 120 rows: 4 requests ≤ 5 (ok)" in result.stdout
