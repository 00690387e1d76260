"""The entry logic shared by ``baseEntry``, ``media``, ``liveStream`` and ``room``.

As ``KalturaEntryService`` (``api_v3/lib/KalturaEntryService.php``) and the services over
it (``BaseEntryService.php``, ``MediaService.php``, ``LiveStreamService.php``). A missing or
deleted entry, or one of another type than the service handles, is ``ENTRY_ID_NOT_FOUND``;
delete is soft (status DELETED). Lists show READY entries only unless a status filter (or
``idEqual``) is given (``KalturaBaseEntryFilter::prepareEntriesCriteriaFilter``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from typing import Any

from .. import errors, partner_options, schema
from ..api import Context, absolute_url
from ..errors import ApiError
from ..params import NULL, set_fields
from .listing import list_response
from .live_model import with_broadcast_fields
from .objects import (
    ENTRY_DELETED,
    ENTRY_READY,
    LIVE_STREAM,
    MEDIA_CLIP,
    ROOM,
    Obj,
    add_entry,
    add_kuser,
    find_entry,
    find_kuser,
    project,
    save_entry,
)
from .schedule_live import with_live_status

#: Entry types whose API object is a ``KalturaMediaEntry`` (``media.get`` accepts them).
MEDIA_TYPES = frozenset({MEDIA_CLIP, LIVE_STREAM, "8"})

_CLASSES = {
    MEDIA_CLIP: "KalturaMediaEntry",
    LIVE_STREAM: "KalturaLiveStreamEntry",
    ROOM: "KalturaRoomEntry",
}

#: Live properties a role without CONTENT_MANAGE_BASE neither reads nor writes
#: (``deployment/permissions/object.KalturaLiveStreamEntry.ini``).
_LIVE_PERMISSION = (
    "streamPassword", "streamUsername", "encodingIP1", "encodingIP2", "primaryBroadcastingUrl",
    "secondaryBroadcastingUrl", "primarySecuredBroadcastingUrl",
    "secondarySecuredBroadcastingUrl", "primaryRtspBroadcastingUrl",
    "secondaryRtspBroadcastingUrl",
)
#: Entry properties a USER session cannot set; they are dropped silently
#: (``object.KalturaBaseEntry.ini``, ``KalturaObject::validateForInsert``).
_USER_DROPPED = frozenset({
    "accessControlId", "startDate", "endDate", "referenceId", "entitledUsersEdit",
    "entitledUsersPublish", *_LIVE_PERMISSION,
})
#: Hidden from a non-admin who may not edit the entry (``KalturaLiveStreamEntry::doFromObject``).
_BROADCAST = (
    "primaryBroadcastingUrl", "secondaryBroadcastingUrl", "primarySecuredBroadcastingUrl",
    "secondarySecuredBroadcastingUrl", "primaryRtspBroadcastingUrl",
    "secondaryRtspBroadcastingUrl", "primarySrtBroadcastingUrl", "primarySrtStreamId",
    "secondarySrtBroadcastingUrl", "secondarySrtStreamId", "srtPass",
)
_DISPLAY_IN_SEARCH_SETTABLE = (1, -1, -2)  # PARTNER_ONLY, SYSTEM, RECYCLED
_AKAMAI_LIVE, _AKAMAI_UNIVERSAL_LIVE = "29", "31"


# --- sessions and rendering -----------------------------------------------------------------------


def _privileged(ctx: Context, name: str, value: str) -> bool:
    """``ks::verifyPrivileges`` for one privilege value (or its wildcard)."""
    privileges = ctx.session.privileges if ctx.session else {}
    return "*" in privileges.get("all", []) or bool({"*", value} & set(privileges.get(name, [])))


def _is_owner(ctx: Context, data: Obj) -> bool:
    return bool(ctx.user_id) and ctx.user_id.lower() == str(data.get("userId") or "").lower()


def _can_edit(ctx: Context, data: Obj) -> bool:
    """Owner, entitled editor or ``edit`` privilege (``entry::isEntitledKuserEdit``)."""
    editors = [u.strip().lower() for u in str(data.get("entitledUsersEdit") or "").split(",")]
    return (
        _is_owner(ctx, data)
        or (bool(ctx.user_id) and ctx.user_id.lower() in editors)
        or _privileged(ctx, "edit", data["id"])
    )


def can_edit(ctx: Context, data: Obj) -> bool:
    """An admin, or a user :func:`_can_edit` allows (``LiveEntry::canViewExplicitLive``)."""
    return ctx.is_admin or _can_edit(ctx, data)


def _invalid_ks_type() -> ApiError:
    return ApiError(errors.INVALID_KS, "", "-4", "INVALID_TYPE")


def validate_user(ctx: Context, data: Obj, owner_only: bool = False) -> None:
    """``@validateUser entry entryId edit``: a USER session may change only what it may edit."""
    if ctx.is_admin or _privileged(ctx, "edit", data["id"]):
        return
    if not (_is_owner(ctx, data) if owner_only else _can_edit(ctx, data)):
        raise _invalid_ks_type()


def entry_class(ctx: Context, data: Obj) -> str:
    """``KalturaEntryFactory::getInstanceByType``: admins get the deprecated live admin class."""
    name = _CLASSES.get(str(data.get("type")), "KalturaBaseEntry")
    if name == "KalturaLiveStreamEntry" and ctx.is_admin:
        return "KalturaLiveStreamAdminEntry"
    return name


def render(ctx: Context, data: Obj, class_name: str | None = None) -> Obj:
    """A stored entry as the API returns it, as ``class_name`` or its type's class."""
    is_live = data.get("type") == LIVE_STREAM
    if is_live:  # liveStatus is getLiveStatus(): a simulive slot makes it PLAYABLE
        data = with_live_status(ctx.db, ctx.partner_id, data, ctx.now)
    source = with_broadcast_fields(data) if is_live else data
    out = project(source, class_name or entry_class(ctx, data))
    for name in ("thumbnailUrl", "dataUrl", "downloadUrl"):
        if isinstance(out.get(name), str):
            out[name] = absolute_url(out[name])
    if is_live and not ctx.is_admin:
        hidden = set(_LIVE_PERMISSION)
        if not _can_edit(ctx, data):
            hidden |= set(_BROADCAST)
        for name in hidden & out.keys():
            out[name] = None
    return out


