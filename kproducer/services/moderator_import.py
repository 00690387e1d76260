"""Importing moderators from a people CSV: read, check, import, report (no Qt).

Glue between :mod:`.csv_input` and :func:`.moderators.import_people` that both the desktop
window and scripts use: rows the file itself gets wrong (no ID, invalid ID, unknown role)
are reported without a call, rows whose ``role`` is ``attendee`` are skipped, everyone else
becomes a moderator. The report has one row per data line, in file order, and can be
written as CSV (atomically) or re-run for the rows that failed at Kaltura (rows the file
gets wrong fail again until the file is fixed: they are not retried, and the report says so).
The moderators list itself is written as a people CSV that this module reads back.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..local.atomic import write_text
from . import csv_output, moderators
from .account import Account
from .csv_input import CsvError, read_rows
from .facts import Person
from .models import Moderator
from .moderators import RowResult

REPORT_COLUMNS = ("line", "user_id", "status", "error")
SKIPPED = "skipped"
CANCELLED = "cancelled"


@dataclass(frozen=True)
class ImportReport:
    """What an import did.

    Attributes:
        entry_id: The entry whose moderators were imported.
        source: The CSV file, or None for a retry.
        results: One per data row, in line order (status added/already/failed/skipped).
        people: The person of each line that was sent (for a retry of failed rows).
        cancelled: The import was cancelled before every row was tried.
    """

    entry_id: str
    source: Path | None
    results: list[RowResult]
    people: dict[int, Person] = field(default_factory=dict)
    cancelled: bool = False

    def count(self, status: str) -> int:
        """Rows with this status."""
        return sum(1 for r in self.results if r.status == status)

    @property
    def not_started(self) -> int:
        """Rows that were never tried because the import was cancelled."""
        return sum(1 for r in self.results if r.status == "failed" and r.error == CANCELLED)

    @property
    def invalid(self) -> int:
        """Rows that failed because of what the file says (a retry cannot help them)."""
        return sum(1 for r in self.results if r.status == "failed" and r.in_file)

    def retryable(self) -> list[tuple[int, Person]]:
        """Failed rows that were sent (or cancelled), for another try.

        Rows the file gets wrong are not among them: they would fail the same way.
        """
        return [(r.line, self.people[r.line]) for r in self.results
                if r.status == "failed" and not r.in_file and r.line in self.people]

    def summary(self) -> str:
        """One sentence: how many were added, already there, failed, skipped."""
        parts = [f"{self.count('added')} added", f"{self.count('already')} already moderators"]
        failed = self.count("failed") - self.not_started
        if failed:
            why = [f"{self.invalid} invalid in the file"] if self.invalid else []
            if failed - self.invalid:
                why.append(f"{failed - self.invalid} at Kaltura")
            parts.append(f"{failed} failed ({', '.join(why)})")
        if self.not_started:
            parts.append(f"{self.not_started} not started (cancelled)")
        if self.count(SKIPPED):
            parts.append(f"{self.count(SKIPPED)} skipped (attendees)")
        return ", ".join(parts) + "."

    def advice(self) -> str:
        """What to do about the failed rows, in sentences ('' when none failed)."""
        sentences = []
        if self.invalid:
            name = f" in {self.source.name}" if self.source is not None else ""
            sentences.append(f"{rows(self.invalid)} invalid in the file: fix "
                             f"{'it' if self.invalid == 1 else 'them'}{name} and Import the "
                             "file again.")
        again = len(self.retryable())
        if again:
            sentences.append(f"{rows(again)} not done yet: Retry "
                             f"{'tries it' if again == 1 else 'tries them'} again.")
        return " ".join(sentences)


def rows(count: int) -> str:
    """``1 row is`` / ``3 rows are``."""
    return f"{count} row is" if count == 1 else f"{count} rows are"


def read_people(path: Path) -> tuple[list[tuple[int, Person]], list[RowResult]]:
    """Stream a people CSV: who to import, and the rows settled without a call.

    Rows with a problem fail at once; rows whose role is attendee are skipped.

    Raises:
        CsvError: The file cannot be used at all, or it has no people.
    """
    early: list[RowResult] = []
    people: list[tuple[int, Person]] = []
    for row in read_rows(path):
        if row.problem:
            early.append(RowResult(row.line, row.person.user_id, "failed", row.problem,
                                   in_file=True))
        elif row.role == "attendee":
            early.append(RowResult(row.line, row.person.user_id, SKIPPED, "role is attendee"))
        else:
            people.append((row.line, row.person))
    if not people and not early:
        raise CsvError(f"{path.name} has a header row but no people.")
    return people, early


@dataclass(frozen=True)
class Scan:
    """What a first pass over a people CSV found (nothing of it is kept but counts).

    Attributes:
        rows: Data rows.
        settled: Rows settled without a call (a problem of their own, or attendees).
    """

    rows: int
    settled: int


def pending(path: Path) -> Iterator[moderators.Pending]:
    """The rows of a people CSV, streamed: a person to send, or a row settled at once.

    Raises:
        CsvError: The file cannot be used at all (as soon as that is seen).
    """
    for row in read_rows(path):
        if row.problem:
            yield RowResult(row.line, row.person.user_id, "failed", row.problem, in_file=True)
        elif row.role == "attendee":
            yield RowResult(row.line, row.person.user_id, SKIPPED, "role is attendee")
        else:
            yield row.line, row.person


def scan(path: Path) -> Scan:
    """Read the whole CSV once, keeping only counts.

    So a bad file is refused before anything is sent or written.

    Raises:
        CsvError: The file cannot be used at all, or it has no people.
    """
    rows = settled = 0
    for item in pending(path):
        rows += 1
        settled += isinstance(item, RowResult)
    if not rows:
        raise CsvError(f"{path.name} has a header row but no people.")
    return Scan(rows, settled)


def import_csv(
    account: Account,
    entry_id: str,
    path: Path,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> ImportReport:
    """Make every person of a people CSV a moderator of the entry.

    Raises:
        CsvError: The file cannot be used at all (nothing was imported).
        KalturaError: The entry does not exist or Kaltura cannot be reached at the start.
    """
    people, early = read_people(path)
    return _run(account, entry_id, path, people, early, progress, cancel)


def retry(
    account: Account,
    report: ImportReport,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> ImportReport:
    """Try the failed rows of ``report`` again; the other rows keep their outcome."""
    again = report.retryable()
    lines = {line for line, _ in again}
    kept = [r for r in report.results if r.line not in lines]
    return _run(account, report.entry_id, report.source, again, kept, progress, cancel,
                report.people)


def _run(
    account: Account,
    entry_id: str,
    source: Path | None,
    people: Sequence[tuple[int, Person]],
    early: list[RowResult],
    progress: Callable[[int, int], None] | None,
    cancel: threading.Event | None,
    known: dict[int, Person] | None = None,
) -> ImportReport:
    results = moderators.import_people(account, entry_id, people, progress=progress,
                                       cancel=cancel) if people else []
    merged = sorted([*early, *results], key=lambda r: r.line)
    return ImportReport(
        entry_id=entry_id,
        source=source,
        results=merged,
        people={**(known or {}), **dict(people)},
        cancelled=bool(cancel is not None and cancel.is_set()),
    )


def report_csv(results: Sequence[RowResult]) -> str:
    """The results as CSV text: line, user_id, status, error."""
    out = io.StringIO()
    writer = csv_output.writer(out, lineterminator="\n")
    writer.writerow(REPORT_COLUMNS)
    for r in results:
        writer.writerow([r.line, r.user_id, r.status, r.error])
    return out.getvalue()


def is_report(path: Path) -> bool:
    """Whether ``path`` is an import report (so writing a new report may replace it)."""
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            return handle.readline().rstrip("\r\n") == ",".join(REPORT_COLUMNS)
    except OSError:
        return False


def report_refused(path: Path, source: Path | None) -> str:
    """Why the report may not be written at ``path``, or '' (see :mod:`.csv_output`)."""
    return csv_output.refuse_replacing(path, source, "import report", is_report)


def save_report(results: Sequence[RowResult], path: Path) -> Path:
    """Write the results as CSV, atomically and owner-only."""
    write_text(path, report_csv(results))
    return path


# --- the moderators list as a people CSV ---------------------------------------------------------

#: The columns of an exported list: a people CSV that :func:`import_csv` reads back.
LIST_COLUMNS = ("user_id", "first_name", "last_name", "email")


def moderators_csv(found: Sequence[Moderator]) -> str:
    """The moderators as a people CSV (cells a spreadsheet would run are escaped)."""
    out = io.StringIO()
    writer = csv_output.writer(out, lineterminator="\n")
    writer.writerow(LIST_COLUMNS)
    for m in found:
        writer.writerow([m.user_id, m.first_name, m.last_name, m.email])
    return out.getvalue()


def save_moderators(found: Sequence[Moderator], path: Path) -> Path:
    """Write the moderators as a people CSV, atomically and owner-only."""
    write_text(path, moderators_csv(found))
    return path
