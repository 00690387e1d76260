"""Making one person's link, locally: a USER KS, a CnC JWT, and a URL or a page.

A :class:`Signer` is set up once per export (entry, event, expiry, the CnC app token) and
then makes each person's link with no API call: the KS is generated with the admin secret
(``sview:{entryId}`` for that one entry, type USER, the person's user ID), the JWT signed
with the CnC app token, the page rendered from the same template as the preview
(:func:`kproducer.services.preview.render`). Nothing it writes holds an admin credential.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..kaltura.ks import USER_SESSION, generate_ks
from ..local import atomic
from ..local.link_ledger import new_link_id
from . import entries, facts, kme, preview
from .account import Account, AccountSettings
from .facts import Person
from .link_models import ExportError, ExportRequest, LinkFormat
from .link_output import iso, page_name
from .models import Entry, IssuedTokens, Role
from .tokens import (
    EmbedStyle,
    ExpiryPolicy,
    cnc_claims,
    expiry_warnings,
    jwt_expiry,
    ks_expiry,
    moderators_group,
    session_end,
    sign_cnc_jwt,
    user_privileges,
)

#: Room pages hold an LTI launch signed at export time, which has no expiry of its own.
ROOM_WARNING = (
    "A room page holds a KME launch signed now; launch services may refuse old signatures "
    "(the sandbox after 10 minutes), so export room pages shortly before the session."
)


@dataclass(frozen=True)
class Made:
    """One person's link and when its tokens end (ISO 8601 UTC, '' when not in the link).

    ``link_id`` is its KS's ``sessionid`` (the ledger's link ID); '' for a room page.
    """

    link: str
    ks_expires_at: str
    jwt_expires_at: str
    warning: str
    link_id: str = ""


@dataclass(frozen=True)
class Signer:
    """Makes the links of one export; thread-safe (it holds no mutable state).

    Attributes:
        settings: The account's settings (partner, admin secret, uiconf IDs, KME).
        entry: The session.
        event_id: The virtual event (in the KS privileges and the JWT), or None.
        link_format: URL or page.
        cnc_token: Signs the JWTs (page format with a CnC widget only).
        folder: Where pages go (page format).
        policy: How long the tokens live.
        now: When the export planned its expiry times (unix seconds).
    """

    settings: AccountSettings = field(repr=False)
    entry: Entry
    event_id: int | None
    link_format: LinkFormat
    cnc_token: str | None = field(default=None, repr=False)
    folder: Path | None = None
    policy: ExpiryPolicy = field(default_factory=ExpiryPolicy)
    now: int = field(default_factory=lambda: int(time.time()))

    @property
    def is_room(self) -> bool:
        """A KME room: each page is a signed LTI launch (no KS or JWT in it)."""
        return kme.is_room(self.entry)

    @property
    def with_jwt(self) -> bool:
        """Links carry a CnC JWT: pages of a player session with a CnC widget."""
        return (self.link_format is LinkFormat.PAGE and not self.is_room
                and bool(self.settings.cnc_uiconf_id))

    @property
    def ks_expires_at(self) -> int | None:
        """When every KS of this export expires (None for rooms: no KS in the link)."""
        return None if self.is_room else ks_expiry(self.entry, self.now, self.policy)

    @property
    def jwt_expires_at(self) -> int | None:
        """When every JWT of this export expires (None when the links carry none)."""
        ks_exp = self.ks_expires_at
        if not self.with_jwt or ks_exp is None:
            return None
        return jwt_expiry(ks_exp, self.now, self.policy)

    @property
    def warnings(self) -> tuple[str, ...]:
        """Why these links may end before the session does (the same for every row)."""
        ks_exp = self.ks_expires_at
        if ks_exp is None:
            return (ROOM_WARNING,)
        jwt_exp = self.jwt_expires_at
        ends = session_end(self.entry, self.now)
        if jwt_exp is None:  # no chat token in these links: warn about the KS only
            no_jwt = ExpiryPolicy(self.policy.fixed_seconds, EmbedStyle.PER_PAGE)
            return expiry_warnings(ks_exp, ks_exp, ends, no_jwt)
        return expiry_warnings(ks_exp, jwt_exp, ends, self.policy)

    def check(self, making: bool = True) -> None:
        """Refuse an export the account's settings cannot make.

        Args:
            making: Links will be made (so the CnC app token must be known when needed).

        Raises:
            ExportError: A room as URLs, a room without KME settings, no player uiconf, or
                no CnC app token.
        """
        name = self.entry.name or self.entry.id
        if self.is_room:
            if self.link_format is LinkFormat.URL:
                raise ExportError(
                    f"“{name}” is a meeting room: its links are signed KME room launches, "
                    "which are exported as pages; choose the page format."
                )
            if self.settings.kme is None:
                raise ExportError(
                    f"“{name}” is a meeting room: set the KME launch URL, key and secret in "
                    "the account profile to export its links."
                )
        elif not self.settings.player_uiconf_id:
            raise ExportError(
                "The account has no player uiconf ID; set it in the account profile to "
                "export links."
            )
        if making and self.with_jwt and not self.cnc_token:
            raise ExportError("The CnC app token is needed to sign the chat tokens.")

    def make(self, person: Person, role: Role) -> Made:
        """The person's link (a page is written, atomically and owner-only).

        Raises:
            OSError: The page could not be written.
        """
        ks_exp, jwt_exp = self.ks_expires_at, self.jwt_expires_at
        warning = " ".join(self.warnings)
        if self.is_room:
            return Made(self._room_page(person, role), "", "", warning)
        assert ks_exp is not None
        s = self.settings
        link_id = new_link_id()
        ks = generate_ks(
            s.admin_secret, s.partner_id, person.user_id, USER_SESSION,
            max(60, ks_exp - int(time.time())),
            user_privileges(self.entry.id, self.event_id, link_id),
        )
        if self.link_format is LinkFormat.URL:
            assert s.player_uiconf_id is not None
            link = preview.share_url(preview.cdn_base(s.service_url), s.partner_id,
                                     s.player_uiconf_id, self.entry.id, ks)
            return Made(link, iso(ks_exp), "", warning, link_id)
        token = ""
        if jwt_exp is not None and self.cnc_token:
            claims = cnc_claims(s.partner_id, person.user_id, self.entry.id, self.event_id,
                                role, jwt_exp)
            token = sign_cnc_jwt(claims, self.cnc_token)
        tokens = self._tokens(person, role, ks, token, ks_exp, jwt_exp or ks_exp, link_id)
        page = preview.render(s, self.entry, tokens)
        return Made(self._write(person, role, page), iso(ks_exp), iso(jwt_exp), warning,
                    link_id)

    def _tokens(self, person: Person, role: Role, ks: str, token: str, ks_exp: int,
                jwt_exp: int, link_id: str = "") -> IssuedTokens:
        return IssuedTokens(
            user_id=person.user_id, role=role, entry_id=self.entry.id, event_id=self.event_id,
            ks=ks, jwt=token, ks_expires_at=ks_exp, jwt_expires_at=jwt_exp,
            session_ends_at=session_end(self.entry, self.now), warnings=self.warnings,
            link_id=link_id,
        )

    def _room_page(self, person: Person, role: Role) -> str:
        assert self.settings.kme is not None
        launch = kme.launch(self.settings.kme, self.entry, person.user_id, role,
                            person.first_name, person.last_name, person.email)
        tokens = self._tokens(person, role, "", "", 0, 0)
        return self._write(person, role, preview.render(self.settings, self.entry, tokens, launch))

    def _write(self, person: Person, role: Role, page: str) -> str:
        assert self.folder is not None
        name = page_name(person.user_id, role.value)
        atomic.write_text(self.folder / name, page)
        return name


# --- setting up: the entry, the moderators group, the CnC app token -----------------------------


def open_signer(account: Account, request: ExportRequest, moderators: bool) -> Signer:
    """The export's signer, from the cached entry (no request) or ONE request.

    Cold, that one request also creates the moderators group (when the file has moderators)
    and finds the CnC app token (pages with chat), so :func:`complete` has nothing left to
    ask. The CnC token is not required yet (every row may be kept from the last run).

    Raises:
        KalturaError: The entry is missing, or Kaltura cannot be reached.
        ExportError: The event does not match the entry's, or the settings cannot make
            these links (see :meth:`Signer.check`).
    """
    settings = account.settings
    entry = entries.cached(account, request.entry_id)
    token = None
    if entry is None:
        found: list[Entry] = []
        tokens: list[str] = []
        steps = entries.entry_steps(account, request.entry_id, found)
        steps += _group_steps(account, request.entry_id, moderators)
        if request.link_format is LinkFormat.PAGE and settings.cnc_uiconf_id:
            token = facts.cnc_token_known(account, trust_remembered=False)
            if token is None:
                steps.append(facts.cnc_step(account, tokens))
        try:
            facts.run(account, steps)
        except facts.CncTokenError:
            if not (found and kme.is_room(found[0])):
                raise
        entry = found[0]
        token = token or (tokens[0] if tokens else None)
    if request.event_id is not None and entry.event_id not in (None, request.event_id):
        raise ExportError(
            f"{entry.id} belongs to event {entry.event_id}, not {request.event_id}; leave the "
            "event out or name the entry's own event."
        )
    event = request.event_id if request.event_id is not None else entry.event_id
    signer = Signer(settings, entry, event, request.link_format, token, request.folder,
                    request.policy)
    signer.check(making=False)
    return signer


def complete(account: Account, signer: Signer, moderators: bool) -> Signer:
    """The signer with what making links needs: the group exists, the CnC token is known.

    Cached: no request; else ONE.

    Raises:
        KalturaError: Kaltura refused or cannot be reached.
        ExportError: No CnC app token where one is needed.
    """
    steps = _group_steps(account, signer.entry.id, moderators)
    token = signer.cnc_token
    tokens: list[str] = []
    if signer.with_jwt and not token:
        token = facts.cnc_token_known(account, trust_remembered=False)
        if token is None:
            steps.append(facts.cnc_step(account, tokens))
    facts.run(account, steps)
    signer = dataclasses.replace(signer, cnc_token=token or (tokens[0] if tokens else None))
    signer.check()
    return signer


def _group_steps(account: Account, entry_id: str, moderators: bool) -> list[facts.Step]:
    step = facts.group_step(account, moderators_group(entry_id)) if moderators else None
    return [step] if step is not None else []
