"""Faults in what kproducer remembers: facts cached here but changed on the server, and the
cache file itself damaged or locked. Each run the command line as a producer would, against a
sandbox of its own, and checks the server afterwards: nothing done is lost or done twice.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest
from cli_support import Runner, set_account_env, write_csv
from conftest import make_client, reset_stats, stats
from KalturaClient.Plugins.Core import KalturaAppToken
from links_support import page_tokens, read_out

from kproducer import paths
from kproducer.sandbox import Sandbox


@pytest.fixture
def sb(fresh_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, no_account_env: None) -> Sandbox:
    info = fresh_sandbox.info
    set_account_env(monkeypatch, info, KALTURA_PLAYER_UICONF_ID=str(info.player_uiconf_id),
                    KALTURA_CNC_UICONF_ID=str(info.cnc_uiconf_id))
    return fresh_sandbox


def new_live(kp: Runner, name: str) -> str:
    result = kp("entries", "create", "--type", "live", "--name", name, "--json")
    assert result.code == 0, result.err
    return str(result.json()["entry"]["id"])


def members(sandbox: Sandbox, entry_id: str) -> list[str]:
    """Active memberships of the entry's moderators group, straight from the server's tables."""
    return [uid for (uid,) in sandbox.db.execute(
        "SELECT user_id FROM group_users WHERE group_id=? AND status=0",
        (f"{entry_id}_moderators",)).fetchall()]


def cnc_tokens(sandbox: Sandbox) -> list[KalturaAppToken]:
    return [t for t in make_client(sandbox.info).appToken.list().objects
            if t.sessionPrivileges == "cncAuth:true"]


# --- the CnC app token deleted on the server while remembered ----------------------------------


def test_a_cnc_token_replaced_on_the_server_is_noticed_and_never_signed_into_pages(
    kp: Runner, sb: Sandbox, tmp_path: Path
) -> None:
    info = sb.info
    first = kp("profile", "test", "--json").json()["cnc_app_token"]
    assert first == {"found": True, "source": "appToken.list", "problem": ""}  # remembered now
    entry = new_live(kp, "Token swap")
    source = write_csv(tmp_path / "people.csv", "user_id,role",
                       [f"p{n}@example.com,{'moderator' if n % 2 else 'attendee'}"
                        for n in range(6)])

    # The account's admin replaces the chat app token (KMC, another tool...).
    admin = make_client(info)
    (old,) = cnc_tokens(sb)
    admin.appToken.delete(old.id)
    new = admin.appToken.add(KalturaAppToken(sessionPrivileges="cncAuth:true"))

    # A page export lists the tokens again before signing: the new token, not the remembered.
    reset_stats(info)
    pages = tmp_path / "pages"
    done = kp("links", "export", "--entry", entry, "--csv", str(source), "--out", str(pages),
              "--format", "page", "--json")
    assert done.code == 0, done.err
    assert stats(info)["by_action"].get("apptoken.list") == 1
    for row in read_out(pages / "links.csv"):
        token = page_tokens(pages / row["link"])["jwt"]
        jwt.decode(token, new.token, algorithms=["HS256"], options={"verify_exp": False})
        with pytest.raises(jwt.InvalidSignatureError):
            jwt.decode(token, old.token, algorithms=["HS256"], options={"verify_exp": False})

    # Connecting re-lists it in the same single request as the admin check.
    admin.appToken.delete(new.id)
    newer = admin.appToken.add(KalturaAppToken(sessionPrivileges="cncAuth:true"))
    reset_stats(info)
    tested = kp("profile", "test", "--json").json()
    assert tested["cnc_app_token"] == {"found": True, "source": "appToken.list", "problem": ""}
    assert stats(info)["http_requests"] == 1
    assert kp("profile", "test", "--json").json()["cnc_app_token"]["source"] == "remembered"

    # Gone for good: the problem is said, and no page is signed with the dead token.
    admin.appToken.delete(newer.id)
    gone = kp("profile", "test", "--json")
    doc = gone.json()["cnc_app_token"]
    assert doc["found"] is False and "0 were found" in doc["problem"]
    more = write_csv(tmp_path / "more.csv", "user_id", ["late@example.com"])
    refused = kp("links", "export", "--entry", entry, "--csv", str(more),
                 "--out", str(tmp_path / "late"), "--format", "page")
    assert refused.code == 3
    assert "exactly one active app token" in refused.sentence
    assert not (tmp_path / "late").exists()
    # URL links carry no chat token: they still work.
    urls = kp("links", "export", "--entry", entry, "--csv", str(more),
              "--out", str(tmp_path / "late.csv"))
    assert urls.code == 0, urls.err


# --- the moderators group deleted while its flags are cached ------------------------------------


def test_a_group_deleted_while_cached_is_rebuilt_with_every_moderator_once(
    kp: Runner, sb: Sandbox, tmp_path: Path
) -> None:
    info = sb.info
    entry = new_live(kp, "Group gone")
    people = [f"mod{n}@example.com" for n in range(60)]
    source = write_csv(tmp_path / "mods.csv", "user_id", people)
    imported = kp("moderators", "import", "--entry", entry, "--csv", str(source), "--json")
    assert imported.code == 0, imported.err
    assert sorted(members(sb, entry)) == sorted(people)

    make_client(info).group.group.delete(f"{entry}_moderators")  # behind kproducer's back
    assert members(sb, entry) == []

    # One new moderator: the stale "group exists" flag fails the membership, the group is
    # re-created and the flags of the memberships it took with it are dropped.
    added = kp("moderators", "add", "--entry", entry, "--user", "new@example.com")
    assert added.code == 0, added.err
    assert members(sb, entry) == ["new@example.com"]
    again = kp("moderators", "import", "--entry", entry, "--csv", str(source), "--json")
    assert again.code == 0, again.err
    statuses = {r["user_id"]: r["status"] for r in again.json()["rows"]}
    assert set(statuses.values()) == {"added"}  # none wrongly "already" from the cache
    assert sorted(members(sb, entry)) == sorted([*people, "new@example.com"])  # each once

    # Deleted again; this time the producer looks first: the list is the truth, the cache
    # follows it, and the import that follows really adds everyone.
    make_client(info).group.group.delete(f"{entry}_moderators")
    listed = kp("moderators", "list", "--entry", entry, "--json")
    assert listed.code == 0 and listed.json()["moderators"] == []
    third = kp("moderators", "import", "--entry", entry, "--csv", str(source), "--json")
    assert {r["status"] for r in third.json()["rows"]} == {"added"}
    assert sorted(members(sb, entry)) == sorted(people)


# --- the cache file damaged or locked -------------------------------------------------------------


def test_a_cache_file_damaged_between_runs_is_set_aside_rebuilt_and_said(
    kp: Runner, sb: Sandbox, tmp_path: Path
) -> None:
    entry = new_live(kp, "Damaged cache")
    people = [f"d{n}@example.com" for n in range(40)]
    source = write_csv(tmp_path / "mods.csv", "user_id", people)
    assert kp("moderators", "import", "--entry", entry, "--csv", str(source)).code == 0
    cache_file = paths.cache_dir() / "cache.sqlite3"
    size = cache_file.stat().st_size
    with cache_file.open("r+b") as handle:  # a crash, a bad disk: garbage past the header
        handle.seek(100)
        handle.write(b"\xde\xad" * (size // 2))

    again = kp("moderators", "import", "--entry", entry, "--csv", str(source), "--json")
    assert again.code == 0
    assert {r["status"] for r in again.json()["rows"]} == {"already"}
    notes = [line for line in again.err.splitlines() if line.strip()]
    assert len(notes) == 1 and notes[0].startswith(
        "kproducer: note: The cache file was damaged, so it was set aside as cache.sqlite3.corrupt-")
    assert "Traceback" not in again.err
    aside = list(cache_file.parent.glob("cache.sqlite3.corrupt-*"))
    assert len(aside) == 1 and aside[0].stat().st_mode & 0o077 == 0  # kept, still private
    assert sorted(members(sb, entry)) == sorted(people)  # nothing added twice
    reset_stats(sb.info)
    warm = kp("moderators", "import", "--entry", entry, "--csv", str(source))
    assert warm.code == 0 and warm.err.strip() == ""  # the rebuilt cache works quietly
    # only the entry check every import makes: no user or membership was asked about again
    assert stats(sb.info)["by_action"] == {"baseentry.get": 1, "schedule_scheduleevent.list": 1}


HOLD_LOCK = textwrap.dedent("""
    import sqlite3, sys
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("BEGIN EXCLUSIVE")
    print("locked", flush=True)
    sys.stdin.readline()
    conn.execute("ROLLBACK")
