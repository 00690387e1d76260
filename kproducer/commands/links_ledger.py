"""``kproducer links list`` and ``links revoke``: the link ledger on the command line (DESIGN §5).

``links list [--entry E] [--json]`` reads the local ledger only (no account, no request).
``links revoke EXPORT_ID [--user U] [--json]`` ends the links' sessions on Kaltura, 50 per
multirequest, with no prompt (the count is printed). Exit 0 when every link is revoked, 1 when
some failed (running it again is safe and finishes them), 2 for an unknown export or user, 3
when Kaltura could not be reached at all.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from kproducer.local.link_ledger import ExportRecord, LedgerUnavailable, LinkLedger
from kproducer.services import revoke
from kproducer.services.revoke import RevokeError, RevokeSummary

from .base import OK, SOME_FAILED, UNREACHABLE, USAGE, CommandError
from .common import account_options, connected, handles, print_json, table, warn


def configure(sub: argparse._SubParsersAction[Any]) -> None:
    """Add ``list`` and ``revoke`` to ``kproducer links``."""
    listing = sub.add_parser(
        "list", help="the exports in the link ledger (one row per export or single link)",
        description="List what kproducer signed, from the local link ledger: one row per "
                    "export (a Copy share link or QR code is an export of one link).")
    listing.add_argument("--entry", metavar="E", help="only the exports of this entry")
    listing.add_argument("--json", action="store_true",
                         help="print one JSON document instead of text")
    handles(listing, list_command)

    cmd = sub.add_parser(
        "revoke", help="revoke the links of an export (or one person's link in it)",
        description="End the Kaltura sessions of an export's links, so that every one of "
                    "them stops working. No prompt: the count is printed. Kaltura keeps a "
                    "revocation for about 24 hours; links that live longer are revoked "
                    "again only while the kproducer window is open. Running it again is "
                    "safe and finishes what failed.")
    cmd.add_argument("export_id", metavar="EXPORT_ID", help="the export (see 'links list')")
    cmd.add_argument("--user", metavar="U", help="revoke only this person's link")
    account_options(cmd)
    handles(cmd, revoke_command)


def _iso(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value is not None else None


def record_json(record: ExportRecord) -> dict[str, Any]:
    """One export as ``links list --json`` prints it (DESIGN §5)."""
    return {
        "export_id": record.export_id, "entry_id": record.entry_id, "role": record.role,
        "format": record.format, "rows": record.rows, "created_at": _iso(record.created_at),
        "expires_at": _iso(record.expires_at), "revoked_at": _iso(record.revoked_at),
        "output": record.output, "event_id": record.event_id,
        "revoked_rows": record.revoked_rows,
    }


def revoked_text(record: ExportRecord) -> str:
    """``all``, ``3 of 120`` or ``no``."""
    if record.revoked_at is not None:
        return "all"
    return f"{record.revoked_rows} of {record.rows}" if record.revoked_rows else "no"


def _open() -> LinkLedger:
    try:
        ledger = LinkLedger.open()
    except LedgerUnavailable as exc:
        raise CommandError(str(exc), SOME_FAILED) from None
    if ledger.note:
        warn(f"note: {ledger.note}")
    return ledger


def list_command(args: argparse.Namespace) -> int:
    """Print the ledger's exports, newest first."""
    with _open() as ledger:
        records = ledger.exports(args.entry)
    if args.json:
        print_json([record_json(r) for r in records])
        return OK
    rows = [(r.export_id, r.entry_id, r.role, r.format, r.rows,
             r.created_at.strftime("%Y-%m-%d %H:%M"),
             r.expires_at.strftime("%Y-%m-%d %H:%M") if r.expires_at else "",
             revoked_text(r), r.output or "")
            for r in records]
    table(("EXPORT", "ENTRY", "ROLE", "FORMAT", "LINKS", "CREATED (UTC)", "EXPIRES (UTC)",
           "REVOKED", "OUTPUT"), rows, "No links recorded yet.")
    return OK


def revoke_json(summary: RevokeSummary) -> dict[str, Any]:
    """The revoke's outcome as JSON."""
    return {
        "export_id": summary.export_id, "user_id": summary.user_id, "links": summary.asked,
        "revoked": summary.revoked, "repeated": summary.repeated,
        "already_revoked": summary.already, "failed": summary.failed,
        "answers_lost": summary.lost, "safe_to_repeat": True,
        "reasons": dict(summary.reasons.most_common()),
        "outlive_24h": summary.outlive, "note": summary.outlive_note(),
        "requests": summary.requests, "seconds": round(summary.seconds, 3),
    }


def revoke_command(args: argparse.Namespace) -> int:
    """Revoke, print the count, exit 1 when some links are not revoked yet."""
    try:
        with connected(args) as account:
            summary = revoke.revoke(account, args.export_id, args.user)
    except RevokeError as exc:
        raise CommandError(str(exc), USAGE) from None
    if args.json:
        print_json(revoke_json(summary))
    else:
        print(summary.sentence())
        for reason, count in summary.reasons.most_common(5):
            print(f"  {count} × {reason}")
        note = summary.outlive_note()
        if note:
            print(f"Note: {note}")
    if summary.failed:
        return UNREACHABLE if summary.unreachable and not summary.revoked else SOME_FAILED
    return OK
