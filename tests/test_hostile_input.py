"""Hostile or careless people CSVs (issue 15): no person is lost silently, every line counts.

Both readers of a people CSV — ``moderators import`` and ``links export`` — are driven for
real against the sandbox.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_support import Runner, files_under, set_account_env, write_csv
from conftest import reset_stats, stats
from links_support import ks_of, read_out

from kproducer.sandbox import SandboxInfo
from kproducer.sandbox import ks as sandbox_ks


@pytest.fixture
def account_env(info: SandboxInfo, monkeypatch: pytest.MonkeyPatch, no_account_env: None
                ) -> SandboxInfo:
    """The shared sandbox's account, with what link export needs (player uiconf, KME)."""
    set_account_env(
        monkeypatch, info,
        KALTURA_PLAYER_UICONF_ID=str(info.player_uiconf_id),
        KALTURA_CNC_UICONF_ID=str(info.cnc_uiconf_id),
        KALTURA_KME_URL=info.kme_launch_url, KALTURA_KME_KEY=info.kme_key,
        KALTURA_KME_SECRET=info.kme_secret,
    )
    return info


def new_entry(kp: Runner, unique) -> str:
    created = kp("entries", "create", "--type", "live", "--name", unique("hostile"), "--json")
    assert created.code == 0, created.err
    return str(created.json()["entry"]["id"])


def import_csv(kp: Runner, entry: str, source: Path, *extra: str):
    return kp("moderators", "import", "--entry", entry, "--csv", str(source), *extra)


def export_csv(kp: Runner, entry: str, source: Path, out: Path, *extra: str):
    return kp("links", "export", "--entry", entry, "--csv", str(source), "--out", str(out),
              *extra)


def stray_quote_file(path: Path, unique) -> Path:
    """20 people; line 6 has an unterminated ``"Smith``, line 13 the first name ``O"Brien``."""
    rows = [f"{unique('p')}@example.com,First{n},Last{n}" for n in range(20)]
    rows[4] = f'{unique("s")}@example.com,Ann,"Smith'
    rows[11] = f'{unique("o")}@example.com,O"Brien,Kelly'
    return write_csv(path, "user_id,first_name,last_name", rows)


def test_a_stray_quote_refuses_the_whole_file_for_import_and_export(
    kp: Runner, account_env: SandboxInfo, unique, tmp_path: Path, kproducer_home: Path
) -> None:
    """Before: "18 rows, 18 added" for 20 people, and a last name made of several lines."""
    entry = new_entry(kp, unique)
    source = stray_quote_file(tmp_path / "people.csv", unique)
    report, out = tmp_path / "report.csv", tmp_path / "links.csv"
    before = files_under(kproducer_home)
    reset_stats(account_env)
    imported = import_csv(kp, entry, source, "--report", str(report))
    exported = export_csv(kp, entry, source, out)
    for result in (imported, exported):
        assert result.code == 2, result.out
        assert result.sentence == (
            "people.csv line 6: a quoted cell runs on to line 13, so the lines after it cannot "
            'be told apart (a stray " on line 6? cells cannot hold line breaks); nothing was '
            "done: fix that cell and try again.")
    assert stats(account_env)["http_requests"] == 0
    assert not report.exists() and not out.exists()
    assert files_under(kproducer_home) == before


@pytest.mark.parametrize(("content", "expected"), [
    ('user_id,last_name\na@example.com,"Smith\n', "people.csv line 2: a quoted cell is never "
                                                  "closed"),
    ('user_id,"last\nname"\na@example.com,Smith\n', "people.csv line 1: a quoted cell runs on "
                                                    "to line 2"),
    ('user_id,notes\na@example.com,"two\r\nlines"\n', "people.csv line 2: a quoted cell runs "
                                                      "on to line 3"),
], ids=["never-closed", "in-the-header", "a-cell-with-a-line-break"])
def test_a_cell_that_leaves_its_line_refuses_the_file(
    kp: Runner, account_env: SandboxInfo, tmp_path: Path, content: str, expected: str
) -> None:
    source = tmp_path / "people.csv"
    source.write_bytes(content.encode())
    for result in (import_csv(kp, "0_abcdefgh", source),
                   export_csv(kp, "0_abcdefgh", source, tmp_path / "o.csv")):
        assert result.code == 2
        assert result.sentence.startswith(expected)


def test_a_quote_inside_a_cell_is_part_of_the_name(
    kp: Runner, account_env: SandboxInfo, unique, tmp_path: Path
) -> None:
    """``O"Brien`` alone (no stray quote before it) is a name like any other."""
    entry = new_entry(kp, unique)
    user = unique("ob") + "@example.com"
    source = write_csv(tmp_path / "people.csv", "user_id,first_name,last_name",
                       [f'{user},O"Brien,Kelly'])
    assert import_csv(kp, entry, source).code == 0
    listed = kp("moderators", "list", "--entry", entry, "--json").json()["moderators"]
    assert [(m["user_id"], m["first_name"]) for m in listed] == [(user, 'O"Brien')]


