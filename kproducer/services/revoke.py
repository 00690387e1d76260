"""Revoking exported links: ``session.end`` with a KS of the same session ID (DESIGN §2).

Every link's KS carries ``sessionid:{linkId}``. kaltura/server's ``session.end``
(``SessionService::endAction`` → ``ks::kill`` → ``invalidSessionPeer::invalidateKs``)
invalidates the calling KS and, through ``ks::getSessionIdHash`` = sha1(partner ID + "_" +
session ID), every KS of that partner and session ID, whoever its user. So a link is revoked
by a KS made here with the admin secret carrying only ``sessionid:{linkId}`` (no user, a few
minutes of life) calling ``session.end``; 50 of them go in one multirequest.

- Kaltura refuses a KS of an ended session ID before any action runs (``INVALID_KS``
  "LOGOUT"), so ending one again answers that: the link *is* revoked, which makes a revoke
  whose answer was lost safe to repeat. The ledger marks a link revoked only on an answer
  from Kaltura that says so (ok, or that refusal), never on a lost or failed one.
- ``invalidateKs`` keeps a session-ID invalidation 24 hours (``ks_valid_until``). A revoked
  link whose KS lives longer must be ended again after that: :func:`renew_revocations`, which
  the window runs on a timer. Outside the window this cannot be guaranteed; the summaries say
  so, and shorter expiries are the real fix.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from ..kaltura.client import CallResult
from ..kaltura.errors import ConnectionFailed, KalturaError, answer_lost
from ..kaltura.ks import USER_SESSION, generate_ks
from ..kaltura.producer_client import ProducerClient
from ..local.link_ledger import ExportRecord, LedgerUnavailable, LinkLedger, LinkRecord
from . import bulk
from .account import Account
from .link_record import REVOCATION_LIFETIME, account_of

#: Revocations per multirequest.
BATCH = 50
#: Life of the KS that ends a link's session (it ends itself too).
ENDING_KS_LIFETIME = 300
#: When a renewal finds the revocation still in force, try again after this long.
RENEW_RETRY = 60
#: Said when links outlive the revocation.
OUTLIVES = ("{n} of these links stay valid after the 24 hours Kaltura keeps a revocation (until "
            "{until}): kproducer revokes them again automatically while its window is open, "
            "and cannot guarantee it otherwise. Shorter link expiries are the real fix.")


class RevokeError(ValueError):
    """The revoke cannot start as asked (unknown export or user...): one sentence, exit 2."""

    exit_code = 2


@dataclass
class RevokeSummary:
    """What a revoke did.

    Attributes:
        asked: Links of the export (or of the user in it).
        revoked: Links Kaltura now refuses that were not recorded as revoked before.
        repeated: Of ``revoked``, those Kaltura had already ended (an earlier answer was
            lost): repeating was safe.
        already: Links recorded as revoked before (nothing sent for them).
        failed: Links not revoked (run the same command again).
        lost: Some answers were lost: those links may be revoked; running again settles it.
        unreachable: Some batches could not reach Kaltura at all.
        outlive: Revoked links whose KS outlives the 24-hour revocation.
        outlive_until: The latest of their expiries.
        requests: Multirequests sent.
    """

    export_id: str
    user_id: str | None = None
    asked: int = 0
    revoked: int = 0
    repeated: int = 0
    already: int = 0
    failed: int = 0
    lost: bool = False
    reasons: Counter[str] = field(default_factory=Counter)
    outlive: int = 0
    outlive_until: datetime | None = None
    requests: int = 0
    seconds: float = 0.0
    unreachable: bool = False

    def sentence(self) -> str:
        """One sentence: revoked, already, failed (and whether repeating is safe)."""
        who = f" of {self.user_id}" if self.user_id else ""
        parts = [f"{self.revoked} revoked"]
        if self.repeated:
            parts[0] += f" ({self.repeated} had been revoked already by an earlier try)"
        if self.already:
            parts.append(f"{self.already} were revoked before")
        if self.failed:
            parts.append(f"{self.failed} failed")
        text = f"Export {self.export_id}: {self.asked} links{who}, " + ", ".join(parts) + "."
        if self.failed:
            text += (" Some answers were lost, so some of those may be revoked already;"
                     if self.lost else "")
            text += " Run the same revoke again to finish: repeating it is safe."
        return text

    def outlive_note(self) -> str | None:
        """The 24-hour warning, when links outlive the revocation."""
        if not self.outlive or self.outlive_until is None:
            return None
        until = self.outlive_until.strftime("%Y-%m-%d %H:%M UTC")
        return OUTLIVES.format(n=self.outlive, until=until)


@dataclass
class RenewSummary:
    """What :func:`renew_revocations` did: links ended again, still in force, failed."""

    renewed: int = 0
    in_force: int = 0
    failed: int = 0
    requests: int = 0


def _ending_ks(account: Account, link_id: str, now: int) -> str:
    s = account.settings
    # generate_ks counts from the machine's clock; ``now`` may be ahead (a sandbox clock).
    life = max(ENDING_KS_LIFETIME, now - int(time.time()) + ENDING_KS_LIFETIME)
    return generate_ks(s.admin_secret, s.partner_id, "", USER_SESSION, life,
                       f"sessionid:{link_id}")


def _already_ended(result: CallResult) -> bool:
    """Kaltura refused the ending KS because its session ID is ended (``LOGOUT``)."""
    error = result.error
    return (error is not None and error.code == "INVALID_KS"
            and "LOGOUT" in (error.server_message or error.message))


@dataclass
class _Batch:
    links: list[LinkRecord]
    results: list[CallResult] = field(default_factory=list)
    error: KalturaError | None = None
    sent_at: int = 0


def _end_all(account: Account, links: list[LinkRecord], now: int) -> Iterable[_Batch]:
    """``session.end`` for each link, 50 per multirequest, a few in flight; batches in order."""

    def run(batch: _Batch) -> _Batch:
        batch.sent_at = now
        kss = [_ending_ks(account, link.link_id, now) for link in batch.links]

        def queue(c: ProducerClient) -> None:
            for ks in kss:
                c.session.end()
                c.callsQueue[-1].params.put("ks", ks)

        try:
            batch.results = account.conn.multi(queue, raise_auth=False)
        except KalturaError as exc:
            batch.error = exc
        return batch

    batches = (_Batch(chunk) for chunk in bulk.chunked(links, BATCH))
    for _, done in bulk.in_order(batches, run, skipped=lambda b: b):
        yield done


def _settle(ledger: LinkLedger, batch: _Batch, summary: RevokeSummary | RenewSummary,
            renewing: bool) -> None:
    ended: list[str] = []
    in_force: list[str] = []
    for index, link in enumerate(batch.links):
        result = batch.results[index] if index < len(batch.results) else None
        if result is not None and result.ok:
            ended.append(link.link_id)
        elif result is not None and _already_ended(result):
            in_force.append(link.link_id)
        else:
            summary.failed += 1
            error = batch.error or (result.error if result is not None else None)
            if isinstance(summary, RevokeSummary):
                summary.lost = summary.lost or (error is not None and answer_lost(error))
                summary.unreachable |= isinstance(batch.error, ConnectionFailed)
                summary.reasons[error.message if error else "no answer"] += 1
    lapse = batch.sent_at + REVOCATION_LIFETIME
    if ended:
        ledger.mark_revoked(ended, batch.sent_at, lapse)
    if in_force:
        # Ended by an earlier try whose answer was lost (revoke), or still in force (renew):
        # its lapse is not known exactly; a renewal looks again soon after.
        ledger.mark_revoked(in_force, batch.sent_at,
                            batch.sent_at + RENEW_RETRY if renewing else lapse - 3600)
    if isinstance(summary, RevokeSummary):
        summary.revoked += len(ended) + len(in_force)
        summary.repeated += len(in_force)
    else:
        summary.renewed += len(ended)
        summary.in_force += len(in_force)


def revoke(account: Account, export_id: str, user_id: str | None = None,
           ledger: LinkLedger | None = None, now: int | None = None) -> RevokeSummary:
    """Revoke an export's links (or one person's link in it).

    Links recorded as revoked are skipped, unless their revocation has lapsed while their KS
    lives on (they are ended again).

    Raises:
        RevokeError: The export or user is unknown, the export is of another account, or the
            ledger cannot be used.
        AuthenticationError, ServiceUnavailable: Never for a batch (those count as failed).
    """
    started = time.monotonic()
    now = int(time.time()) if now is None else now
    own = ledger is None
    if ledger is None:
        try:
            ledger = LinkLedger.open()
        except LedgerUnavailable as exc:
            raise RevokeError(f"{exc} Nothing was revoked.") from None
    try:
        record = ledger.export(export_id)
        if record is None:
            raise RevokeError(f"There is no export {export_id} in the link ledger; "
                              "'kproducer links list' shows the exports.")
        if record.account != account_of(account):
            raise RevokeError(f"Export {export_id} was made on another account "
                              f"({record.account}); connect to that account to revoke it.")
        links = ledger.links(export_id, user_id)
        if user_id is not None and not links:
            raise RevokeError(f"{user_id} has no link in export {export_id}.")
        summary = RevokeSummary(export_id, user_id, asked=len(links))
        todo = [link for link in links if link.revoked_at is None or _lapsed(link, now)]
        summary.already = len(links) - len(todo)
        for batch in _end_all(account, todo, now):
            summary.requests += 1
            _settle(ledger, batch, summary, renewing=False)
        refreshed = ledger.links(export_id, user_id)
        _outliving(summary, refreshed)
    finally:
        if own:
            ledger.close()
    summary.seconds = time.monotonic() - started
    return summary


def _lapsed(link: LinkRecord, now: int) -> bool:
    return (link.lapses_at is not None and link.lapses_at.timestamp() <= now
            and link.expires_at is not None and link.expires_at.timestamp() > now)


def _outliving(summary: RevokeSummary, links: list[LinkRecord]) -> None:
    for link in links:
        if link.revoked_at is None or link.expires_at is None or link.lapses_at is None:
            continue
        if link.expires_at > link.lapses_at:
            summary.outlive += 1
            if summary.outlive_until is None or link.expires_at > summary.outlive_until:
                summary.outlive_until = link.expires_at


def renew_revocations(account: Account, ledger: LinkLedger | None = None,
                      now: int | None = None) -> RenewSummary:
    """End again the revoked links of this account whose 24-hour revocation has lapsed.

    The window calls this on a timer (through the worker). No due link → no request.

    Raises:
        LedgerUnavailable: The ledger cannot be used now (try at the next tick).
    """
    now = int(time.time()) if now is None else now
    own = ledger is None
    ledger = LinkLedger.open() if ledger is None else ledger
    try:
        due = ledger.due_renewals(account_of(account), now)
        summary = RenewSummary()
        for batch in _end_all(account, due, now):
            summary.requests += 1
            _settle(ledger, batch, summary, renewing=True)
        return summary
    finally:
        if own:
            ledger.close()




@dataclass(frozen=True)
class ExportView:
    """A session's exports and the people of the one asked about (for the window)."""

    exports: list[ExportRecord]
    people: list[LinkRecord]
    note: str | None = None


def session_links(account: Account, entry_id: str, export_id: str | None = None) -> ExportView:
    """A session's exports on this account (newest first) and one export's links.

    The links are those of ``export_id``, by default of the newest export.
    """
    try:
        with LinkLedger.open() as ledger:
            records = ledger.exports(entry_id, account_of(account))
            chosen = export_id or (records[0].export_id if records else None)
            people = ledger.links(chosen) if chosen else []
            return ExportView(records, people, ledger.note)
    except LedgerUnavailable as exc:
        return ExportView([], [], f"{exc} Links cannot be listed or revoked now.")
