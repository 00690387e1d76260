"""``kproducer links export`` (DESIGN §5): exit codes, bad input, output files, JSON."""

from __future__ import annotations

import re
import stat
import time
from pathlib import Path

import pytest
from cli_support import Runner, files_under, set_account_env
from conftest import reset_stats, stats
from links_support import assert_user_ks, ks_of, read_out, scan_export

from kproducer.sandbox import SandboxInfo

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


@pytest.fixture
def env(info: SandboxInfo, monkeypatch: pytest.MonkeyPatch, no_account_env: None) -> SandboxInfo:
    """The shared sandbox's account with its player/CnC uiconfs and KME settings."""
    set_account_env(
        monkeypatch, info,
        KALTURA_PLAYER_UICONF_ID=str(info.player_uiconf_id),
        KALTURA_CNC_UICONF_ID=str(info.cnc_uiconf_id),
        KALTURA_KME_URL=info.kme_launch_url, KALTURA_KME_KEY=info.kme_key,
        KALTURA_KME_SECRET=info.kme_secret,
    )
    return info


def entry_of(kp: Runner, kind: str) -> dict:
    """The sandbox's seeded session of a kind (other tests add more of each kind)."""
    from preview_support import SEEDED

    from kproducer.services.models import EntryKind

    listed = kp("entries", "list", "--json").json()["entries"]
    return next(e for e in listed if e["kind"] == kind and e["name"] == SEEDED[EntryKind(kind)])


def new_live(kp: Runner, unique) -> dict:
    return kp("entries", "create", "--type", "live", "--name", unique("links"), "--json"
              ).json()["entry"]


def export(kp: Runner, entry: str, source: Path, out: Path, *extra: str):
    return kp("links", "export", "--entry", entry, "--csv", str(source), "--out", str(out),
              *extra)


def test_export_prints_a_summary_and_writes_the_contract_columns(
    kp: Runner, env: SandboxInfo, unique, tmp_path: Path
) -> None:
    live = entry_of(kp, "live")
    users = [unique("c") + "@example.com" for _ in range(3)]
    source = tmp_path / "people.csv"
    source.write_text("email,first_name,company\n" + "".join(f"{u},N{i},ACME\n"
                                                             for i, u in enumerate(users)))
    out = tmp_path / "links.csv"
    result = export(kp, live["id"], source, out, "--json")
    assert result.code == 0, result.err
    doc = result.json()
    assert doc["summary"] == {"rows": 3, "ok": 3, "kept": 0, "failed": 0, "flagged": 0}
    assert doc["format"] == "url" and doc["out"] == str(out) and doc["pages"] is None
    assert doc["unused_columns"] == ["company"] and ISO.match(doc["ks_expires_at"])
    assert doc["jwt_expires_at"] is None
    assert "djJ8" not in result.out  # links stay in the file, off stdout
    rows = read_out(out)
    assert list(rows[0])[:8] == ["email", "first_name", "company", "status", "error", "link",
                                 "ks_expires_at", "jwt_expires_at"]
    for row, user in zip(rows, users, strict=True):
        assert row["company"] == "ACME" and row["status"] == "ok"
        assert_user_ks(env, ks_of(row["link"]), user, live["id"], live["event_id"])
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    text = export(kp, live["id"], source, out)
    assert text.code == 0
    assert "3 rows, 3 ok (3 kept from the last run), 0 failed." in text.out
    assert f"Every row's outcome is in {out}." in text.out


def test_page_format_writes_a_folder(kp: Runner, env: SandboxInfo, unique, tmp_path: Path):
    live = entry_of(kp, "live")
    source = tmp_path / "people.csv"
    source.write_text(f"user_id\n{unique('p')}\n{unique('p')}\n")
    out = tmp_path / "pages"
    refused = export(kp, live["id"], source, out, "--format", "page", "--embed-style",
                     "per-page")
    assert refused.code == 2 and not out.exists()
    assert refused.sentence.startswith("Exported pages cannot use the per-page chat token")
    result = export(kp, live["id"], source, out, "--format", "page", "--role", "moderator",
                    "--json")
    assert result.code == 0, result.err
    doc = result.json()
    assert doc["pages"] == str(out) and doc["out"] == str(out / "links.csv")
    assert doc["jwt_expires_at"] == doc["ks_expires_at"]  # as long as the link
    assert len(list(out.glob("*.html"))) == 2
    assert scan_export(env, out) == {"ks": 2, "jwt": 2}


