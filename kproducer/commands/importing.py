"""``kproducer moderators import``: a people CSV in, one outcome per row out.

The file is read completely (streamed: only each row's person is kept) before anything is
sent, so a file that cannot be used ends with exit code 2 and nothing written. Rows with a
problem of their own (no ID, an invalid ID, an unknown role) fail without an API call; the
others go to :func:`kproducer.services.moderators.import_people` (50 people per request, a few
requests at once). What the cache knows is skipped, so a re-run finishes only what failed.
"""

from __future__ import annotations

import argparse
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kproducer.services import entries, facts, moderator_import, moderators
from kproducer.services.account import Account
from kproducer.services.csv_input import CsvError
from kproducer.services.facts import Person
from kproducer.services.moderators import RowResult

from .base import OK, SOME_FAILED, USAGE, CommandError
from .common import ProgressLine, connected, print_json, stderr_is_terminal, table

STATUSES = ("added", "already", "skipped", "failed")
#: Failed rows listed in the text output (the JSON and the report list every row).
SHOWN_FAILURES = 50


@dataclass
class Plan:
    """The rows of a CSV: who to import, and the rows settled without a call."""

    people: list[tuple[int, Person]] = field(default_factory=list)
    settled: list[RowResult] = field(default_factory=list)

    @property
    def rows(self) -> int:
        """Data rows read."""
        return len(self.people) + len(self.settled)


def read_plan(path: Path) -> Plan:
    """Stream the CSV into a plan; whole-file problems raise :class:`CsvError`."""
    if path.is_dir():
        raise CsvError(f"{path} is a folder, not a CSV file.")
    people, settled = moderator_import.read_people(path)
    return Plan(people, settled)


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
    plan = read_plan(args.csv)
    progress = (
        ProgressLine("Importing", plan.rows, len(plan.settled)) if stderr_is_terminal() else None
    )
    with connected(args) as account:
        verify_entry(account, entry_id)
        try:
            imported = moderators.import_people(
                account, entry_id, plan.people, progress=progress.update if progress else None
            )
        finally:
            if progress:
                progress.done()
    results = sorted([*plan.settled, *imported], key=lambda r: r.line)
    if args.report is not None:
        write_report(args.report, results)
    counts = Counter(r.status for r in results)
    if args.json:
        print_json(_document(entry_id, args.csv, args.report, results, counts))
    else:
        _print_summary(entry_id, args.csv, results, counts, args.report)
    return SOME_FAILED if counts["failed"] else OK


def write_report(path: Path, results: list[RowResult]) -> None:
    """Every row's outcome as CSV, written atomically (owner-only)."""
    try:
        moderator_import.save_report(results, path)
    except OSError as exc:
        raise CommandError(
            f"The import ran, but the report {path} could not be written: "
            f"{exc.strerror or exc}.", SOME_FAILED
        ) from None


def _document(
    entry_id: str, source: Path, report: Path | None, results: list[RowResult], counts: Counter[str]
) -> dict[str, Any]:
    return {
        "entry_id": entry_id,
        "csv": str(source),
        "report": str(report) if report is not None else None,
        "summary": {"rows": len(results), **{s: counts[s] for s in STATUSES}},
        "rows": [
            {"line": r.line, "user_id": r.user_id, "status": r.status, "error": r.error}
            for r in results
        ],
    }


def _print_summary(
    entry_id: str,
    source: Path,
    results: list[RowResult],
    counts: Counter[str],
    report: Path | None,
) -> None:
    parts = [f"{counts['added']} added", f"{counts['already']} already moderators"]
    if counts["skipped"]:
        parts.append(f"{counts['skipped']} skipped (attendees)")
    parts.append(f"{counts['failed']} failed")
    print(f"{source.name} → moderators of {entry_id}: {len(results)} rows, {', '.join(parts)}.")
    failed = [r for r in results if r.status == "failed"]
    if failed:
        shown = [(r.line, r.user_id, r.error) for r in failed[:SHOWN_FAILURES]]
        table(("LINE", "USER_ID", "ERROR"), shown, "")
        if len(failed) > SHOWN_FAILURES:
            print(f"… and {len(failed) - SHOWN_FAILURES} more failed rows.")
        print("Run the same command again to retry only what failed.")
    if report is not None:
        print(f"Every row's outcome is in {report}.")


