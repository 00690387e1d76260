"""``moderators import`` streams (issue 15 item 15): memory does not grow with the list.

Before: the whole list, every outcome and every JSON row were held until the end (78 MB RSS
at 10k rows, 304 MB at 1M). Now the CSV is read lazily twice, outcomes go to the report as
they come, and only counts, the first rows and the first failures are kept.
"""

from __future__ import annotations

import contextlib
import csv
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_support import Runner, set_account_env, write_csv
from conftest import reset_stats, stats

from kproducer.commands import importing
from kproducer.local import atomic
from kproducer.sandbox import SandboxInfo
from kproducer.services import moderator_import, moderators
from kproducer.services.moderators import RowResult


@pytest.fixture
def account_env(info: SandboxInfo, monkeypatch: pytest.MonkeyPatch, no_account_env: None
                ) -> SandboxInfo:
    set_account_env(monkeypatch, info)
    return info


def new_entry(kp: Runner, unique) -> str:
    created = kp("entries", "create", "--type", "live", "--name", unique("stream"), "--json")
    assert created.code == 0, created.err
    return str(created.json()["entry"]["id"])


def people_csv(path: Path, rows: int) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        handle.write("user_id,first_name,last_name,role\n")
        for n in range(rows):
            handle.write(f"person-{n}@example.com,First{n},Last{n},"
                         f"{'attendee' if n % 100 == 99 else ''}\n")
    return path


def traced_peak(source: Path, report: Path) -> int:
    """Peak Python memory of the import pipeline with every person marked added.

    Everything but the requests: the counting pass, the lazy second pass in batches of 50
    (duplicate check included), each outcome counted and written to the report.
    """
    def outcomes() -> Iterator[RowResult]:
        for batch in moderators._batches(moderator_import.pending(source)):
            for row in batch:
                yield row if isinstance(row, RowResult) else RowResult(
                    row[0], row[1].user_id, "added")

    tracemalloc.start()
    try:
        scanned = moderator_import.scan(source)
        tally, error = importing.run_import(outcomes(), report)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert error is None and tally.rows == scanned.rows
    assert tally.counts == {"added": scanned.rows - scanned.settled, "skipped": scanned.settled}
    with report.open(newline="", encoding="utf-8") as handle:
        assert sum(1 for _ in csv.reader(handle)) == scanned.rows + 1
    return peak


def test_memory_does_not_grow_with_the_rows(tmp_path: Path) -> None:
    """2,000 vs 20,000 rows: the same peak (within 20 bytes a row).

    Before, each row kept its person, its outcome, its place in the merged list and its
    JSON row: hundreds of bytes a row. The duplicate check's index of user IDs is an
    on-disk SQLite table (its page cache, outside tracemalloc, is SQLite's bounded 2 MB;
    ``benchmarks/import_memory.py`` measures the RSS of a million rows).
    """
    small = traced_peak(people_csv(tmp_path / "2k.csv", 2_000), tmp_path / "2k-report.csv")
    large = traced_peak(people_csv(tmp_path / "20k.csv", 20_000), tmp_path / "20k-report.csv")
    assert (large - small) / 18_000 < 20, (small, large)


def test_json_lists_the_first_rows_and_failures_and_counts_every_row(
    kp: Runner, account_env: SandboxInfo, unique, tmp_path: Path
) -> None:
    entry = new_entry(kp, unique)
    good = [unique("s") + "@example.com" for _ in range(1_100)]
    rows = [*good, *(f"bad id {n}" for n in range(70)), good[0], good[1]]
    source = write_csv(tmp_path / "people.csv", "user_id", rows)
    report = tmp_path / "report.csv"
    reset_stats(account_env)
    result = kp("moderators", "import", "--entry", entry, "--csv", str(source),
                "--report", str(report), "--json")
    assert result.code == 1, result.err
    doc = result.json()
    assert doc["summary"] == {"rows": 1_172, "added": 1_100, "already": 0, "skipped": 0,
                              "failed": 72}
    assert len(doc["rows"]) == importing.JSON_ROWS and doc["rows_left_out"] == 172
    assert [r["line"] for r in doc["rows"]] == list(range(2, 2 + importing.JSON_ROWS))
    assert len(doc["failures"]) == importing.SHOWN_FAILURES and doc["failures_left_out"] == 22
    assert doc["failures"][0] == {"line": 1_102, "user_id": "bad id 0", "status": "failed",
                                  "error": '"bad id 0" is not a valid Kaltura user ID'}
    with report.open(newline="", encoding="utf-8") as handle:
        written = list(csv.DictReader(handle))
    assert len(written) == 1_172  # the report still has every row, in file order
    assert [int(r["line"]) for r in written] == list(range(2, 1_174))
    assert written[-1]["error"] == "duplicate of line 3"
    # 22 batches of 50 people and the entry and group first: streaming sends no more.
    assert stats(account_env)["http_requests"] <= 22 + 4

    text = kp("moderators", "import", "--entry", entry, "--csv", str(source))
    assert text.code == 1
    assert "1172 rows, 0 added, 1100 already moderators, 72 failed." in text.out
    assert "… and 22 more failed rows." in text.out


class _FillingDisk:
    """A file handle that takes ``room`` characters, then fails as a full disk does."""

    def __init__(self, handle: Any, room: int) -> None:
        self._handle, self._room = handle, room

    def write(self, text: str) -> int:
        if len(text) > self._room:
            raise OSError(28, "No space left on device")
        self._room -= len(text)
        return int(self._handle.write(text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handle, name)


def test_a_report_the_disk_cannot_hold_leaves_no_partial_file_and_the_import_finishes(
    kp: Runner, account_env: SandboxInfo, unique, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    real = atomic.atomic_writer

    @contextlib.contextmanager
    def writer(path: Any, **options: Any) -> Iterator[Any]:
        with real(path, **options) as handle:
            yield _FillingDisk(handle, 2_000)

    monkeypatch.setattr(atomic, "atomic_writer", writer)
    entry = new_entry(kp, unique)
    people = [unique("d") + "@example.com" for _ in range(300)]
    source = write_csv(tmp_path / "people.csv", "user_id", people)
    report = tmp_path / "report.csv"
    result = kp("moderators", "import", "--entry", entry, "--csv", str(source),
                "--report", str(report))
    assert result.code == 1
    assert result.err.strip() == (
        f"kproducer: The import ran, but the report {report} could not be written: "
        "No space left on device.")
    # Nothing partial: neither the report nor its temporary file.
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["people.csv"]
    listed = kp("moderators", "list", "--entry", entry, "--json").json()["moderators"]
    assert sorted(m["user_id"] for m in listed) == sorted(people)  # every row still done
