"""The embed page one person sees for one session: built from prepare + issue, no Qt.

The same page is previewed in the app and exported as a "page" link, so what is previewed
is what is shared. It is ``resources/embed/page.html`` filled with one JSON block: CDN base,
partner ID, player and CnC uiconf IDs, the person's USER KS and CnC JWT, the CnC service
URL, the entry and event IDs — or, for a KME room, a signed LTI launch. Nothing else varies,
and nothing in it is an admin credential.

Building a page for an entry already in the cache makes no request (prepare answers from
the cache, the tokens and the LTI signature are made locally); from a cold cache, one.

A preview changes nothing on the account but, once, the preview user's existence (CnC loads
only for a Kaltura user that exists): a moderator preview makes no group membership, because
the CnC widget reads the moderator role from the JWT's ``groups`` claim (see
``people.prepare``), so the Moderators list stays exactly as the producer made it.
"""

from __future__ import annotations

import html
import json
import string
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

import jwt

from .. import resources
from ..kaltura.ks import KsInfo, inspect_ks
from . import kme, people, preview_user
from .account import KME_VARIABLES, Account, AccountSettings, where_to_set
from .facts import Person
from .models import Entry, IssuedTokens, Role
from .tokens import ExpiryPolicy, decode_cnc_jwt, issue

#: Kaltura SaaS (US) hosts whose player and CnC scripts come from the secure CDN.
SAAS_HOSTS = frozenset({"www.kaltura.com", "kaltura.com", "admin.kaltura.com"})
SAAS_CDN = "https://cdnapisec.kaltura.com"
#: The CnC chat service of Kaltura SaaS (US); the only one public sources confirm.
DEFAULT_CNC_SERVICE_URL = "https://chat.nvp1.ovp.kaltura.com/api_v3"
#: Where the CnC widget sends moderators (Kaltura's integrated-events demo).
MODERATOR_URL = "https://www.kaltura.com/apps/kep-moderator/latest/embed.php"
#: The person previews use when no existing user is chosen; created on the account once,
#: and never added to a moderators group (see ``preview_user``).
PREVIEW_USER = Person(preview_user.USER_ID, preview_user.FIRST_NAME, preview_user.LAST_NAME)
#: Version of the page's JSON block (bump when its shape changes).
PAGE_VERSION = 1

_TEMPLATE = ("embed", "page.html")


class PreviewError(ValueError):
    """The account's settings cannot make this page; ``str()`` says what to set."""


@dataclass(frozen=True)
class EmbedPage:
    """One person's page for one session, and what the preview's side panel shows.

    Attributes:
        html: The complete page (USER KS and JWT only).
        base_url: The origin to show the page at (the CDN the scripts come from).
        mode: ``player`` (player v7 + CnC) or ``room`` (KME LTI launch).
        share_url: The player share URL (DESIGN §3), or None for a room.
        launch: The signed LTI launch of a room, else None.
        ks_info: The KS as the account reads it (verified with the admin secret).
        jwt_header: The CnC JWT's header.
        jwt_claims: The CnC JWT's claims.
        notes: Sentences for the producer about how the page was made.
        built_at: Unix seconds.
    """

    html: str
    base_url: str
    mode: str
    entry: Entry
    role: Role
    person: Person
    tokens: IssuedTokens
    share_url: str | None
    launch: kme.Launch | None
    ks_info: KsInfo
    jwt_header: dict[str, Any]
    jwt_claims: dict[str, Any]
    notes: tuple[str, ...] = field(default_factory=tuple)
    built_at: int = 0

    @property
    def warnings(self) -> tuple[str, ...]:
        """Token warnings (they end before the session does); none for a room's launch."""
        return () if self.launch is not None else self.tokens.warnings


# --- URLs ----------------------------------------------------------------------------------


def _service_root(service_url: str) -> str:
    return service_url.rstrip("/").removesuffix("/api_v3")


def is_saas(service_url: str) -> bool:
    """Whether the account is on Kaltura SaaS (US), whose CDN is ``cdnapisec.kaltura.com``."""
    return (urlsplit(service_url).hostname or "").lower() in SAAS_HOSTS


def cdn_base(service_url: str) -> str:
    """Where the player and CnC scripts come from: the secure CDN on SaaS, else the server."""
    return SAAS_CDN if is_saas(service_url) else _service_root(service_url)


def script_url(cdn: str, partner_id: int, uiconf_id: int) -> str:
    """``{cdn}/p/{pid}/embedPlaykitJs/uiconf_id/{uiconf}`` (player v7 and CnC bundles)."""
    return f"{cdn}/p/{partner_id}/embedPlaykitJs/uiconf_id/{uiconf_id}"


def share_url(cdn: str, partner_id: int, uiconf_id: int, entry_id: str, ks: str) -> str:
    """The player share URL of DESIGN §3 (iframe embed with the KS)."""
    return (
        f"{script_url(cdn, partner_id, uiconf_id)}?iframeembed=true"
        f"&entry_id={quote(entry_id, safe='')}&ks={quote(ks, safe='')}"
    )


def cnc_service_url(settings: AccountSettings) -> str:
    """The CnC chat service URL from the profile, else the SaaS (US) default."""
    return settings.cnc_service_url or DEFAULT_CNC_SERVICE_URL


# --- the page ------------------------------------------------------------------------------


