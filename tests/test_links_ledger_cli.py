"""``kproducer links list`` / ``links revoke`` and ``links export --json``'s export_id
(DESIGN §5), against the sandbox over HTTP; ``cache clear`` leaves the ledger alone."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from cli_support import Runner, set_account_env
from conftest import make_client
from KalturaClient.exceptions import KalturaException
from links_support import ks_of, read_out

from kproducer.local.link_ledger import LinkLedger
from kproducer.sandbox import SandboxInfo

LIST_KEYS = {"export_id", "entry_id", "role", "format", "rows", "created_at", "expires_at",
             "revoked_at", "output"}


@pytest.fixture
def env(info: SandboxInfo, monkeypatch: pytest.MonkeyPatch, no_account_env: None) -> SandboxInfo:
    set_account_env(monkeypatch, info, KALTURA_PLAYER_UICONF_ID=str(info.player_uiconf_id),
                    KALTURA_CNC_UICONF_ID=str(info.cnc_uiconf_id))
    return info


def refused(info: SandboxInfo, ks: str) -> bool:
    try:
        make_client(info, ks).session.get()
    except KalturaException as exc:
        return exc.code == "INVALID_KS"
    return False


def exported(kp: Runner, tmp_path: Path, unique, n: int = 3, *extra: str):
    entry = kp("entries", "create", "--type", "live", "--name", unique("ledger"), "--json"
               ).json()["entry"]["id"]
    users = [unique("p") + "@example.com" for _ in range(n)]
    source = tmp_path / "people.csv"
    source.write_text("user_id\n" + "".join(f"{u}\n" for u in users))
    out = tmp_path / "links.csv"
    result = kp("links", "export", "--entry", entry, "--csv", str(source), "--out", str(out),
                "--json", *extra)
    assert result.code == 0, result.err
    return entry, users, result.json(), read_out(out)


def test_export_names_its_export_id_and_list_shows_it(kp: Runner, env, unique, tmp_path):
    entry, _users, doc, rows = exported(kp, tmp_path, unique)
    export_id = doc["export_id"]
    assert isinstance(export_id, str) and len(export_id) == 8 and doc["ledger_note"] is None
    listed = kp("links", "list", "--entry", entry, "--json")
    assert listed.code == 0, listed.err
    records = listed.json()
    assert len(records) == 1 and set(records[0]) >= LIST_KEYS
    record = records[0]
    assert record["export_id"] == export_id and record["rows"] == 3
    assert record["role"] == "attendee" and record["format"] == "url"
    assert record["revoked_at"] is None and record["output"] == str(tmp_path / "links.csv")
    assert record["expires_at"] == rows[0]["ks_expires_at"]
    text = kp("links", "list")
    assert text.code == 0 and export_id in text.out and "REVOKED" in text.out
    # the ledger never holds a token
    raw = LinkLedger.default_path().read_bytes()
    assert all(ks_of(r["link"]).encode() not in raw for r in rows)


def test_revoke_prints_the_count_and_is_safe_to_repeat(kp: Runner, env, unique, tmp_path):
    entry, users, doc, rows = exported(kp, tmp_path, unique)
    one = kp("links", "revoke", doc["export_id"], "--user", users[0])
    assert one.code == 0, one.err
    assert f"Export {doc['export_id']}: 1 links of {users[0]}, 1 revoked." in one.out
    assert refused(env, ks_of(rows[0]["link"])) and not refused(env, ks_of(rows[1]["link"]))
    everyone = kp("links", "revoke", doc["export_id"], "--json")
    assert everyone.code == 0, everyone.err
    result = everyone.json()
    assert (result["links"], result["revoked"], result["already_revoked"]) == (3, 2, 1)
    assert result["safe_to_repeat"] is True and result["requests"] == 1
    assert all(refused(env, ks_of(r["link"])) for r in rows)
    listed = kp("links", "list", "--entry", entry, "--json").json()
    assert listed[0]["revoked_at"] is not None
    again = kp("links", "revoke", doc["export_id"])
    assert again.code == 0 and "3 were revoked before" in again.out


def test_unknown_export_or_user_is_exit_2_in_one_sentence(kp: Runner, env, unique, tmp_path):
    _, _, doc, _ = exported(kp, tmp_path, unique, 1)
    for args in (("links", "revoke", "00000000"),
                 ("links", "revoke", doc["export_id"], "--user", "nobody@example.com")):
        result = kp(*args)
        assert result.code == 2
        assert result.err.count("\n") == 1 and "Traceback" not in result.err


def test_long_links_say_the_revocation_lapses(kp: Runner, env, unique, tmp_path):
    _, _, doc, _ = exported(kp, tmp_path, unique, 1, "--expires-in", "3d")
    result = kp("links", "revoke", doc["export_id"])
    assert result.code == 0
    assert "24 hours" in result.out and "Shorter link expiries are the real fix" in result.out


def test_cache_clear_leaves_the_ledger(kp: Runner, env, unique, tmp_path):
    entry, _, doc, _ = exported(kp, tmp_path, unique, 2)
    assert kp("cache", "clear", "--all-accounts").code == 0
    listed = kp("links", "list", "--entry", entry, "--json").json()
    assert [r["export_id"] for r in listed] == [doc["export_id"]]


def test_a_damaged_ledger_does_not_stop_the_export(kp: Runner, env, unique, tmp_path):
    LinkLedger.default_path().write_bytes(b"garbage" * 500)
    _entry, _, doc, rows = exported(kp, tmp_path, unique, 2)
    assert "set aside" in doc["ledger_note"] and doc["export_id"]
    assert all(r["status"] == "ok" for r in rows)


def test_a_locked_ledger_exports_and_says_the_links_cannot_be_revoked(
        kp: Runner, env, unique, tmp_path, monkeypatch):
    import sqlite3

    from kproducer.local import link_ledger

    LinkLedger.open().close()
    monkeypatch.setattr(link_ledger, "BUSY_TIMEOUT", 0.1)
    holder = sqlite3.connect(LinkLedger.default_path(), isolation_level=None)
    holder.execute("PRAGMA journal_mode=DELETE")
    holder.execute("BEGIN EXCLUSIVE")
    started = time.monotonic()
    try:
        _, _, doc, rows = exported(kp, tmp_path, unique, 2)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert doc["export_id"] is None and "cannot be revoked" in doc["ledger_note"]
    assert all(r["status"] == "ok" for r in rows) and time.monotonic() - started < 30
