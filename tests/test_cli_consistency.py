"""The command line says the same thing the same way (issue 16 item 10).

Removing someone who is not a moderator is "already done" (0, as ``add`` twice is); events
made in the same second list newest first by ID; ``entries list`` has its schedule column; a
missing setting names both the profile and its environment variable; a second event with a
taken name is made with a warning; one very long value cannot widen a whole table.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import requests
from cli_support import Runner, set_account_env

from kproducer.commands.common import MAX_CELL, table
from kproducer.sandbox import Sandbox, SandboxInfo


def new_entry(kp: Runner, unique) -> dict:
    created = kp("entries", "create", "--type", "live", "--name", unique("consistency"),
                 "--json")
    assert created.code == 0, created.err
    return created.json()["entry"]


def test_removing_someone_who_is_not_a_moderator_is_already_done(
    kp: Runner, account_env: SandboxInfo, unique
) -> None:
    entry = new_entry(kp, unique)
    never = unique("never") + "@example.com"  # not even a Kaltura user
    result = kp("moderators", "remove", "--entry", entry["id"], "--user", never)
    assert result.code == 0, result.err
    assert result.out == f"{never} was not a moderator of {entry['id']}; nothing to remove.\n"
    assert result.err == ""
    # As `add` twice: the second says "already", both exit 0.
    user = unique("twice") + "@example.com"
    assert kp("moderators", "add", "--entry", entry["id"], "--user", user).code == 0
    assert kp("moderators", "add", "--entry", entry["id"], "--user", user).code == 0
    first = kp("moderators", "remove", "--entry", entry["id"], "--user", user, "--json")
    second = kp("moderators", "remove", "--entry", entry["id"], "--user", user, "--json")
    assert (first.code, first.json()["status"]) == (0, "removed")
    assert (second.code, second.json()["status"]) == (0, "already")
    # A mistyped entry is still bad input (2), not "already done".
    missing = kp("moderators", "remove", "--entry", "0_zzzzzzzz", "--user", user)
    assert missing.code == 2 and 'Entry "0_zzzzzzzz" was not found' in missing.sentence


def set_clock(info: SandboxInfo, to: int) -> None:
    """The sandbox's clock shows ``to`` (whole seconds) for about a second."""
    offset = to - int(time.time())
    requests.post(f"{info.service_url}/_sandbox/clock", json={"offset_s": offset},
                  timeout=5).raise_for_status()


def test_events_made_in_the_same_second_list_newest_first(
    kp: Runner, fresh_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, no_account_env: None,
    unique,
) -> None:
    info = fresh_sandbox.info
    set_account_env(monkeypatch, info)
    moment = int(time.time()) - 3600
    made = []
    try:
        for _ in range(3):
            for _attempt in range(5):  # the clock is set again if a second went by
                set_clock(info, moment)
                created = kp("events", "create", "--name", unique("Tie"), "--json")
                event = created.json()["event"]
                if event["created_at"] == time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                        time.gmtime(moment)):
                    break
                kp("events", "delete", str(event["id"]))
            made.append(event["id"])
    finally:
        set_clock(info, int(time.time()))
    listed = kp("events", "list", "--json").json()["events"]
    tied = [e["id"] for e in listed if e["id"] in made]
    assert tied == sorted(made, reverse=True)  # 3 before 2 before 1, as "newest first" says
    text = kp("events", "list").out.splitlines()
    ids = [int(line.split()[0]) for line in text[1:] if int(line.split()[0]) in made]
    assert ids == sorted(made, reverse=True)


def test_entries_list_has_a_schedule_column(kp: Runner, account_env: SandboxInfo) -> None:
    result = kp("entries", "list")
    assert result.code == 0
    assert result.out.splitlines()[0].split() == [
        "ID", "TYPE", "STATUS", "EVENT", "NAME", "SCHEDULE", "CREATED"]


@pytest.fixture
def people(tmp_path: Path) -> Path:
    path = tmp_path / "people.csv"
    path.write_text("email\nsomeone@example.com\n", encoding="utf-8")
    return path


