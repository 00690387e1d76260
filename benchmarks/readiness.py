"""Go-live readiness: requests for an event of 3 and of 50 sessions, cold and warm.

Against a sandbox answering each request after ``--latency-ms`` (default 100 ms), it makes
an event of N sessions (live sessions and rooms in turn, each scheduled ahead, with one
moderator), then runs ``readiness.check`` cold (empty cache, no CnC token known: a new
install) and warm (a second process: the cache on disk, the CnC token remembered).
Requests and API calls are counted by ``/_sandbox/stats``. Targets (issue 13): 3 sessions
≤ 3 requests cold, ≤ 1 warm; 50 sessions ≤ 5.

    .venv/bin/python benchmarks/readiness.py [--latency-ms 100] [--sessions 3,50]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

HOUR = 3600


def stats(url: str) -> dict[str, Any]:
    data: dict[str, Any] = requests.get(f"{url}/_sandbox/stats", timeout=10).json()
    return data


def reset(url: str) -> None:
    requests.post(f"{url}/_sandbox/stats/reset", timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--sessions", default="3,50", help="comma-separated session counts")
    args = parser.parse_args()
    counts = [int(n) for n in args.sessions.split(",") if n.strip()]

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["KPRODUCER_HOME"] = str(Path(tmp) / "home")
        from kproducer.activity import ActivityLog
        from kproducer.kaltura.client import KalturaConnection, settings_from
        from kproducer.local.cache import Cache
        from kproducer.sandbox import Sandbox
        from kproducer.services import entries, events, moderators, readiness
        from kproducer.services.account import Account, AccountSettings, MemoryVault
        from kproducer.services.facts import Person
        from kproducer.services.kme import KmeSettings
        from kproducer.services.models import EntryKind

        with Sandbox(Path(tmp) / "sandbox") as sandbox:
            info = sandbox.info
            url = info.service_url

            def account() -> Account:
                activity = ActivityLog(capacity=100)
                return Account(
                    KalturaConnection(settings_from(info.as_dict()), activity=activity),
                    Cache(info.partner_id, url), activity,
                    AccountSettings(info.partner_id, info.admin_secret, url,
                                    info.player_uiconf_id, info.cnc_uiconf_id,
                                    kme=KmeSettings(info.kme_launch_url, info.kme_key,
                                                    info.kme_secret)),
                    MemoryVault())

            setup = account()
            print(f"sandbox latency {args.latency_ms} ms per request")
            print(f"{'sessions':>8}  {'run':<6}{'requests':>10}{'api calls':>11}{'wall s':>9}"
                  f"  ready")
            for count in counts:
                event = events.create(setup, f"Readiness {count}")
                start = int(time.time()) + 3 * HOUR
                for index in range(count):
                    kind = EntryKind.LIVE if index % 2 == 0 else EntryKind.ROOM
                    entry = entries.create(setup, kind, f"Session {index}", event.id,
                                           start, start + HOUR)
                    moderators.add(setup, entry.id, Person("alice@example.com"))
                requests.post(f"{url}/_sandbox/faults", timeout=10,
                              json={"latency_ms": args.latency_ms})
                cold = account()
                cold.cache.clear(all_accounts=True)  # type: ignore[attr-defined]
                for label, acct in (("cold", cold), ("warm", None)):
                    if acct is None:  # a second process: the cache file, the token remembered
                        acct = account()
                        acct.vault.set_cnc_token(cold.vault.get_cnc_token() or "")
                    reset(url)
                    started = time.perf_counter()
                    report = readiness.check(acct, event.id)
                    wall = time.perf_counter() - started
                    used = stats(url)
                    print(f"{count:>8}  {label:<6}{used['http_requests']:>10}"
                          f"{used['api_calls']:>11}{wall:>9.2f}  {report.ready}")
                    acct.conn.close()
                requests.post(f"{url}/_sandbox/faults", timeout=10, json={})
            setup.conn.close()


if __name__ == "__main__":
    main()
