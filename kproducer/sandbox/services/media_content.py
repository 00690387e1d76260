"""``media.addContent`` with an uploaded-file-token resource, and the conversion after it.

As ``MediaService::addContentAction``: the entry must be a media clip (else
``ENTRY_ID_NOT_FOUND``) with no content yet (else ``ENTRY_ALREADY_WITH_CONTENT``).
``KalturaUploadedFileTokenResource::toObject`` then reads the token: a FULL_UPLOAD token's
file becomes the entry's source, the token is CLOSED (``entryHandled``) and the entry
converts; any other token leaves the resource "not ready", so the entry goes to IMPORT
(``KalturaEntryService::attachLocalFileResource``) and waits for the token's final chunk.

The sandbox's conversion stands in for the server's batch jobs: the source is read with
hachoir (:mod:`..media_files`) when the content is attached, the entry is PRECONVERT for
``conversion_seconds`` of sandbox time (meta key, ``POST /_sandbox/conversion``; 3 s by
default; the ``/_sandbox/clock`` offset moves it too), then READY with the file's real
duration, or ERROR_CONVERTING when the file is not audio or video.
"""

from __future__ import annotations

import os
from typing import Any

from .. import api, errors
from ..api import Access, Context, action
from ..errors import ApiError, ErrorDef
from ..media_files import entry_file, probe, token_file
from ..params import Param
from ..store import Store
from . import upload_tokens
from .entry_model import get_entry, render, validate_user
from .objects import ENTRY_NO_CONTENT, MEDIA_CLIP, Obj, find_entry, save_entry

ENTRY_ERROR_CONVERTING, ENTRY_IMPORT, ENTRY_PRECONVERT, ENTRY_READY = "-1", "0", "1", "2"
DEFAULT_CONVERSION_SECONDS = 3
#: First thumbnail version of an entry (each new default thumbnail adds one).
FIRST_THUMB_VERSION = 100000

ENTRY_ALREADY_WITH_CONTENT = ErrorDef.parse(
    "ENTRY_ALREADY_WITH_CONTENT;;Entry already associated with content"
)


def conversion_seconds(db: Store) -> int:
    """How long a conversion takes on this sandbox (sandbox seconds)."""
    value = db.get_meta("conversion_seconds")
    return int(value) if value is not None and value.isdigit() else DEFAULT_CONVERSION_SECONDS


def thumbnail_path(pid: int, entry_id: str, version: int) -> str:
    """``/p/{pid}/sp/{pid}00/thumbnail/entry_id/{id}/version/{v}`` (made absolute on output)."""
    return f"/p/{pid}/sp/{pid}00/thumbnail/entry_id/{entry_id}/version/{version}"


def bump_thumbnail(data: Obj) -> None:
    """A new default thumbnail: the entry's thumbnail version moves on, and its URL."""
    version = int(data.get("thumbnailVersion") or FIRST_THUMB_VERSION) + 1
    data["thumbnailVersion"] = version
    data["thumbnailUrl"] = thumbnail_path(int(data["partnerId"]), data["id"], version)


