"""services/links.py against the sandbox: formats, roles, tokens, request budgets, resume."""

from __future__ import annotations

import math
import stat
import threading
import time
from pathlib import Path

import jwt
import pytest
import requests
from conftest import make_client, reset_stats, stats
from links_support import (
    assert_user_ks,
    ks_of,
    page_tokens,
    people_csv,
    read_out,
    scan_export,
)
from preview_support import close_account, open_account, seeded

from kproducer.services import entries, facts, links
from kproducer.services.account import MemoryVault
from kproducer.services.link_output import page_name
from kproducer.services.links import ExportRequest, LinkFormat
from kproducer.services.models import EntryKind, Role
from kproducer.services.tokens import EmbedStyle, ExpiryPolicy

from KalturaClient.Plugins.Core import KalturaGroupUserFilter, KalturaFilterPager  # isort: skip


@pytest.fixture
def sb(fresh_sandbox):
    return fresh_sandbox.info


@pytest.fixture
def account(sb):
    acct = open_account(sb)
    yield acct
    close_account(acct)


def cold(account) -> None:
    """Forget every fact and the CnC token, as on a new machine."""
    account.cache.clear()
    account.vault = MemoryVault()


def members(sb, group: str) -> list[str]:
    listed = make_client(sb).groupUser.list(KalturaGroupUserFilter(groupIdEqual=group),
                                            KalturaFilterPager(pageSize=500))
    return [m.userId for m in listed.objects]


def share_prefix(sb, entry_id: str) -> str:
    return (f"{sb.service_url}/p/{sb.partner_id}/embedPlaykitJs/uiconf_id/{sb.player_uiconf_id}"
            f"?iframeembed=true&entry_id={entry_id}&ks=")


# --- url -------------------------------------------------------------------------------------


def test_url_export_cold_then_warm(sb, account, tmp_path):
    live = seeded(account, EntryKind.LIVE)
    users = [f"att{n}@example.com" for n in range(120)]
    source = people_csv(tmp_path / "people.csv", users)
    out = tmp_path / "links.csv"
    cold(account)
    reset_stats(sb)
    summary = links.export(account, ExportRequest(live.id, source, out))
    used = stats(sb)
    assert used["http_requests"] <= math.ceil(120 / 50) + 2
    assert used["by_action"].get("user.add") == 120 and "apptoken.list" not in used["by_action"]
    assert (summary.rows, summary.ok, summary.failed, summary.flagged) == (120, 120, 0, 0)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp file
    rows = read_out(out)
    assert list(rows[0]) == ["user_id", "first_name", "last_name", "status", "error", "link",
                             "ks_expires_at", "jwt_expires_at", "warning", "link_role",
                             "link_entry_id", "link_event_id", "link_id"]
    expected_expiry = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(live.end_date + 600))
    for row, user in zip(rows, users, strict=True):
        assert row["user_id"] == user and row["status"] == "ok" and row["error"] == ""
        assert row["link"].startswith(share_prefix(sb, live.id))
        session = assert_user_ks(sb, ks_of(row["link"]), user, live.id, live.event_id)
        assert row["ks_expires_at"] == expected_expiry and row["jwt_expires_at"] == ""
        assert abs(session.expiry - (live.end_date + 600)) <= 2
        assert (row["link_role"], row["link_entry_id"]) == ("attendee", live.id)
    assert scan_export(sb, out)["ks"] == 120
    # Users known, entry cached: a warm export of the same list makes no request.
    reset_stats(sb)
    again = links.export(account, ExportRequest(live.id, source, tmp_path / "again.csv"))
    assert again.ok == 120 and stats(sb)["http_requests"] == 0


