"""Go-live readiness against the sandbox with the real client: each check both ways, and
the request budget (one multirequest for the event; 3 sessions cold ≤ 3, warm ≤ 1; 50 ≤ 5).
"""

from __future__ import annotations

import dataclasses
import time

import pytest
from conftest import make_client, reset_stats, stats
from KalturaClient.Plugins.Core import KalturaAppTokenFilter, KalturaMediaEntry, KalturaMediaType
from preview_support import close_account, open_account
from readiness_support import HOUR, finding, ready_event
from sessions_support import set_live

from kproducer.kaltura.errors import InvalidInput, NotFound
from kproducer.services import entries, events, moderators, readiness
from kproducer.services.account import AccountSettings
from kproducer.services.models import EntryKind
from kproducer.services.readiness_model import Fix


@pytest.fixture
def sb(fresh_sandbox):
    return fresh_sandbox.info


@pytest.fixture
def account(sb):
    acct = open_account(sb)
    yield acct
    close_account(acct)


def fresh_process(sb, **settings):
    """A second account on the same sandbox, as a new process has it (cache on disk kept)."""
    acct = open_account(sb)
    if settings:
        acct.settings = dataclasses.replace(acct.settings, **settings)
    return acct


def test_a_ready_event_is_ready_and_says_why_for_every_check(account):
    setup = ready_event(account, (EntryKind.LIVE, EntryKind.ROOM))
    report = readiness.check(account, setup.event.id)
    assert report.ready, [f for f in report.findings if not f.ok]
    live, room = setup.sessions
    checks = {(f.entry_id, f.check) for f in report.findings}
    assert {(None, "cnc_token"), (None, "player_uiconf"), (None, "cnc_uiconf")} <= checks
    assert {(live.id, c) for c in ("entry", "encoder_kit", "schedule", "moderators")} <= checks
    assert {(room.id, c) for c in ("entry", "kme_launch", "schedule", "moderators")} <= checks
    assert (live.id, "broadcasting") not in checks  # it starts in 2 hours
    assert all(f.fix is None and f.message.endswith(".") for f in report.findings)
    assert [e.id for e in report.sessions] == [live.id, room.id]
    assert report.as_json()["ready"] is True


def test_unknown_event_is_not_found_and_a_bad_id_is_refused_before_any_call(account, sb):
    with pytest.raises(NotFound):
        readiness.check(account, 987654)
    reset_stats(sb)
    with pytest.raises(InvalidInput):
        readiness.check(account, "twelve")
    assert stats(sb)["http_requests"] == 0


def test_an_event_without_sessions_is_not_ready(account):
    event = events.create(account, "Empty event")
    report = readiness.check(account, event.id)
    assert not report.ready
    assert not finding(report, None, "sessions").ok


def test_missing_group_offers_to_create_it_and_an_empty_one_to_add_moderators(account, sb):
    setup = ready_event(account)
    entry = setup.sessions[0]
    admin = make_client(sb)
    moderators.remove(account, entry.id, "alice@example.com")
    empty = finding(readiness.check(fresh_process(sb), setup.event.id), entry.id, "moderators")
    assert not empty.ok and empty.action is Fix.ADD_MODERATORS
    assert "no moderators" in empty.message
    admin.group.group.delete(f"{entry.id}_moderators")
    missing = finding(readiness.check(fresh_process(sb), setup.event.id), entry.id, "moderators")
    assert not missing.ok and missing.action is Fix.CREATE_GROUP
    assert f"{entry.id}_moderators" in missing.message and missing.fix


def test_a_deleted_group_is_found_even_when_the_cache_says_it_exists(account, sb):
    setup = ready_event(account)
    entry = setup.sessions[0]
    readiness.check(account, setup.event.id)  # warm: the group and a member are cached
    moderators.remove(account, entry.id, "alice@example.com")  # forgets the member
    make_client(sb).group.group.delete(f"{entry.id}_moderators")
    report = readiness.check(account, setup.event.id)
    assert not finding(report, entry.id, "moderators").ok


def test_schedule_missing_or_over_is_not_ready_and_offers_the_editor(account):
    event = events.create(account, "Schedules")
    unscheduled = entries.create(account, EntryKind.ROOM, "No slot", event.id)
    report = readiness.check(account, event.id)
    missing = finding(report, unscheduled.id, "schedule")
    assert not missing.ok and missing.action is Fix.EDIT_SCHEDULE
    setup = ready_event(account)
    later = readiness.check(account, setup.event.id, now=time.time() + 5 * HOUR)
    over = finding(later, setup.sessions[0].id, "schedule")
    assert not over.ok and "ended" in over.message and over.action is Fix.EDIT_SCHEDULE


