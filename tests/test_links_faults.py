"""Link export on a failing network: every row ok or failed with a reason, exit 1, and a re-run
that finishes the rest with no duplicate user or membership on the server."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from cli_support import Runner, set_account_env
from conftest import set_faults
from links_support import read_out, scan_export


@pytest.fixture
def sb(fresh_sandbox, monkeypatch: pytest.MonkeyPatch, no_account_env: None):
    info = fresh_sandbox.info
    set_account_env(monkeypatch, info, KALTURA_PLAYER_UICONF_ID=str(info.player_uiconf_id),
                    KALTURA_CNC_UICONF_ID=str(info.cnc_uiconf_id))
    return fresh_sandbox


def server_counts(sandbox, entry_id: str) -> tuple[Counter[str], Counter[str]]:
    """How many live kusers each user ID has, and how many active memberships of the group."""
    db = sandbox.db
    users = Counter(uid for (uid,) in db.execute(
        "SELECT id FROM kusers WHERE status != 2").fetchall())
    members = Counter(uid for (uid,) in db.execute(
        "SELECT user_id FROM group_users WHERE group_id=? AND status=0",
        (f"{entry_id}_moderators",)).fetchall())
    return users, members


@pytest.mark.parametrize("fmt", ["url", "page"])
def test_faults_fail_rows_with_reasons_and_a_rerun_finishes_without_duplicates(
    kp: Runner, sb, tmp_path: Path, fmt: str
) -> None:
    info = sb.info
    entry = kp("entries", "create", "--type", "live", "--name", "Faults", "--json").json()["entry"]
    partial = None
    codes = []
    for attempt in range(10):
        # New people each attempt: a run where every request got through proves nothing.
        users = [f"fault{attempt}-{n}@example.com" for n in range(400)]
        source = tmp_path / f"people{attempt}.csv"
        source.write_text("user_id,role\n" + "".join(
            f"{u},{'moderator' if n % 3 == 0 else 'attendee'}\n" for n, u in enumerate(users)))
        out = tmp_path / (f"links{attempt}.csv" if fmt == "url" else f"pages{attempt}")
        index = out if fmt == "url" else out / "links.csv"
        args = ["links", "export", "--entry", entry["id"], "--csv", str(source),
                "--out", str(out), "--format", fmt, "--json"]
        set_faults(info, http_500_rate=0.2, drop_rate=0.1)
        result = kp(*args)
        set_faults(info)
        codes.append((result.code, result.err[-200:]))
        assert result.code in (0, 1, 3), result.err
        if result.code == 1:
            partial = result.json()
            break
    assert partial is not None, f"no run ended with some rows failed: {codes}"
    rows = read_out(index)
    assert len(rows) == 400 and {r["status"] for r in rows} <= {"ok", "failed"}
    failed = [r for r in rows if r["status"] == "failed"]
    assert failed and all(r["error"] for r in failed)
    assert all(r["link"] and not r["error"] for r in rows if r["status"] == "ok")
    assert partial["summary"]["failed"] == len(failed)
    ok_before = {r["user_id"]: r["link"] for r in rows if r["status"] == "ok"}

    # Re-runs (still on a failing network) until every row is done.
    for _attempt in range(10):
        set_faults(info, http_500_rate=0.2, drop_rate=0.1)
        again = kp(*args)
        set_faults(info)
        if again.code == 0:
            break
    else:
        pytest.fail("re-runs did not finish the export")
    final = read_out(index)
    assert {r["status"] for r in final} == {"ok"}
    for row in final:  # rows done in the first run were kept exactly
        if row["user_id"] in ok_before:
            assert row["link"] == ok_before[row["user_id"]]
    users_on_server, members = server_counts(sb, entry["id"])
    assert all(users_on_server[u] == 1 for u in users)
    moderators = {u for n, u in enumerate(users) if n % 3 == 0}
    assert {m for m in members if m in set(users)} == moderators
    assert max(members.values()) == 1 and max(users_on_server.values()) == 1
    found = scan_export(info, out)
    assert found["ks"] == 400 and found["jwt"] == (400 if fmt == "page" else 0)
