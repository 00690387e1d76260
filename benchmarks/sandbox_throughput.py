"""How many API calls a second the sandbox serves through kproducer's real client.

Starts a sandbox in a temporary folder, then drives it with ``KalturaConnection`` (the
real KalturaClient with the pooled keep-alive transport) in three ways: single calls,
50-call multirequests of reads, and 50-call multirequests of writes. Prints calls/s and
the connections the sandbox saw. Target: at least 500 calls/s in multirequests.

    .venv/bin/python benchmarks/sandbox_throughput.py [--seconds 3]
"""

from __future__ import annotations

import argparse
import itertools
import tempfile
import time
from pathlib import Path

import requests
from KalturaClient.Plugins.Core import KalturaUser

from kproducer.activity import ActivityLog
from kproducer.kaltura.client import KalturaConnection, settings_from
from kproducer.sandbox import Sandbox

BATCH = 50


def measure(seconds: float, run_once) -> tuple[int, float]:
    calls, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        calls += run_once()
    return calls, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="time per scenario")
    args = parser.parse_args()
    ids = itertools.count()
    with tempfile.TemporaryDirectory() as tmp, Sandbox(Path(tmp)) as sandbox:
        info = sandbox.info
        conn = KalturaConnection(settings_from(info.as_dict()), activity=ActivityLog(capacity=10))
        stats_url = f"{info.service_url}/_sandbox/stats"
        requests.post(f"{stats_url}/reset", timeout=5)

        def single() -> int:
            conn.client.user.get(info.admin_user_id)
            return 1

        def multi_reads() -> int:
            conn.multi(lambda c: [c.user.get(info.admin_user_id) for _ in range(BATCH)])
            return BATCH

        def multi_writes() -> int:
            results = conn.multi(
                lambda c: [c.user.add(KalturaUser(id=f"bench-{next(ids)}")) for _ in range(BATCH)]
            )
            assert all(r.ok for r in results)
            return BATCH

        print(f"sandbox throughput through KalturaConnection (keep-alive), {args.seconds:g} s each")
        rows = []
        for name, run in (
            ("single calls (user.get)", single),
            (f"multirequest x{BATCH} reads (user.get)", multi_reads),
            (f"multirequest x{BATCH} writes (user.add)", multi_writes),
        ):
            calls, elapsed = measure(args.seconds, run)
            rows.append((name, calls, calls / elapsed))
        for name, calls, rate in rows:
            print(f"  {name:<38} {calls:>7} calls  {rate:>9.0f} calls/s")
        stats = requests.get(stats_url, timeout=5).json()
        print(f"  sandbox saw {stats['http_requests']} http requests, {stats['api_calls']} api calls, "
              f"{stats['connections']} connection(s)")
        worst_multi = min(rate for name, _, rate in rows if "multirequest" in name)
        verdict = "meets" if worst_multi >= 500 else "MISSES"
        print(f"  slowest multirequest scenario: {worst_multi:.0f} calls/s ({verdict} the 500 calls/s target)")
        conn.close()


if __name__ == "__main__":
    main()
