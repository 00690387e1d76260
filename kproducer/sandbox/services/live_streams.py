"""``liveStream`` update, delete, list, isLive, regenerateStreamToken (``LiveStreamService``).

``add`` and ``get`` are with the other entry services in :mod:`.entries`. What a live entry
returns beyond the stored object (broadcast URLs, SRT stream ids) and the encoder state are
in :mod:`.live_model`.
"""

from __future__ import annotations

from ..api import Access, Context, action
from ..errors import ApiError, ErrorDef
from ..params import NULL, Param
from . import live_model, schedule_live
from .entry_model import (
    can_edit,
    delete_entry,
    get_entry,
    list_entries,
    render,
    update_entry,
    validate_user,
)
from .live_model import KALTURA_LIVE_SOURCES, LIVE_STOPPED, stream_password
from .objects import ENTRY_DELETED, LIVE_STREAM, Obj, find_entry, save_entry

INVALID_ENTRY_ID = ErrorDef.parse('INVALID_ENTRY_ID;ID;Invalid entry id ["@ID@"]')
CANNOT_UPDATE_FIELDS_WHILE_ENTRY_BROADCASTING = ErrorDef.parse(
    "CANNOT_UPDATE_FIELDS_WHILE_ENTRY_BROADCASTING;FIELD;"
    "Cannot update [@FIELD@] while entry is broadcasting"
)
CANNOT_REGENERATE_STREAM_TOKEN_FOR_EXTERNAL_LIVE_STREAMS = ErrorDef.parse(
    "CANNOT_REGENERATE_STREAM_TOKEN_FOR_EXTERNAL_LIVE_STREAMS;TYPE;"
    "Cannot regenerate stream token for external type [@TYPE@] live stream"
)
LIVE_STREAM_STATUS_CANNOT_BE_DETERMINED = ErrorDef.parse(
    "LIVE_STREAM_STATUS_CANNOT_BE_DETERMINED;PROT;"
    "Status cannot be determined for live stream protocol [@PROT@]"
)
#: ``KalturaLiveEntry::validateForUpdate``: fields that cannot change while broadcasting.
_FROZEN_WHILE_LIVE = (
    "dvrStatus", "dvrWindow", "recordStatus", "conversionProfileId", "segmentDuration",
    "explicitLive",
)


def _live_entry(ctx: Context, entry_id: str) -> Obj:
    """``fetchLiveEntry``: a missing or non-live entry is ``INVALID_ENTRY_ID``."""
    data = find_entry(ctx.db, ctx.partner_id, entry_id)
    if data is None or data.get("type") != LIVE_STREAM:
        raise ApiError(INVALID_ENTRY_ID, entry_id)
    return data


@action(
    "livestream", "update",
    Param("entryId", "string"), Param("liveStreamEntry", "KalturaLiveStreamEntry"),
    access=Access.USER,
)
def update(ctx: Context, entryId: str, liveStreamEntry: Obj) -> Obj:
    """Change a live entry; DVR, recording and explicit-live settings only while offline."""
    data = get_entry(ctx, entryId, (LIVE_STREAM,))
    validate_user(ctx, data)
    status = schedule_live.with_live_status(ctx.db, ctx.partner_id, data, ctx.now)
    if status.get("liveStatus", LIVE_STOPPED) != LIVE_STOPPED:
        for prop in _FROZEN_WHILE_LIVE:
            value = liveStreamEntry.get(prop)
            if value is not None and value is not NULL and value != data.get(prop):
                raise ApiError(CANNOT_UPDATE_FIELDS_WHILE_ENTRY_BROADCASTING, prop)
    updated = update_entry(ctx, data, liveStreamEntry)
    return render(ctx, updated, liveStreamEntry["objectType"])


@action("livestream", "delete", Param("entryId", "string"), access=Access.USER)
def delete(ctx: Context, entryId: str) -> None:
    """Soft delete (``@validateUser entry entryId edit``)."""
    data = get_entry(ctx, entryId, (LIVE_STREAM,))
    validate_user(ctx, data)
    delete_entry(ctx, data)


@action(
    "livestream", "list",
    Param("filter", "KalturaLiveStreamEntryFilter", optional=True),
    Param("pager", "KalturaFilterPager", optional=True),
    access=Access.USER,
)
def list_(ctx: Context, filter: Obj | None, pager: Obj | None) -> Obj:
    """Live entries by filter: ``typeEqual`` is forced to LIVE_STREAM."""
    filt = {**(filter or {}), "typeEqual": LIVE_STREAM}
    return list_entries(
        ctx, filt, pager, "KalturaLiveStreamListResponse", lambda d: render(ctx, d)
    )


@action(
    "livestream", "isLive",
    Param("id", "string"),
    Param("protocol", "string_enum:KalturaPlaybackProtocol", optional=True),
    access=Access.NONE,
)
def is_live(ctx: Context, id: str, protocol: str | None) -> bool:
    """Whether an encoder pushes to the entry and this session may see it (preview mode).

    The KS is optional (``@ksOptional``): without one the partner is the entry's own
    (``kCurrentContext::initPartnerByEntryId``), and a preview is never live.
    """
    if ctx.session is None:
        owner = ctx.db.scalar(
            "SELECT partner_id FROM entries WHERE id=? AND status!=?", (id, ENTRY_DELETED)
        )
        ctx.partner_id = int(owner) if owner is not None else 0
    data = _live_entry(ctx, id)
    if str(data.get("sourceType")) not in KALTURA_LIVE_SOURCES:
        raise ApiError(LIVE_STREAM_STATUS_CANNOT_BE_DETERMINED, protocol)
    data = schedule_live.with_live_status(ctx.db, ctx.partner_id, data, ctx.now)
    return live_model.is_live(data, can_edit(ctx, data))


@action("livestream", "regenerateStreamToken", Param("entryId", "string"))
def regenerate_stream_token(ctx: Context, entryId: str) -> Obj:
    """A new stream password: every broadcast URL and SRT stream id carries the new one."""
    data = find_entry(ctx.db, ctx.partner_id, entryId)
    if data is None or data.get("type") != LIVE_STREAM:
        raise ApiError(INVALID_ENTRY_ID)
    source = str(data.get("sourceType"))
    if source not in KALTURA_LIVE_SOURCES:
        raise ApiError(CANNOT_REGENERATE_STREAM_TOKEN_FOR_EXTERNAL_LIVE_STREAMS, source)
    data["streamPassword"] = stream_password()
    data["updatedAt"] = ctx.now
    save_entry(ctx.db, data)
    return render(ctx, data)
