"""``group_group`` service: add, get, list, update, delete (``GroupService.php``, group plugin).

Groups are kusers of type GROUP or APPLICATIVE_GROUP. ``KalturaGroup`` maps only the
``KalturaBaseUser`` properties the server maps, so ``fullName``, ``adminTags`` and the
indexed partner data are neither stored nor returned for a group.
"""

from __future__ import annotations

from typing import Any

from .. import errors
from ..api import Access, Context, action
from ..errors import ApiError
from ..params import Param, set_fields
from .kuser_search import prefix_conditions
from .listing import list_response
from .objects import (
    KUSER_GROUP,
    USER_ACTIVE,
    USER_DELETED,
    add_kuser,
    as_group,
    delete_kuser,
    find_kuser,
    save_kuser,
)
from .users import USER_COLUMNS, USER_ID

Obj = dict[str, Any]

GROUP_TYPES = (1, 2)  #: KuserType GROUP and APPLICATIVE_GROUP
_UNMAPPED = ("fullName", "adminTags", "indexedPartnerDataInt", "indexedPartnerDataString")
_URL_PATTERN = "://"  #: ``kuser::URL_PATTERN``, refused in names


def _check_session_user(ctx: Context) -> None:
    """``GroupService::initService``: a non-admin KS must name an ACTIVE user."""
    if ctx.is_admin:
        return
    user = find_kuser(ctx.db, ctx.partner_id, ctx.user_id)
    if user is None or user["status"] != USER_ACTIVE:
        raise ApiError(errors.USER_ID_NOT_PROVIDED_OR_EMPTY)


def _get_group(ctx: Context, group_id: str) -> Obj:
    """``GroupService::getGroup``: the error carries no id, hence ``N/A``."""
    data = find_kuser(ctx.db, ctx.partner_id, group_id, GROUP_TYPES)
    if data is None:
        raise ApiError(errors.INVALID_GROUP_ID)
    return data


def _validate_names(group: Obj) -> None:
    """``KalturaBaseUser::validateNames`` for a group's fullName and screenName."""
    for name in ("fullName", "screenName"):
        value = group.get(name)
        if isinstance(value, str) and _URL_PATTERN in value:
            raise ApiError(errors.INVALID_FIELD_VALUE, name)


def _mapped(group: Obj) -> Obj:
    return {k: v for k, v in group.items() if k not in _UNMAPPED}


def render(data: Obj) -> Obj:
    """A stored group as ``KalturaGroup``."""
    return _mapped(as_group(data))


@action("group_group", "add", Param("group", "KalturaGroup"))
def add(ctx: Context, group: Obj) -> Obj:
    """Create a group: the id pattern, names, read-only properties, then a free id."""
    gid = group.get("id")
    if not isinstance(gid, str) or not USER_ID.match(gid):
        raise ApiError(errors.INVALID_FIELD_VALUE, "id")
    _validate_names(group)
    data = set_fields({}, _mapped(group), "KalturaGroup", for_update=False)
    if find_kuser(ctx.db, ctx.partner_id, gid) is not None:
        raise ApiError(errors.DUPLICATE_USER_BY_ID, gid)
    kind = data.pop("groupType", None) or KUSER_GROUP
    return render(add_kuser(ctx.db, ctx.partner_id, data, ctx.now, kind))


@action("group_group", "get", Param("groupId", "string"), access=Access.USER)
def get(ctx: Context, groupId: str) -> Obj:
    """One group; a non-admin session finds out it exists but may not read it."""
    _check_session_user(ctx)
    data = _get_group(ctx, groupId)
    if not ctx.is_admin:
        raise ApiError(errors.CANNOT_RETRIEVE_ANOTHER_USER_USING_NON_ADMIN_SESSION, groupId)
    return render(data)


@action("group_group", "update", Param("groupId", "string"), Param("group", "KalturaGroup"))
def update(ctx: Context, groupId: str, group: Obj) -> Obj:
    """Change a group's writable properties (``groupType`` changes the kuser type)."""
    data = _get_group(ctx, groupId)
    _validate_names(group)
    set_fields(data, _mapped(group), "KalturaGroup", for_update=True)
    group_type = data.pop("groupType", None)
    if group_type is not None:
        data["type"] = group_type
        ctx.db.execute("UPDATE kusers SET type=? WHERE rowid=?", (group_type, data["_rowid"]))
    data["updatedAt"] = ctx.now
    save_kuser(ctx.db, data)
    return render(data)


@action("group_group", "delete", Param("groupId", "string"))
def delete(ctx: Context, groupId: str) -> Obj:
    """Soft delete: status DELETED; returns the group."""
    data = _get_group(ctx, groupId)
    delete_kuser(ctx.db, data, ctx.now)
    return render(data)


@action(
    "group_group", "list",
    Param("filter", "KalturaGroupFilter", optional=True),
    Param("pager", "KalturaFilterPager", optional=True),
    access=Access.USER,
)
def list_(ctx: Context, filter: Obj | None, pager: Obj | None) -> Obj:
    """Groups of the partner (both group types unless ``groupType`` is set), not deleted."""
    _check_session_user(ctx)
    flt = filter or {}
    group_type = flt.get("groupType")
    types = (group_type,) if isinstance(group_type, int) else GROUP_TYPES
    text, text_params, handled = prefix_conditions(flt)
    base: tuple[list[str], list[Any]] = (
        ["partner_id = ?", f"type IN ({','.join('?' * len(types))})", *text],
        [ctx.partner_id, *types, *text_params],
    )
    if "statusEqual" not in flt and "statusIn" not in flt:
        base[0].append("status != ?")
        base[1].append(USER_DELETED)
    return list_response(
        ctx.db, "kusers", "KalturaGroupListResponse", base, filter, pager, render,
        columns=USER_COLUMNS, default_order="rowid ASC", indexed=True,
        skip=handled | {"groupType"},
    )
