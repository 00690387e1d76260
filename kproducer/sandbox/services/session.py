"""``session`` service: start, get, end (``api_v3/services/SessionService.php``)."""

from __future__ import annotations

from typing import Any

from .. import errors, ks, roles
from ..api import Access, Context, action, session_id_hash
from ..errors import ApiError
from ..params import Param
from ..store import Store

Obj = dict[str, Any]

#: ``Partner::getKsMaxExpiryInSeconds`` when the partner sets none (``dateUtils::DAY``).
KS_MAX_EXPIRY = 86400
#: How long ``invalidSessionPeer::invalidateKs`` keeps a session-ID invalidation.
SESSION_ID_INVALIDATION = 24 * 60 * 60


def admin_secrets(db: Store, partner_id: int) -> list[str]:
    """The partner's admin secrets, the main one first (empty for an unknown partner)."""
    value = db.scalar("SELECT admin_secret FROM partners WHERE id=?", (partner_id,))
    return [s for s in str(value).split(",") if s] if value else []


def invalidate(db: Store, key: str, valid_until: int | None = None) -> None:
    """``invalidSessionPeer::invalidateByKey``: later use of the KS gives ``LOGOUT``.

    A row still in force keeps its ``ks_valid_until`` (the server only resets its actions
    limit); one past it is gone (the cleanup and the memcache sync,
    ``syncInvalidSessionsToMemcache.php``, drop expired rows) and is made anew. ``None``:
    in force for good (an app token without expiry).
    """
    row = db.execute("SELECT valid_until FROM invalid_sessions WHERE ks_hash=?",
                     (key,)).fetchone()
    if row is not None and (row[0] is None or row[0] > db.now()):
        db.execute("UPDATE invalid_sessions SET actions_limit=NULL WHERE ks_hash=?", (key,))
        return
    db.execute(
        "INSERT OR REPLACE INTO invalid_sessions (ks_hash, actions_limit, valid_until) "
        "VALUES (?, NULL, ?)", (key, valid_until)
    )


def privilege_string(session: ks.Session) -> str:
    """The privileges as ``ks->privileges`` holds them: ``name:v1/v2``, ``name`` or ``*``."""
    parts = [
        f"{name}:{'/'.join(values)}" if any(values) else name
        for name, values in session.privileges.items()
    ]
    text = ",".join(parts)
    return "*" if text == "all:*" else text


def session_info(session: ks.Session, ks_string: str | None = None) -> Obj:
    """A ``KalturaSessionInfo`` of a KS; ``ks`` is set only for a newly started one."""
    return {
        "objectType": "KalturaSessionInfo",
        "ks": ks_string,
        "sessionType": session.type,
        "partnerId": session.partner_id,
        "userId": session.user_id,
        "expiry": session.expiry,
        "privileges": privilege_string(session),
    }


@action(
    "session", "start",
    Param("secret", "string"),
    Param("userId", "string", optional=True, default=""),
    Param("type", "int_enum:KalturaSessionType", optional=True, default=ks.USER),
    Param("partnerId", "int", optional=True),
    Param("expiry", "int", optional=True, default=KS_MAX_EXPIRY),
    Param("privileges", "string", optional=True, default=""),
    access=Access.NONE,
)
def start(
    ctx: Context, secret: str, userId: str, type: int,
    partnerId: int | None, expiry: int, privileges: str,
) -> str:
    """A new KS string, its expiry capped at the partner's maximum.

    ``Partner::validateSecret`` accepts any admin secret, or the user secret for a USER
    session; the KS is always signed with an admin secret (``ks::toSecureString``).
    ``ks::validatePrivileges`` first refuses a ``setrole`` naming no role.
    """
    roles.validate_privileges(privileges)
    secrets = admin_secrets(ctx.db, partnerId) if partnerId is not None else []
    user_secret = ctx.db.scalar("SELECT secret FROM partners WHERE id=?", (partnerId,))
    if partnerId is None or not (secret in secrets or (type == ks.USER and secret == user_secret)):
        raise ApiError(errors.START_SESSION_ERROR, partnerId)
    signing = secret if type == ks.ADMIN else secrets[0]
    return ks.encode_v2(
        signing, partnerId, userId, type, min(expiry, KS_MAX_EXPIRY), privileges, now=ctx.now
    )


@action("session", "get", Param("session", "string", optional=True, default=""))
def get(ctx: Context, session: str) -> Obj:
    """What a KS holds (the call's own KS when none is given); expiry is not checked."""
    text = session or (ctx.session.raw if ctx.session else "")
    try:
        parsed = ks.decode(text, lambda pid: admin_secrets(ctx.db, pid))
    except ks.KsError:
        # ks::fromSecureString throws a plain Exception, which the API reports as internal.
        raise ApiError(errors.INTERNAL_SERVERL_ERROR) from None
    if parsed.partner_id != ctx.partner_id:
        raise ApiError(errors.PARTNER_ACCESS_FORBIDDEN, ctx.partner_id, parsed.partner_id)
    return session_info(parsed)


@action("session", "end", access=Access.NONE)
def end(ctx: Context) -> None:
    """End the call's KS (``ks::kill`` → ``invalidSessionPeer::invalidateKs``).

    The KS itself until it expires, and every KS of its partner and ``sessionid`` privilege
    for 24 hours (a KS of an ended session ID is refused before any action runs, so ending
    it again is ``INVALID_KS``).
    """
    if ctx.session is None:
        return
    invalidate(ctx.db, ctx.session.hash(), ctx.session.expiry)
    session_ids = ctx.session.privileges.get("sessionid")
    if session_ids:
        invalidate(ctx.db, session_id_hash(ctx.session.partner_id, session_ids[0]),
                   ctx.now + SESSION_ID_INVALIDATION)