def test_a_missing_player_uiconf_names_the_environment_variable(
    kp: Runner, account_env: SandboxInfo, unique, people: Path, tmp_path: Path
) -> None:
    entry = new_entry(kp, unique)
    result = kp("links", "export", "--entry", entry["id"], "--csv", str(people),
                "--out", str(tmp_path / "out.csv"))
    assert result.code == 2
    assert result.sentence == ("The account has no player uiconf ID; to export links, set it "
                               "in the environment variable KALTURA_PLAYER_UICONF_ID.")


def test_a_missing_player_uiconf_names_the_profile_and_the_variable(
    kp: Runner, info: SandboxInfo, no_account_env: None, monkeypatch: pytest.MonkeyPatch,
    unique, people: Path, tmp_path: Path,
) -> None:
    monkeypatch.setenv("KALTURA_ADMIN_SECRET", info.admin_secret)
    added = kp("profile", "add", "prod", "--url", info.service_url, "--partner-id",
               str(info.partner_id), "--admin-user-id", info.admin_user_id)
    assert added.code == 0, added.err
    monkeypatch.delenv("KALTURA_ADMIN_SECRET")
    entry = kp("entries", "create", "--profile", "prod", "--type", "live", "--name",
               unique("consistency"), "--json").json()["entry"]
    result = kp("links", "export", "--profile", "prod", "--entry", entry["id"], "--csv",
                str(people), "--out", str(tmp_path / "out.csv"))
    assert result.code == 2
    assert result.sentence == (
        "The account has no player uiconf ID; to export links, set it in the account profile "
        "“prod” or the environment variable KALTURA_PLAYER_UICONF_ID.")


def test_a_second_event_with_a_taken_name_is_made_with_a_warning(
    kp: Runner, account_env: SandboxInfo, unique
) -> None:
    name = unique("Launch keynote")
    first = kp("events", "create", "--name", name, "--json")
    assert first.code == 0 and first.err == ""
    first_id = first.json()["event"]["id"]
    second = kp("events", "create", "--name", f"  {name.upper()} ")
    assert second.code == 0
    second_id = int(second.out.split()[2].rstrip(":"))
    assert second.out == f"Created event {second_id}: {name.upper()}\n"
    assert second.sentence == (
        f"warning: an event named “{name.upper()}” already exists (ID {first_id}); created "
        f"another one, {second_id} (`kproducer events delete {second_id}` if that was a "
        "mistake).")
    third = kp("events", "create", "--name", name, "--json")
    assert third.code == 0 and third.json()["event"]["name"] == name  # stdout stays JSON
    assert f"(ID {second_id}, {first_id})" in third.sentence


def test_a_300_character_user_id_does_not_widen_the_moderators_table(
    kp: Runner, account_env: SandboxInfo, unique
) -> None:
    entry = new_entry(kp, unique)
    long_id = unique("u") + "x" * 280 + "@example.com"
    assert 300 <= len(long_id) <= 320
    short_id = unique("short") + "@example.com"
    for user in (long_id, short_id):
        added = kp("moderators", "add", "--entry", entry["id"], "--user", user)
        assert added.code == 0, added.err
    text = kp("moderators", "list", "--entry", entry["id"]).out.splitlines()
    assert max(len(line) for line in text) <= 2 * MAX_CELL + 10
    assert any(line.startswith(long_id[:MAX_CELL - 1] + "…") for line in text)
    assert any(line.startswith(short_id) for line in text)
    listed = kp("moderators", "list", "--entry", entry["id"], "--json").json()["moderators"]
    assert long_id in [m["user_id"] for m in listed]  # --json has it whole


def test_the_table_cuts_long_cells_but_not_sentences(capsys: pytest.CaptureFixture[str]) -> None:
    error = "The e-mail address is not valid: " + "y" * 100 + "."
    table(("LINE", "USER_ID", "ERROR"), [(2, "z" * 100, error)], "", full=("ERROR",))
    header, row = capsys.readouterr().out.splitlines()
    assert row.split()[1] == "z" * (MAX_CELL - 1) + "…"
    assert row.endswith(error)
    assert header.split() == ["LINE", "USER_ID", "ERROR"]