def test_a_live_session_within_15_minutes_needs_an_encoder_broadcasting(account, sb):
    setup = ready_event(account, starts_in=10 * 60)
    live = setup.sessions[0]
    report = readiness.check(account, setup.event.id)
    silent = finding(report, live.id, "broadcasting")
    assert not silent.ok and silent.action is Fix.OPEN_ENCODER and "starts in" in silent.message
    set_live(sb, live.id, True)
    assert finding(readiness.check(account, setup.event.id), live.id, "broadcasting").ok


def test_a_recording_still_without_media_is_not_ready_and_a_ready_one_is(account, sb):
    event = events.create(account, "Recordings")
    admin = make_client(sb)
    bare = admin.media.add(KalturaMediaEntry(
        name="Not uploaded", mediaType=KalturaMediaType.VIDEO,
        adminTags=entries.event_tag(event.id)))
    report = readiness.check(account, event.id)
    entry = finding(report, bare.id, "entry")
    assert not entry.ok and "no recording yet" in entry.message
    [seeded] = events.list_events(account, "Sandbox Summit")  # its recording is READY
    vod = next(e for e in readiness.check(account, seeded.id).sessions
               if e.kind is EntryKind.VOD)
    assert finding(readiness.check(account, seeded.id), vod.id, "entry").ok


def test_rooms_need_a_kme_launch_in_the_profile(account, sb):
    setup = ready_event(account, (EntryKind.ROOM,))
    without = fresh_process(sb, kme=None)
    kme = finding(readiness.check(without, setup.event.id), setup.sessions[0].id, "kme_launch")
    assert not kme.ok and kme.action is Fix.EDIT_ACCOUNT and "KME" in kme.message


def test_uiconfs_unset_or_gone_are_not_ready(account, sb):
    setup = ready_event(account)
    unset = fresh_process(sb, player_uiconf_id=None)
    assert not finding(readiness.check(unset, setup.event.id), None, "player_uiconf").ok
    wrong = fresh_process(sb, cnc_uiconf_id=424242)
    gone = finding(readiness.check(wrong, setup.event.id), None, "cnc_uiconf")
    assert not gone.ok and "424242 does not exist" in gone.message
    make_client(sb).uiConf.delete(sb.player_uiconf_id)
    deleted = finding(readiness.check(fresh_process(sb), setup.event.id), None, "player_uiconf")
    assert not deleted.ok and "does not exist" in deleted.message


def test_cnc_token_missing_or_not_the_accounts_is_not_ready(account, sb):
    setup = ready_event(account)
    strange = fresh_process(sb, cnc_app_token="not-a-token-of-this-account")
    given = finding(readiness.check(strange, setup.event.id), None, "cnc_token")
    assert not given.ok and "not an active app token" in given.message
    admin = make_client(sb)
    for token in admin.appToken.list(KalturaAppTokenFilter()).objects:
        admin.appToken.delete(token.id)
    none = finding(readiness.check(fresh_process(sb), setup.event.id), None, "cnc_token")
    assert not none.ok and "0 were found" in none.message


def test_three_sessions_cold_take_at_most_3_requests_and_warm_1(account, sb):
    setup = ready_event(account, (EntryKind.LIVE, EntryKind.ROOM, EntryKind.LIVE))
    cold = fresh_process(sb)
    cold.cache.clear(all_accounts=True)
    reset_stats(sb)
    assert readiness.check(cold, setup.event.id).ready
    assert stats(sb)["http_requests"] <= 3
    reset_stats(sb)
    again = fresh_process(sb)  # another process: the cache on disk, the vault in memory empty
    again.vault.set_cnc_token(cold.vault.get_cnc_token() or "")
    assert readiness.check(again, setup.event.id).ready
    assert stats(sb)["http_requests"] == 1


def test_fifty_sessions_cold_take_at_most_5_requests(account, sb):
    event = events.create(account, "Fifty")
    start = int(time.time()) + 3 * HOUR
    kinds = [EntryKind.LIVE, EntryKind.ROOM]
    for index in range(50):
        entries.create(account, kinds[index % 2], f"S{index}", event.id, start, start + HOUR)
    cold = fresh_process(sb)
    cold.cache.clear(all_accounts=True)
    reset_stats(sb)
    report = readiness.check(cold, event.id)
    assert len(report.sessions) == 50
    assert stats(sb)["http_requests"] <= 5
    reset_stats(sb)
    readiness.check(cold, event.id)
    assert stats(sb)["http_requests"] == 1


