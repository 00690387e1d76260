"""``groupuser`` service: add, update, delete, list (``api_v3/services/GroupUserService.php``).

Every action is open to USER sessions, but the service then lets only an admin session,
or a MANAGER of the group concerned, change memberships; a USER session may list its own
memberships or those of a group it manages.
"""

from __future__ import annotations

import json
from typing import Any

from .. import errors
from ..api import Access, Context, action
from ..errors import ApiError
from ..params import NULL, Param, set_fields
from .groups import GROUP_TYPES
from .listing import list_response
from .objects import (
    GROUP_USER_ACTIVE,
    GROUP_USER_DELETED,
    KUSER_USER,
    USER_DELETED,
    add_group_user,
    find_kuser,
    project,
    save_kuser,
)

Obj = dict[str, Any]

MAX_GROUPS_PER_USER = 1024  #: ``GroupUserService::DEFAULT_MAX_NUMBER_OF_GROUPS_PER_USER``
APPLICATIVE_GROUP = 2
MANAGER = 2  #: ``GroupUserRole::MANAGER``
_FILTER_CLASS = "KalturaGroupUserFilter"
#: The filter properties of which ``list`` needs one, and the column each one matches.
_ID_FILTERS = {
    "userIdEqual": "user_id",
    "userIdIn": "user_id",
    "groupIdEqual": "group_id",
    "groupIdIn": "group_id",
}


def _given(value: Any) -> bool:
    """PHP truthiness of a filter value (``""`` and ``"0"`` are not given)."""
    return value not in (None, "", "0") and value is not NULL


def _text(value: Any) -> str:
    """A request id, ``""`` when absent or null (no kuser has an empty id)."""
    return value if isinstance(value, str) else ""


def _membership(ctx: Context, user_id: str, group_id: str) -> Obj | None:
    """``KuserKgroupPeer::retrieveByKuserIdAndKgroupId``: an ACTIVE membership."""
    row = ctx.db.execute(
        "SELECT rowid, data FROM group_users WHERE partner_id=? AND user_id=? AND group_id=? "
        "AND status=?",
        (ctx.partner_id, user_id, group_id, GROUP_USER_ACTIVE),
    ).fetchone()
    if row is None:
        return None
    data: Obj = json.loads(row[1])
    data["_rowid"] = row[0]
    return data


def _save(ctx: Context, data: Obj) -> None:
    rowid = data.pop("_rowid")
    ctx.db.update("group_users", "rowid", rowid, data, status=data["status"])


def _is_manager(ctx: Context, group_id: str) -> bool:
    """``checkIfKsUserIsGroupManager``: the KS user is an ACTIVE MANAGER of the group."""
    if not ctx.user_id or find_kuser(ctx.db, ctx.partner_id, ctx.user_id) is None:
        return False
    if find_kuser(ctx.db, ctx.partner_id, group_id) is None:
        return False
    member = _membership(ctx, ctx.user_id, group_id)
    return member is not None and member.get("userRole") == MANAGER


def _forbidden(action_name: str) -> ApiError:
    return ApiError(errors.SERVICE_FORBIDDEN, f"groupuser->{action_name}")


def _check_may_change(ctx: Context, group_id: str, action_name: str) -> None:
    """``checkPermissionsForGroupUser``: an admin session or a manager of the group."""
    if not ctx.is_admin and not _is_manager(ctx, group_id):
        raise _forbidden(action_name)


def render(data: Obj) -> Obj:
    """A stored membership as ``KalturaGroupUser``."""
    return project(data, "KalturaGroupUser")


def _check_max_groups(ctx: Context, user_id: str) -> None:
    """``validateMaxGroupsPerUser``: applicative groups do not count towards the limit."""
    rows = ctx.db.execute(
        "SELECT json_extract(data, '$.groupType') FROM group_users "
        "WHERE partner_id=? AND user_id=? AND status=?",
        (ctx.partner_id, user_id, GROUP_USER_ACTIVE),
    ).fetchall()
    if len(rows) < MAX_GROUPS_PER_USER:
        return
    if sum(1 for (kind,) in rows if kind != APPLICATIVE_GROUP) >= MAX_GROUPS_PER_USER:
        raise ApiError(errors.USER_EXCEEDED_MAX_GROUPS)


@action("groupuser", "add", Param("groupUser", "KalturaGroupUser"), access=Access.USER)
def add(ctx: Context, groupUser: Obj) -> Obj:
    """Make a USER kuser an ACTIVE member of a group; bumps the group's membersCount."""
    user_id, group_id = _text(groupUser.get("userId")), _text(groupUser.get("groupId"))
    _check_may_change(ctx, group_id, "add")
    user = find_kuser(ctx.db, ctx.partner_id, user_id)
    if user is None or user["type"] != KUSER_USER:
        raise ApiError(errors.USER_NOT_FOUND)
    if find_kuser(ctx.db, ctx.partner_id, group_id, GROUP_TYPES) is None:
        raise ApiError(errors.GROUP_NOT_FOUND)
    if _membership(ctx, user_id, group_id) is not None:
        raise ApiError(errors.GROUP_USER_ALREADY_EXISTS)
    _check_max_groups(ctx, user_id)
    fields = set_fields({}, groupUser, "KalturaGroupUser", for_update=False)
    return render(add_group_user(ctx.db, ctx.partner_id, user_id, group_id, fields, ctx.now))


