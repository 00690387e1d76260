"""Round trips: the reference sample's naive flow against kproducer's, on a slow network.

Against a sandbox answering every request after ``--latency-ms`` (default 100 ms), for 1
and for 1,000 users (``--users``), it makes each user a moderator of a live entry:

* naive — the reference sample's flow, per user: ``user.get`` → ``user.add`` (when
  missing) → ``groupUser.list`` → ``groupUser.add``, each its own request, no cache, with
  the stock KalturaClient (a new connection per call, as the sample does);
* kproducer — one user: ``people.prepare`` (one multirequest cold); many users:
  ``moderators.import_people`` (50 people a request, 3 batches in flight), then the same
  again warm (cached: no request).

Prints requests, API calls and wall time of each, and the naive/kproducer ratios.

    .venv/bin/python benchmarks/roundtrips.py [--latency-ms 100] [--users 1,1000]
        [--per-call-ms 15]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import requests
from KalturaClient import KalturaClient, KalturaConfiguration
from KalturaClient.exceptions import KalturaException
from KalturaClient.Plugins.Core import KalturaGroupUser, KalturaGroupUserFilter, KalturaUser


def stats(url: str) -> dict[str, Any]:
    data: dict[str, Any] = requests.get(f"{url}/_sandbox/stats", timeout=10).json()
    return data


def reset(url: str) -> None:
    requests.post(f"{url}/_sandbox/stats/reset", timeout=10)


def naive(info: Any, entry_id: str, users: list[str]) -> None:
    config = KalturaConfiguration()
    config.serviceUrl = info.service_url
    client = KalturaClient(config)
    client.setKs(KalturaClient.generateSessionV2(
        info.admin_secret, info.admin_user_id, 2, info.partner_id, 86400, "").decode())
    group = f"{entry_id}_moderators"
    for uid in users:
        try:
            client.user.get(uid)
        except KalturaException:
            client.user.add(KalturaUser(id=uid))
        members = client.groupUser.list(KalturaGroupUserFilter(userIdEqual=uid, groupIdEqual=group))
        if not members.totalCount:
            client.groupUser.add(KalturaGroupUser(userId=uid, groupId=group))


def run(label: str, url: str, fn: Any) -> tuple[str, int, int, float]:
    reset(url)
    started = time.perf_counter()
    fn()
    elapsed = time.perf_counter() - started
    used = stats(url)
    return label, used["http_requests"], used["api_calls"], elapsed


def compare(account: Any, info: Any, count: int) -> list[tuple[str, int, int, float]]:
    """Rows (label, requests, api calls, seconds) for ``count`` users, plus the ratios."""
    from kproducer.services import entries, moderators, people
    from kproducer.services.account import MemoryVault
    from kproducer.services.facts import Person
    from kproducer.services.models import EntryKind, Role

    url = info.service_url
    naive_entry = entries.create(account, EntryKind.LIVE, f"naive {count}")
    ours_entry = entries.create(account, EntryKind.LIVE, f"kproducer {count}")
    ids = [f"u{count}-{i}@example.com" for i in range(count)]
    rows = [run("naive (reference sample)", url, lambda: naive(info, naive_entry.id, ids))]

    def ours() -> None:
        if count == 1:
            people.prepare(account, ours_entry.id, Person(ids[0]), Role.MODERATOR)
        else:
            moderators.import_people(account, ours_entry.id, [(i, Person(u)) for i, u in enumerate(ids)])

    account.cache.clear()
    account.vault = MemoryVault()  # cold: no CnC token known either
    rows.append(run("kproducer, cold cache", url, ours))
    rows.append(run("kproducer, warm cache", url, ours))
    naive_row, cold_row = rows[0], rows[1]
    rows.append((
        "ratio naive / kproducer cold",
        round(naive_row[1] / max(cold_row[1], 1)),
        round(naive_row[2] / max(cold_row[2], 1)),
        naive_row[3] / max(cold_row[3], 1e-9),
    ))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--users", default="1,1000", help="comma-separated user counts")
    parser.add_argument("--per-call-ms", type=int, default=0,
                        help="server time per API call (the sandbox's per_call_ms fault)")
    args = parser.parse_args()
    counts = [int(n) for n in args.users.split(",") if n.strip()]

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["KPRODUCER_HOME"] = str(Path(tmp) / "home")
        from kproducer.activity import ActivityLog
        from kproducer.kaltura.client import KalturaConnection, settings_from
        from kproducer.local.cache import Cache
        from kproducer.sandbox import Sandbox
        from kproducer.services.account import Account, AccountSettings

        with Sandbox(Path(tmp) / "sandbox") as sandbox:
            info = sandbox.info
            url = info.service_url
            activity = ActivityLog(capacity=100)
            account = Account(
                KalturaConnection(settings_from(info.as_dict()), activity=activity),
                Cache(info.partner_id, url), activity,
                AccountSettings(info.partner_id, info.admin_secret, url),
            )
            requests.post(f"{url}/_sandbox/faults", timeout=10, json={
                "latency_ms": args.latency_ms, "per_call_ms": args.per_call_ms})
            print(f"sandbox latency {args.latency_ms} ms per request, {args.per_call_ms} ms "
                  "server time per call")
            print(f"{'flow':<34}{'users':>7}{'requests':>10}{'api calls':>11}{'wall s':>10}")
            for count in counts:
                for label, http, calls, wall in compare(account, info, count):
                    print(f"{label:<34}{count:>7}{http:>10}{calls:>11}{wall:>10.2f}")
            account.conn.close()


if __name__ == "__main__":
    main()
