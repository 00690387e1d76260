"""Exit codes and error sentences of the account commands (DESIGN §5).

0 success; 1 some rows failed; 2 bad input or usage, nothing written; 3 cannot reach or
authenticate to Kaltura. Every error is one sentence on stderr, never a traceback.

A well-formed ID that names nothing (an entry or event that does not exist) is exit code 2:
it is the user's input that is wrong, not the connection, and nothing has been written
(the commands check the entry or event before writing anything for it).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from cli_support import (
    Runner,
    closed_port_url,
    run_process,
    sandbox_env,
    write_csv,
)

from kproducer.sandbox import SandboxInfo

#: Commands that must reach Kaltura, with what they need.
REACHING = [
    ["events", "list"],
    ["events", "create", "--name", "Never made"],
    ["events", "delete", "12345"],
    ["entries", "list"],
    ["entries", "create", "--type", "room", "--name", "Never made"],
    ["moderators", "list", "--entry", "0_abcdefgh"],
    ["moderators", "add", "--entry", "0_abcdefgh", "--user", "x@example.com"],
    ["moderators", "remove", "--entry", "0_abcdefgh", "--user", "x@example.com"],
    ["profile", "test"],
]
IDS = [" ".join(c[:2]) for c in REACHING]


@pytest.mark.parametrize("args", REACHING, ids=IDS)
def test_an_unreachable_url_is_exit_3_with_the_url(
    kp: Runner, account_env: SandboxInfo, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    url = closed_port_url()
    monkeypatch.setenv("KALTURA_URL", url)
    started = time.monotonic()
    result = kp(*args)
    assert time.monotonic() - started < 15
    assert result.code == 3
    assert result.sentence == f"Could not reach Kaltura at {url}: connection refused."
    assert result.out == ""


def test_an_unreachable_import_is_exit_3_and_writes_no_report(
    kp: Runner, account_env: SandboxInfo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url = closed_port_url()
    monkeypatch.setenv("KALTURA_URL", url)
    csv_in = write_csv(tmp_path / "p.csv", "user_id", ["a@example.com"])
    report = tmp_path / "report.csv"
    result = kp("moderators", "import", "--entry", "0_abcdefgh", "--csv", str(csv_in),
                "--report", str(report))
    assert result.code == 3 and url in result.sentence
    assert not report.exists()


@pytest.mark.parametrize("args", REACHING, ids=IDS)
def test_a_wrong_admin_secret_is_exit_3(
    kp: Runner, account_env: SandboxInfo, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    monkeypatch.setenv("KALTURA_ADMIN_SECRET", "0" * 32)
    result = kp(*args)
    assert result.code == 3
    assert "the admin secret was rejected (invalid_ks)" in result.sentence.lower()


def test_a_wrong_secret_with_a_warm_cache_is_still_exit_3(
    kp: Runner, account_env: SandboxInfo, monkeypatch: pytest.MonkeyPatch, unique, tmp_path: Path
) -> None:
    """The entry is checked afresh before writing, so a cached entry cannot hide a bad secret."""
    entry = kp("entries", "create", "--type", "live", "--name", unique("s"), "--json")
    entry_id = entry.json()["entry"]["id"]
    assert kp("moderators", "add", "--entry", entry_id, "--user", unique("w")).code == 0
    monkeypatch.setenv("KALTURA_ADMIN_SECRET", "0" * 32)
    csv_in = write_csv(tmp_path / "p.csv", "user_id", [unique("w")])
    result = kp("moderators", "import", "--entry", entry_id, "--csv", str(csv_in))
    assert result.code == 3 and "INVALID_KS" in result.sentence
    assert kp("moderators", "add", "--entry", entry_id, "--user", unique("w")).code == 3


@pytest.mark.parametrize(
    "args",
    [["events", "list"], ["entries", "list"], ["profile", "test"], ["cache", "stats"],
     ["moderators", "list", "--entry", "0_abcdefgh"]],
    ids=lambda a: " ".join(a[:2]),
)
def test_no_account_is_exit_2(kp: Runner, no_account_env: None, args: list[str]) -> None:
    result = kp(*args)
    assert result.code == 2
    assert result.sentence == (
        "No account is chosen: pick a profile (--profile NAME) or set KALTURA_PARTNER_ID and "
        "the other KALTURA_* variables."
    )


def test_a_missing_secret_or_admin_user_is_exit_2(
    kp: Runner, account_env: SandboxInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KALTURA_ADMIN_SECRET")
    result = kp("events", "list")
    assert result.code == 2 and "No admin secret is known" in result.sentence
    monkeypatch.setenv("KALTURA_ADMIN_SECRET", account_env.admin_secret)
    monkeypatch.delenv("KALTURA_ADMIN_USER_ID")
    result = kp("events", "list")
    assert result.code == 2 and "KALTURA_ADMIN_USER_ID" in result.sentence
    monkeypatch.setenv("KALTURA_PARTNER_ID", "twelve")
    result = kp("events", "list")
    assert result.code == 2 and "KALTURA_PARTNER_ID" in result.sentence


@pytest.mark.parametrize(
    ("args", "sentence"),
    [
        (["events", "delete", "abc"], '"abc" is not an event ID (a positive whole number).'),
        (["events", "delete", "424242"], 'Virtual event "424242" was not found'),
        (["entries", "list", "--event", "-3"], '"-3" is not an event ID'),
        (["entries", "list", "--event", "424242"], 'Virtual event "424242" was not found'),
        (["moderators", "list", "--entry", "nope"], '"nope" is not a Kaltura entry ID'),
        (["moderators", "list", "--entry", "0_zzzzzzzz"], 'Entry "0_zzzzzzzz" was not found'),
        (["moderators", "add", "--entry", "0_abcdefgh", "--user", "has space"],
         '"has space" is not a valid Kaltura user ID'),
        (["moderators", "remove", "--entry", "0_zzzzzzzz", "--user", "x@example.com"],
         'Entry "0_zzzzzzzz" was not found'),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else "",
)
def test_bad_or_unknown_ids_are_exit_2(
    kp: Runner, account_env: SandboxInfo, args: list[str], sentence: str
) -> None:
    result = kp(*args)
    assert result.code == 2
    assert sentence in result.sentence
    assert result.out == ""


@pytest.mark.parametrize(
    "args",
    [
        ["events"],
        ["events", "create"],
        ["events", "fly"],
        ["entries", "create", "--type", "vod", "--name", "x"],
        ["moderators", "import", "--entry", "0_abcdefgh"],
        ["token"],
        ["cache", "stats", "--profile"],
        ["events", "list", "--bogus=value"],
    ],
    ids=lambda a: " ".join(a),
)
def test_usage_errors_are_exit_2_in_one_sentence(kp: Runner, args: list[str]) -> None:
    result = kp(*args)
    assert result.code == 2
    assert result.err.startswith("kproducer")
    assert result.sentence.endswith("--help').")
    assert "value" not in result.sentence.replace("values", "")


def test_errors_are_one_sentence_also_from_a_real_process(info: SandboxInfo) -> None:
    url = closed_port_url()
    started = time.monotonic()
    unreachable = run_process("events", "list", env=sandbox_env(info, KALTURA_URL=url))
    assert time.monotonic() - started < 15
    assert unreachable.code == 3 and unreachable.out == ""
    assert unreachable.sentence == f"Could not reach Kaltura at {url}: connection refused."

    rejected = run_process("entries", "list",
                           env=sandbox_env(info, KALTURA_ADMIN_SECRET="f" * 32))
    assert rejected.code == 3
    assert rejected.sentence == "The admin secret was rejected (INVALID_KS)."

    missing = run_process("moderators", "list", "--entry", "0_zzzzzzzz", env=sandbox_env(info))
    assert missing.code == 2
    assert missing.sentence == 'Entry "0_zzzzzzzz" was not found (ENTRY_ID_NOT_FOUND).'


def test_a_real_process_prints_json_and_exit_1_for_failed_rows(
    info: SandboxInfo, unique, tmp_path: Path
) -> None:
    env = sandbox_env(info)
    listed = run_process("events", "list", "--json", env=env)
    assert listed.code == 0 and listed.json()["events"]
    created = run_process("entries", "create", "--type", "live", "--name", unique("p"),
                          "--json", env=env)
    assert created.code == 0, created.err
    entry_id = created.json()["entry"]["id"]
    csv_in = write_csv(tmp_path / "p.csv", "user_id", [unique("p"), "bad id", unique("p")])
    imported = run_process("moderators", "import", "--entry", entry_id, "--csv", str(csv_in),
                           "--json", env=env)
    assert imported.code == 1
    assert imported.json()["summary"] == {"rows": 3, "added": 2, "already": 0, "skipped": 0,
                                          "failed": 1}
    # stderr says nothing on success besides the keyring note (no terminal: no progress).
    assert "Importing" not in imported.err
