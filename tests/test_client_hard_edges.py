"""The client on a real account's hard edges (issue 14): request counts against the sandbox.

Each test has its own sandbox (``fresh_sandbox``), so the counts in ``/_sandbox/stats`` are
exactly the requests the flow made.
"""

from __future__ import annotations

import json
import time

import pytest
import requests
from cli_support import Runner, set_account_env
from conftest import make_client, reset_stats, set_faults, stats
from KalturaClient.Plugins.Core import KalturaAppToken
from KalturaClient.Plugins.Group import KalturaGroup
from test_faults_cli import CREATES, seed_first_hit_only
from test_services import open_account

from kproducer.kaltura.errors import KalturaError
from kproducer.sandbox import SandboxInfo
from kproducer.services import entries, facts, lost_answer
from kproducer.services.models import EntryKind


@pytest.fixture
def sb(fresh_sandbox) -> SandboxInfo:
    return fresh_sandbox.info


@pytest.fixture
def account(sb):
    acct = open_account(sb)
    yield acct
    acct.conn.close()
    acct.cache.close()


@pytest.fixture
def fresh_env(sb: SandboxInfo, monkeypatch: pytest.MonkeyPatch, no_account_env: None,
              dict_keyring) -> SandboxInfo:
    set_account_env(monkeypatch, sb)
    return sb


def _group_ids(info: SandboxInfo) -> set[str]:
    return {g.id for g in make_client(info).group.group.list().objects or []}


# --- CnC app token: exactly "cncAuth:true" --------------------------------------------------


def test_a_token_with_more_privileges_is_not_the_cnc_token(sb: SandboxInfo, account) -> None:
    admin = make_client(sb)
    seeded = [t.token for t in admin.appToken.list().objects
              if t.sessionPrivileges == "cncAuth:true"]
    admin.appToken.add(KalturaAppToken(sessionPrivileges="cncAuth:true,sview:*"))
    found: list[str] = []
    facts.run(account, [facts.cnc_step(account, found)])
    assert found == seeded and len(seeded) == 1


# --- moderators add: the entry check and ONE request ------------------------------------------


def test_moderators_add_for_a_new_person_is_two_requests(kp: Runner, fresh_env: SandboxInfo) -> None:
    created = kp("entries", "create", "--type", "live", "--name", "Two requests", "--json")
    entry_id = created.json()["entry"]["id"]
    kp("cache", "clear")  # cold: nothing known about the group
    reset_stats(fresh_env)
    added = kp("moderators", "add", "--entry", entry_id, "--user", "ann@example.com", "--json")
    assert added.code == 0, added.err
    assert added.json()["status"] == "added"
    counted = stats(fresh_env)
    assert counted["http_requests"] == 2
    # the entry check reads the live session's schedule event in the same request
    assert counted["by_action"] == {"baseentry.get": 1, "schedule_scheduleevent.list": 1,
                                    "group_group.add": 1, "user.add": 1, "groupuser.add": 1}
    reset_stats(fresh_env)
    again = kp("moderators", "add", "--entry", entry_id, "--user", "ann@example.com", "--json")
    assert again.json()["status"] == "already"
    assert stats(fresh_env)["http_requests"] == 1  # the entry check; the rest is cached


# --- the moderators group: only once the entry exists ------------------------------------------


def test_create_makes_the_group_in_its_request_and_removes_a_stray_one(
    sb: SandboxInfo, account
) -> None:
    make_client(sb).group.group.add(KalturaGroup(id="_moderators", screenName="_moderators"))
    reset_stats(sb)
    entry = entries.create(account, EntryKind.LIVE, "Group after entry")
    counted = stats(sb)
    assert counted["http_requests"] == 1
    assert counted["by_action"] == {"livestream.add": 1, "group_group.add": 1,
                                    "group_group.delete": 1}
    groups = _group_ids(sb)
    assert f"{entry.id}_moderators" in groups and "_moderators" not in groups
    room = entries.create(account, EntryKind.ROOM, "No stray left")  # none to delete: fine
    assert f"{room.id}_moderators" in _group_ids(sb)


