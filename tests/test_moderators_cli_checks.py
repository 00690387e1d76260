"""``moderators add`` and ``import`` check emails as emails, and say what to do (issue 16 item 5)."""

from __future__ import annotations

from pathlib import Path

from cli_support import Runner, write_csv
from conftest import reset_stats, stats
from test_cli_commands import new_entry

from kproducer.sandbox import SandboxInfo


def test_add_refuses_an_email_that_is_not_one(kp: Runner, account_env: SandboxInfo,
                                              unique) -> None:
    entry = new_entry(kp, unique)
    reset_stats(account_env)
    for bad in ("bob.kumar@example", "not-an-email"):
        result = kp("moderators", "add", "--entry", entry["id"], "--user", unique("u"),
                    "--email", bad)
        assert result.code == 2, result.err
        assert result.sentence.startswith(f'"{bad}" is not a valid email address: ')
        assert "Traceback" not in result.err
    assert stats(account_env)["api_calls"] == 0  # refused before anything was sent
    good = unique("g") + "@example.com"
    assert kp("moderators", "add", "--entry", entry["id"], "--user", good,
              "--email", good).code == 0


def test_import_fails_rows_with_bad_emails_and_says_to_fix_the_file(
    kp: Runner, account_env: SandboxInfo, unique, tmp_path: Path
) -> None:
    entry = new_entry(kp, unique)
    good = unique("g") + "@example.com"
    rows = [f"{good},{good}", f"{unique('b')},bob.kumar@example", f"{unique('n')},not-an-email",
            "bob.kumar@example,"]  # an ID that looks like an email is still a fine ID
    source = write_csv(tmp_path / "people.csv", "user_id,email", rows)
    result = kp("moderators", "import", "--entry", entry["id"], "--csv", str(source), "--json")
    assert result.code == 1
    by_line = {r["line"]: r for r in result.json()["rows"]}
    assert {n: r["status"] for n, r in by_line.items()} == {
        2: "added", 3: "failed", 4: "failed", 5: "added"}
    assert by_line[3]["error"].startswith('"bob.kumar@example" is not a valid email address (')
    assert by_line[4]["error"] == ('"not-an-email" is not a valid email address '
                                   "(an email address must have an @-sign)")

    text = kp("moderators", "import", "--entry", entry["id"], "--csv", str(source))
    assert text.code == 1
    assert ("2 rows are invalid in the file: fix them in people.csv and run the same command "
            "again.") in text.out
    assert "retry" not in text.out.lower()