@action(
    "media", "addContent",
    Param("entryId", "string"),
    Param("resource", "KalturaResource", optional=True),
    access=Access.USER,
)
def add_content(ctx: Context, entryId: str, resource: Obj | None) -> Obj:
    """Attach the uploaded file to an entry that has none."""
    data = get_entry(ctx, entryId, (MEDIA_CLIP,))
    validate_user(ctx, data)
    if str(data.get("status")) != ENTRY_NO_CONTENT:
        raise ApiError(ENTRY_ALREADY_WITH_CONTENT)
    if resource is None:
        return render(ctx, data)
    if resource.get("objectType") != "KalturaUploadedFileTokenResource":
        raise ApiError(errors.SANDBOX_NOT_IMPLEMENTED, f"{resource.get('objectType')} resources")
    token_id = resource.get("token")
    if not isinstance(token_id, str) or not token_id:
        raise ApiError(
            errors.PROPERTY_VALIDATION_CANNOT_BE_NULL, "KalturaUploadedFileTokenResource::token"
        )
    token = ctx.db.first(
        "SELECT data FROM upload_tokens WHERE partner_id=? AND id=?", (ctx.partner_id, token_id)
    )
    if token is None:
        raise ApiError(upload_tokens.UPLOAD_TOKEN_NOT_FOUND)
    if token["status"] == upload_tokens.FULL_UPLOAD:
        source = token_file(ctx.db, token_id)
        if not source.exists():
            raise ApiError(UPLOADED_FILE_NOT_FOUND_BY_TOKEN)
        _start_conversion(ctx, data, token)
    else:  # not ready: the entry waits for the token's last chunk
        data.update(status=ENTRY_IMPORT, updatedAt=ctx.now)
        save_entry(ctx.db, data)
        token.update(attachedObjectType="entry", attachedObjectId=data["id"])
        upload_tokens.save_token(ctx, token)
    return render(ctx, data)


UPLOADED_FILE_NOT_FOUND_BY_TOKEN = ErrorDef.parse(
    "UPLOADED_FILE_NOT_FOUND_BY_TOKEN;;The uploaded file was not found by the given token "
    "id, or was already used"
)


def _start_conversion(ctx: Context, data: Obj, token: Obj) -> None:
    """Move the token's file to the entry, close the token, and queue the conversion."""
    target = entry_file(ctx.db, data["id"])
    os.replace(token_file(ctx.db, token["id"]), target)
    found = probe(target)
    data.update(
        status=ENTRY_PRECONVERT,
        updatedAt=ctx.now,
        sourceType="1",
        _conversion={
            "due": ctx.now + conversion_seconds(ctx.db),
            "ok": found.is_media,
            "durationMs": found.duration_ms,
            "mediaType": found.media_type,
        },
    )
    if found.is_media:
        data["mediaType"] = found.media_type
    save_entry(ctx.db, data)
    token["status"] = upload_tokens.CLOSED
    upload_tokens.save_token(ctx, token)


def _token_finished(ctx: Context, token: Obj) -> None:
    """A token an entry waits on got its final chunk (``kFlowHelper::handleUploadFinished``)."""
    data = find_entry(ctx.db, ctx.partner_id, str(token.get("attachedObjectId")))
    if data is not None and str(data.get("status")) == ENTRY_IMPORT:
        _start_conversion(ctx, data, token)


upload_tokens.ON_FULL_UPLOAD.append(_token_finished)


def _duration_type(seconds: int) -> str:
    """``entry::getDurationType``: short under 4 minutes, long over 20."""
    if seconds <= 0:
        return "notavailable"
    if seconds < 240:
        return "short"
    return "medium" if seconds <= 1200 else "long"


def settle_conversions(db: Store, now: int) -> None:
    """Finish every conversion whose time has come (before each call and each media GET)."""
    rows = db.objects(
        "SELECT data FROM entries WHERE status=? AND "
        "CAST(json_extract(data, '$._conversion.due') AS INTEGER) <= ?",
        (ENTRY_PRECONVERT, now),
    )
    for data in rows:
        done: dict[str, Any] = data.pop("_conversion")
        data["updatedAt"] = now
        if not done.get("ok"):
            data["status"] = ENTRY_ERROR_CONVERTING
            save_entry(db, data)
            continue
        millis = int(done.get("durationMs") or 0)
        seconds = (millis + 500) // 1000  # PHP round(): halves go up
        data.update(
            status=ENTRY_READY, msDuration=millis, duration=seconds,
            durationType=_duration_type(seconds), flavorParamsIds="0",
        )
        if not data.get("_defaultThumb"):
            bump_thumbnail(data)  # the thumbnail the conversion made from the video
        save_entry(db, data)


api.BEFORE_CALL.append(settle_conversions)
