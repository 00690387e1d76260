"""The client on a real account's hard edges (issue 14): request counts against the sandbox.

Each test has its own sandbox (``fresh_sandbox``), so the counts in ``/_sandbox/stats`` are
exactly the requests the flow made.
"""

from __future__ import annotations

import pytest
from cli_support import Runner, set_account_env
from conftest import make_client, reset_stats, stats
from KalturaClient.Plugins.Core import KalturaAppToken
from KalturaClient.Plugins.Group import KalturaGroup
from test_services import open_account

from kproducer.sandbox import SandboxInfo
from kproducer.services import entries, facts
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
    assert counted["by_action"] == {"baseentry.get": 1, "group_group.add": 1, "user.add": 1,
                                    "groupuser.add": 1}
    reset_stats(fresh_env)
    again = kp("moderators", "add", "--entry", entry_id, "--user", "ann@example.com", "--json")
    assert again.json()["status"] == "already"
    assert stats(fresh_env)["http_requests"] == 1  # the entry check; the rest is cached


# --- the moderators group: only once the entry exists ------------------------------------------


def test_create_makes_the_group_after_the_entry_and_removes_a_stray_one(
    sb: SandboxInfo, account
) -> None:
    make_client(sb).group.group.add(KalturaGroup(id="_moderators", screenName="_moderators"))
    reset_stats(sb)
    entry = entries.create(account, EntryKind.LIVE, "Group after entry")
    counted = stats(sb)
    assert counted["http_requests"] == 2
    assert counted["by_action"] == {"livestream.add": 1, "group_group.add": 1,
                                    "group_group.delete": 1}
    groups = _group_ids(sb)
    assert f"{entry.id}_moderators" in groups and "_moderators" not in groups
    room = entries.create(account, EntryKind.ROOM, "No stray left")  # none to delete: fine
    assert f"{room.id}_moderators" in _group_ids(sb)