def test_a_fixed_lifetime_flags_links_that_end_too_early(
    kp: Runner, env: SandboxInfo, unique, tmp_path: Path
) -> None:
    live = entry_of(kp, "live")  # the seeded live session ends tomorrow
    source = tmp_path / "people.csv"
    source.write_text(f"user_id\n{unique('f')}\n")
    result = export(kp, live["id"], source, tmp_path / "o.csv", "--expires-in", "1h30m")
    assert result.code == 0, result.err
    assert "1 ok, 0 failed, 1 with a warning." in result.out
    assert "Warning: The player token (KS) expires before the session ends." in result.out
    assert "chat token" not in result.out  # a player URL carries no JWT
    row = read_out(tmp_path / "o.csv")[0]
    session = assert_user_ks(env, ks_of(row["link"]), row["user_id"], live["id"], None)
    assert abs(session.expiry - (time.time() + 5400)) < 30 and row["warning"]
    bad = export(kp, live["id"], source, tmp_path / "p.csv", "--expires-in", "soon")
    assert bad.code == 2 and "is not a lifetime" in bad.sentence


def test_rows_that_cannot_get_a_link_fail_one_by_one(
    kp: Runner, env: SandboxInfo, unique, tmp_path: Path
) -> None:
    live = new_live(kp, unique)
    good, dup = unique("g") + "@example.com", unique("d") + "@example.com"
    long_name = "x" * 500
    source = tmp_path / "people.csv"
    source.write_text(
        "user_id,email,first_name,role\n"
        f"{good},{good},Ann,\n"
        "has space,,Bob,\n"
        f"{dup},not-an-email,Cy,\n"
        f"{dup}x,,{long_name},\n"
        ",,Nobody,\n"
        f"{good},,Again,\n"
        f"{unique('r')},,Rex,boss\n"
        f"{unique('e')},,Extra,,surplus\n"
        f'{unique("q")},,"Quoted, Name",moderator\n'
    )
    result = export(kp, live["id"], source, tmp_path / "o.csv", "--json")
    assert result.code == 1, result.err
    doc = result.json()
    assert doc["summary"]["ok"] == 2 and doc["summary"]["failed"] == 7
    errors = {f["line"]: f["error"] for f in doc["failures"]}
    assert errors == {
        3: '"has space" is not a valid Kaltura user ID',
        4: '"not-an-email" is not a valid email address '
           '(an email address must have an @-sign)',
        5: "first_name is longer than 128 characters",
        6: "no user_id or email",
        7: "duplicate of line 2",
        8: 'role "boss" is not attendee or moderator',
        9: "the row has more cells than the header has columns",
    }
    rows = read_out(tmp_path / "o.csv")
    assert len(rows) == 9 and rows[8]["first_name"] == "Quoted, Name"
    assert rows[8]["status"] == "ok" and rows[8]["link_role"] == "moderator"
    text = export(kp, live["id"], source, tmp_path / "o.csv")
    assert text.code == 1 and "rows are wrong in" in text.out and "fix them in the file" in text.out
    assert "duplicate of line 2" in text.out


