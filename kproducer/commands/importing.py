"""``kproducer moderators import``: a people CSV in, one outcome per row out.

The file is read twice, streamed: once (counts only) before anything is sent, so a file that
cannot be used ends with exit code 2 and nothing written, then again as the rows are sent.
Memory does not grow with the list: each outcome goes to the ``--report`` CSV as it comes,
and only counts, the first rows and the first failures are kept for the summary. Rows with a
problem of their own (no ID, an invalid ID, an unknown role) fail without an API call; the
others go to :func:`kproducer.services.moderators.import_people` (50 people per request, a few
requests at once). What the cache knows is skipped, so a re-run finishes only what failed.
"""

from __future__ import annotations

import argparse
import contextlib
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kproducer.local import atomic
from kproducer.services import csv_output, entries, facts, moderator_import, moderators
from kproducer.services.account import Account
from kproducer.services.csv_input import CsvError
from kproducer.services.moderators import RowResult

from .base import OK, SOME_FAILED, USAGE, CommandError
from .common import ProgressLine, connected, print_json, stderr_is_terminal, table

STATUSES = ("added", "already", "skipped", "failed")
#: Failed rows listed in the text output and the JSON (the report lists every row).
SHOWN_FAILURES = 50
#: Rows (any status) listed in the JSON, in file order; beyond them only counts are kept.
JSON_ROWS = 1000


@dataclass
class Tally:
    """What the import did, kept as it streams: counts, the first rows and failures only."""

    counts: Counter[str] = field(default_factory=Counter)
    first_rows: list[RowResult] = field(default_factory=list)
    failures: list[RowResult] = field(default_factory=list)
    #: Failed rows that the file gets wrong (a re-run fails them again until it is fixed).
    invalid: int = 0

    @property
    def rows(self) -> int:
        """Rows accounted for."""
        return sum(self.counts.values())

    def add(self, result: RowResult) -> None:
        """Count one row's outcome (kept only while the lists are short)."""
        self.counts[result.status] += 1
        self.invalid += result.status == "failed" and result.in_file
        if len(self.first_rows) < JSON_ROWS:
            self.first_rows.append(result)
        if result.status == "failed" and len(self.failures) < SHOWN_FAILURES:
            self.failures.append(result)


def scan_csv(path: Path) -> moderator_import.Scan:
    """Read the CSV once (counts only); whole-file problems raise :class:`CsvError`."""
    if path.is_dir():
        raise CsvError(f"{path} is a folder, not a CSV file.")
    return moderator_import.scan(path)


def check_report_path(path: Path | None, source: Path | None = None) -> None:
    """Refuse, before any work, a report that could not be written or must not replace a file.

    The input CSV and existing files that are not import reports are never replaced, as
    ``links export`` refuses them (:func:`kproducer.services.csv_output.refuse_replacing`).
    """
    if path is None:
        return
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise CommandError(f"The report {path} is a folder; name a file.", USAGE)
    if not folder.is_dir():
        raise CommandError(f"The report's folder {folder} does not exist.", USAGE)
    if not os.access(folder, os.W_OK):
        raise CommandError(f"The report cannot be written in {folder} (no permission).", USAGE)
    refused = moderator_import.report_refused(path, source)
    if refused:
        raise CommandError(refused, USAGE)


def verify_entry(account: Account, entry_id: str) -> None:
    """Fetch the entry afresh before writing anything for it.

    The cached copy is dropped first, so a deleted entry (exit 2) or a rejected admin secret
    (exit 3) stops the command before any user, group or membership is created.
    """
    account.cache.delete(facts.ENTRY, entry_id)
    entries.get(account, entry_id)


