"""Signed-link export: a people CSV in, one link per person out (DESIGN §2 "Bulk", §3, §5).

How an export runs:

1. **Check, locally** (:func:`plan`; nothing sent, nothing written): the output path, an
   existing output (it must be a links export, or it is never replaced), and the whole CSV,
   streamed once: a file that cannot be used raises :class:`CsvError` → exit 2.
2. **Resolve once** (:func:`.link_signer.open_signer`, :func:`.link_signer.complete`): the
   entry, the moderators group (when there are moderators) and the CnC app token (pages with
   chat) — from the cache, or in ONE multirequest. Pages with chat that need new links list
   the app tokens in that request even when one is remembered: a token deleted on the server
   since would otherwise be signed into every page. A previous output is indexed
   (:class:`~.link_output.Previous`) to know which rows it already has.
3. **Stream**: the CSV again, in batches of 50 people who need work; each batch makes sure
   its people exist (and moderators are in the group) in one multirequest
   (:func:`.bulk.ensure_access`, a few batches in flight), then their links are made locally
   (:class:`~.link_signer.Signer`). Rows are written as batches complete, in input order, to
   a temporary file beside the output, which replaces it (fsync + rename) only at the end:
   there is never a partial output file. Pages are each written atomically.

Every row ends ``ok`` or ``failed`` with a reason. A re-run with the same output keeps the
rows that are ``ok`` (same user ID and role, entry and event, link still valid) exactly as
they were and redoes the rest; what the cache knows costs no request, so a warm re-export
makes none at all.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..local import atomic
from . import bulk, csv_output, entries
from .account import Account
from .csv_input import CsvError, Row, open_rows, role_problem
from .link_models import ExportError, ExportRequest, ExportSummary, LinkFormat, OutputError
from .link_output import (
    FAILED,
    LINK_COLUMNS,
    OK,
    Key,
    Previous,
    check_header,
    check_previous,
    row_key,
)
from .link_record import Recorder
from .link_signer import Signer, complete, open_signer
from .models import Role
from .tokens import EmbedStyle, moderators_group

__all__ = ["CsvError", "ExportError", "ExportRequest", "ExportSummary", "LinkFormat",
           "OutputError", "Plan", "Signer", "export", "plan"]

#: Exported pages are static files: a short chat token in them would never be re-issued.
PER_PAGE_REFUSED = (
    "Exported pages cannot use the per-page chat token: it lasts 15 minutes and a saved page "
    "never asks for a new one; export pages with the single-page style (the default).")
#: Rows held in one batch at most (kept and failed rows ride along with the 50 to do).
MAX_BATCH_ROWS = 1000


@dataclass
class _Item:
    """One input row on its way to the output."""

    row: Row
    cells: list[str]
    role: Role | None
    problem: str = ""
    todo: bool = False
    status: str = ""
    out: list[str] = field(default_factory=list)

    def fail(self, error: str, entry: str, event: str) -> None:
        self.status = FAILED
        role = self.role.value if self.role else ""
        self.out = [*self.cells, FAILED, error, "", "", "", "", role, entry, event, ""]


ProgressFn = Callable[[int, int], None]


@dataclass(frozen=True)
class Plan:
    """An export whose input was read and checked, before anything is sent or written.

    Attributes:
        header: The input's header row, as written.
        unused: Input columns the export does not read (carried through).
        rows: Data rows.
        valid: Rows that can get a link (no problem of their own).
        moderators: Moderators are among them.
    """

    request: ExportRequest
    header: list[str]
    unused: tuple[str, ...]
    rows: int
    valid: int
    moderators: bool


def plan(request: ExportRequest) -> Plan:
    """Check the output paths and read the whole CSV: no request, nothing written.

    Raises:
        CsvError: The CSV cannot be used, or the output exists and is not a links export.
        ExportError: The output cannot be written there.
        InvalidInput: Not an entry ID.
    """
    request = _checked(request)
    header, rows = open_rows(request.csv_path)
    unused = check_header(request.csv_path.name, header)
    check_previous(request.csv_out)
    total, valid, moderators = _count(request, _items(request, rows, len(header)))
    return Plan(request, header, tuple(unused), total, valid, moderators)


def export(
    account: Account,
    request: ExportRequest | Plan,
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
) -> ExportSummary:
    """Run an export (see the module docstring).

    Args:
        request: What to export, or its :func:`plan` (made before connecting).
        progress: Called with ``(rows done, rows total)`` as batches are written.
        cancel: When set, no new batch starts; rows not started end ``failed``
            ("cancelled") and a re-run finishes them.

    Raises:
        CsvError: The CSV, or an existing output that is not an export, cannot be used
            (nothing was sent or written).
        ExportError: The request cannot be made (nothing was written).
        OutputError: The output could not be written (disk full...); the previous one is
            untouched.
        KalturaError: The entry is missing, or Kaltura cannot be reached at the start.
    """
    started = time.monotonic()
    checked = request if isinstance(request, Plan) else plan(request)
    request, header = checked.request, checked.header
    valid, moderators = checked.valid, checked.moderators
    signer = open_signer(account, request, moderators)
    event = "" if signer.event_id is None else str(signer.event_id)
    recorder = Recorder(account, signer.entry.id, signer.event_id,
                        request.role.value if request.role else None,
                        request.link_format.value, str(request.csv_out))
    previous = Previous(request.csv_out, signer.entry.id, event, request.folder,
                        revoked=recorder.revoked())
    written = False
    try:
        if len(previous):
            valid, moderators = _to_do(request, len(header), previous)
        if valid:
            signer = complete(account, signer, moderators)
        summary = ExportSummary(
            request, rows=checked.rows, unused_columns=checked.unused, entry=signer.entry,
            event_id=signer.event_id, ks_expires_at=signer.ks_expires_at,
            jwt_expires_at=signer.jwt_expires_at, warnings=signer.warnings,
        )
        if request.folder is not None:
            request.folder.mkdir(mode=0o700, exist_ok=True)
        try:
            _write(account, request, header, previous, signer, summary, progress, cancel,
                   recorder)
            written = True
        except OutputError:
            raise
        except OSError as exc:
            raise OutputError(
                f"The links could not be written to {request.csv_out}: "
                f"{exc.strerror or exc}. The last complete output (if any) is untouched and "
                "the people already set up are remembered, so exporting again after fixing "
                "this is quick.") from exc
    finally:
        previous.close()
        recorder.finish(written)
    summary.export_id, summary.ledger_note = recorder.export_id, recorder.note
    summary.cancelled = bool(cancel is not None and cancel.is_set())
    summary.seconds = time.monotonic() - started
    return summary


def _checked(request: ExportRequest) -> ExportRequest:
    """The request with a checked entry ID; refuses outputs that could not be written."""
    entry_id = entries.check_entry_id(request.entry_id)
    _check_paths(request)
    return request if entry_id == request.entry_id else ExportRequest(
        entry_id, request.csv_path, request.out, request.link_format, request.role,
        request.event_id, request.policy, request.workers)


def _check_paths(request: ExportRequest) -> None:
    out, source = request.out, request.csv_path
    if source.is_dir():
        raise CsvError(f"{source} is a folder, not a CSV file.")
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise ExportError(f"The output's folder {parent} does not exist.")
    if request.link_format is LinkFormat.PAGE:
        if request.policy.embed_style is EmbedStyle.PER_PAGE:
            raise ExportError(PER_PAGE_REFUSED)
        if out.exists() and not out.is_dir():
            raise ExportError(f"{out} is a file; pages go into a folder: name a folder.")
    elif out.is_dir():
        raise ExportError(f"{out} is a folder; name a CSV file for the links.")
    refused = csv_output.refuse_replacing(request.csv_out, source, "links export",
                                          lambda _: True)  # not ours: see check_previous
    if refused:
        raise ExportError(refused)


def _role(request: ExportRequest, row: Row) -> Role | None:
    if request.role is not None:
        return request.role
    if role_problem(row.role):
        return None
    return Role(row.role) if row.role else Role.ATTENDEE


def _problem(request: ExportRequest, row: Row) -> str:
    """Why a row cannot get a link, or '' (a bad role column does not matter with ``--role``)."""
    if request.role is not None and row.problem == role_problem(row.role):
        return ""
    return row.problem


def _items(request: ExportRequest, rows: Iterator[Row], width: int) -> Iterator[_Item]:
    """Every row with its role and problem (duplicates of a user ID and role included)."""
    seen: dict[Key, int] = {}
    for row in rows:
        cells = list(row.values[:width]) + [""] * (width - len(row.values))
        role = _role(request, row)
        problem = _problem(request, row)
        if not problem and role is not None:
            key = row_key(row.person.user_id, role.value)
            if key in seen:
                problem = f"duplicate of line {seen[key]}"
            else:
                seen[key] = row.line
        yield _Item(row, cells, role, problem)


def _count(request: ExportRequest, items: Iterator[_Item]) -> tuple[int, int, bool]:
    """Read the whole CSV: rows, rows that can get a link, and whether moderators are among them.

    Raises:
        CsvError: Anywhere in the file (so nothing is sent or written for a bad file).
    """
    total = valid = 0
    moderators = False
    for item in items:
        total += 1
        if not item.problem and item.role is not None:
            valid += 1
            moderators = moderators or item.role is Role.MODERATOR
    if not total:
        raise CsvError(f"{request.csv_path.name} has a header row but no people.")
    return total, valid, moderators


def _to_do(request: ExportRequest, width: int, previous: Previous) -> tuple[int, bool]:
    """Rows a re-run must make (not kept), and whether moderators are among them."""
    _, rows = open_rows(request.csv_path)
    todo = 0
    moderators = False
    for item in _items(request, rows, width):
        if item.problem or item.role is None:
            continue
        if row_key(item.row.person.user_id, item.role.value) not in previous.offsets:
            todo += 1
            moderators = moderators or item.role is Role.MODERATOR
    return todo, moderators


def _write(account: Account, request: ExportRequest, header: list[str], previous: Previous,
           signer: Signer, summary: ExportSummary, progress: ProgressFn | None,
           cancel: threading.Event | None, recorder: Recorder) -> None:
    """Stream the CSV again, make the links, write the output atomically."""
    width = len(header)
    out_header = [*header, *LINK_COLUMNS]
    entry = signer.entry.id
    event_text = "" if signer.event_id is None else str(signer.event_id)
    group = moderators_group(entry)

    def settle(items: Iterator[_Item]) -> Iterator[_Item]:
        for item in items:
            if item.problem:
                item.fail(item.problem, entry, event_text)
                yield item
                continue
            assert item.role is not None
            key = row_key(item.row.person.user_id, item.role.value)
            kept = previous.take(key, out_header, item.cells)
            if kept is not None:
                item.status, item.out = "kept", kept
            else:
                item.todo = True
            yield item

    def run(batch: list[_Item]) -> list[_Item]:
        todo = [i for i in batch if i.todo]
        access = bulk.ensure_access(account, [
            (i.row.person, group if i.role is Role.MODERATOR else None) for i in todo])
        for item, outcome in zip(todo, access, strict=True):
            _make(item, outcome, signer, entry, event_text)
        return batch

    def skipped(batch: list[_Item]) -> list[_Item]:
        for item in batch:
            if item.todo:
                item.fail("cancelled", entry, event_text)
        return batch

    _, rows = open_rows(request.csv_path)
    items = settle(_items(request, rows, width))
    done = 0
    with atomic.atomic_writer(request.csv_out, newline="") as handle:
        writer = csv_output.writer(handle)
        writer.writerow(out_header)
        for batch, finished in bulk.in_order(_batches(items), run, workers=request.workers,
                                             cancel=cancel, skipped=skipped):
            for item in finished:
                writer.writerow(item.out)
                _tally(summary, item)
                _record(recorder, item, signer.ks_expires_at)
            done += len(batch)
            if progress is not None:
                progress(done, summary.rows)


def _make(item: _Item, outcome: bulk.Access, signer: Signer, entry: str, event: str) -> None:
    if not outcome.ok:
        item.fail(outcome.error, entry, event)
        return
    assert item.role is not None
    try:
        made = signer.make(item.row.person, item.role)
    except OSError as exc:
        item.fail(f"the page could not be written: {exc.strerror or exc}", entry, event)
        return
    item.status = OK
    item.out = [*item.cells, OK, "", made.link, made.ks_expires_at, made.jwt_expires_at,
                made.warning, item.role.value, entry, event, made.link_id]


def _batches(items: Iterator[_Item]) -> Iterator[list[_Item]]:
    """Batches of at most 50 rows to do (and at most :data:`MAX_BATCH_ROWS` rows)."""
    batch: list[_Item] = []
    todo = 0
    for item in items:
        batch.append(item)
        todo += item.todo
        if todo >= bulk.BATCH_PEOPLE or len(batch) >= MAX_BATCH_ROWS:
            yield batch
            batch, todo = [], 0
    if batch:
        yield batch


_ERROR = LINK_COLUMNS.index("error")
_WARNING = LINK_COLUMNS.index("warning")
_LINK_ID = LINK_COLUMNS.index("link_id")


def _record(recorder: Recorder, item: _Item, expires_at: int | None) -> None:
    """Tell the ledger about a row's link (made now, or kept from the last run)."""
    if item.role is None or item.status == FAILED:
        return
    link_id = item.out[len(item.cells) + _LINK_ID]
    if item.status == OK:
        recorder.made(link_id, item.row.person.user_id, item.role.value, expires_at)
    else:
        recorder.kept(link_id, item.role.value)


def _tally(summary: ExportSummary, item: _Item) -> None:
    width = len(item.cells)
    if item.status == FAILED:
        summary.count_failure(item.row.line, item.row.person.user_id, item.out[width + _ERROR])
        return
    summary.ok += 1
    summary.kept += item.status == "kept"
    if item.out[width + _WARNING]:
        summary.flagged += 1
