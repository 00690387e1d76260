"""``room_room`` service: meeting rooms (``plugins/room/services/RoomService.php``).

A room is an entry of type ``room.room``; ``roomType`` is required on add and a new room
is NO_CONTENT. Every action is open to USER sessions. Like ``baseEntry.list``, a list
without a status filter shows READY rooms only, so NO_CONTENT rooms need ``statusIn``.
"""

from __future__ import annotations

from .. import errors
from ..api import Access, Context, action
from ..errors import ApiError
from ..params import Param
from .entry_model import delete_entry, get_entry, insert_entry, list_entries, render, update_entry
from .objects import ROOM, Obj, find_entry


def _check_room_links(ctx: Context, room: Obj) -> None:
    """``KalturaRoomEntry``: a template must be a room; a recorded entry must exist."""
    template = room.get("templateRoomEntryId")
    if isinstance(template, str) and template:
        data = find_entry(ctx.db, ctx.partner_id, template)
        if data is None:
            raise ApiError(errors.ENTRY_ID_NOT_FOUND, template)
        if data.get("type") != ROOM:
            raise ApiError(errors.INVALID_FIELD_VALUE, "templateRoomEntryId")
    recorded = room.get("recordedEntryId")
    if isinstance(recorded, str) and recorded and not find_entry(ctx.db, ctx.partner_id, recorded):
        raise ApiError(errors.INVALID_FIELD_VALUE, f"recordedEntryId - {recorded}")


@action("room_room", "add", Param("entry", "KalturaRoomEntry"), access=Access.USER)
def add(ctx: Context, entry: Obj) -> Obj:
    """Add a room: status NO_CONTENT."""
    if entry.get("roomType") is not None:
        _check_room_links(ctx, entry)
    return render(ctx, insert_entry(ctx, entry, ROOM), entry["objectType"])


@action("room_room", "get", Param("roomId", "string"), access=Access.USER)
def get(ctx: Context, roomId: str) -> Obj:
    """One room; any other entry is ``ENTRY_ID_NOT_FOUND``."""
    return render(ctx, get_entry(ctx, roomId, (ROOM,)))


@action(
    "room_room", "update",
    Param("roomId", "string"), Param("room", "KalturaRoomEntry"),
    access=Access.USER,
)
def update(ctx: Context, roomId: str, room: Obj) -> Obj:
    """Change a room (the server's ``@validateUser`` names a missing param, so none applies)."""
    data = get_entry(ctx, roomId, (ROOM,))
    _check_room_links(ctx, room)
    return render(ctx, update_entry(ctx, data, room), room["objectType"])


@action("room_room", "delete", Param("roomId", "string"), access=Access.USER)
def delete(ctx: Context, roomId: str) -> None:
    """Soft delete."""
    delete_entry(ctx, get_entry(ctx, roomId, (ROOM,)))


@action(
    "room_room", "list",
    Param("filter", "KalturaRoomEntryFilter", optional=True),
    Param("pager", "KalturaFilterPager", optional=True),
    access=Access.USER,
)
def list_(ctx: Context, filter: Obj | None, pager: Obj | None) -> Obj:
    """Rooms by filter (``KalturaRoomEntryFilter`` starts with ``typeEqual`` = room)."""
    filt = {"typeEqual": ROOM, **(filter or {})}
    return list_entries(
        ctx, filt, pager, "KalturaRoomEntryListResponse", lambda d: render(ctx, d)
    )