""")


@contextlib.contextmanager
def locked_by_another_program(path: Path) -> Iterator[None]:
    """Another process holds an exclusive lock on the SQLite file while the block runs."""
    with subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(path)],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as holder:
        assert holder.stdout is not None
        try:
            assert holder.stdout.readline().strip() == "locked"
            yield
        finally:
            holder.communicate("\n", timeout=10)  # release the lock


def test_a_cache_locked_by_another_program_slows_nothing_down_for_long_and_is_said(
    kp: Runner, sb: Sandbox, tmp_path: Path
) -> None:
    entry = new_live(kp, "Locked cache")
    people = [f"l{n}@example.com" for n in range(120)]
    source = write_csv(tmp_path / "mods.csv", "user_id", people)
    cache_file = paths.cache_dir() / "cache.sqlite3"
    with locked_by_another_program(cache_file):
        result = kp("moderators", "import", "--entry", entry, "--csv", str(source), "--json")
    assert result.code == 0, result.err
    assert {r["status"] for r in result.json()["rows"]} == {"added"}
    assert "note: The cache " in result.err and "locked by another program" in result.err
    assert sorted(members(sb, entry)) == sorted(people)
    # Released: the next run uses the cache again (the facts it could not store are rebuilt).
    again = kp("moderators", "import", "--entry", entry, "--csv", str(source), "--json")
    assert again.code == 0 and {r["status"] for r in again.json()["rows"]} == {"already"}
    assert "locked" not in again.err
    assert sorted(members(sb, entry)) == sorted(people)
    with sqlite3.connect(cache_file) as conn:
        assert conn.execute("SELECT COUNT(*) FROM entries WHERE kind='user_in_group'"
                            ).fetchone()[0] == len(people)


# --- the disk fills up while an export is written -------------------------------------------------


def small_disk_supported(folder: Path) -> bool:
    """Whether this machine lets us mount a tiny tmpfs in a private mount namespace."""
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "-rm", "sh", "-c", f"mount -t tmpfs -o size=64k tmpfs '{folder}'"],
        capture_output=True, timeout=30, check=False)
    return probe.returncode == 0


def test_a_disk_that_fills_up_mid_export_keeps_the_last_good_file_and_a_rerun_finishes(
    kp: Runner, sb: Sandbox, tmp_path: Path
) -> None:
    small = tmp_path / "small-disk"
    small.mkdir()
    if not small_disk_supported(small):
        pytest.skip("no private mount namespace here (unshare -rm); the simulated test covers it")
    info = sb.info
    entry = new_live(kp, "Full disk")
    few = write_csv(tmp_path / "few.csv", "user_id", [f"f{n}@example.com" for n in range(20)])
    everyone = [f"f{n}@example.com" for n in range(20)] + [f"m{n}@example.com"
                                                           for n in range(1500)]
    many = write_csv(tmp_path / "many.csv", "user_id", everyone)
    out = small / "links.csv"
    export = f"{sys.executable} -m kproducer links export --entry {entry} --out {out}"
    # A 160 KiB disk: the first export fits, the second (1,520 links) does not.
    script = textwrap.dedent(f"""
        mount -t tmpfs -o size=160k tmpfs {small} || exit 99
        {export} --csv {few} > /dev/null; echo "first=$?"
        cp {out} {tmp_path}/before.csv
        {export} --csv {many} 2> {tmp_path}/stderr.txt > /dev/null; echo "second=$?"
        cmp -s {out} {tmp_path}/before.csv && echo "unchanged"
        ls -A {small}
    """)
    env = {**os.environ, "KALTURA_URL": info.service_url,
           "KALTURA_PARTNER_ID": str(info.partner_id),
           "KALTURA_ADMIN_USER_ID": info.admin_user_id,
           "KALTURA_ADMIN_SECRET": info.admin_secret,
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    ran = subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True,
                         text=True, env=env, timeout=120, check=False)
    lines = ran.stdout.split()
    assert lines[:3] == ["first=0", "second=1", "unchanged"], (ran.stdout, ran.stderr)
    assert lines[3:] == ["links.csv"]  # no temporary file left behind on the full disk
    said = (tmp_path / "stderr.txt").read_text()
    assert said.strip() == (
        f"kproducer: The links could not be written to {out}: No space left on device. The "
        "last complete output (if any) is untouched and the people already set up are "
        "remembered, so exporting again after fixing this is quick.")
    before = read_out(tmp_path / "before.csv")
    assert len(before) == 20 and {r["status"] for r in before} == {"ok"}

    def created() -> list[str]:
        return [uid for (uid,) in sb.db.execute(
            "SELECT id FROM kusers WHERE status != 2 AND (id LIKE 'f%' OR id LIKE 'm%')")]

    done_before = len(created())
    assert 20 < done_before < 1520  # the failed run got part of the way
    # Space found elsewhere: the same export finishes, each person created once.
    reset_stats(info)
    done = kp("links", "export", "--entry", entry, "--csv", str(many),
              "--out", str(tmp_path / "links.csv"), "--json")
    assert done.code == 0, done.err
    rows = read_out(tmp_path / "links.csv")
    assert len(rows) == 1520 and {r["status"] for r in rows} == {"ok"}
    assert sorted(created()) == sorted(everyone)  # each exactly once
    # what the failed run did on the server was remembered: only the others are added now
    assert stats(info)["by_action"]["user.add"] == 1520 - done_before
