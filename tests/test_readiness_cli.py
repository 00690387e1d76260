"""``kproducer events check ID [--json]`` for real: exit 0 ready, 1 not, 2 unknown, 3 unreachable."""

from __future__ import annotations

import pytest
from cli_support import Runner, closed_port_url, set_account_env
from conftest import reset_stats, stats
from preview_support import close_account, open_account
from readiness_support import ready_event

from kproducer.services.models import EntryKind


@pytest.fixture
def sb(fresh_sandbox, monkeypatch: pytest.MonkeyPatch, no_account_env: None):
    info = fresh_sandbox.info
    set_account_env(monkeypatch, info, KALTURA_PLAYER_UICONF_ID=str(info.player_uiconf_id),
                    KALTURA_CNC_UICONF_ID=str(info.cnc_uiconf_id),
                    KALTURA_KME_URL=info.kme_launch_url, KALTURA_KME_KEY=info.kme_key,
                    KALTURA_KME_SECRET=info.kme_secret)
    return info


@pytest.fixture
def account(sb):
    acct = open_account(sb)
    yield acct
    close_account(acct)


def test_a_ready_event_exits_0_with_the_contract_json(kp: Runner, sb, account) -> None:
    setup = ready_event(account, (EntryKind.LIVE, EntryKind.ROOM))
    reset_stats(sb)
    result = kp("events", "check", str(setup.event.id), "--json")
    assert result.code == 0, result.out
    assert stats(sb)["http_requests"] <= 3
    document = result.json()
    assert list(document) == ["event_id", "ready", "findings"]
    assert document["event_id"] == setup.event.id and document["ready"] is True
    assert document["findings"]
    for item in document["findings"]:
        assert list(item) == ["entry_id", "check", "ok", "message", "fix"]
        assert item["ok"] is True and item["fix"] is None
    assert {item["entry_id"] for item in document["findings"]} == {
        None, *(e.id for e in setup.sessions)}
    reset_stats(sb)
    assert kp("events", "check", str(setup.event.id)).code == 0
    assert stats(sb)["http_requests"] == 1  # warm: the cache on disk, a new process


def test_the_seeded_event_is_not_ready_exit_1_and_says_what_to_fix(kp: Runner, sb) -> None:
    result = kp("events", "check", "1")
    assert result.code == 1
    assert 'Go-live check of event 1 "Sandbox Summit 2026": not ready' in result.out
    lines = result.out.splitlines()
    table = [line for line in lines if line.startswith(("green", "red"))]
    assert len(table) == 4  # the whole event, then its three sessions
    assert table[0].startswith("green  The whole event")
    assert any(line.startswith("red") and "Opening keynote" in line for line in table)
    assert "To fix:" in result.out and "moderators group" in result.out
    assert "Fix: Create the group, then add moderators." in result.out
    document = kp("events", "check", "1", "--json")
    assert document.code == 1 and document.json()["ready"] is False
    problems = [f for f in document.json()["findings"] if not f["ok"]]
    assert problems and all(f["fix"] for f in problems)


@pytest.mark.parametrize("event_id", ["424242", "abc", "0"])
def test_an_unknown_event_or_bad_id_is_exit_2_in_one_sentence(kp: Runner, sb, event_id) -> None:
    result = kp("events", "check", event_id)
    assert result.code == 2
    assert event_id in result.sentence and not result.out


def test_an_unreachable_account_is_exit_3(kp: Runner, sb, monkeypatch) -> None:
    monkeypatch.setenv("KALTURA_URL", closed_port_url())
    result = kp("events", "check", "1")
    assert result.code == 3 and "Could not reach Kaltura" in result.sentence


def test_a_wrong_admin_secret_is_exit_3(kp: Runner, sb, monkeypatch) -> None:
    monkeypatch.setenv("KALTURA_ADMIN_SECRET", "0" * 32)
    assert kp("events", "check", "1").code == 3
