"""The ledger's side of a go-live check: links that end before their session, revocations.

Read from the local link ledger (:mod:`kproducer.local.link_ledger`), never from Kaltura:
no request. A ledger that cannot be read is one note, not a failed check.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ..local.link_ledger import LedgerUnavailable, LinkLedger
from .account import Account
from .link_record import account_of
from .models import Entry
from .readiness_model import Finding, Fix


@dataclass(frozen=True)
class LinkFacts:
    """What the ledger holds about one session's links.

    Attributes:
        live: Links not revoked.
        early: Of those, how many end before the session does.
        shortest_gap: The most seconds one of them ends before the session does.
        revoked: Links revoked.
        exports: Exports (or single links) recorded for it.
    """

    live: int = 0
    early: int = 0
    shortest_gap: int = 0
    revoked: int = 0
    exports: int = 0


def read(account: Account, sessions: Sequence[Entry],
         ledger: LinkLedger | None = None) -> tuple[dict[str, LinkFacts], str | None]:
    """Each session's :class:`LinkFacts`, and a note when the ledger cannot be read.

    Args:
        ledger: The ledger to read (default: the app's, opened and closed here).
    """
    own = ledger is None
    try:
        opened = LinkLedger.open() if ledger is None else ledger
    except LedgerUnavailable as exc:
        return {}, f"{exc} Exported links were not checked."
    try:
        key = account_of(account)
        found = {entry.id: _facts(opened, key, entry) for entry in sessions}
    except LedgerUnavailable as exc:
        return {}, f"{exc} Exported links were not checked."
    finally:
        if own:
            opened.close()
    return {k: v for k, v in found.items() if v.exports}, opened.note


def _facts(ledger: LinkLedger, key: str, entry: Entry) -> LinkFacts:
    ends = entry.scheduled_end
    live = early = revoked = gap = 0
    exports = ledger.exports(entry.id, account=key)
    for export in exports:
        if export.revoked_rows == export.rows:
            revoked += export.rows
            continue
        for link in ledger.links(export.export_id):
            if link.revoked_at is not None:
                revoked += 1
                continue
            live += 1
            if ends is not None and link.expires_at is not None:
                short = ends - int(link.expires_at.timestamp())
                if short > 0:
                    early += 1
                    gap = max(gap, short)
    return LinkFacts(live, early, gap, revoked, len(exports))


def findings(entry: Entry, facts: LinkFacts | None) -> Iterator[Finding]:
    """The ``links`` and ``revoked_links`` findings of one session (none: nothing exported)."""
    from .readiness_checks import _ago

    if facts is None:
        return
    if facts.early:
        many = "link" if facts.early == 1 else "links"
        yield Finding(entry.id, "links", False,
                      f"{facts.early} exported {many} for this session end before it does "
                      f"(up to {_ago(facts.shortest_gap)} early), so those people would be "
                      "cut off.",
                      "Export the links again: a new export lasts the whole session.",
                      Fix.REEXPORT)
    elif facts.live:
        yield Finding(entry.id, "links", True,
                      f"The {facts.live} exported link{'s' if facts.live != 1 else ''} last "
                      "until the session ends.")
    if facts.revoked:
        yield Finding(entry.id, "revoked_links", True,
                      f"{facts.revoked} link{'s' if facts.revoked != 1 else ''} for this "
                      "session {} revoked and no longer play.".format(
                          "was" if facts.revoked == 1 else "were"))