# --- add, get, update, delete ---------------------------------------------------------------------


def is_null(obj: Obj, prop: str) -> bool:
    """The request left ``prop`` unset or sent it as null."""
    return obj.get(prop) is None or obj.get(prop) is NULL


def _validate_for_insert(entry: Obj) -> None:
    """The ``validateForInsert`` checks of the entry classes, subclass first."""
    info = schema.get_class(entry["objectType"])
    assert info is not None
    cls = info.name
    if info.is_a("KalturaRoomEntry") and is_null(entry, "roomType"):
        raise ApiError(errors.PROPERTY_VALIDATION_CANNOT_BE_NULL, f"{cls}::roomType")
    if info.is_a("KalturaLiveStreamEntry"):
        if is_null(entry, "mediaType"):
            raise ApiError(errors.PROPERTY_VALIDATION_CANNOT_BE_NULL, f"{cls}::mediaType")
        if entry.get("sourceType") == _AKAMAI_UNIVERSAL_LIVE:
            raise ApiError(errors.ENTRY_SOURCE_TYPE_NOT_SUPPORTED, _AKAMAI_UNIVERSAL_LIVE)
        if entry.get("sourceType") == _AKAMAI_LIVE:
            for prop in ("encodingIP1", "encodingIP2"):
                if is_null(entry, prop):
                    raise ApiError(errors.PROPERTY_VALIDATION_CANNOT_BE_NULL, f"{cls}::{prop}")
        _check_length(entry, "srtPass", 10, 79)
    _check_length(entry, "referenceId", 2, None)
    _check_display_in_search(entry, None)


def _check_length(entry: Obj, prop: str, low: int, high: int | None) -> None:
    """``validatePropertyMinLength`` / ``MaxLength`` with null allowed."""
    value = entry.get(prop)
    if not isinstance(value, str):
        return
    name = f"{entry['objectType']}::{prop}"
    if len(value.encode()) < low:
        raise ApiError(errors.PROPERTY_VALIDATION_MIN_LENGTH, name, low)
    if high is not None and len(value.encode()) > high:
        raise ApiError(errors.PROPERTY_VALIDATION_MAX_LENGTH, name, high)


def _check_display_in_search(entry: Obj, current: Obj | None) -> None:
    value = entry.get("displayInSearch")
    if value is None or value is NULL or value in _DISPLAY_IN_SEARCH_SETTABLE:
        return
    if current is not None and value == current.get("displayInSearch"):
        return
    raise ApiError(errors.ENTRY_DISPLAY_IN_SEARCH_VALUE_NOT_ALLOWED, value)


def _check_admin_only(ctx: Context, entry: Obj) -> None:
    """``checkAdminOnly{Insert,Update}Properties`` (the sandbox has no categories)."""
    if ctx.is_admin:
        return
    for prop in ("adminTags", "categories", "startDate", "endDate"):
        if entry.get(prop) is None:
            continue
        if prop == "adminTags" and _privileged(ctx, "editadmintags", "*"):
            continue
        raise ApiError(errors.PROPERTY_VALIDATION_ADMIN_PROPERTY, prop)


