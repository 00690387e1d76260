"""The client's flows with the search index 2 s behind the writes (``index_lag_ms`` 2000).

Kaltura's lists come from Sphinx, which lags the database; each flow here creates something
and at once works with it, as a producer does, and must come out right (issue 14).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_support import Runner, set_account_env, write_csv
from conftest import set_faults

from kproducer.sandbox import Sandbox

LAG_MS = 2000


@pytest.fixture
def lagging(fresh_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, no_account_env: None,
            dict_keyring) -> Sandbox:
    info = fresh_sandbox.info
    set_account_env(monkeypatch, info, KALTURA_PLAYER_UICONF_ID=str(info.player_uiconf_id),
                    KALTURA_CNC_UICONF_ID=str(info.cnc_uiconf_id))
    set_faults(fresh_sandbox.info, index_lag_ms=LAG_MS)
    yield fresh_sandbox
    set_faults(fresh_sandbox.info)


def _ok(result) -> dict:
    assert result.code == 0, result.err
    return result.json()


def test_create_an_event_a_session_and_its_moderators_while_the_index_lags(
    kp: Runner, lagging: Sandbox, tmp_path: Path
) -> None:
    event = _ok(kp("events", "create", "--name", "Lagging launch", "--json"))["event"]
    entry = _ok(kp("entries", "create", "--type", "room", "--name", "Lagging room",
                   "--event", str(event["id"]), "--json"))["entry"]
    added = _ok(kp("moderators", "add", "--entry", entry["id"], "--user", "ann@example.com",
                   "--first-name", "Ann", "--last-name", "Lee", "--email", "ann@example.com",
                   "--json"))
    assert added["status"] == "added"
    people = write_csv(tmp_path / "people.csv", "email,first_name",
                       [f"p{n}@example.com,P{n}" for n in range(5)])
    imported = _ok(kp("moderators", "import", "--entry", entry["id"], "--csv", str(people),
                      "--json"))
    assert imported["summary"]["added"] == 5
    listed = _ok(kp("moderators", "list", "--entry", entry["id"], "--json"))["moderators"]
    assert {m["user_id"] for m in listed} == {"ann@example.com"} | {
        f"p{n}@example.com" for n in range(5)}
    ann = next(m for m in listed if m["user_id"] == "ann@example.com")
    assert (ann["first_name"], ann["last_name"]) == ("Ann", "Lee")


def test_links_for_a_new_session_while_the_index_lags(
    kp: Runner, lagging: Sandbox, tmp_path: Path
) -> None:
    entry = _ok(kp("entries", "create", "--type", "live", "--name", "Lagging live",
                   "--json"))["entry"]
    people = write_csv(tmp_path / "people.csv", "email,first_name,role",
                       ["mod@example.com,M,moderator", "att@example.com,A,"])
    out = tmp_path / "links.csv"
    done = kp("links", "export", "--entry", entry["id"], "--csv", str(people), "--out", str(out))
    assert done.code == 0, done.err
    rows = out.read_text().splitlines()
    assert len(rows) == 3 and all("http" in row for row in rows[1:])