def import_command(args: argparse.Namespace) -> int:
    """Import the CSV, print a per-row summary, exit 1 when some rows failed."""
    entry_id = entries.check_entry_id(args.entry)
    check_report_path(args.report, args.csv)
    scanned = scan_csv(args.csv)
    progress = ProgressLine("Importing", scanned.rows) if stderr_is_terminal() else None
    with connected(args) as account:
        verify_entry(account, entry_id)
        try:
            results = moderators.import_stream(
                account, entry_id, moderator_import.pending(args.csv),
                scanned.rows - scanned.settled, progress=progress.update if progress else None)
            tally, report_error = run_import(results, args.report)
        finally:
            if progress:
                progress.done()
    if report_error is not None:
        raise CommandError(
            f"The import ran, but the report {args.report} could not be written: "
            f"{report_error.strerror or report_error}.", SOME_FAILED)
    if args.json:
        print_json(_document(entry_id, args.csv, args.report, tally))
    else:
        _print_summary(entry_id, args.csv, tally, args.report)
    return SOME_FAILED if tally.counts["failed"] else OK


class _Abandoned(Exception):
    """The report could not be written completely: its temporary file is dropped."""


def run_import(results: Iterator[RowResult], report: Path | None) -> tuple[Tally, OSError | None]:
    """Count every result, writing each to ``report`` (atomically, owner-only) as it comes.

    A report that cannot be written does not stop the import: the error is returned, and no
    partial report replaces ``report``.
    """
    tally = Tally()
    failure: OSError | None = None
    finished = False
    try:
        with contextlib.ExitStack() as stack:
            writer = None
            if report is not None:
                try:
                    handle = stack.enter_context(atomic.atomic_writer(report, newline=""))
                    writer = csv_output.writer(handle, lineterminator="\n")
                    writer.writerow(moderator_import.REPORT_COLUMNS)
                except OSError as exc:
                    failure = exc
            for result in results:
                tally.add(result)
                if writer is not None and failure is None:
                    try:
                        writer.writerow([result.line, result.user_id, result.status,
                                         result.error])
                    except OSError as exc:
                        failure = exc
            finished = True
            if failure is not None and writer is not None:
                raise _Abandoned  # leaving the block by an exception drops the temporary file
    except _Abandoned:
        pass
    except OSError as exc:
        if not finished:
            raise
        failure = exc  # the report's last write or its move into place
    return tally, failure


def _document(entry_id: str, source: Path, report: Path | None, tally: Tally) -> dict[str, Any]:
    def row(r: RowResult) -> dict[str, Any]:
        return {"line": r.line, "user_id": r.user_id, "status": r.status, "error": r.error}

    failed = tally.counts["failed"]
    return {
        "entry_id": entry_id,
        "csv": str(source),
        "report": str(report) if report is not None else None,
        "summary": {"rows": tally.rows, **{s: tally.counts[s] for s in STATUSES}},
        "rows": [row(r) for r in tally.first_rows],
        "rows_left_out": tally.rows - len(tally.first_rows),
        "failures": [row(r) for r in tally.failures],
        "failures_left_out": failed - len(tally.failures),
    }


def _print_summary(entry_id: str, source: Path, tally: Tally, report: Path | None) -> None:
    counts = tally.counts
    parts = [f"{counts['added']} added", f"{counts['already']} already moderators"]
    if counts["skipped"]:
        parts.append(f"{counts['skipped']} skipped (attendees)")
    parts.append(f"{counts['failed']} failed")
    print(f"{source.name} → moderators of {entry_id}: {tally.rows} rows, {', '.join(parts)}.")
    if tally.failures:
        shown = [(r.line, r.user_id, r.error) for r in tally.failures]
        table(("LINE", "USER_ID", "ERROR"), shown, "", full=("ERROR",))
        if counts["failed"] > len(tally.failures):
            print(f"… and {counts['failed'] - len(tally.failures)} more failed rows.")
        if tally.invalid:
            print(f"{moderator_import.rows(tally.invalid)} invalid in the file: fix "
                  f"{'it' if tally.invalid == 1 else 'them'} in {source.name} and run the same "
                  "command again.")
        if counts["failed"] > tally.invalid:
            print("Run the same command again to retry only what failed at Kaltura.")
    if report is not None:
        print(f"Every row's outcome is in {report}.")