def test_import_checks_rows_as_export_does(
    kp: Runner, account_env: SandboxInfo, unique, tmp_path: Path
) -> None:
    """Extra cells, overlong names and bad emails fail the row in both, with one wording."""
    entry = new_entry(kp, unique)
    good = unique("g") + "@example.com"
    rows = [
        f"{good},{good},Ann,Lee",
        f"{unique('x')},,Ann,Lee,surplus",
        f"{unique('n')},,{'x' * 129},Lee",
        f"{unique('l')},,Ann,{'y' * 300}",
        f"{unique('e')},not-an-email,Ann,Lee",
        f"{unique('t')},,Short",
    ]
    source = write_csv(tmp_path / "people.csv", "user_id,email,first_name,last_name", rows)
    expected = {
        3: "the row has more cells than the header has columns",
        4: "first_name is longer than 128 characters",
        5: "last_name is longer than 128 characters",
        6: '"not-an-email" is not a valid email address '
           '(an email address must have an @-sign)',
    }
    reset_stats(account_env)
    imported = import_csv(kp, entry, source, "--json")
    assert imported.code == 1
    rows_out = imported.json()["rows"]
    assert [r["line"] for r in rows_out] == [2, 3, 4, 5, 6, 7]
    assert {r["line"]: r["error"] for r in rows_out if r["status"] == "failed"} == expected
    assert {r["line"] for r in rows_out if r["status"] == "added"} == {2, 7}
    assert stats(account_env)["by_action"]["groupuser.add"] == 2

    exported = export_csv(kp, entry, source, tmp_path / "o.csv", "--json")
    assert exported.code == 1
    assert {f["line"]: f["error"] for f in exported.json()["failures"]} == expected
    assert [r["status"] for r in read_out(tmp_path / "o.csv")] == [
        "ok", "failed", "failed", "failed", "failed", "ok"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_utf16_file_is_read_or_named(
    kp: Runner, account_env: SandboxInfo, unique, tmp_path: Path, encoding: str
) -> None:
    """Excel's "Unicode" CSVs: read when they carry a BOM, else one sentence on how to save."""
    entry = new_entry(kp, unique)
    user = unique("u16") + "@example.com"
    source = tmp_path / "people.csv"
    source.write_bytes(f"user_id,first_name\r\n{user},Zoë\r\n".encode(encoding))
    result = import_csv(kp, entry, source, "--json")
    if encoding == "utf-16":  # Python writes a BOM for "utf-16" only
        assert result.code == 0, result.err
        assert [r["user_id"] for r in result.json()["rows"]] == [user]
    else:
        assert result.code == 2
        assert result.sentence == (
            "people.csv looks like UTF-16 text without a byte-order mark; save it as CSV "
            "UTF-8 (in Excel: Save As, CSV UTF-8) and try again.")


def test_a_cr_only_file_is_read(
    kp: Runner, account_env: SandboxInfo, unique, tmp_path: Path
) -> None:
    """Old Mac line ends (CR alone): rows as usual, not Python's "universal-newline" text."""
    entry = new_entry(kp, unique)
    users = [unique("cr") + "@example.com" for _ in range(3)]
    source = tmp_path / "people.csv"
    source.write_bytes(("user_id,first_name\r" + "".join(f"{u},A\r" for u in users)).encode())
    imported = import_csv(kp, entry, source, "--json")
    assert imported.code == 0, imported.err
    assert [(r["line"], r["user_id"]) for r in imported.json()["rows"]] == [
        (2, users[0]), (3, users[1]), (4, users[2])]
    exported = export_csv(kp, entry, source, tmp_path / "o.csv")
    assert exported.code == 0, exported.err
    assert [r["user_id"] for r in read_out(tmp_path / "o.csv")] == users


# --- what kproducer writes and prints ---------------------------------------------------------


def test_the_report_never_replaces_the_input_or_an_unrelated_file(
    kp: Runner, account_env: SandboxInfo, unique, tmp_path: Path
) -> None:
    """As ``links export`` refuses its input and files that are not its own."""
    entry = new_entry(kp, unique)
    source = write_csv(tmp_path / "people.csv", "user_id", [unique("r") + "@example.com"])
    original = source.read_bytes()
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n")
    reset_stats(account_env)
    same = import_csv(kp, entry, source, "--report", str(source))
    assert same.code == 2
    assert same.sentence == "The import report would replace the input CSV; name another file."
    other = import_csv(kp, entry, source, "--report", str(notes))
    assert other.code == 2
    assert other.sentence == (f"{notes} already exists and is not a kproducer import report, "
                              "so it is not replaced; choose another file or move that one away.")
    assert stats(account_env)["http_requests"] == 0
    assert source.read_bytes() == original and notes.read_text() == "my notes\n"
    report = tmp_path / "report.csv"
    assert import_csv(kp, entry, source, "--report", str(report)).code == 0
    assert import_csv(kp, entry, source, "--report", str(report)).code == 0  # ours: replaced
    assert "already" in report.read_text()


def test_formulas_are_neutralised_in_every_written_csv_and_reruns_still_match(
    kp: Runner, account_env: SandboxInfo, unique, tmp_path: Path
) -> None:
    """User IDs Kaltura accepts (``-2+3``, ``@evil``) and carried columns never run."""
    entry = new_entry(kp, unique)
    tag = unique("f").replace("-", "")
    minus, at, plain = f"-2+3{tag}", f"@evil{tag}", f"p{tag}@example.com"
    rows = [f"{minus},Ann,=HYPERLINK(\"http://x\")", f"{at},+Bob,\tx", f"{plain},'=Cy,@SUM(1)"]
    source = write_csv(tmp_path / "people.csv", "user_id,first_name,notes", rows)
    out = tmp_path / "o.csv"
    first = export_csv(kp, entry, source, out)
    assert first.code == 0, first.err
    written = read_out(out)
    assert [r["user_id"] for r in written] == [f"'{minus}", f"'{at}", plain]
    assert [r["notes"] for r in written] == ["'=HYPERLINK(\"http://x\")", "'\tx", "'@SUM(1)"]
    assert [r["first_name"] for r in written] == ["Ann", "'+Bob", "''=Cy"]
    assert all(r["status"] == "ok" for r in written)
    users = [sandbox_ks.decode(ks_of(r["link"]), lambda _: [account_env.admin_secret]).user_id
             for r in written]
    assert users == [minus, at, plain]  # the person still gets their own link

    reset_stats(account_env)
    again = export_csv(kp, entry, source, out, "--json")
    assert again.json()["summary"]["kept"] == 3
    assert stats(account_env)["http_requests"] == 0
    assert read_out(out) == written

    report = tmp_path / "report.csv"
    assert import_csv(kp, entry, source, "--report", str(report)).code == 0
    lines = report.read_text().splitlines()
    assert lines[1].startswith(f"2,'{minus},") and lines[2].startswith(f"3,'{at},")


def test_control_characters_are_shown_escaped_in_all_cli_output(
    kp: Runner, account_env: SandboxInfo, unique, tmp_path: Path
) -> None:
    """An ESC sequence in a CSV (clear screen, window title) never reaches the terminal."""
    entry = new_entry(kp, unique)
    evil = "x\x1b[2J\x1b]0;pwned\x07\x9b31m"
    source = write_csv(tmp_path / "people.csv", "user_id,first_name", [f"{evil},A"])
    text = import_csv(kp, entry, source)
    assert text.code == 1
    assert "\x1b" not in text.out and "\x07" not in text.out and "\x9b" not in text.out
    assert "x\\u001b[2J\\u001b]0;pwned\\u0007\\u009b31m" in text.out
    as_json = import_csv(kp, entry, source, "--json")
    assert "\x1b" not in as_json.out and "\x9b" not in as_json.out
    assert as_json.json()["rows"][0]["user_id"] == evil  # still valid JSON, same value
    missing = import_csv(kp, entry, tmp_path / "no\x1b[2Jpe.csv")
    assert missing.code == 2 and "\x1b" not in missing.err and "\\u001b[2J" in missing.err


# --- sentences, not surprises (item 14) ---------------------------------------------------


def test_an_unclosed_ipv6_service_url_is_one_sentence_everywhere(
    kp: Runner, no_account_env: None, kproducer_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Was "Unexpected error (ValueError: Invalid IPv6 URL)", exit 1."""
    expected = "must be an http:// or https:// address, not 'http://[::1'."
    option = kp("profile", "add", "v6", "--url", "http://[::1", "--partner-id", "1",
                "--admin-user-id", "a")
    assert option.code == 2 and option.sentence.endswith(expected)
    monkeypatch.setenv("KALTURA_URL", "http://[::1")
    monkeypatch.setenv("KALTURA_PARTNER_ID", "1")
    monkeypatch.setenv("KALTURA_ADMIN_USER_ID", "a")
    monkeypatch.setenv("KALTURA_ADMIN_SECRET", "x" * 32)
    env = kp("events", "list")
    assert env.code == 2 and env.sentence.endswith(expected)
    assert "KALTURA_URL" in env.sentence
    monkeypatch.delenv("KALTURA_URL")
    profiles = kproducer_home / "config" / "profiles.json"
    profiles.parent.mkdir(parents=True)
    profiles.write_text('{"version": 1, "profiles": [{"name": "v6", "service_url": '
                        '"http://[::1", "partner_id": 1, "admin_user_id": "a"}]}')
    stored = kp("events", "list", "--profile", "v6")
    assert stored.code == 2
    assert stored.sentence == (
        f"The profiles file {profiles} has an invalid profile (number 1): The service URL "
        f"{expected.removesuffix('.')}; kproducer left it untouched.")  # no ".;"


def test_a_deeply_nested_profiles_file_is_one_sentence(
    kp: Runner, no_account_env: None, kproducer_home: Path
) -> None:
    """Was an unexpected RecursionError."""
    profiles = kproducer_home / "config" / "profiles.json"
    profiles.parent.mkdir(parents=True)
    profiles.write_text("[" * 100_000)
    result = kp("profile", "list")
    assert result.code == 2
    assert result.sentence == (f"The profiles file {profiles} is not a kproducer profiles file "
                               "(it is nested too deeply); kproducer left it untouched.")
