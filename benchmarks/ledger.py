"""The link ledger's cost and the revoke's speed (issue 13 targets), printed as figures.

1. **Ledger size and time for 50,000 links**: the export's own recording path
   (:class:`kproducer.services.link_record.Recorder`, 2,000 links per transaction) writing
   ``--ledger-links`` links: seconds and bytes added (target: under 2 s, under 20 MB).
2. **Export with and without the ledger, in one run**: ``--export-rows`` people exported
   (url format, cold, each list new to the sandbox) once with the ledger and once with it
   switched off, and the difference.
3. **Revoke 1,000 links at 100 ms latency**: ``--revoke-links`` links exported, then revoked
   with the sandbox answering every request after ``--latency-ms``: requests (counted by
   ``/_sandbox/stats``) and seconds (target: ≤ 20 requests, under 5 s).

    .venv/bin/python benchmarks/ledger.py [--ledger-links 50000] [--export-rows 2000]
        [--revoke-links 1000] [--latency-ms 100]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ledger-links", type=int, default=50_000)
    parser.add_argument("--export-rows", type=int, default=2_000)
    parser.add_argument("--revoke-links", type=int, default=1_000)
    parser.add_argument("--latency-ms", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["KPRODUCER_HOME"] = str(Path(tmp) / "home")
        run(args, Path(tmp))


def ledger_write(n: int, account) -> dict[str, float]:
    from kproducer.local.link_ledger import LinkLedger, new_link_id
    from kproducer.services.link_record import Recorder

    path = LinkLedger.default_path()
    before = path.stat().st_size if path.exists() else 0
    started = time.perf_counter()
    recorder = Recorder(account, "0_benchmrk", 1, "attendee", "url", "/tmp/links.csv")
    expires = int(time.time()) + 7200
    for i in range(n):
        recorder.made(new_link_id(), f"person{i:06d}@example.com", "attendee", expires)
    recorder.finish()
    seconds = time.perf_counter() - started
    with LinkLedger.open() as ledger:
        size = ledger.size() - before
    return {"links": n, "seconds": round(seconds, 3), "mb": round(size / 1e6, 2)}


def export_seconds(account, tmp: Path, rows: int, label: str) -> float:
    from links_support import people_csv

    from kproducer.services import links
    from kproducer.services.links import ExportRequest

    entry = account.memory["bench_entry"]
    users = [f"{label}{i:06d}@example.com" for i in range(rows)]
    source = people_csv(tmp / f"{label}.csv", users)
    started = time.perf_counter()
    summary = links.export(account, ExportRequest(entry, source, tmp / f"{label}-out.csv"))
    assert summary.ok == rows, summary.sentence()
    return time.perf_counter() - started


def run(args: argparse.Namespace, tmp: Path) -> None:
    from conftest import reset_stats, stats
    from preview_support import close_account, open_account, seeded

    from kproducer.sandbox import Sandbox
    from kproducer.services import link_record, revoke
    from kproducer.services.models import EntryKind

    with Sandbox(tmp / "sandbox") as sandbox:
        info = sandbox.info
        account = open_account(info)
        try:
            account.memory["bench_entry"] = seeded(account, EntryKind.LIVE).id
            figures: dict[str, object] = {"ledger": ledger_write(args.ledger_links, account)}

            with_ledger = export_seconds(account, tmp, args.export_rows, "with")
            real = link_record.open_ledger
            link_record.open_ledger = lambda path=None: (None, None)  # type: ignore[assignment]
            try:
                without = export_seconds(account, tmp, args.export_rows, "without")
            finally:
                link_record.open_ledger = real  # type: ignore[assignment]
            figures["export"] = {
                "rows": args.export_rows, "with_ledger_s": round(with_ledger, 3),
                "without_ledger_s": round(without, 3),
                "ledger_adds_s": round(with_ledger - without, 3)}

            export_seconds(account, tmp, args.revoke_links, "revoke")
            from kproducer.local.link_ledger import LinkLedger
            with LinkLedger.open() as ledger:
                export_id = ledger.exports(account.memory["bench_entry"])[0].export_id
            requests.post(f"{info.service_url}/_sandbox/faults",
                          json={"latency_ms": args.latency_ms}, timeout=5).raise_for_status()
            reset_stats(info)
            started = time.perf_counter()
            done = revoke.revoke(account, export_id)
            seconds = time.perf_counter() - started
            used = stats(info)
            requests.post(f"{info.service_url}/_sandbox/faults", json={}, timeout=5)
            figures["revoke"] = {
                "links": done.asked, "revoked": done.revoked, "failed": done.failed,
                "latency_ms": args.latency_ms, "requests": used["http_requests"],
                "session_end_calls": used["by_action"].get("session.end", 0),
                "seconds": round(seconds, 3)}
        finally:
            close_account(account)
    print(json.dumps(figures, indent=2))
    ledger, revoked = figures["ledger"], figures["revoke"]
    assert isinstance(ledger, dict) and isinstance(revoked, dict)
    print(f"ledger: {ledger['links']} links in {ledger['seconds']} s, {ledger['mb']} MB "
          f"(targets < 2 s, < 20 MB)")
    print(f"revoke: {revoked['links']} links, {revoked['requests']} requests, "
          f"{revoked['seconds']} s at {revoked['latency_ms']} ms (targets ≤ 20, < 5 s)")


if __name__ == "__main__":
    main()
