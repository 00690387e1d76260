"""Faults in the middle of real work: nothing completed is lost or duplicated."""

from __future__ import annotations

import socket

from conftest import make_client
from KalturaClient.Plugins.Core import KalturaFilterPager, KalturaGroupUserFilter

from kproducer.activity import ActivityLog
from kproducer.cache import Cache
from kproducer.kaltura.client import KalturaConnection, settings_from
from kproducer.sandbox import Sandbox
from kproducer.services import entries, moderators
from kproducer.services.account import Account, AccountSettings
from kproducer.services.facts import Person
from kproducer.services.models import EntryKind


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def open_account(info) -> Account:
    activity = ActivityLog()
    return Account(
        KalturaConnection(settings_from(info.as_dict(), max_retries=0), activity=activity),
        Cache(info.partner_id, info.service_url), activity,
        AccountSettings(info.partner_id, info.admin_secret, info.service_url),
    )


def test_sandbox_killed_mid_import_then_rerun_finishes_without_duplicates(tmp_path):
    port = free_port()
    sandbox = Sandbox(tmp_path / "sb", port=port)
    info = sandbox.start()
    account = open_account(info)
    entry = entries.create(account, EntryKind.LIVE, "Flaky hotel Wi-Fi")
    rows = [(i + 2, Person(f"kill{i}@example.com")) for i in range(300)]
    batches = []

    def progress(done, total):
        batches.append(done)
        if len(batches) == 1:
            sandbox.stop()  # the server dies after the first batch

    first = moderators.import_people(account, entry.id, rows, progress=progress, workers=1)
    added = [r for r in first if r.status == "added"]
    failed = [r for r in first if r.status == "failed"]
    assert len(added) >= 50 and failed and len(added) + len(failed) == 300
    assert all(r.error for r in failed)  # each failed row says why

    restarted = Sandbox(tmp_path / "sb", port=port)
    restarted.start()
    try:
        second = moderators.import_people(account, entry.id, [(r.line, Person(r.user_id)) for r in failed])
        # a batch whose answer was lost with the server may have been done: "already"
        assert {r.status for r in second} <= {"added", "already"}
        again = moderators.import_people(account, entry.id, rows)
        assert {r.status for r in again} == {"already"}  # nothing redone, nothing lost
        members = make_client(info).groupUser.list(
            KalturaGroupUserFilter(groupIdEqual=f"{entry.id}_moderators"), KalturaFilterPager(pageSize=500))
        ids = [m.userId for m in members.objects]
        assert len(ids) == len(set(ids)) == 300  # no duplicate memberships on the server
    finally:
        account.conn.close()
        account.cache.close()
        restarted.stop()