def test_page_export_of_moderators_carries_group_claims(sb, account, tmp_path):
    live = seeded(account, EntryKind.LIVE)
    users = [f"mod{n}@example.com" for n in range(60)]
    source = people_csv(tmp_path / "people.csv", users)
    out = tmp_path / "pages"
    cold(account)
    reset_stats(sb)
    summary = links.export(account, ExportRequest(live.id, source, out, LinkFormat.PAGE,
                                                  Role.MODERATOR))
    assert summary.ok == 60 and stats(sb)["http_requests"] <= math.ceil(60 / 50) + 2
    cnc_token = account.vault.get_cnc_token()
    assert cnc_token
    group = f"{live.id}_moderators"
    assert sorted(members(sb, group)) == sorted([*users, "alice@example.com"])  # seeded
    rows = read_out(out / "links.csv")
    for row, user in zip(rows, users, strict=True):
        page = out / row["link"]
        assert row["link"] == page_name(user, "moderator")
        assert stat.S_IMODE(page.stat().st_mode) == 0o600
        found = page_tokens(page)
        assert found["config"]["mode"] == "player" and found["config"]["entryId"] == live.id
        assert_user_ks(sb, found["ks"], user, live.id, live.event_id)
        header = jwt.get_unverified_header(found["jwt"])
        claims = jwt.decode(found["jwt"], cnc_token, algorithms=["HS256"])
        assert header["kid"] == str(sb.partner_id) and header["alg"] == "HS256"
        assert claims == {"partnerId": sb.partner_id, "uid": user, "contextId": live.id,
                          "groups": [group], "exp": claims["exp"], "isAdmin": False,
                          "isScopedUser": True, "virtualEventId": live.event_id}
        assert row["jwt_expires_at"] == time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                      time.gmtime(claims["exp"]))
    assert scan_export(sb, out, cnc_token) == {"ks": 60, "jwt": 60}


def test_role_column_gives_each_row_its_role(sb, account, tmp_path):
    live = seeded(account, EntryKind.LIVE)
    source = tmp_path / "people.csv"
    source.write_text("user_id,role\nann@example.com,moderator\nben@example.com,attendee\n"
                      "cat@example.com,\nann@example.com,attendee\nbad@example.com,boss\n")
    out = tmp_path / "pages"
    summary = links.export(account, ExportRequest(live.id, source, out, LinkFormat.PAGE))
    assert (summary.ok, summary.failed) == (4, 1)
    rows = read_out(out / "links.csv")
    assert [r["link_role"] for r in rows] == ["moderator", "attendee", "attendee", "attendee",
                                              ""]
    assert 'role "boss" is not attendee or moderator' in rows[4]["error"]
    assert rows[0]["link"] != rows[3]["link"]  # one person, two roles: two pages
    groups = [jwt.decode(page_tokens(out / r["link"])["jwt"],
                         options={"verify_signature": False})["groups"] for r in rows[:4]]
    assert groups == [[f"{live.id}_moderators"], [], [], []]
    group_members = members(sb, f"{live.id}_moderators")
    assert "ann@example.com" in group_members and "ben@example.com" not in group_members
    # --role overrides the column (even a value the column could not be read as).
    summary = links.export(account, ExportRequest(live.id, source, tmp_path / "all.csv",
                                                  role=Role.ATTENDEE))
    assert summary.failed == 1  # ann twice as attendee now
    assert [r["link_role"] for r in read_out(tmp_path / "all.csv")] == ["attendee"] * 5


def test_room_pages_are_signed_launches_kme_accepts(sb, account, tmp_path):
    room = seeded(account, EntryKind.ROOM)
    source = tmp_path / "people.csv"
    source.write_text("user_id,first_name,last_name,role\nhost@example.com,Hana,O'Brien,moderator\n"
                      "guest@example.com,Gil,Lee,attendee\n")
    out = tmp_path / "room"
    summary = links.export(account, ExportRequest(room.id, source, out, LinkFormat.PAGE))
    assert summary.ok == 2 and summary.ks_expires_at is None
    assert summary.flagged == 2 and "KME launch" in summary.warnings[0]
    for row, lti in zip(read_out(out / "links.csv"), ["Instructor", "Student"], strict=True):
        config = page_tokens(out / row["link"])["config"]
        assert config["mode"] == "room" and config["player"] is None
        assert row["ks_expires_at"] == "" and row["jwt_expires_at"] == ""
        response = requests.post(config["room"]["url"], data=config["room"]["params"], timeout=10)
        assert response.status_code == 200 and f"LTI roles {lti}" in response.text
    assert scan_export(sb, out) == {"ks": 0, "jwt": 0}
    with pytest.raises(links.ExportError, match="choose the page format"):
        links.export(account, ExportRequest(room.id, source, tmp_path / "room.csv"))
    assert not (tmp_path / "room.csv").exists()


