"""``kproducer links export``: a people CSV in, one signed link per person out (DESIGN §5).

Behaves like ``moderators import``: the whole CSV is checked before anything is sent or
written (exit 2), rows fail one by one with a reason (exit 1), Kaltura unreachable at the
start is exit 3. The output CSV is the input's columns plus ``status``, ``error``, ``link``,
``ks_expires_at``, ``jwt_expires_at`` (and ``warning``, ``link_role``, ``link_entry_id``,
``link_event_id``), written atomically; ``--format page`` writes one HTML page per person
into the ``--out`` folder, with that CSV as ``links.csv``. Running the same command again
keeps the rows already ``ok`` and redoes only the rest.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

from kproducer.services import entries
from kproducer.services.link_record import outlives_note
from kproducer.services.links import (
    ExportError,
    ExportRequest,
    ExportSummary,
    LinkFormat,
    OutputError,
    export,
    plan,
)
from kproducer.services.models import Role
from kproducer.services.tokens import EmbedStyle, ExpiryPolicy

from . import links_ledger
from .base import OK, SOME_FAILED, USAGE, Command, CommandError
from .common import (
    ProgressLine,
    account_options,
    actions,
    connected,
    handles,
    iso,
    print_json,
    stderr_is_terminal,
    table,
)

#: Failed rows listed in the text output (every row is in the output file).
SHOWN_FAILURES = 50
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_LIFETIME = re.compile(r"(\d+)\s*([smhd])")


def lifetime(text: str) -> int:
    """``90m``, ``4h``, ``1h30m``, ``2d`` or plain seconds, as seconds (argparse type)."""
    value = text.strip().lower()
    if value.isdigit():
        seconds = int(value)
    elif re.fullmatch(r"(\s*\d+\s*[smhd])+\s*", value):
        seconds = sum(int(n) * _UNITS[u] for n, u in _LIFETIME.findall(value))
    else:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a lifetime; write e.g. 90m, 4h, 1h30m, 2d or seconds")
    if not 60 <= seconds <= 366 * 86400:
        raise argparse.ArgumentTypeError("a link lifetime must be between 1 minute and 366 days")
    return seconds


def configure(parser: argparse.ArgumentParser) -> None:
    """Add ``export`` to ``kproducer links``."""
    sub = actions(parser)
    cmd = sub.add_parser(
        "export",
        help="make a signed link for everyone in a CSV (re-run to finish what failed)",
        description=(
            "Read a CSV with a header row and a user_id (or email) column, optionally "
            "first_name, last_name, email and role (other columns are carried through). "
            "Each person gets a link with their own USER KS limited to the entry (and, for "
            "pages, a CnC JWT). Exit code 1 when some rows failed: the rest are done, and "
            "running the same command again finishes only the rows not ok."
        ),
    )
    cmd.add_argument("--entry", metavar="E", required=True, help="the session's entry ID")
    cmd.add_argument("--event", metavar="V", type=int,
                     help="the virtual event ID (default: the session's own event)")
    cmd.add_argument("--csv", metavar="IN", required=True, type=Path, help="the people CSV")
    cmd.add_argument("--out", metavar="OUT", required=True, type=Path,
                     help="the output CSV (url), or a folder for the pages (page)")
    cmd.add_argument("--role", choices=[r.value for r in Role],
                     help="everyone's role (default: the CSV's role column, else attendee)")
    cmd.add_argument("--format", dest="link_format", choices=[f.value for f in LinkFormat],
                     default=LinkFormat.URL.value,
                     help="url: the player share URL; page: an HTML page per person")
    cmd.add_argument("--expires-in", metavar="DURATION", type=lifetime,
                     help="a fixed link lifetime (90m, 4h, 2d...); default: sized to the "
                          "session (VOD length + margin, live end + 10 min)")
    cmd.add_argument("--embed-style", choices=[s.value for s in EmbedStyle],
                     default=EmbedStyle.SINGLE_PAGE.value,
                     help="single-page: chat token as long as the link; per-page: short "
                          "chat token, re-issued on every page load")
    account_options(cmd)
    handles(cmd, export_command)
    links_ledger.configure(sub)


def export_command(args: argparse.Namespace) -> int:
    """Run the export, print a summary, exit 1 when some rows failed."""
    request = ExportRequest(
        entry_id=entries.check_entry_id(args.entry),
        csv_path=args.csv,
        out=args.out,
        link_format=LinkFormat(args.link_format),
        role=Role(args.role) if args.role else None,
        event_id=args.event,
        policy=ExpiryPolicy(args.expires_in, EmbedStyle(args.embed_style)),
    )
    progress = ProgressLine("Exporting links") if stderr_is_terminal() else None
    try:
        checked = plan(request)  # the whole CSV, before connecting: exit 2 writes nothing
        with connected(args) as account:
            try:
                summary = export(account, checked, progress=progress.update if progress else None)
            finally:
                if progress:
                    progress.done()
    except ExportError as exc:
        raise CommandError(str(exc), USAGE) from None
    except OutputError as exc:
        raise CommandError(str(exc), SOME_FAILED) from None
    except OSError as exc:
        raise CommandError(
            f"The links could not be written to {request.csv_out}: {exc.strerror or exc}.",
            SOME_FAILED) from None
    if args.json:
        print_json(document(summary))
    else:
        _print_summary(summary)
    return SOME_FAILED if summary.failed else OK


def document(summary: ExportSummary) -> dict[str, Any]:
    """The summary as JSON data (no links: they are in the output file)."""
    request = summary.request
    return {
        "export_id": summary.export_id,
        "ledger_note": summary.ledger_note,
        "entry_id": request.entry_id,
        "event_id": summary.event_id,
        "format": request.link_format.value,
        "role": request.role.value if request.role else "from the role column",
        "csv": str(request.csv_path),
        "out": str(request.csv_out),
        "pages": str(request.folder) if request.folder else None,
        "summary": {"rows": summary.rows, "ok": summary.ok, "kept": summary.kept,
                    "failed": summary.failed, "flagged": summary.flagged},
        "ks_expires_at": iso(summary.ks_expires_at),
        "jwt_expires_at": iso(summary.jwt_expires_at),
        "warnings": list(summary.warnings),
        "unused_columns": list(summary.unused_columns),
        "reasons": dict(summary.reasons.most_common()),
        "failures": [{"line": f.line, "user_id": f.user_id, "error": f.error}
                     for f in summary.failures],
        "seconds": round(summary.seconds, 3),
    }


def _print_summary(summary: ExportSummary) -> None:
    request = summary.request
    role = request.role.value if request.role else "per the role column"
    print(f"{request.csv_path.name} → {request.link_format.value} links for {request.entry_id} "
          f"({role}): {summary.rows} rows, {summary.sentence()}")
    if summary.ks_expires_at:
        chat = f"; chat tokens (JWT) {iso(summary.jwt_expires_at)}" \
            if summary.jwt_expires_at else ""
        print(f"New links expire {iso(summary.ks_expires_at)} (KS){chat}.")
    for warning in summary.warnings:
        print(f"Warning: {warning}")
    if summary.unused_columns:
        print(f"Columns carried through unread: {', '.join(summary.unused_columns)}.")
    if summary.failed:
        shown = [(f.line, f.user_id, f.error) for f in summary.failures[:SHOWN_FAILURES]]
        table(("LINE", "USER_ID", "ERROR"), shown, "", full=("ERROR",))
        if summary.failed > len(shown):
            print(f"… and {summary.failed - len(shown)} more failed rows.")
        for line in summary.advice("Run the same command again"):
            print(line)
    where = f"{request.csv_out}" + (f" (pages in {request.folder})" if request.folder else "")
    print(f"Every row's outcome is in {where}.")
    if summary.export_id:
        print(f"Export ID {summary.export_id}: revoke these links with "
              f"'kproducer links revoke {summary.export_id}'.")
    if summary.ledger_note:
        print(f"Note: {summary.ledger_note}")
    note = outlives_note(summary.ks_expires_at)
    if note:
        print(f"Note: {note}")


COMMAND = Command(
    "links",
    "export signed links (player URL or HTML page) for a list of people; list and revoke them",
    configure,
)