def test_a_refused_create_leaves_no_stray_group_or_schedule_event(
    sb: SandboxInfo, account, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Kaltura refuses the entry; its placeholders become '' in the calls after it."""
    from KalturaClient.Plugins.Core import KalturaLiveStreamEntry
    from KalturaClient.Plugins.Schedule import KalturaScheduleEventFilter

    class Refused(KalturaLiveStreamEntry):  # Kaltura wants SRT passphrases of 10 or more
        def __init__(self, **fields: object) -> None:
            super().__init__(**fields)
            self.srtPass = "short"

    monkeypatch.setattr(entries, "KalturaLiveStreamEntry", Refused)
    admin = make_client(sb)
    events_before = admin.schedule.scheduleEvent.list(KalturaScheduleEventFilter()).totalCount
    with pytest.raises(KalturaError):
        entries.create(account, EntryKind.LIVE, "Refused", start_date=int(time.time()) + 3600,
                       end_date=int(time.time()) + 7200)
    assert "_moderators" not in _group_ids(sb)
    listed = admin.schedule.scheduleEvent.list(KalturaScheduleEventFilter())
    assert listed.totalCount == events_before
    assert all(e.templateEntryId for e in listed.objects)


@pytest.mark.parametrize("drops_reference", [False, True])
@pytest.mark.parametrize("what", ["session", "event"])
def test_a_lost_create_is_found_although_the_index_lags(
    kp: Runner, fresh_sandbox, fresh_env: SandboxInfo, what: str, drops_reference: bool
) -> None:
    command, count, add, check = CREATES[what]
    if drops_reference:
        requests.post(f"{fresh_env.service_url}/_sandbox/partner", timeout=5, json={
            "admin_role_without": ["CONTENT_INGEST_REFERENCE_MODIFY"]}).raise_for_status()
    name = f"Lagging {what} {drops_reference}"
    seed_first_hit_only(fresh_sandbox, 0.5)
    set_faults(fresh_env, malformed_rate=0.5, index_lag_ms=2000)
    reset_stats(fresh_env)
    try:
        result = kp(*command, name, "--json")
    finally:
        set_faults(fresh_env)
    assert result.code == 0, result.err
    assert result.json()[what if what == "event" else "entry"]["name"] == name
    by_action = stats(fresh_env)["by_action"]
    assert by_action[add] == 1
    # baseEntry.list is index-served: looked again while the index lagged (event lists are
    # read from the database, on Kaltura as in the sandbox)
    assert by_action[check] >= (2 if what == "session" else 1)
    assert count(fresh_sandbox, name) == 1


def test_a_create_not_found_in_time_is_in_doubt_and_not_made_again(
    kp: Runner, fresh_sandbox, fresh_env: SandboxInfo
) -> None:
    seed_first_hit_only(fresh_sandbox, 0.5)
    set_faults(fresh_env, drop_rate=0.5)  # dropped before the server read it
    reset_stats(fresh_env)
    try:
        result = kp("entries", "create", "--type", "live", "--name", "Never made")
    finally:
        set_faults(fresh_env)
    assert result.code == 3
    assert "may have been created anyway, so refresh the list" in result.err
    by_action = stats(fresh_env)["by_action"]
    assert by_action == {"baseentry.list": 2 * (1 + len(lost_answer.PAUSES))}
    assert "livestream.add" not in by_action  # never created blindly again


# --- SERVICE_FORBIDDEN: one sentence that names the reason ------------------------------------


def test_a_disabled_virtual_events_plugin_is_named(kp: Runner, fresh_env: SandboxInfo) -> None:
    requests.post(f"{fresh_env.service_url}/_sandbox/partner", timeout=5, json={
        "plugins_disabled": ["virtualEvent"]}).raise_for_status()
    result = kp("events", "list")
    assert result.code != 0 and "Traceback" not in result.err
    assert "Virtual Events plugin is not enabled; ask Kaltura to enable it (SERVICE_FORBIDDEN)" \
        in result.err


# --- lists past the 10,000th match -------------------------------------------------------------

MANY = 12_000


def _clone_entries(fresh_sandbox, model_id: str, count: int) -> None:
    """``count`` copies of an entry straight into the store, 25 per second of createdAt."""
    db = fresh_sandbox.db
    row = db.execute("SELECT partner_id, status, data FROM entries WHERE id = ?",
                     (model_id,)).fetchone()
    model = json.loads(row[2])
    base = int(model["createdAt"]) - count
    with db.transaction():
        for n in range(count):
            entry_id = f"0_c{n:07d}"
            created = base + n // 25  # many share a second: the cursor must not skip them
            db.insert("entries", {**model, "id": entry_id, "name": f"Clone {n}",
                                  "referenceId": None, "createdAt": created,
                                  "updatedAt": created},
                      partner_id=row[0], id=entry_id, status=row[1])
    db.catch_up_index()


def test_entries_list_reads_past_the_10000th_match(
    kp: Runner, fresh_sandbox, fresh_env: SandboxInfo
) -> None:
    model = kp("entries", "create", "--type", "live", "--name", "Model", "--json")
    _clone_entries(fresh_sandbox, model.json()["entry"]["id"], MANY)
    total = int(fresh_sandbox.db.execute(
        "SELECT COUNT(*) FROM entries WHERE status != '3'").fetchone()[0])
    assert total > MANY
    reset_stats(fresh_env)
    listed = kp("entries", "list", "--json")
    assert listed.code == 0, listed.err
    ids = [e["id"] for e in listed.json()["entries"]]
    assert len(ids) == len(set(ids)) == total  # none skipped, none twice
    requests_made = stats(fresh_env)["http_requests"]
    print(f"entries list of {total} entries: {requests_made} requests")
    assert requests_made <= total // 500 + 2


def test_a_list_that_needs_the_newest_asks_for_them_only(sb: SandboxInfo, account) -> None:
    for n in range(3):
        entries.create(account, EntryKind.LIVE, f"Newest {n}")
    everything = entries.list_entries(account)
    reset_stats(sb)
    newest = entries.list_entries(account, limit=2)
    assert stats(sb)["http_requests"] == 2  # the newest two, then their schedule events
    assert [e.id for e in newest] == [e.id for e in everything[:2]]


def test_profile_test_names_what_the_account_does_not_grant(
    kp: Runner, fresh_env: SandboxInfo
) -> None:
    granted = kp("profile", "test", "--json")
    assert granted.code == 0 and granted.json()["not_granted"] == []
    assert "everything kproducer needs" in kp("profile", "test").out
    requests.post(f"{fresh_env.service_url}/_sandbox/partner", timeout=5, json={
        "plugins_disabled": ["virtualEvent"]}).raise_for_status()
    reset_stats(fresh_env)
    refused = kp("profile", "test", "--json")
    assert refused.code == 1
    assert refused.json()["not_granted"] == ["virtual events (virtualEvent.list)"]
    assert refused.json()["ok"] is False
    assert stats(fresh_env)["http_requests"] == 1  # still one request
    assert "not: virtual events (virtualEvent.list)" in kp("profile", "test").out


def test_profile_test_names_the_permissions_kaltura_works_around(
    kp: Runner, fresh_env: SandboxInfo
) -> None:
    """A role without them is not refused: Kaltura drops the fields, so only asking tells."""
    full = kp("profile", "test", "--json")
    assert full.code == 0 and full.json()["role_limits"] == []
    requests.post(f"{fresh_env.service_url}/_sandbox/partner", timeout=5, json={
        "admin_role_without": ["CONTENT_INGEST_REFERENCE_MODIFY", "CONTENT_MANAGE_SCHEDULE"],
    }).raise_for_status()
    reset_stats(fresh_env)
    limited = kp("profile", "test", "--json")
    assert limited.code == 0  # kproducer works around both: not failures
    limits = limited.json()["role_limits"]
    assert [text.split(" ", 1)[0] for text in limits] == [
        "CONTENT_INGEST_REFERENCE_MODIFY", "CONTENT_MANAGE_SCHEDULE"]
    assert "looked for by name" in limits[0]
    counted = stats(fresh_env)
    assert counted["http_requests"] == 1  # the same single request
    assert counted["by_action"]["permission.getcurrentpermissions"] == 1
    shown = kp("profile", "test").out
    assert "Role limits" in shown and "CONTENT_MANAGE_SCHEDULE is not granted" in shown


def test_sandbox_current_permissions_follow_the_role_and_the_partner_options(
    sb: SandboxInfo,
) -> None:
    from conftest import make_ks

    admin = make_client(sb).permission.getCurrentPermissions().split(",")
    assert {"CONTENT_INGEST_REFERENCE_MODIFY", "CONTENT_MANAGE_SCHEDULE",
            "VIRTUALEVENT_PLUGIN_PERMISSION"} <= set(admin)
    viewer = make_client(sb, make_ks(sb, "viewer", 0, privileges="setrole:PLAYBACK_BASE_ROLE"))
    assert viewer.permission.getCurrentPermissions() == "PLAYBACK_BASE_PERMISSION"
