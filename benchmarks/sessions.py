"""Sessions on the day: requests per action, from the sandbox's own counters.

Against a fresh sandbox (``--latency-ms`` per request, default 0), prints the HTTP requests
and API calls of each action a producer takes on a session, and the targets of issue 11:

* create a live session with its moderators group and schedule event (target 1 request);
* update it: rename + reschedule (target 1); delete it with group and schedule (target 1);
* open a live session's details with its encoder kit and status, cold and warm (≤1, 0);
* live status of every session of an event with ``--sessions`` live sessions (1).

    .venv/bin/python benchmarks/sessions.py [--latency-ms 0] [--sessions 20]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests


def measure(url: str, fn: Callable[[], Any]) -> tuple[int, int, float]:
    """(requests, api calls, seconds) of ``fn``."""
    requests.post(f"{url}/_sandbox/stats/reset", timeout=10).raise_for_status()
    started = time.perf_counter()
    fn()
    elapsed = time.perf_counter() - started
    used = requests.get(f"{url}/_sandbox/stats", timeout=10).json()
    return used["http_requests"], used["api_calls"], elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--sessions", type=int, default=20, help="live sessions in the event")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["KPRODUCER_HOME"] = str(Path(tmp) / "home")
        from kproducer.activity import ActivityLog
        from kproducer.kaltura.client import KalturaConnection, settings_from
        from kproducer.local.cache import Cache
        from kproducer.sandbox import Sandbox
        from kproducer.services import entries, events, live, sessions
        from kproducer.services.account import Account, AccountSettings
        from kproducer.services.models import EntryKind

        with Sandbox(Path(tmp) / "sandbox") as sandbox:
            info = sandbox.info
            url = info.service_url
            activity = ActivityLog(capacity=100)
            account = Account(
                KalturaConnection(settings_from(info.as_dict()), activity=activity),
                Cache(info.partner_id, url), activity,
                AccountSettings(info.partner_id, info.admin_secret, url))
            requests.post(f"{url}/_sandbox/faults", json={"latency_ms": args.latency_ms},
                          timeout=10).raise_for_status()
            event = events.create(account, "Benchmark day")
            start = int(time.time()) + 86_400
            made: list[Any] = []
            rows = [("create live + group + schedule", 1, measure(url, lambda: made.append(
                entries.create(account, EntryKind.LIVE, "Keynote", event.id, start,
                               start + 3600))))]
            entry_id = made[0].id
            rows.append(("update: rename + reschedule", 1, measure(url, lambda: sessions.update(
                account, entry_id, name="Keynote (final)", start=start + 600,
                end=start + 4200, check_names=False))))
            account.memory.clear()
            rows.append(("live details + kit, cold", 1, measure(
                url, lambda: live.details(account, entry_id))))
            rows.append(("live details + kit, warm", 0, measure(
                url, lambda: live.details(account, entry_id))))
            stages = [entries.create(account, EntryKind.LIVE, f"Stage {n}", event.id).id
                      for n in range(args.sessions)]
            rows.append((f"live status, {args.sessions} sessions", 1, measure(
                url, lambda: live.live_status(account, stages))))
            rows.append(("delete + group + schedule", 1, measure(
                url, lambda: sessions.delete(account, entry_id))))
            print(f"sandbox latency {args.latency_ms} ms per request")
            print(f"{'action':<36}{'target':>7}{'requests':>10}{'api calls':>11}{'wall s':>9}")
            for label, target, (http, calls, wall) in rows:
                print(f"{label:<36}{target:>7}{http:>10}{calls:>11}{wall:>9.3f}")
            account.conn.close()


if __name__ == "__main__":
    main()