def _check_schedule(entry: Obj, current: Obj) -> None:
    """``validateEntryScheduleDates``: a start must come before the end."""
    if entry.get("startDate") is None and entry.get("endDate") is None:
        return
    dates = []
    for prop in ("startDate", "endDate"):
        value = entry[prop] if prop in entry else current.get(prop)
        value = -1 if value is NULL or value is None else int(value)
        dates.append(value if value >= 0 else None)
    start, end = dates
    if start and end and start >= end:
        raise ApiError(errors.INVALID_ENTRY_SCHEDULE_DATES)


def _check_ks_user(ctx: Context, entry: Obj) -> None:
    """``validateKSUser``: a USER session cannot give the entry another owner."""
    owner = entry.get("userId")
    if not ctx.is_admin and isinstance(owner, str) and owner.lower() != ctx.user_id.lower():
        raise _invalid_ks_type()


def _ensure_kusers(ctx: Context, data: Obj) -> None:
    """``kuserPeer::createKuserForPartner``: an entry's owner and creator become users."""
    for prop in ("userId", "creatorId"):
        uid = str(data.get(prop) or "").strip()
        if uid and find_kuser(ctx.db, ctx.partner_id, uid) is None:
            add_kuser(ctx.db, ctx.partner_id, {"id": uid}, ctx.now)


def _fix_dates(data: Obj) -> None:
    """``KalturaBaseEntry::toObject`` stores a -1 start or end date as null."""
    for prop in ("startDate", "endDate"):
        if data.get(prop) == -1:
            data[prop] = None


def _class_type(class_name: str) -> str:
    """The type an entry class's constructor sets (AUTOMATIC for ``KalturaBaseEntry``)."""
    info = schema.get_class(class_name)
    assert info is not None
    for entry_type in (ROOM, LIVE_STREAM, MEDIA_CLIP):
        if info.is_a(_CLASSES[entry_type]):
            return entry_type
    return "-1"


def insert_entry(ctx: Context, entry: Obj, entry_type: str | None = None) -> Obj:
    """``KalturaEntryService::add`` and ``prepareEntryForInsert``; returns the stored entry."""
    entry = partner_options.role_permitted(ctx.db, ctx.is_admin, entry)
    _check_ks_user(ctx, entry)
    _validate_for_insert(entry)
    source = entry if ctx.is_admin else {k: v for k, v in entry.items() if k not in _USER_DROPPED}
    data = set_fields({}, source, entry["objectType"], for_update=False)
    _check_admin_only(ctx, source)
    _check_schedule(source, {})
    data["type"] = entry_type or entry.get("type") or _class_type(entry["objectType"])
    _fix_dates(data)
    data["objectType"] = entry["objectType"]
    data = add_entry(ctx.db, ctx.partner_id, data, ctx.now, ctx.user_id)
    _ensure_kusers(ctx, data)
    return data


def get_entry(ctx: Context, entry_id: str, types: Collection[str] | None = None) -> Obj:
    """A live entry of one of ``types`` (any type when None), else ``ENTRY_ID_NOT_FOUND``."""
    data = find_entry(ctx.db, ctx.partner_id, entry_id)
    if data is None or (types is not None and data.get("type") not in types):
        raise ApiError(errors.ENTRY_ID_NOT_FOUND, entry_id)
    return data


def update_entry(ctx: Context, data: Obj, entry: Obj) -> Obj:
    """``KalturaEntryService::updateEntry`` on an entry read with :func:`get_entry`."""
    entry = partner_options.role_permitted(ctx.db, ctx.is_admin, entry, for_update=True)
    source = {k: v for k, v in entry.items() if k != "type"}  # type cannot be updated
    owner = source.get("userId")
    if (
        isinstance(owner, str)
        and not (ctx.is_admin or _privileged(ctx, "edituser", owner))
        and owner.lower() != str(data.get("userId") or "").lower()
    ):
        raise _invalid_ks_type()  # checkAndSetValidUserUpdate: only an admin changes the owner
    _check_admin_only(ctx, source)
    _check_schedule(source, data)
    _check_length(source, "referenceId", 2, None)
    _check_display_in_search(source, data)
    if not ctx.is_admin:
        source = {k: v for k, v in source.items() if k not in _USER_DROPPED}
    set_fields(data, source, entry["objectType"], for_update=True)
    _fix_dates(data)
    data["updatedAt"] = ctx.now
    save_entry(ctx.db, data)
    _ensure_kusers(ctx, data)
    return data


def delete_entry(ctx: Context, data: Obj) -> None:
    """``myEntryUtils::deleteEntry``: status DELETED; the entry is then missing everywhere."""
    data.update(status=ENTRY_DELETED, updatedAt=ctx.now)
    save_entry(ctx.db, data)


# --- list -----------------------------------------------------------------------------------------

