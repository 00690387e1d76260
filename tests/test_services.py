"""The service layer against the sandbox: request counts, caching rules, repairs, errors.

Each test gets its own sandbox (``fresh_sandbox``) so the request counts are exact, and
its own KPRODUCER_HOME, so the SQLite cache file is real and private.
"""

from __future__ import annotations

import math

import pytest
from conftest import make_client, reset_stats, stats
from KalturaClient.Plugins.Core import KalturaAppToken, KalturaGroupUserFilter

from kproducer.activity import ActivityLog
from kproducer.kaltura.client import KalturaConnection, settings_from
from kproducer.kaltura.errors import InvalidInput, NotFound
from kproducer.local.cache import Cache
from kproducer.local.cache_types import CacheKind, account_key
from kproducer.local.secret_store import SecretStore
from kproducer.services import entries, events, facts, moderators, people
from kproducer.services.account import Account, AccountSettings
from kproducer.services.facts import CncTokenError, Person
from kproducer.services.models import EntryKind, Role


class Clock:
    def __init__(self) -> None:
        self.now = 1_900_000_000.0

    def __call__(self) -> float:
        return self.now


def open_account(info, clock=None, secrets=None) -> Account:
    """What a fresh process does: new connection, cache re-opened from disk, keyring vault."""
    activity = ActivityLog()
    cache = Cache(info.partner_id, info.service_url, clock=clock or Clock())
    store = secrets or SecretStore()
    vault = store.cnc_token_vault(
        account_key(info.partner_id, info.service_url), cache.ttl_for(CacheKind.CNC_TOKEN)
    )
    return Account(
        KalturaConnection(settings_from(info.as_dict()), activity=activity),
        cache,
        activity,
        AccountSettings(info.partner_id, info.admin_secret, info.service_url),
        vault,
    )


@pytest.fixture
def sb(fresh_sandbox):
    return fresh_sandbox.info


@pytest.fixture
def account(sb):
    acct = open_account(sb)
    yield acct
    acct.conn.close()
    acct.cache.close()


def seeded_live(account) -> str:
    return next(e.id for e in entries.list_entries(account) if e.kind is EntryKind.LIVE)


# --- one person: one request cold, zero warm --------------------------------------------------


def test_prepare_person_cold_is_one_request_then_zero(account, sb):
    entry_id = seeded_live(account)
    account.cache.delete(facts.ENTRY, entry_id)
    reset_stats(sb)
    prepared = people.prepare(account, entry_id, Person("pat@example.com", "Pat", "Lee"), Role.MODERATOR)
    assert prepared.entry.id == entry_id and len(prepared.cnc_token) == 32
    cold = stats(sb)
    assert cold["http_requests"] == 1
    assert cold["by_action"] == {
        "apptoken.list": 1, "baseentry.get": 1, "schedule_scheduleevent.list": 1, "user.add": 1, "group_group.add": 1, "groupuser.add": 1,
    }
    reset_stats(sb)
    again = people.prepare(account, entry_id, Person("pat@example.com"), Role.MODERATOR)
    assert again.cnc_token == prepared.cnc_token
    assert stats(sb)["http_requests"] == 0
    outcomes = [r.outcome for r in account.activity.records()[-5:]]
    assert outcomes == ["cached"] * 5  # the Activity dock shows the seed's cache at work
    # the server really has the membership
    members = make_client(sb).groupUser.list(KalturaGroupUserFilter(groupIdEqual=f"{entry_id}_moderators"))
    assert "pat@example.com" in [m.userId for m in members.objects]


@pytest.mark.keyring
def test_warm_after_restart_is_zero_requests(sb):
    store = SecretStore()
    if not store.is_persistent:
        pytest.skip(f"needs a persistent keyring: {store.status_message}")
    first = open_account(sb, secrets=store)
    entry_id = seeded_live(first)
    people.prepare(first, entry_id, Person("ron@example.com"), Role.MODERATOR)
    first.conn.close()
    first.cache.close()
    reset_stats(sb)
    second = open_account(sb, secrets=SecretStore())  # a new process: new objects, same files
    people.prepare(second, entry_id, Person("ron@example.com"), Role.MODERATOR)
    assert stats(sb)["http_requests"] == 0


def test_attendee_needs_no_group(account, sb):
    entry_id = seeded_live(account)
    reset_stats(sb)
    people.prepare(account, entry_id, Person("ann@example.com"), Role.ATTENDEE)
    assert set(stats(sb)["by_action"]) == {"apptoken.list", "user.add"}