def test_a_rerun_keeps_room_pages_only_while_their_launch_is_accepted(sb, account, tmp_path):
    """A blank ks_expires_at (no KS in a room page) no longer keeps a page forever."""
    import os

    room = seeded(account, EntryKind.ROOM)
    source = tmp_path / "people.csv"
    source.write_text("user_id,role\nhost@example.com,moderator\nguest@example.com,attendee\n")
    out = tmp_path / "room"
    request = ExportRequest(room.id, source, out, LinkFormat.PAGE)
    assert links.export(account, request).ok == 2
    assert links.export(account, request).kept == 2  # just signed: kept as they are
    first, second = (out / r["link"] for r in read_out(out / "links.csv"))
    signed_long_ago = time.time() - 782
    os.utime(first, (signed_long_ago, signed_long_ago))  # as if exported 13 minutes ago
    again = links.export(account, request)
    assert again.ok == 2 and again.kept == 1
    for row in read_out(out / "links.csv"):
        config = page_tokens(out / row["link"])["config"]
        response = requests.post(config["room"]["url"], data=config["room"]["params"], timeout=10)
        if Path(row["link"]).name == first.name:
            assert response.status_code == 200, response.text  # re-signed: accepted
    assert second.exists()


# --- expiry ----------------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["vod", "live", "fixed-short", "per-page", "unscheduled"])
def test_expiry_rules(sb, account, tmp_path, case):
    now = int(time.time())
    if case == "vod":
        entry = seeded(account, EntryKind.VOD)
        policy, ks_exp = ExpiryPolicy(), now + 2700 + max(1800, 2700 // 2)
    elif case == "unscheduled":
        entry = entries.create(account, EntryKind.LIVE, "No schedule")
        policy, ks_exp = ExpiryPolicy(), now + 4 * 3600
    else:
        entry = seeded(account, EntryKind.LIVE)
        assert entry.end_date is not None
        policy, ks_exp = ExpiryPolicy(), entry.end_date + 600
        if case == "fixed-short":
            policy, ks_exp = ExpiryPolicy(fixed_seconds=7200), now + 7200
        if case == "per-page":
            policy = ExpiryPolicy(embed_style=EmbedStyle.PER_PAGE)
    source = people_csv(tmp_path / "people.csv", ["exp1@example.com", "exp2@example.com"])
    if case == "per-page":  # a saved page never re-issues its 15-minute chat token
        with pytest.raises(links.ExportError, match="cannot use the per-page chat token"):
            links.export(account, ExportRequest(entry.id, source, tmp_path / "p",
                                                LinkFormat.PAGE, policy=policy))
        assert not (tmp_path / "p").exists()
        return
    summary = links.export(account, ExportRequest(entry.id, source, tmp_path / "p",
                                                  LinkFormat.PAGE, policy=policy))
    assert summary.ks_expires_at is not None and abs(summary.ks_expires_at - ks_exp) <= 3
    jwt_exp = ks_exp
    assert summary.jwt_expires_at is not None and abs(summary.jwt_expires_at - jwt_exp) <= 3
    rows = read_out(tmp_path / "p" / "links.csv")
    flagged = case in ("fixed-short", "unscheduled")
    assert summary.flagged == (2 if flagged else 0)
    assert all(bool(r["warning"]) is flagged for r in rows)
    if case == "fixed-short":
        assert "expires before the session ends" in rows[0]["warning"]
    if case == "unscheduled":
        assert "no duration or schedule" in rows[0]["warning"]
    session = assert_user_ks(sb, page_tokens(tmp_path / "p" / rows[0]["link"])["ks"],
                             "exp1@example.com", entry.id, entry.event_id)
    assert abs(session.expiry - ks_exp) <= 3


# --- resume ----------------------------------------------------------------------------------


def test_a_rerun_keeps_ok_rows_exactly_and_redoes_the_rest(sb, account, tmp_path):
    live = seeded(account, EntryKind.LIVE)
    users = [f"re{n}@example.com" for n in range(80)]
    source = people_csv(tmp_path / "people.csv", users)
    out = tmp_path / "links.csv"
    links.export(account, ExportRequest(live.id, source, out))
    lines = out.read_text().splitlines(keepends=True)
    # Two rows failed last time; one user was added to the list since.
    for n in (5, 6):
        cells = lines[n].split(",")
        lines[n] = ",".join([*cells[:3], "failed", "HTTP 500", "", "", "", "", *cells[9:]])
    out.write_text("".join(lines))
    people_csv(source, [*users, "late@example.com"])
    reset_stats(sb)
    summary = links.export(account, ExportRequest(live.id, source, out))
    assert (summary.ok, summary.kept, summary.failed) == (81, 78, 0)
    assert stats(sb)["by_action"] == {"user.add": 1}  # only the new person needed a call
    after = out.read_text().splitlines(keepends=True)
    assert [a for n, a in enumerate(after[:81]) if n not in (5, 6)] == [
        b for n, b in enumerate(lines) if n not in (5, 6)]
    assert all(",ok,," in after[n] for n in (5, 6, 81))
    # Another entry: nothing of the first export is kept.
    vod = seeded(account, EntryKind.VOD)
    other = links.export(account, ExportRequest(vod.id, source, out))
    assert other.kept == 0 and {r["link_entry_id"] for r in read_out(out)} == {vod.id}


def test_a_rerun_of_pages_redoes_a_missing_page(sb, account, tmp_path):
    live = seeded(account, EntryKind.LIVE)
    source = people_csv(tmp_path / "people.csv", ["pa@example.com", "pb@example.com"])
    out = tmp_path / "pages"
    links.export(account, ExportRequest(live.id, source, out, LinkFormat.PAGE))
    first = read_out(out / "links.csv")
    kept_page = (out / first[0]["link"]).read_bytes()
    (out / first[1]["link"]).unlink()
    summary = links.export(account, ExportRequest(live.id, source, out, LinkFormat.PAGE))
    assert (summary.kept, summary.ok) == (1, 2)
    assert (out / first[0]["link"]).read_bytes() == kept_page
    assert (out / first[1]["link"]).is_file()


def test_expired_links_are_not_kept(tmp_path):
    from kproducer.services.link_output import Previous, row_key

    out = tmp_path / "old.csv"
    out.write_text("user_id,status,error,link,ks_expires_at,jwt_expires_at,warning,link_role,"
                   "link_entry_id,link_event_id,link_id\n"
                   "a,ok,,http://x,2030-01-01T00:00:00Z,,,attendee,0_abcdefgh,,l1\n"
                   "b,ok,,http://x,2020-01-01T00:00:00Z,,,attendee,0_abcdefgh,,l2\n"
                   "c,failed,boom,,,,,attendee,0_abcdefgh,,\n"
                   "d,ok,,http://x,2030-01-01T00:00:00Z,,,attendee,0_abcdefgh,7,l4\n"
                   "e,ok,,http://x,2030-01-01T00:00:00Z,,,attendee,0_abcdefgh,,l5\n"
                   "f,ok,,http://x,2030-01-01T00:00:00Z,,,attendee,0_abcdefgh,,\n")
    previous = Previous(out, "0_abcdefgh", "", revoked=frozenset({"l5"}))
    # e was revoked, f has a KS but no link ID (made before the ledger): both made again
    assert set(previous.offsets) == {row_key("a", "attendee")}
    previous.close()
    not_ours = tmp_path / "notes.csv"
    not_ours.write_text("name,phone\nann,123\n")
    with pytest.raises(links.CsvError, match="not a kproducer links export"):
        Previous(not_ours, "0_abcdefgh", "")


# --- cancel, repair, failures ----------------------------------------------------------------


def test_cancel_writes_every_row_and_a_rerun_finishes(sb, account, tmp_path):
    live = seeded(account, EntryKind.LIVE)
    users = [f"cx{n}@example.com" for n in range(200)]
    source = people_csv(tmp_path / "people.csv", users)
    out = tmp_path / "links.csv"
    cancel = threading.Event()
    summary = links.export(account, ExportRequest(live.id, source, out, workers=1),
                           progress=lambda done, total: cancel.set(), cancel=cancel)
    assert summary.cancelled and summary.ok + summary.failed == 200
    rows = read_out(out)
    assert len(rows) == 200 and {r["error"] for r in rows if r["status"] == "failed"} == {
        "cancelled"}
    assert 0 < summary.ok < 200
    rerun = links.export(account, ExportRequest(live.id, source, out))
    assert (rerun.ok, rerun.kept, rerun.failed) == (200, summary.ok, 0)


def test_a_stale_group_fact_is_repaired(sb, account, tmp_path):
    live = seeded(account, EntryKind.LIVE)
    group = f"{live.id}_moderators"
    account.cache.put(facts.GROUP_EXISTS, group, True)
    make_client(sb).group.group.delete(group)  # deleted behind the cache's back
    source = people_csv(tmp_path / "people.csv", ["rp1@example.com", "rp2@example.com"])
    summary = links.export(account, ExportRequest(live.id, source, tmp_path / "o.csv",
                                                  role=Role.MODERATOR))
    assert (summary.ok, summary.failed) == (2, 0)
    assert sorted(members(sb, group)) == ["rp1@example.com", "rp2@example.com"]


def test_a_crash_mid_export_leaves_the_previous_output_untouched(sb, account, tmp_path,
                                                                 monkeypatch):
    live = seeded(account, EntryKind.LIVE)
    work = tmp_path / "work"
    work.mkdir()
    source = people_csv(work / "people.csv", [f"cr{n}@example.com" for n in range(120)])
    out = work / "links.csv"
    out.write_text("user_id,status,link\n")
    before = out.read_bytes()
    calls = iter(range(1000))

    def breaks(self, person, role):
        if next(calls) == 70:
            raise RuntimeError("disk on fire")
        return real(self, person, role)

    real = links.Signer.make
    monkeypatch.setattr(links.Signer, "make", breaks)
    with pytest.raises(RuntimeError):
        links.export(account, ExportRequest(live.id, source, out))
    assert out.read_bytes() == before
    assert sorted(p.name for p in work.iterdir()) == ["links.csv", "people.csv"]


def test_page_names_are_safe_and_distinct():
    names = {page_name(u, r) for u in ("Ann@x.com", "ann@x.com", "../etc/passwd", "CON", ".hid")
             for r in ("attendee", "moderator")}
    assert len(names) == 10
    for name in names:
        assert "/" not in name and not name.startswith(".") and name.endswith(".html")
        assert name == name.lower() and len(name) < 100


@pytest.mark.slow
def test_a_50_mb_list_is_streamed_with_bounded_memory(sb, account, tmp_path):
    import tracemalloc

    live = seeded(account, EntryKind.LIVE)
    source = tmp_path / "big.csv"
    padding = "x" * 25_000
    with source.open("w", encoding="utf-8") as handle:
        handle.write("user_id,notes\n")
        for n in range(2000):
            handle.write(f"big{n}@example.com,{padding}\n")
    assert source.stat().st_size > 50_000_000
    tracemalloc.start()
    try:
        summary = links.export(account, ExportRequest(live.id, source, tmp_path / "out.csv"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert summary.ok == 2000
    assert (tmp_path / "out.csv").stat().st_size > 50_000_000  # the notes were carried through
    # Neither file sits in memory: the peak stays far below their 50 MB.
    assert peak < 25_000_000, f"peak {peak / 1e6:.1f} MB"
