"""``apptoken`` service: add, get, list, update, delete, startSession (``AppTokenService.php``).

A DELETED token counts as missing everywhere (``AppTokenPeer`` default criteria), and
deleting one invalidates every KS started from it (their ``sessionid`` privilege).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from .. import errors, ks
from ..api import Access, Context, action, session_id_hash
from ..errors import ApiError
from ..params import Param, set_fields
from .listing import list_response
from .objects import add_app_token, add_kuser, find_kuser
from .session import KS_MAX_EXPIRY, admin_secrets, invalidate, session_info
from .users import USER_ID

Obj = dict[str, Any]

ACTIVE, DELETED = 2, 3  #: ``AppTokenStatus``
#: ``kSessionBase::PRIVILEGE_*``: privileges a caller of startSession may not add.
SERVER_PRIVILEGES = frozenset({
    "edit", "sview", "list", "download", "downloadasset", "editplaylist", "sviewplaylist",
    "actionslimit", "setrole", "restrictingrole", "limitentry", "iprestrict", "urirestrict",
    "enableentitlement", "disableentitlement", "disableentitlementforentry",
    "disableentitlementforplaylist", "privacycontext", "enablecategorymoderation", "reftime",
    "sessionkey", "preview", "sessionid", "jobtype", "apptoken", "enablechangeaccount",
    "edituser", "enablecaptionmoderation", "editadmintags", "restrictexplicitliveview",
    "virtualeventid", "searchcontext", "disablesessiontypecheck",
})


def render(data: Obj) -> Obj:
    """A stored token as ``KalturaAppToken`` (``hashType`` reads SHA1 when unset)."""
    out = {k: v for k, v in data.items() if k != "_rowid"}
    if out.get("hashType") is None:
        out["hashType"] = "SHA1"
    return out


def _find(ctx: Context, token_id: str) -> Obj:
    row = ctx.db.execute(
        "SELECT rowid, data FROM app_tokens WHERE id=? AND partner_id=? AND status!=?",
        (token_id, ctx.partner_id, DELETED),
    ).fetchone()
    if row is None:
        raise ApiError(errors.APP_TOKEN_ID_NOT_FOUND, token_id)
    data: Obj = json.loads(row[1])
    data["_rowid"] = row[0]
    return data


def _save(ctx: Context, data: Obj) -> None:
    stored = {k: v for k, v in data.items() if k != "_rowid"}
    ctx.db.update("app_tokens", "rowid", data["_rowid"], stored, status=data["status"])


def _ensure_session_user(ctx: Context, data: Obj) -> None:
    """``AppToken::setKuserIdBySessionUserId``: a missing session user is created."""
    uid = data.get("sessionUserId")
    if uid is None or find_kuser(ctx.db, ctx.partner_id, uid) is not None:
        return
    if not USER_ID.match(uid):
        raise ApiError(errors.INVALID_FIELD_VALUE, "sessionUserId")
    add_kuser(ctx.db, ctx.partner_id, {"id": uid}, ctx.now)


@action("apptoken", "add", Param("appToken", "KalturaAppToken"))
def add(ctx: Context, appToken: Obj) -> Obj:
    """Create an ACTIVE token; sessionDuration defaults to the partner's KS maximum."""
    data = set_fields({}, appToken, "KalturaAppToken", for_update=False)
    if data.get("sessionDuration") is None:
        data["sessionDuration"] = KS_MAX_EXPIRY
    _ensure_session_user(ctx, data)
    return render(add_app_token(ctx.db, ctx.partner_id, data, ctx.now))


@action("apptoken", "get", Param("id", "string"))
def get(ctx: Context, id: str) -> Obj:
    """One token that is not DELETED."""
    return render(_find(ctx, id))


@action("apptoken", "update", Param("id", "string"), Param("appToken", "KalturaAppToken"))
def update(ctx: Context, id: str, appToken: Obj) -> Obj:
    """Change a token's writable properties."""
    data = _find(ctx, id)
    set_fields(data, appToken, "KalturaAppToken", for_update=True)
    _ensure_session_user(ctx, data)
    data["updatedAt"] = ctx.now
    _save(ctx, data)
    return render(data)


@action("apptoken", "delete", Param("id", "string"))
def delete(ctx: Context, id: str) -> None:
    """Soft delete (status DELETED, void); the token's sessions stop working.

    The invalidation lasts until the token's own ``expiry`` (``AppTokenService::deleteAction``
    passes ``$dbAppToken->getExpiry()``), for good when it has none: its sessions cannot
    outlive it anyway.
    """
    data = _find(ctx, id)
    expiry = data.get("expiry")
    invalidate(ctx.db, session_id_hash(ctx.partner_id, id),
               int(expiry) if isinstance(expiry, int) and expiry > 0 else None)
    data.update(status=DELETED, updatedAt=ctx.now)
    _save(ctx, data)


