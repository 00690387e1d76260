"""No secret ever leaves the keyring: not in a file, not on stdout, not on stderr.

A scripted session (profile add, events create, entries create, moderators add/import,
token inspect, cache stats, and more, with and without --json, including failures) runs with
KPRODUCER_HOME set; then every file under KPRODUCER_HOME and everything printed is scanned
for the admin secret, the CnC app token and the KME secret.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from cli_support import (
    DictKeyring,
    Runner,
    files_under,
    run_process,
    sandbox_env,
    set_account_env,
    write_csv,
)
from conftest import make_client

from kproducer.sandbox import SandboxInfo
from kproducer.services import tokens
from kproducer.services.models import Entry, EntryKind, Role


def test_a_whole_session_leaves_no_secret_behind(
    kp: Runner, info: SandboxInfo, dict_keyring: DictKeyring, monkeypatch: pytest.MonkeyPatch,
    no_account_env: None, kproducer_home: Path, unique, tmp_path: Path,
) -> None:
    cnc_token = next(
        t.token for t in make_client(info).appToken.list().objects
        if t.sessionPrivileges == "cncAuth:true"
    )
    secrets = {"admin secret": info.admin_secret, "CnC app token": cnc_token,
               "KME secret": info.kme_secret}
    set_account_env(monkeypatch, info, KALTURA_CNC_APP_TOKEN=cnc_token,
                    KALTURA_KME_SECRET=info.kme_secret, KALTURA_KME_URL=info.kme_launch_url,
                    KALTURA_KME_KEY=info.kme_key)
    assert kp("profile", "add", "demo", "--json").code == 0
    assert kp("profile", "add", "demo").code == 0  # replaced, in text this time
    for var in ("KALTURA_URL", "KALTURA_PARTNER_ID", "KALTURA_ADMIN_USER_ID",
                "KALTURA_ADMIN_SECRET", "KALTURA_CNC_APP_TOKEN", "KALTURA_KME_SECRET",
                "KALTURA_KME_URL", "KALTURA_KME_KEY"):
        monkeypatch.delenv(var)
    p = ("--profile", "demo")

    def ok(*args: str) -> dict:
        result = kp(*args, *p, "--json")
        assert result.code == 0, result.err
        kp(*args, *p)  # and the text output
        return result.json()

    ok("profile", "test")
    ok("profile", "list")
    event = ok("events", "create", "--name", unique("Secret-free"))["event"]
    ok("events", "list")
    entry = ok("entries", "create", "--type", "live", "--name", "Live", "--event",
               str(event["id"]))["entry"]
    ok("entries", "create", "--type", "room", "--name", "Room")
    ok("entries", "list", "--event", str(event["id"]))
    ok("moderators", "add", "--entry", entry["id"], "--user", unique("m"), "--email",
       "m@example.com", "--first-name", "M", "--last-name", "N")
    exports = kproducer_home / "exports"
    exports.mkdir()
    csv_in = write_csv(tmp_path / "people.csv", "user_id,first_name",
                       [f"{unique('i')},I{n}" for n in range(30)] + ["bad id,X"])
    for flag in ("--json", None):
        result = kp("moderators", "import", "--entry", entry["id"], "--csv", str(csv_in),
                    "--report", str(exports / "report.csv"), *p, *([flag] if flag else []))
        assert result.code == 1
    ok("moderators", "list", "--entry", entry["id"])
    live = Entry(entry["id"], "Live", EntryKind.LIVE, "2", end_date=int(time.time()) + 600)
    issued = tokens.issue(admin_secret=info.admin_secret, cnc_app_token=cnc_token,
                          partner_id=info.partner_id, user_id="viewer", role=Role.ATTENDEE,
                          entry=live, event_id=event["id"])
    assert ok("token", "inspect", issued.ks)["verified"] is True
    assert ok("token", "inspect", issued.jwt)["verified"] is True
    ok("cache", "stats")
    assert kp("moderators", "list", "--entry", "0_zzzzzzzz", *p).code == 2
    assert kp("profile", "add", "x", "--admin-secret", info.admin_secret).code == 2
    assert kp("profile", "add", "y", f"--admin-secret={cnc_token}").code == 2

    # Without a CnC token given, the one found by appToken.list is remembered (keyring only).
    set_account_env(monkeypatch, info)
    assert kp("profile", "test", "--json").json()["cnc_app_token"]["source"] == "appToken.list"
    assert kp("token", "inspect", issued.jwt, "--json").json()["verified"] is True
    monkeypatch.setenv("KALTURA_ADMIN_SECRET", "0" * 32)
    assert kp("events", "list").code == 3

    # Real processes too, with every secret in the environment.
    env = sandbox_env(info, KALTURA_CNC_APP_TOKEN=cnc_token,
                      KALTURA_KME_SECRET=info.kme_secret)
    processes = [
        run_process("profile", "test", "--json", env=env),
        run_process("moderators", "import", "--entry", entry["id"], "--csv", str(csv_in),
                    "--report", str(exports / "report2.csv"), env=env),
        run_process("token", "inspect", issued.jwt, env=env),
        run_process("cache", "stats", env=env),
        run_process("profile", "list", "--json", env=env),
    ]
    assert [r.code for r in processes] == [0, 1, 0, 0, 0]

    printed = kp.seen + [text for r in processes for text in (r.out, r.err)]
    files = files_under(kproducer_home)
    names = {f.name for f in files}
    assert {"profiles.json", "cache.sqlite3", "report.csv", "report2.csv"} <= names
    for what, secret in secrets.items():
        assert len(secret) >= 16
        for text in printed:
            assert secret not in text, f"the {what} was printed"
        for path in files:
            assert secret.encode() not in path.read_bytes(), f"the {what} is in {path}"
    # The secrets are where they belong: in the keyring.
    stored = set(dict_keyring.items.values())
    assert {info.admin_secret, cnc_token, info.kme_secret} <= stored