BAD_FILES = [
    (b"first_name,last_name\nAnn,Lee\n", "needs a 'user_id' or an 'email' column"),
    ("user_id,name\nj\xf6rg,J\xf6rg\n".encode("latin-1"), "is not UTF-8 text"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is a binary file"),
    (b"", "is empty"),
    (b"user_id,first_name\n", "has a header row but no people"),
    (b"user_id,notes\na@example.com," + b"x" * 200_000 + b"\n", "is not a readable CSV"),
    (b"user_id,status\na@example.com,vip\n", "already has a 'status' column"),
    (b"user_id,Email,email\na@example.com,,\n", "has two 'email' columns"),
    (b"user_id\n" + b"ok@example.com\n" * 3000 + b"late-\xff\n", "is not UTF-8 text"),
]


@pytest.mark.parametrize(("content", "expected"), BAD_FILES, ids=[
    "no-id-column", "not-utf8", "binary", "empty", "header-only", "field-too-long",
    "export-column", "repeated-column", "bad-byte-at-the-end"])
def test_unusable_files_write_nothing_and_send_nothing(
    kp: Runner, env: SandboxInfo, tmp_path: Path, kproducer_home: Path, content: bytes,
    expected: str,
) -> None:
    source = tmp_path / "people.csv"
    source.write_bytes(content)
    before = files_under(kproducer_home)
    reset_stats(env)
    for fmt, out in (("url", tmp_path / "out.csv"), ("page", tmp_path / "pages")):
        result = export(kp, "0_abcdefgh", source, out, "--format", fmt)
        assert result.code == 2
        assert expected in result.sentence
        assert not out.exists()
    assert stats(env)["http_requests"] == 0
    assert files_under(kproducer_home) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["people.csv"]


def test_a_bom_and_crlf_file_is_read(kp: Runner, env: SandboxInfo, unique, tmp_path: Path):
    live = entry_of(kp, "live")
    user = unique("bom")
    source = tmp_path / "excel.csv"
    source.write_bytes(b"\xef\xbb\xbfuser_id,first_name\r\n" + f"{user},Zo\u00eb\r\n".encode())
    result = export(kp, live["id"], source, tmp_path / "o.csv")
    assert result.code == 0, result.err
    row = read_out(tmp_path / "o.csv")[0]
    assert row["user_id"] == user and row["first_name"] == "Zoë" and row["status"] == "ok"


def test_outputs_that_cannot_be_written_are_refused_first(
    kp: Runner, env: SandboxInfo, unique, tmp_path: Path
) -> None:
    live = entry_of(kp, "live")
    room = entry_of(kp, "room")
    source = tmp_path / "people.csv"
    source.write_text(f"user_id\n{unique('o')}\n")
    notes = tmp_path / "notes.csv"
    notes.write_text("name,phone\nAnn,123\n")
    cases = [
        (live["id"], source, "url", "would replace the input CSV"),
        (live["id"], tmp_path / "no" / "o.csv", "url", "does not exist"),
        (live["id"], tmp_path, "url", "is a folder; name a CSV file"),
        (live["id"], notes, "url", "is not a kproducer links export"),
        (live["id"], notes, "page", "is a file; pages go into a folder"),
        (room["id"], tmp_path / "room.csv", "url", "meeting room"),
        ("0_zzzzzzzz", tmp_path / "gone.csv", "url", "was not found"),
        ("not an id", tmp_path / "x.csv", "url", "is not a Kaltura entry ID"),
    ]
    for entry, out, fmt, expected in cases:
        result = export(kp, entry, source, out, "--format", fmt)
        assert result.code == 2, (expected, result.err)
        assert expected in result.sentence
    assert notes.read_text() == "name,phone\nAnn,123\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kproducer-home", "notes.csv", "people.csv"]


def test_an_unreachable_kaltura_is_exit_3(
    kp: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: SandboxInfo
) -> None:
    from cli_support import closed_port_url

    monkeypatch.setenv("KALTURA_URL", closed_port_url())
    source = tmp_path / "people.csv"
    source.write_text("user_id\nu@example.com\n")
    result = export(kp, "0_abcdefgh", source, tmp_path / "o.csv")
    assert result.code == 3
    assert not (tmp_path / "o.csv").exists()


def test_progress_is_drawn_on_a_terminal(
    kp: Runner, env: SandboxInfo, unique, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    live = entry_of(kp, "live")
    source = tmp_path / "people.csv"
    source.write_text("user_id\n" + "".join(f"{unique('t')}\n" for _ in range(70)))
    monkeypatch.setattr("kproducer.commands.links.stderr_is_terminal", lambda: True)
    result = export(kp, live["id"], source, tmp_path / "o.csv", "--json")
    assert result.code == 0
    assert "Exporting links… 70 of 70 rows" in result.err