def script_json(value: Any) -> str:
    """JSON that is safe inside a ``<script>`` element (no ``</script>``, no ``<!--``)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for raw, escaped in (
        ("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"),
        ("\u2028", "\\u2028"), ("\u2029", "\\u2029"),
    ):
        text = text.replace(raw, escaped)
    return text


def page_config(
    settings: AccountSettings,
    entry: Entry,
    tokens: IssuedTokens,
    launch: kme.Launch | None = None,
) -> dict[str, Any]:
    """The page's JSON block.

    Raises:
        PreviewError: No player uiconf ID (a player page needs one).
    """
    pid = settings.partner_id
    config: dict[str, Any] = {
        "version": PAGE_VERSION,
        "mode": "room" if launch is not None else "player",
        "title": entry.name,
        "partnerId": pid,
        "entryId": entry.id,
        "eventId": tokens.event_id,
        "cdnUrl": cdn_base(settings.service_url),
        "player": None,
        "cnc": None,
        "room": None,
    }
    if launch is not None:
        config["room"] = {"url": launch.url, "params": dict(launch.params)}
        return config
    if not settings.player_uiconf_id:
        raise PreviewError(
            "The account has no player uiconf ID; to preview or share sessions, set it "
            + where_to_set(settings, "KALTURA_PLAYER_UICONF_ID") + "."
        )
    cdn = config["cdnUrl"]
    player: dict[str, Any] = {
        "scriptUrl": script_url(cdn, pid, settings.player_uiconf_id),
        "uiConfId": settings.player_uiconf_id,
        "ks": tokens.ks,
        "env": None,
    }
    if not is_saas(settings.service_url):
        root = _service_root(settings.service_url)
        player["env"] = {"serviceUrl": f"{root}/api_v3", "cdnUrl": cdn}
    config["player"] = player
    if settings.cnc_uiconf_id:
        config["cnc"] = {
            "scriptUrl": script_url(cdn, pid, settings.cnc_uiconf_id),
            "uiConfId": settings.cnc_uiconf_id,
            "config": {
                "server": {"jwtToken": tokens.jwt, "serviceUrl": cnc_service_url(settings)},
                "consent": {
                    "defaultSettings": {
                        "receiveNotifications": True,
                        "showFullName": True,
                        "allowChatAndCollaboration": True,
                    },
                },
                "ui": {"theme": {"mode": "dark", "meta": {"version": 2}}},
                "moderation": {"moderatorUrl": MODERATOR_URL},
            },
        }
    return config


def render(
    settings: AccountSettings,
    entry: Entry,
    tokens: IssuedTokens,
    launch: kme.Launch | None = None,
) -> str:
    """The page's HTML: the template with its JSON block (used for previews and exports)."""
    config = page_config(settings, entry, tokens, launch)
    template = string.Template(resources.read_text(*_TEMPLATE))
    return template.substitute(
        title=html.escape(entry.name or entry.id),
        mode=html.escape(str(config["mode"])),
        config=script_json(config),
    )


def build(
    account: Account,
    entry_id: str,
    person: Person,
    role: Role,
    *,
    event_id: int | None = None,
    policy: ExpiryPolicy | None = None,
) -> EmbedPage:
    """Prepare the person, issue their tokens and make their page for the entry.

    Nothing is added to a moderators group: previewing never changes who moderates.

    Args:
        event_id: The event the session belongs to; default: the entry's own event tag.

    Raises:
        PreviewError: The account lacks a setting this page needs.
        KalturaError: Kaltura refused or could not be reached (cold cache only).
    """
    settings = account.settings
    prepared = people.prepare(account, entry_id, person, role, membership=False)
    entry = prepared.entry
    event = event_id if event_id is not None else entry.event_id
    tokens = issue(
        admin_secret=settings.admin_secret,
        cnc_app_token=prepared.cnc_token,
        partner_id=settings.partner_id,
        user_id=person.user_id,
        role=role,
        entry=entry,
        event_id=event,
        policy=policy,
    )
    notes: list[str] = []
    launch = None
    if kme.is_room(entry):
        if settings.kme is None:
            raise PreviewError(
                f"“{entry.name}” is a meeting room: to preview it, set the KME launch URL, key "
                "and secret " + where_to_set(settings, *KME_VARIABLES) + "."
            )
        launch = kme.launch(
            settings.kme, entry, person.user_id, role,
            person.first_name, person.last_name, person.email,
        )
    elif not settings.cnc_uiconf_id:
        notes.append("The account has no CnC uiconf ID, so the page shows the player only "
                     "(set it " + where_to_set(settings, "KALTURA_CNC_UICONF_ID") + ").")
    elif role is Role.MODERATOR:
        notes.append(preview_user.MODERATOR_NOTE)
    if person.user_id == PREVIEW_USER.user_id:
        notes.append(preview_user.NOTE)
    cdn = cdn_base(settings.service_url)
    link = None
    if launch is None and settings.player_uiconf_id:
        link = share_url(cdn, settings.partner_id, settings.player_uiconf_id, entry.id, tokens.ks)
    return EmbedPage(
        html=render(settings, entry, tokens, launch),
        base_url=f"{cdn}/",
        mode="room" if launch is not None else "player",
        entry=entry,
        role=role,
        person=person,
        tokens=tokens,
        share_url=link,
        launch=launch,
        ks_info=inspect_ks(tokens.ks, settings.admin_secret),
        jwt_header=dict(jwt.get_unverified_header(tokens.jwt)),
        jwt_claims=decode_cnc_jwt(tokens.jwt),
        notes=tuple(notes),
        built_at=int(time.time()),
    )