@action(
    "apptoken", "list",
    Param("filter", "KalturaAppTokenFilter", optional=True),
    Param("pager", "KalturaFilterPager", optional=True),
)
def list_(ctx: Context, filter: Obj | None, pager: Obj | None) -> Obj:
    """Tokens of the partner, DELETED ones never; an unknown sessionUserIdEqual lists none."""
    uid = (filter or {}).get("sessionUserIdEqual")
    if isinstance(uid, str) and uid and find_kuser(ctx.db, ctx.partner_id, uid) is None:
        return {"objectType": "KalturaAppTokenListResponse", "objects": [], "totalCount": 0}
    base: tuple[list[str], list[Any]] = (
        ["partner_id = ?", "status != ?"], [ctx.partner_id, DELETED]
    )
    return list_response(
        ctx.db, "app_tokens", "KalturaAppTokenListResponse", base, filter, pager, render,
        columns={"id": "id", "status": "status", "partnerId": "partner_id"},
        default_order="id ASC",
    )


def _parse_privileges(text: str) -> dict[str, list[str]]:
    """``ks::parsePrivileges``: ``name:v1/v2`` items into name → values, in order."""
    parsed: dict[str, list[str]] = {}
    for item in text.split(","):
        name, _, value = item.partition(":")
        parsed.setdefault(name, []).extend(value.split("/") if value else [])
    return parsed


def _privileges(token: Obj, requested: str | None) -> str:
    """The new KS's privileges: the token's session id, its own, then allowed requests."""
    token_id = token["id"]
    merged: dict[str, list[str]] = {"sessionid": [token_id], "apptoken": [token_id]}
    if token.get("sessionPrivileges"):
        for name, values in _parse_privileges(token["sessionPrivileges"]).items():
            merged.setdefault(name, []).extend(values)
    if requested:
        forbidden = SERVER_PRIVILEGES | {n.strip() for n in merged}
        for name, values in _parse_privileges(requested).items():
            if name.strip() not in forbidden or "*" in merged.get(name, []):
                merged[name] = values
    return ",".join(f"{n}:{'/'.join(v)}" if v else n for n, v in merged.items())


@action(
    "apptoken", "startSession",
    Param("id", "string"),
    Param("tokenHash", "string"),
    Param("userId", "string", optional=True),
    Param("type", "int_enum:KalturaSessionType", optional=True),
    Param("expiry", "int", optional=True),
    Param("sessionPrivileges", "string", optional=True),
    access=Access.USER,
)
def start_session(
    ctx: Context, id: str, tokenHash: str, userId: str | None,
    type: int | None, expiry: int | None, sessionPrivileges: str | None,
) -> Obj:
    """A KS from a token: hash(hashType, call's KS + token) proves the caller knows it.

    The token's session type, user and duration override what the caller asks for.
    """
    token = _find(ctx, id)
    if token["status"] != ACTIVE:
        raise ApiError(errors.APP_TOKEN_NOT_ACTIVE, id)
    call_ks = ctx.session.raw if ctx.session else ""
    algorithm = str(token.get("hashType") or "SHA1").lower()
    if hashlib.new(algorithm, (call_ks + token["token"]).encode()).hexdigest() != tokenHash:
        raise ApiError(errors.INVALID_APP_TOKEN_HASH)
    limit = int(token.get("sessionDuration") or 0)  # PHP: a null duration makes a 0 s KS
    if token.get("expiry") is not None:
        limit = min(limit, int(token["expiry"]) - ctx.now)
        if limit < 0:
            raise ApiError(errors.APP_TOKEN_EXPIRED, id)
    seconds = min(expiry or limit, limit)
    if token.get("sessionType") is not None:
        type = int(token["sessionType"])
    session_type = ks.USER if type is None else type
    if token.get("sessionUserId") is not None:
        userId = token["sessionUserId"]
    privileges = _privileges(token, sessionPrivileges)
    secret = admin_secrets(ctx.db, ctx.partner_id)[0]
    new_ks = ks.encode_v2(
        secret, ctx.partner_id, userId or "", session_type, seconds, privileges, now=ctx.now
    )
    info = session_info(ks.decode(new_ks, lambda _: [secret]), new_ks)
    info.update(userId=userId, privileges=privileges)
    return info