def test_expired_facts_are_verified_again(sb):
    clock = Clock()
    account = open_account(sb, clock=clock)
    entry_id = seeded_live(account)
    people.prepare(account, entry_id, Person("eve@example.com"), Role.MODERATOR)
    clock.now += 4 * 86400  # user-in-group (3 days) and entry (1 day) have expired
    reset_stats(sb)
    people.prepare(account, entry_id, Person("eve@example.com"), Role.MODERATOR)
    assert stats(sb)["http_requests"] == 1
    assert stats(sb)["by_action"] == {"baseentry.get": 1, "schedule_scheduleevent.list": 1,
                                      "groupuser.add": 1}
    reset_stats(sb)
    people.prepare(account, entry_id, Person("eve@example.com"), Role.MODERATOR)
    assert stats(sb)["http_requests"] == 0  # repopulated


def test_stale_group_flag_is_repaired_and_retried_once(account, sb):
    entry_id = seeded_live(account)
    people.prepare(account, entry_id, Person("kim@example.com"), Role.MODERATOR)
    make_client(sb).group.group.delete(f"{entry_id}_moderators")  # behind the cache's back
    reset_stats(sb)
    people.prepare(account, entry_id, Person("lou@example.com"), Role.MODERATOR)
    assert stats(sb)["http_requests"] == 2  # the failed attempt, then group.add + retry
    assert stats(sb)["by_action"]["groupuser.add"] == 2
    names = [m.user_id for m in moderators.list_moderators(account, entry_id)]
    assert names == ["lou@example.com"]


def test_stale_user_flag_is_repaired(account, sb):
    entry_id = seeded_live(account)
    people.prepare(account, entry_id, Person("gus@example.com"), Role.ATTENDEE)
    make_client(sb).user.delete("gus@example.com")
    people.prepare(account, entry_id, Person("gus@example.com"), Role.MODERATOR)
    assert "gus@example.com" in [m.user_id for m in moderators.list_moderators(account, entry_id)]


def test_errors_are_not_cached(account, sb):
    with pytest.raises(NotFound):
        people.prepare(account, "0_nosuchid", Person("x@example.com"), Role.ATTENDEE)
    assert account.cache.get(facts.ENTRY, "0_nosuchid") is None
    with pytest.raises(InvalidInput):
        people.prepare(account, "not an id", Person("x@example.com"), Role.ATTENDEE)


# --- CnC app token resolution --------------------------------------------------------------------


def test_token_from_settings_skips_the_lookup(sb):
    account = open_account(sb)
    account.settings = AccountSettings(sb.partner_id, sb.admin_secret, cnc_app_token="a" * 32)
    reset_stats(sb)
    prepared = people.prepare(account, seeded_live(account), Person("z@example.com"), Role.ATTENDEE)
    assert prepared.cnc_token == "a" * 32
    assert "apptoken.list" not in stats(sb)["by_action"]


def test_cnc_token_count_must_be_one(account, sb):
    admin = make_client(sb)
    admin.appToken.add(KalturaAppToken(sessionPrivileges="cncAuth:true"))
    with pytest.raises(CncTokenError, match="2 were found"):
        people.prepare(account, seeded_live(account), Person("y@example.com"), Role.ATTENDEE)
    for token in admin.appToken.list().objects:
        admin.appToken.delete(token.id)
    with pytest.raises(CncTokenError, match="0 were found"):
        people.prepare(account, seeded_live(account), Person("y@example.com"), Role.ATTENDEE)


# --- entries and events ---------------------------------------------------------------------------------


def test_create_entry_and_its_group_one_request_each(account, sb):
    event = events.create(account, "Launch day")
    reset_stats(sb)
    live = entries.create(account, EntryKind.LIVE, "Keynote live", event.id)
    room = entries.create(account, EntryKind.ROOM, "Speakers room", event.id)
    assert stats(sb)["http_requests"] == 2  # the group in the create's request
    assert (live.kind, room.kind) == (EntryKind.LIVE, EntryKind.ROOM)
    admin = make_client(sb)
    for entry in (live, room):
        assert admin.group.group.get(f"{entry.id}_moderators").id == f"{entry.id}_moderators"
        assert account.cache.get(facts.GROUP_EXISTS, f"{entry.id}_moderators")
    assert {e.id for e in entries.list_entries(account, event.id)} == {live.id, room.id}


def test_attach_existing_entry_to_event(account):
    event = events.create(account, "Second day")
    vod = next(e for e in entries.list_entries(account) if e.kind is EntryKind.VOD)
    attached = entries.attach(account, vod.id, event.id)
    assert attached.event_id == event.id
    assert [e.id for e in entries.list_entries(account, event.id)] == [vod.id]
    assert entries.get(account, vod.id).event_id == event.id  # the cache follows the change


