"""The Activity list as a CSV: one row per API call, under the operation the producer did.

Written like every CSV kproducer makes (:mod:`.csv_output`: formulas never run, a file that is
not ours is never replaced), atomically and owner-only (0600). Every cell goes through
:func:`kproducer.local.redact.redact` once more on its way out: the records were redacted
when they were made, and a secret registered since is hidden too.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from ..activity import ActivityLog, ActivityRecord, Operation
from ..local import atomic
from ..local.redact import redact
from . import csv_output

HEADER = ("operation_started", "operation", "operation_outcome", "operation_result",
          "calls_sent", "answered_here", "call_time", "call", "call_result", "ms", "detail")
#: The words a call's outcome is shown with (the Activity dock uses them too).
CALL_RESULTS = {
    "fetched": "read from Kaltura",
    "cached": "answered here",
    "created": "created",
    "updated": "changed",
    "deleted": "removed",
    "error": "failed",
}
ENDINGS = {"running": "running", "done": "done", "failed": "failed", "cancelled": "cancelled",
           "replaced": "replaced"}


def _is_activity_export(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            first = next(csv.reader(handle), [])
    except (OSError, UnicodeDecodeError):
        return False
    return tuple(first) == HEADER


def rows(operations: Iterable[Operation], records: Iterable[ActivityRecord]
         ) -> list[list[str]]:
    """The CSV rows (no header): each call under its operation, operations in order.

    An operation that made no call (a preview answered from the cache, a failed connect)
    still gets one row, with the call columns empty.
    """
    calls: dict[int, list[ActivityRecord]] = {}
    for record in records:
        calls.setdefault(record.operation, []).append(record)
    out: list[list[str]] = []
    for operation in operations:
        head = [operation.started.isoformat(timespec="seconds"), operation.title,
                ENDINGS[operation.ending], operation.result, str(operation.calls),
                str(operation.cached)]
        mine = calls.pop(operation.id, [])
        if not mine:
            out.append(head + [""] * 5)
        for record in mine:
            out.append([*head, record.time.isoformat(timespec="milliseconds"),
                        record.action, CALL_RESULTS[record.outcome], f"{record.ms:.0f}",
                        record.detail])
    return [[redact(cell) for cell in row] for row in out]


def export_csv(log: ActivityLog, path: Path) -> int:
    """Write the log's operations and the calls still in memory to ``path``.

    Returns:
        The number of rows written (without the header).

    Raises:
        ValueError: ``path`` exists and is not an Activity export (it is not replaced).
        OSError: The file cannot be written.
    """
    refused = csv_output.refuse_replacing(path, None, "activity export", _is_activity_export)
    if refused:
        raise ValueError(refused)
    table = rows(log.operations(), log.records())
    with atomic.atomic_writer(path, newline="") as handle:
        out = csv_output.writer(handle)
        out.writerow(HEADER)
        for row in table:
            out.writerow(row)
    return len(table)