@action(
    "groupuser", "update",
    Param("groupUserId", "string"), Param("groupUser", "KalturaGroupUser"),
    access=Access.USER,
)
def update(ctx: Context, groupUserId: str, groupUser: Obj) -> Obj:
    """Change a membership's ``userRole``.

    The server checks the group's numeric kuser id as if it were a group id, which names
    no group, so only an admin session gets past the permission check.
    """
    row = ctx.db.execute(
        "SELECT rowid, data FROM group_users WHERE rowid=? AND partner_id=? AND status!=?",
        (int(groupUserId) if groupUserId.isdigit() else -1, ctx.partner_id, GROUP_USER_DELETED),
    ).fetchone()
    if row is None:
        raise ApiError(errors.GROUP_USER_NOT_FOUND)
    if not ctx.is_admin:
        raise _forbidden("update")
    data: Obj = json.loads(row[1])
    data["_rowid"] = row[0]
    set_fields(data, groupUser, "KalturaGroupUser", for_update=True)
    data["updatedAt"] = ctx.now
    _save(ctx, data)
    return render(data)


@action(
    "groupuser", "delete", Param("userId", "string"), Param("groupId", "string"), access=Access.USER
)
def delete(ctx: Context, userId: str, groupId: str) -> None:
    """Soft delete (status DELETED, void); the group's membersCount goes down by one."""
    _check_may_change(ctx, groupId, "delete")
    if find_kuser(ctx.db, ctx.partner_id, userId) is None:
        raise ApiError(errors.INVALID_USER_ID)
    group = find_kuser(ctx.db, ctx.partner_id, groupId)
    if group is None:
        raise ApiError(errors.GROUP_NOT_FOUND)
    member = _membership(ctx, userId, groupId)
    if member is None:
        raise ApiError(errors.GROUP_USER_DOES_NOT_EXIST, userId, groupId)
    member.update(status=GROUP_USER_DELETED, updatedAt=ctx.now)
    _save(ctx, member)
    group["membersCount"] = max(0, int(group.get("membersCount") or 0) - 1)
    save_kuser(ctx.db, group)


def _existing(ctx: Context, ids: list[str], types: tuple[int, ...]) -> list[str]:
    """Which of the ids name a kuser of one of the types (``kuserPeer`` default criteria)."""
    marks = ",".join("?" * len(ids))
    rows = ctx.db.execute(
        f"SELECT DISTINCT id FROM kusers WHERE partner_id=? AND status!=? AND id IN ({marks}) "
        f"AND type IN ({','.join('?' * len(types))})",
        (ctx.partner_id, USER_DELETED, *ids, *types),
    ).fetchall()
    return [r[0] for r in rows]


def _check_may_list(ctx: Context, flt: Obj) -> None:
    """``checkPermissionsForList`` for a non-admin session."""
    if ctx.is_admin:
        return
    user_id, group_id = flt.get("userIdEqual"), flt.get("groupIdEqual")
    if not _given(user_id) and not _given(group_id):
        raise ApiError(
            errors.PROPERTY_VALIDATION_CANNOT_BE_NULL,
            f"{_FILTER_CLASS}::userIdEqual/{_FILTER_CLASS}::groupIdEqual",
        )
    if _given(user_id):
        if find_kuser(ctx.db, ctx.partner_id, str(user_id)) is None:
            # The server calls a method on the missing user: a PHP Error, reported as internal.
            raise ApiError(errors.INTERNAL_SERVERL_ERROR)
        if user_id != ctx.user_id or find_kuser(ctx.db, ctx.partner_id, ctx.user_id) is None:
            raise _forbidden("list")
    elif not _is_manager(ctx, str(group_id)):
        raise _forbidden("list")


@action(
    "groupuser", "list",
    Param("filter", "KalturaGroupUserFilter", optional=True),
    Param("pager", "KalturaFilterPager", optional=True),
    access=Access.USER,
)
def list_(ctx: Context, filter: Obj | None, pager: Obj | None) -> Obj:
    """ACTIVE memberships of the users or groups named by the filter (one is required)."""
    flt = filter or {}
    _check_may_list(ctx, flt)
    if not any(_given(flt.get(name)) for name in _ID_FILTERS):
        names = "/".join(f"{_FILTER_CLASS}::{name}" for name in _ID_FILTERS)
        raise ApiError(errors.PROPERTY_VALIDATION_CANNOT_BE_NULL, names)
    group_type = flt.get("groupType")
    group_types = (group_type,) if isinstance(group_type, int) else GROUP_TYPES
    conditions = ["partner_id = ?", "status != ?"]
    params: list[Any] = [ctx.partner_id, GROUP_USER_DELETED]
    for name, column in _ID_FILTERS.items():
        value = flt.get(name)
        if not _given(value):
            continue
        wanted = [str(value)] if name.endswith("Equal") else str(value).split(",")
        found = _existing(ctx, wanted, (KUSER_USER,) if column == "user_id" else group_types)
        if not found:
            return {"objectType": "KalturaGroupUserListResponse", "objects": [], "totalCount": 0}
        conditions.append(f"{column} IN ({','.join('?' * len(found))})")
        params.extend(found)
    return list_response(
        ctx.db, "group_users", "KalturaGroupUserListResponse", (conditions, params), flt, pager,
        render, columns={"status": "status"}, default_order="rowid ASC",
        skip=frozenset({*_ID_FILTERS, "groupType"}),
    )