def test_a_session_added_since_the_last_check_is_found(account):
    setup = ready_event(account)
    readiness.check(account, setup.event.id)
    added = entries.create(account, EntryKind.ROOM, "Added later", setup.event.id)
    report = readiness.check(account, setup.event.id)
    assert added.id in {e.id for e in report.sessions}
    assert not finding(report, added.id, "schedule").ok


def test_settings_without_kme_do_not_touch_other_sessions(sb):
    acct = open_account(sb)
    try:
        acct.settings = AccountSettings(sb.partner_id, sb.admin_secret, sb.service_url,
                                        sb.player_uiconf_id, sb.cnc_uiconf_id)
        setup = ready_event(acct)  # a live session only: KME is not needed
        assert readiness.check(acct, setup.event.id).ready
    finally:
        close_account(acct)


# --- the link ledger (local: no request) ---------------------------------------------------


def export_links(account, entry_id, folder, expires_in=None):
    from kproducer.services import links
    from kproducer.services.link_models import ExportRequest
    from kproducer.services.tokens import ExpiryPolicy

    people = folder / f"people-{time.time_ns()}.csv"
    people.write_text("user_id\nbob@example.com\ncarol@example.com\n", encoding="utf-8")
    request = ExportRequest(entry_id, people, folder / f"out-{time.time_ns()}.csv",
                            policy=ExpiryPolicy(fixed_seconds=expires_in))
    summary = links.export(account, request)
    assert summary.ok == 2, summary
    return summary


def test_links_that_end_before_the_session_offer_a_re_export(account, sb, tmp_path):
    setup = ready_event(account, starts_in=2 * HOUR)
    live = setup.sessions[0]
    export_links(account, live.id, tmp_path)  # default: the session's end + 10 minutes
    lasting = finding(readiness.check(account, setup.event.id), live.id, "links")
    assert lasting.ok and "2 exported links last" in lasting.message
    export_links(account, live.id, tmp_path, expires_in=HOUR)  # ends 2 hours early
    report = readiness.check(account, setup.event.id)
    short = finding(report, live.id, "links")
    assert not short.ok and short.action is Fix.REEXPORT and not report.ready
    assert short.message.startswith("2 exported links for this session end before it does")
    assert "2 hours early" in short.message


def test_revoked_links_are_noted_and_no_longer_count(account, sb, tmp_path):
    from kproducer.services import revoke

    setup = ready_event(account, starts_in=2 * HOUR)
    live = setup.sessions[0]
    summary = export_links(account, live.id, tmp_path, expires_in=HOUR)
    revoke.revoke(account, summary.export_id)  # session.end on the sandbox, as Kaltura
    report = readiness.check(account, setup.event.id)
    assert report.ready  # revoked links no longer cut anyone off
    noted = finding(report, live.id, "revoked_links")
    assert noted.ok and "2 links for this session were revoked" in noted.message
    assert not [f for f in report.findings if f.check == "links"]


def test_an_unreadable_ledger_is_a_note_and_the_check_goes_on(account, sb, tmp_path):
    from kproducer import paths
    from kproducer.local.link_ledger import LinkLedger

    setup = ready_event(account)
    path = LinkLedger.default_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"this is not a database" * 100)
    report = readiness.check(account, setup.event.id)
    assert report.ready
    assert any("set aside" in note or "ledger" in note for note in report.notes)
    assert paths.data_dir().exists()


def test_the_ledger_adds_no_request(account, sb, tmp_path):
    setup = ready_event(account)
    export_links(account, setup.sessions[0].id, tmp_path)
    readiness.check(account, setup.event.id)
    reset_stats(sb)
    readiness.check(account, setup.event.id)
    assert stats(sb)["http_requests"] == 1


def test_an_encoder_kit_missing_from_the_answer_is_not_ready():
    from kproducer.services import readiness_checks
    from kproducer.services.models import Entry
    from kproducer.services.readiness import Gathered, SessionState

    entry = Entry("0_abcdefgh", "Bare", EntryKind.LIVE, "2")
    got = Gathered(sessions={entry.id: SessionState(entry, has_kit=False, members=1,
                                                     group_exists=True)})
    account = type("A", (), {"settings": AccountSettings(1, "s")})()
    [kit] = [f for f in readiness_checks.findings(account, got, [entry], time.time(), {})
             if f.check == "encoder_kit"]
    assert not kit.ok and kit.action is Fix.OPEN_ENCODER and "no encoder" in kit.message
