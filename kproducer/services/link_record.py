"""Writing the links of an export (or one share link) into the link ledger, as they are made.

The ledger is needed to revoke a link, not to make one: when it cannot be opened or stops
accepting writes, the export goes on, and :attr:`Recorder.note` says which links cannot be
revoked. Links are written in groups of :data:`FLUSH_EVERY` (one transaction each); links a
re-run keeps move into the new export, whose file now holds them.
"""

from __future__ import annotations

import time
from pathlib import Path

from ..local.cache_types import account_key
from ..local.link_ledger import LedgerUnavailable, LinkLedger, NewLink
from .account import Account
from .models import IssuedTokens

#: Links per ledger transaction.
FLUSH_EVERY = 2000
#: Kaltura forgets a session-ID revocation after this long (``invalidSessionPeer::invalidateKs``).
REVOCATION_LIFETIME = 24 * 3600
#: Said when links outlive a revocation.
OUTLIVES_REVOCATION = (
    "These links last longer than the 24 hours Kaltura keeps a revocation: a revoked link is "
    "revoked again automatically only while the kproducer window is open. Shorter expiries "
    "are the real fix."
)
NOT_RECORDED = "{why} These links are not recorded, so they cannot be revoked from kproducer."
STOPPED = ("{why} Links made after that are not recorded, so they cannot be revoked from "
           "kproducer.")


def account_of(account: Account) -> str:
    """The ledger's account key (partner ID @ service URL)."""
    if account.local_key:
        return account.local_key
    return account_key(account.settings.partner_id, account.conn.settings.service_url)


def open_ledger(path: Path | None = None) -> tuple[LinkLedger | None, str | None]:
    """The ledger and its note (set aside...), or None and why it cannot be used."""
    try:
        ledger = LinkLedger.open(path)
    except LedgerUnavailable as exc:
        return None, str(exc)
    return ledger, ledger.note


class Recorder:
    """Records one export's links; never raises for ledger trouble.

    Args:
        account: The signing account.
        entry_id: The session.
        event_id: Its event, or None.
        role: Every row's role, or None (the CSV's role column: ``mixed`` when they differ).
        link_format: ``url``, ``page``, ``share link`` or ``qr code``.
        output: The file the links go to, or None.
    """

    def __init__(self, account: Account, entry_id: str, event_id: int | None,
                 role: str | None, link_format: str, output: str | None,
                 path: Path | None = None) -> None:
        self.account = account_of(account)
        self.entry_id, self.event_id = entry_id, event_id
        self.role, self.link_format, self.output = role, link_format, output
        ledger, why = open_ledger(path)
        self.ledger = ledger
        self.note: str | None = NOT_RECORDED.format(why=why) if ledger is None and why else why
        self.export_id: str | None = None
        self._new: list[NewLink] = []
        self._kept: list[str] = []
        self._roles: set[str] = set()

    def revoked(self) -> frozenset[str]:
        """The entry's revoked link IDs (a re-run makes those links again)."""
        if self.ledger is None:
            return frozenset()
        try:
            return frozenset(self.ledger.revoked_for(self.account, self.entry_id))
        except LedgerUnavailable as exc:
            self._lost(exc)
            return frozenset()

    def made(self, link_id: str, user_id: str, role: str, expires_at: int | None) -> None:
        """A new link was made."""
        if not link_id:
            return
        self._roles.add(role)
        self._new.append(NewLink(link_id, user_id, role, expires_at))
        if len(self._new) >= FLUSH_EVERY:
            self.flush()

    def kept(self, link_id: str, role: str) -> None:
        """A link of an earlier run was kept."""
        if link_id:
            self._roles.add(role)
            self._kept.append(link_id)

    def flush(self) -> None:
        """Write the links made so far."""
        if self.ledger is None or not self._new:
            self._new.clear()
            return
        try:
            if self.export_id is None:
                self.export_id = self.ledger.new_export(
                    account=self.account, entry_id=self.entry_id, event_id=self.event_id,
                    role=self.role or "attendee", link_format=self.link_format,
                    output=self.output)
            self.ledger.add_links(self.export_id, self._new)
        except LedgerUnavailable as exc:
            self._lost(exc)
        self._new.clear()

    def finish(self, written: bool = True) -> None:
        """The output was written (or not: then the links never left the app)."""
        self.flush()
        if self.ledger is None:
            return
        try:
            if not written:
                if self.export_id is not None:
                    self.ledger.forget_export(self.export_id)
                self.export_id = None
                return
            if self.export_id is None:  # nothing new: the kept links stay where they are
                self.export_id = self.ledger.export_of(self._kept[0]) if self._kept else None
            else:
                self.ledger.adopt(self.export_id, self._kept)
                self.ledger.drop_empty(self.account)
                roles = self._roles
                role = self.role or (next(iter(roles)) if len(roles) == 1 else "mixed")
                self.ledger.set_role(self.export_id, role)
        except LedgerUnavailable as exc:
            self._lost(exc)
        finally:
            self.ledger.close()

    def _lost(self, exc: LedgerUnavailable) -> None:
        self.note = STOPPED.format(why=exc)
        if self.ledger is not None:
            self.ledger.close()
        self.ledger = None


def record_single(account: Account, tokens: IssuedTokens, link_format: str) -> str | None:
    """Record one shared link (Copy share link, QR code) as an export of one.

    Returns:
        Why it could not be recorded (so it cannot be revoked), or None. A link already
        recorded (copied, then shown as a QR code) is recorded once.
    """
    if not tokens.link_id:
        return None
    recorder = Recorder(account, tokens.entry_id, tokens.event_id, tokens.role.value,
                        link_format, None)
    if recorder.ledger is not None:
        try:
            if recorder.ledger.export_of(tokens.link_id) is not None:
                recorder.ledger.close()
                return None
        except LedgerUnavailable as exc:
            recorder._lost(exc)
    recorder.made(tokens.link_id, tokens.user_id, tokens.role.value, tokens.ks_expires_at)
    recorder.finish()
    return recorder.note


def outlives_note(ks_expires_at: int | None, now: float | None = None) -> str | None:
    """:data:`OUTLIVES_REVOCATION` when links end more than 24 hours from now, else None."""
    now = time.time() if now is None else now
    if ks_expires_at and ks_expires_at - now > REVOCATION_LIFETIME:
        return OUTLIVES_REVOCATION
    return None