ENTRY_COLUMNS = {
    "id": "id",
    "status": "status",
    "partnerId": "partner_id",
    **{
        name: f"CAST(json_extract(data, '$.{name}') AS INTEGER)"
        for name in (
            "moderationStatus", "displayInSearch", "mediaType", "accessControlId", "roomType",
        )
    },
}
#: Sphinx text fields: ``Like`` / ``MultiLike*`` / ``Match*`` filters match whole words.
_TEXT_FIELDS = {
    "name": ("name",),
    "tags": ("tags",),
    "adminTags": ("adminTags",),
    "description": ("description",),
    "tagsName": ("tags", "name"),
    "tagsAdminTags": ("tags", "adminTags"),
    "tagsAdminTagsName": ("tags", "adminTags", "name"),
    "searchText": ("name", "tags", "description", "adminTags"),
}
_FREE_TEXT_FIELDS = ("name", "tags", "description", "id", "referenceId", "userId")
_WORD_OPERATORS = ("MultiLikeOr", "MultiLikeAnd", "MatchOr", "MatchAnd", "Like")


def _words(text: str) -> list[str]:
    """Sphinx-style tokens: lower-case runs of letters, digits and underscores."""
    return re.findall(r"\w+", text.lower())


def _haystack(fields: tuple[str, ...]) -> str:
    """SQL for the fields' text, lower case, padded with spaces."""
    joined = " || ' ' || ".join(f"coalesce(json_extract(data, '$.{f}'), '')" for f in fields)
    return f"(' ' || lower({joined}) || ' ')"


def _phrase(haystack: str, value: str, params: list[Any]) -> str:
    """Every word of ``value`` is a whole word of the text (false for a value without words)."""
    words = _words(value)
    params.extend(f"*[^a-z0-9_]{w}[^a-z0-9_]*" for w in words)
    return "(" + " AND ".join(f"{haystack} GLOB ?" for _ in words) + ")" if words else "0"


def _text_conditions(filter_obj: Obj) -> tuple[list[str], list[Any], set[str]]:
    """Word-matching conditions, and the filter properties they handle."""
    conditions: list[str] = []
    params: list[Any] = []
    handled: set[str] = set()
    for prop, value in filter_obj.items():
        if not isinstance(value, str) or not value:
            continue
        if prop == "freeText":
            handled.add(prop)
            haystack = _haystack(_FREE_TEXT_FIELDS)
            parts = value.split(",") if "," in value else [value]
            conditions.append("(" + " OR ".join(_phrase(haystack, p, params) for p in parts) + ")")
            continue
        op = next((o for o in _WORD_OPERATORS if prop.endswith(o)), None)
        fields = _TEXT_FIELDS.get(prop[: -len(op)]) if op else None
        if op is None or fields is None:
            continue
        handled.add(prop)
        haystack = _haystack(fields)
        values = [value] if op == "Like" else [v for v in value.split(",") if v.strip()]
        joiner = " OR " if op.endswith("Or") else " AND "
        conditions.append("(" + joiner.join(_phrase(haystack, v, params) for v in values) + ")")
    return conditions, params, handled


def _default_conditions(filter_obj: Obj) -> tuple[list[str], list[Any]]:
    """READY, not pending or rejected, not hidden from search, unless filtered otherwise."""
    if filter_obj.get("idEqual") or filter_obj.get("redirectFromEntryId"):
        return [], []
    conditions: list[str] = []
    params: list[Any] = []
    operators = ("Equal", "In", "NotEqual", "NotIn")
    if not any(filter_obj.get(f"status{op}") is not None for op in operators):
        conditions.append("status = ?")
        params.append(ENTRY_READY)
    if not any(filter_obj.get(f"moderationStatus{op}") is not None for op in operators):
        conditions.append(f"{ENTRY_COLUMNS['moderationStatus']} NOT IN (1, 3)")
    display_filters = ("parentEntryIdEqual", "idIn", "displayInSearchEqual", "displayInSearchIn")
    if not any(filter_obj.get(f) for f in display_filters):
        conditions.append(f"{ENTRY_COLUMNS['displayInSearch']} NOT IN (-1, -2)")
    return conditions, params


def list_entries(
    ctx: Context,
    filter_obj: Obj | None,
    pager: Obj | None,
    response_type: str,
    renderer: Callable[[Obj], Obj],
) -> Obj:
    """Entries of the partner matching a ``KalturaBaseEntryFilter`` (or subclass)."""
    filt = dict(filter_obj or {})
    text, text_params, handled = _text_conditions(filt)
    defaults, default_params = _default_conditions(filt)
    conditions = ["partner_id = ?", *defaults, *text]
    params = [ctx.partner_id, *default_params, *text_params]
    return list_response(
        ctx.db, "entries", response_type, (conditions, params), filt, pager, renderer,
        columns=ENTRY_COLUMNS, default_order="rowid ASC", skip=frozenset(handled),
        indexed=True,
    )