def test_event_crud_and_validation(account):
    created = events.create(account, "Town hall", "Quarterly")
    assert events.update(account, created.id, name="Town hall Q3").name == "Town hall Q3"
    assert "Town hall Q3" in [e.name for e in events.list_events(account, search="q3")]
    events.delete(account, created.id)
    assert created.id not in [e.id for e in events.list_events(account)]
    with pytest.raises(InvalidInput, match="3 to 256"):
        events.create(account, "ab")
    with pytest.raises(NotFound):
        events.get(account, 987654)


# --- moderators ---------------------------------------------------------------------------------------------


def test_add_list_remove_moderator(account):
    entry_id = seeded_live(account)
    moderators.add(account, entry_id, Person("mo@example.com", "Mo", "Salah", "mo@example.com"))
    listed = {m.user_id: m for m in moderators.list_moderators(account, entry_id)}
    assert listed["mo@example.com"].display_name == "Mo Salah"
    assert "alice@example.com" in listed  # seeded
    assert moderators.remove(account, entry_id, "mo@example.com") is True
    assert "mo@example.com" not in [m.user_id for m in moderators.list_moderators(account, entry_id)]
    assert moderators.remove(account, entry_id, "mo@example.com") is False  # already done
    with pytest.raises(NotFound, match="was not found"):
        moderators.remove(account, "0_zzzzzzzz", "mo@example.com")
    with pytest.raises(InvalidInput):
        moderators.add(account, entry_id, Person("has space"))


@pytest.mark.parametrize("count", [1, 120])
def test_bulk_import_request_budget(account, sb, count):
    entry = entries.create(account, EntryKind.LIVE, f"Import {count}")
    rows = [(i + 2, Person(f"bulk{count}-{i}@example.com", "B", str(i))) for i in range(count)]
    account.cache.delete(facts.ENTRY, entry.id)
    account.cache.delete(facts.GROUP_EXISTS, f"{entry.id}_moderators")
    reset_stats(sb)
    results = moderators.import_people(account, entry.id, rows, workers=3)
    assert {r.status for r in results} == {"added"}
    used = stats(sb)
    assert used["http_requests"] <= math.ceil(count / 50) + 2
    assert used["connections"] <= 3 + 1  # the worker threads, plus the calling thread
    reset_stats(sb)
    again = moderators.import_people(account, entry.id, rows)
    assert {r.status for r in again} == {"already"} and stats(sb)["http_requests"] == 0


def test_bulk_import_reports_rows_and_cancel(account):
    import threading

    entry = entries.create(account, EntryKind.ROOM, "Import rows")
    rows = [(2, Person("ok1@example.com")), (3, Person("ok1@example.com")), (4, Person("bad id"))]
    rows += [(i, Person(f"more{i}@example.com")) for i in range(5, 160)]
    cancel = threading.Event()
    seen = []

    def progress(done, total):
        seen.append((done, total))
        cancel.set()  # cancel after the first batch

    results = moderators.import_people(account, entry.id, rows, progress=progress, cancel=cancel, workers=1)
    by_line = {r.line: r for r in results}
    assert by_line[2].status == "added"
    assert by_line[3].status == "failed" and by_line[3].error == "duplicate of line 2"
    assert by_line[4].status == "failed" and "not a valid Kaltura user ID" in by_line[4].error
    cancelled = [r for r in results if r.error == "cancelled"]
    assert cancelled and seen[-1][0] == len(rows)
    # consistent state: exactly the rows reported added are moderators on the server
    added = {r.user_id for r in results if r.status == "added"}
    assert {m.user_id for m in moderators.list_moderators(account, entry.id)} == added
    rerun = moderators.import_people(account, entry.id, [(r.line, Person(r.user_id)) for r in cancelled])
    assert {r.status for r in rerun} == {"added"}


def test_adding_a_moderator_needs_no_cnc_token(account, sb):
    admin = make_client(sb)
    for token in admin.appToken.list().objects:
        admin.appToken.delete(token.id)  # an account without the CnC token
    entry_id = seeded_live(account)
    reset_stats(sb)
    moderators.add(account, entry_id, Person("nat@example.com"))
    assert stats(sb)["http_requests"] == 1 and "apptoken.list" not in stats(sb)["by_action"]
    assert "nat@example.com" in [m.user_id for m in moderators.list_moderators(account, entry_id)]
