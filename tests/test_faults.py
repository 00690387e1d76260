"""Faults in the middle of real work: nothing completed is lost or duplicated."""

from __future__ import annotations

import socket

import pytest
from conftest import make_client, reset_stats, stats
from KalturaClient.Plugins.Core import KalturaFilterPager, KalturaGroupUserFilter
from links_support import read_out

from kproducer.activity import ActivityLog
from kproducer.kaltura import admin_session
from kproducer.kaltura.client import KalturaConnection, settings_from
from kproducer.kaltura.errors import AuthenticationError
from kproducer.local.cache import Cache
from kproducer.sandbox import Sandbox
from kproducer.services import entries, links, moderators
from kproducer.services.account import Account, AccountSettings
from kproducer.services.facts import Person
from kproducer.services.link_models import ExportRequest
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
        AccountSettings(info.partner_id, info.admin_secret, info.service_url,
                        player_uiconf_id=info.player_uiconf_id),
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


# --- the admin KS expires while the app believes it valid (suspend, clock jump) ---------------


def expire_first_ks(monkeypatch, how_many: int = 1) -> list[int]:
    """The next ``how_many`` admin KSs are born expired (as after a laptop slept for hours)."""
    made: list[int] = []
    real = admin_session.generate_ks

    def generate(secret, partner_id, user_id, session_type, seconds, privileges=""):
        made.append(seconds)
        if len(made) <= how_many:
            seconds = -60
        return real(secret, partner_id, user_id, session_type, seconds, privileges)

    monkeypatch.setattr(admin_session, "generate_ks", generate)
    return made


def test_an_expired_admin_ks_is_renewed_and_the_call_sent_once_more(fresh_sandbox, monkeypatch):
    info = fresh_sandbox.info
    made = expire_first_ks(monkeypatch)
    account = open_account(info)
    try:
        reset_stats(info)
        assert account.conn.client.user.get(info.admin_user_id).id == info.admin_user_id
        assert stats(info)["http_requests"] == 2  # refused, then the same call again
        assert len(made) == 2
    finally:
        account.conn.close()
        account.cache.close()


def test_an_expired_admin_ks_mid_write_creates_the_entry_once(fresh_sandbox, monkeypatch):
    info = fresh_sandbox.info
    account = open_account(info)
    try:
        account.conn.client.user.get(info.admin_user_id)  # a session is under way...
        made = expire_first_ks(monkeypatch)
        account.conn.admin_session.renew()  # ...and its KS is now (secretly) expired
        reset_stats(info)
        entry = entries.create(account, EntryKind.LIVE, "Renewed mid-session")
        assert stats(info)["http_requests"] == 2 and len(made) == 2  # refused, then the create
        assert make_client(info).liveStream.get(entry.id).name == "Renewed mid-session"
        named = fresh_sandbox.db.execute(
            "SELECT COUNT(*) FROM entries WHERE json_extract(data, '$.name') = ?",
            ("Renewed mid-session",)).fetchone()[0]
        assert named == 1  # refused before it ran, so created exactly once
        groups = fresh_sandbox.db.execute(
            "SELECT COUNT(*) FROM kusers WHERE id = ? AND status != 2",
            (f"{entry.id}_moderators",)).fetchone()[0]
        assert groups == 1
    finally:
        account.conn.close()
        account.cache.close()


def test_a_ks_refused_again_after_renewal_points_at_the_clock(fresh_sandbox, monkeypatch):
    info = fresh_sandbox.info
    expire_first_ks(monkeypatch, how_many=10**6)  # this computer's clock is hours behind
    account = open_account(info)
    try:
        reset_stats(info)
        with pytest.raises(AuthenticationError, match="check this computer's clock"):
            account.conn.client.user.get(info.admin_user_id)
        with pytest.raises(AuthenticationError, match="check this computer's clock"):
            entries.create(account, EntryKind.ROOM, "Never made")
        assert stats(info)["http_requests"] == 4  # two tries each, no loop
        assert account.conn.admin_session.generated == 4
    finally:
        account.conn.close()
        account.cache.close()


# --- the server dies in the middle of a link export -----------------------------------------------


def test_sandbox_killed_mid_export_then_rerun_keeps_the_done_rows_and_adds_no_one_twice(tmp_path):
    port = free_port()
    sandbox = Sandbox(tmp_path / "sb", port=port)
    info = sandbox.start()
    account = open_account(info)
    entry = entries.create(account, EntryKind.LIVE, "Killed mid-export")
    users = [f"x{i}@example.com" for i in range(400)]
    source = tmp_path / "people.csv"
    source.write_text("user_id,role\n" + "".join(
        f"{u},{'moderator' if i % 4 == 0 else 'attendee'}\n" for i, u in enumerate(users)))
    out = tmp_path / "links.csv"
    calls = []

    def progress(done, total):
        calls.append(done)
        if len(calls) == 1:
            sandbox.stop()  # the server dies after the first batch is written

    request = ExportRequest(entry.id, source, out, workers=1)
    first = links.export(account, request, progress=progress)
    assert first.ok >= 50 and first.failed and first.ok + first.failed == 400
    rows = {r["user_id"]: r for r in read_out(out)}  # written: every row, ok or why not
    assert len(rows) == 400
    assert all(r["error"] for r in rows.values() if r["status"] == "failed")
    done_links = {u: r["link"] for u, r in rows.items() if r["status"] == "ok"}

    restarted = Sandbox(tmp_path / "sb", port=port)
    restarted.start()
    try:
        second = links.export(account, request)
        assert (second.ok, second.failed) == (400, 0)
        assert second.kept == len(done_links)  # the finished rows were not redone...
        final = {r["user_id"]: r for r in read_out(out)}
        assert all(final[u]["link"] == link for u, link in done_links.items())  # ...or changed
        db = restarted.db
        ids = [uid for (uid,) in db.execute(
            "SELECT id FROM kusers WHERE status != 2 AND id LIKE 'x%@example.com'")]
        assert sorted(ids) == sorted(users)  # every person exists once
        mods = [uid for (uid,) in db.execute(
            "SELECT user_id FROM group_users WHERE group_id=? AND status=0",
            (f"{entry.id}_moderators",))]
        assert sorted(mods) == sorted(u for i, u in enumerate(users) if i % 4 == 0)
    finally:
        account.conn.close()
        account.cache.close()
        restarted.stop()
