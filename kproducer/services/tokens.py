"""Attendee and moderator tokens (DESIGN §3): a USER KS and a CnC JWT, and when they end.

Both are made locally: the KS with the partner's admin secret (never ``session.start``),
the JWT with the CnC app token (HS256, header ``kid`` = partner ID).
"""

from __future__ import annotations

import enum
import time
from dataclasses import dataclass
from typing import Any

import jwt

from ..kaltura.ks import USER_SESSION, generate_ks
from ..local.link_ledger import new_link_id
from .models import Entry, EntryKind, IssuedTokens, Role

#: Extra time after a VOD's duration for pauses and late starts: half the duration,
#: at least 30 minutes.
VOD_MIN_MARGIN = 30 * 60
#: After a live session's scheduled end (seed: "~10 minutes longer").
LIVE_MARGIN = 10 * 60
#: When a session has no duration or schedule.
UNKNOWN_SESSION_LENGTH = 4 * 3600
#: CnC JWT lifetime when every page load issues a fresh one.
PER_PAGE_JWT_LIFETIME = 15 * 60


class EmbedStyle(enum.Enum):
    """How the CnC widget gets its JWT, which decides how long the JWT must live."""

    SINGLE_PAGE = "single-page"  #: one page for the whole session: JWT as long as the KS
    PER_PAGE = "per-page"  #: every page load re-issues it: a short JWT suffices


@dataclass(frozen=True)
class ExpiryPolicy:
    """How long tokens live.

    Attributes:
        fixed_seconds: Overrides the automatic policy when set (from now).
        embed_style: Decides the JWT's lifetime.
    """

    fixed_seconds: int | None = None
    embed_style: EmbedStyle = EmbedStyle.SINGLE_PAGE


def session_end(entry: Entry, now: int) -> int | None:
    """When the session is expected to end, or None when nothing says."""
    if entry.kind is EntryKind.VOD and entry.duration:
        return now + entry.duration
    if entry.scheduled_end:
        return entry.scheduled_end
    return None


def ks_expiry(entry: Entry, now: int, policy: ExpiryPolicy) -> int:
    """The KS expiry: VOD duration + margin, live end + 10 min, else a default length."""
    if policy.fixed_seconds is not None:
        return now + policy.fixed_seconds
    if entry.kind is EntryKind.VOD and entry.duration:
        return now + entry.duration + max(VOD_MIN_MARGIN, entry.duration // 2)
    end = entry.scheduled_end
    if end and end > now:
        return end + LIVE_MARGIN
    return now + UNKNOWN_SESSION_LENGTH


def jwt_expiry(ks_expires_at: int, now: int, policy: ExpiryPolicy) -> int:
    """The CnC JWT expiry for the embed style."""
    if policy.embed_style is EmbedStyle.PER_PAGE:
        return min(ks_expires_at, now + PER_PAGE_JWT_LIFETIME)
    return ks_expires_at


def user_privileges(entry_id: str, event_id: int | None, link_id: str) -> str:
    """The USER KS privileges of DESIGN §3.

    ``sview:{entryId},setrole:PLAYBACK_BASE_ROLE,disableentitlementforentry:{entryId},``
    ``sessionid:{linkId}[,virtualeventid:{eventId}]``: the ``sessionid`` is the link's ID in
    the ledger, so that ``session.end`` with a KS of the same session ID revokes it.
    """
    privileges = (f"sview:{entry_id},setrole:PLAYBACK_BASE_ROLE,"
                  f"disableentitlementforentry:{entry_id},sessionid:{link_id}")
    if event_id is not None:
        privileges += f",virtualeventid:{event_id}"
    return privileges


def moderators_group(entry_id: str) -> str:
    """The group whose members moderate an entry."""
    return f"{entry_id}_moderators"


def cnc_claims(
    partner_id: int, user_id: str, entry_id: str, event_id: int | None, role: Role, expires_at: int
) -> dict[str, Any]:
    """The CnC JWT claims of DESIGN §3."""
    claims: dict[str, Any] = {
        "partnerId": partner_id,
        "uid": user_id,
        "contextId": entry_id,
        "groups": [moderators_group(entry_id)] if role is Role.MODERATOR else [],
        "exp": expires_at,
        "isAdmin": False,
        "isScopedUser": True,
    }
    if event_id is not None:
        claims["virtualEventId"] = event_id
    return claims


def sign_cnc_jwt(claims: dict[str, Any], app_token: str) -> str:
    """HS256 with the CnC app token; header ``kid`` is the partner ID."""
    return jwt.encode(
        claims, app_token, algorithm="HS256", headers={"kid": str(claims["partnerId"])}
    )


def issue(
    *,
    admin_secret: str,
    cnc_app_token: str,
    partner_id: int,
    user_id: str,
    role: Role,
    entry: Entry,
    event_id: int | None,
    policy: ExpiryPolicy | None = None,
    now: int | None = None,
    link_id: str | None = None,
) -> IssuedTokens:
    """Make the KS and JWT of one person for one entry (a new link ID unless given)."""
    policy = policy or ExpiryPolicy()
    link_id = link_id or new_link_id()
    now = int(time.time()) if now is None else now
    ks_exp = ks_expiry(entry, now, policy)
    jwt_exp = jwt_expiry(ks_exp, now, policy)
    # generateSessionV2 counts from the real clock, whatever ``now`` the caller planned with.
    ks = generate_ks(
        admin_secret,
        partner_id,
        user_id,
        USER_SESSION,
        ks_exp - int(time.time()),
        user_privileges(entry.id, event_id, link_id),
    )
    token = sign_cnc_jwt(
        cnc_claims(partner_id, user_id, entry.id, event_id, role, jwt_exp), cnc_app_token
    )
    ends = session_end(entry, now)
    return IssuedTokens(
        user_id=user_id,
        role=role,
        entry_id=entry.id,
        event_id=event_id,
        ks=ks,
        jwt=token,
        ks_expires_at=ks_exp,
        jwt_expires_at=jwt_exp,
        session_ends_at=ends,
        warnings=expiry_warnings(ks_exp, jwt_exp, ends, policy),
        link_id=link_id,
    )


def expiry_warnings(
    ks_exp: int, jwt_exp: int, ends: int | None, policy: ExpiryPolicy
) -> tuple[str, ...]:
    """Sentences for tokens that end before the session does."""
    warnings = []
    if ends is None:
        warnings.append(
            "The session has no duration or schedule, so the link lasts "
            f"{UNKNOWN_SESSION_LENGTH // 3600} hours; set an end date to size it to the session."
        )
        return tuple(warnings)
    if ks_exp < ends:
        warnings.append("The player token (KS) expires before the session ends.")
    if jwt_exp < ends and policy.embed_style is EmbedStyle.SINGLE_PAGE:
        warnings.append("The chat token (JWT) expires before the session ends.")
    return tuple(warnings)


def decode_cnc_jwt(token: str, app_token: str | None = None) -> dict[str, Any]:
    """Claims of a CnC JWT; verified (signature and expiry) when the app token is given.

    Raises:
        jwt.InvalidTokenError: The token is malformed, or fails verification.
    """
    if app_token is None:
        claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    else:
        claims = jwt.decode(token, app_token, algorithms=["HS256"])
    return claims
