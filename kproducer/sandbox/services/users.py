"""``user`` service: add, get, list, update, delete (``api_v3/services/UserService.php``)."""

from __future__ import annotations

import re
from typing import Any

from .. import errors
from ..api import Access, Context, action
from ..errors import ApiError
from ..params import NULL, Param, set_fields
from .kuser_search import prefix_conditions
from .listing import list_response
from .objects import (
    KUSER_USER,
    USER_DELETED,
    add_kuser,
    as_user,
    delete_kuser,
    find_kuser,
    save_kuser,
)

Obj = dict[str, Any]

#: ``kuser::PUSER_ID_REGEXP``.
USER_ID = re.compile(r"^[A-Za-z0-9,!#$%&'*+?^_`{|}~.@-]{1,320}$")


def validate_new_id(ctx: Context, uid: Any) -> str:
    """Check a new user or group id: the pattern, then that no kuser has it."""
    if not isinstance(uid, str) or not USER_ID.match(uid):
        raise ApiError(errors.INVALID_FIELD_VALUE, "id")
    if find_kuser(ctx.db, ctx.partner_id, uid) is not None:
        raise ApiError(errors.DUPLICATE_USER_BY_ID, uid)
    return uid


@action("user", "add", Param("user", "KalturaUser"))
def add(ctx: Context, user: Obj) -> Obj:
    """Create a user; a deleted user's id may be taken again."""
    validate_new_id(ctx, user.get("id") if user.get("id") is not NULL else None)
    data = set_fields({}, user, "KalturaUser", for_update=False)
    data.pop("type", None)
    return as_user(add_kuser(ctx.db, ctx.partner_id, data, ctx.now, KUSER_USER))


@action("user", "get", Param("userId", "string", optional=True, default=None), access=Access.USER)
def get(ctx: Context, userId: str | None) -> Obj:
    """One user by id; a USER session may read only itself."""
    uid = userId or ctx.user_id
    if not ctx.is_admin and uid != ctx.user_id:
        raise ApiError(errors.CANNOT_RETRIEVE_ANOTHER_USER_USING_NON_ADMIN_SESSION, uid)
    data = find_kuser(ctx.db, ctx.partner_id, uid)
    if data is None:
        raise ApiError(errors.INVALID_USER_ID)
    return as_user(data)


@action("user", "update", Param("userId", "string"), Param("user", "KalturaUser"))
def update(ctx: Context, userId: str, user: Obj) -> Obj:
    """Change a user's writable properties."""
    data = find_kuser(ctx.db, ctx.partner_id, userId)
    if data is None:
        raise ApiError(errors.INVALID_USER_ID)
    set_fields(
        data, {k: v for k, v in user.items() if k != "id" or v != userId}, "KalturaUser", True
    )
    if "firstName" in user or "lastName" in user:
        data["fullName"] = " ".join(p for p in (data.get("firstName"), data.get("lastName")) if p)
    data["updatedAt"] = ctx.now
    save_kuser(ctx.db, data)
    return as_user(data)


@action("user", "delete", Param("userId", "string"))
def delete(ctx: Context, userId: str) -> Obj:
    """Soft delete: status DELETED; the id can be added again."""
    data = find_kuser(ctx.db, ctx.partner_id, userId)
    if data is None:
        raise ApiError(errors.INVALID_USER_ID)
    delete_kuser(ctx.db, data, ctx.now)
    return as_user(data)


USER_COLUMNS = {"id": "id", "status": "status", "type": "type", "partnerId": "partner_id"}


@action(
    "user",
    "list",
    Param("filter", "KalturaUserFilter", optional=True),
    Param("pager", "KalturaFilterPager", optional=True),
)
def list_(ctx: Context, filter: Obj | None, pager: Obj | None) -> Obj:
    """Users of the partner, groups included (every kuser type), deleted ones excluded."""
    text, text_params, handled = prefix_conditions(filter)
    base: tuple[list[str], list[Any]] = (["partner_id = ?", *text], [ctx.partner_id, *text_params])
    if not filter or ("statusEqual" not in filter and "statusIn" not in filter):
        base[0].append("status != ?")
        base[1].append(USER_DELETED)
    return list_response(
        ctx.db,
        "kusers",
        "KalturaUserListResponse",
        base,
        filter,
        pager,
        as_user,
        columns=USER_COLUMNS,
        default_order="rowid ASC",
        indexed=True,
        skip=handled,
    )
