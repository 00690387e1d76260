"""``thumbAsset`` add, addFromImage, setContent, setAsDefault, get, list, delete.

As ``api_v3/services/ThumbAssetService.php``: ``add`` makes a QUEUED asset with no image;
``setContent`` (an uploaded-file-token resource) or ``addFromImage`` (a file part) give it
its image and make it READY; the first image of an entry with no content, or an asset
tagged ``default_thumb``, becomes the default; ``setAsDefault`` moves the
``default_thumb`` tag to one asset and the entry's thumbnail version on (its
``thumbnailUrl`` then serves that image); the default asset cannot be deleted
(``THUMB_ASSET_IS_DEFAULT``).
"""

from __future__ import annotations

import os
import struct
from pathlib import Path
from typing import Any

from .. import errors, ids
from ..api import Access, Context, action
from ..errors import ApiError, ErrorDef
from ..media_files import thumb_file, token_file, write_at
from ..params import Param, set_fields
from . import upload_tokens
from .entry_model import get_entry, validate_user
from .listing import list_response
from .media_content import bump_thumbnail
from .objects import ENTRY_NO_CONTENT, Obj, project, save_entry, strip_nulls

QUEUED, READY, DELETED = 0, 2, 3
DEFAULT_TAG = "default_thumb"
#: ``ThumbAssetService::isThumbValidFileType``.
_IMAGE_EXTENSIONS = ("jpg", "jpeg", "bmp", "png", "gif", "tif", "tiff")

THUMB_ASSET_ID_NOT_FOUND = ErrorDef.parse(
    'THUMB_ASSET_ID_NOT_FOUND;ID;The Thumbnail asset id "@ID@" not found'
)
THUMB_ASSET_IS_DEFAULT = ErrorDef.parse(
    'THUMB_ASSET_IS_DEFAULT;ASSET;Thumbnail asset "@ASSET@" is default and could not be deleted'
)
FILE_CONTENT_NOT_SECURE = ErrorDef.parse(
    "FILE_CONTENT_NOT_SECURE;;File content is not secure"
)

_COLUMNS = {
    "id": "id",
    "entryId": "entry_id",
    "status": "status",
    "partnerId": "partner_id",
}


def render(data: Obj) -> Obj:
    """A stored asset as ``KalturaThumbAsset``."""
    return project(data, "KalturaThumbAsset")


def _tags(data: Obj) -> list[str]:
    return [t.strip() for t in str(data.get("tags") or "").split(",") if t.strip()]


def _get_asset(ctx: Context, asset_id: str) -> Obj:
    data = ctx.db.first(
        "SELECT data FROM thumb_assets WHERE partner_id=? AND id=? AND status!=?",
        (ctx.partner_id, asset_id, DELETED),
    )
    if data is None:
        raise ApiError(THUMB_ASSET_ID_NOT_FOUND, asset_id)
    return data


def _save(ctx: Context, data: Obj) -> None:
    data["updatedAt"] = ctx.now
    ctx.db.update("thumb_assets", "id", data["id"], data, status=data["status"])


def _new_asset(ctx: Context, entry: Obj, request: Obj) -> Obj:
    data = strip_nulls(set_fields({}, request, "KalturaThumbAsset", for_update=False))
    data.update(
        objectType="KalturaThumbAsset", id=ids.object_id(), entryId=entry["id"],
        partnerId=ctx.partner_id, status=QUEUED, version=0, createdAt=ctx.now,
        updatedAt=ctx.now,
    )
    ctx.db.insert("thumb_assets", data, partner_id=ctx.partner_id, id=data["id"],
                  entry_id=entry["id"], status=QUEUED)
    return data


def _attach_image(ctx: Context, asset: Obj, entry: Obj, name: str) -> None:
    """The asset's image is in place: READY, and the default when the server would make it."""
    target = thumb_file(ctx.db, asset["id"])
    size = image_size(target)
    asset.update(
        status=READY, version=int(asset.get("version") or 0) + 1, size=target.stat().st_size,
        fileExt=name.rsplit(".", 1)[-1].lower() if "." in name else None,
        width=size[0] if size else None, height=size[1] if size else None,
    )
    _save(ctx, asset)
    count = ctx.db.scalar(
        "SELECT count(*) FROM thumb_assets WHERE partner_id=? AND entry_id=? AND status=?",
        (ctx.partner_id, entry["id"], READY),
    )
    no_content = str(entry.get("status")) == ENTRY_NO_CONTENT
    if DEFAULT_TAG in _tags(asset) or (no_content and count == 1):
        _make_default(ctx, asset, entry)


def _make_default(ctx: Context, asset: Obj, entry: Obj) -> None:
    """``kBusinessConvertDL::setAsDefaultThumbAsset``."""
    others = ctx.db.objects(
        "SELECT data FROM thumb_assets WHERE partner_id=? AND entry_id=? AND id!=? AND status!=?",
        (ctx.partner_id, entry["id"], asset["id"], DELETED),
    )
    for other in others:
        if DEFAULT_TAG in _tags(other):
            other["tags"] = ",".join(t for t in _tags(other) if t != DEFAULT_TAG)
            _save(ctx, other)
    if DEFAULT_TAG not in _tags(asset):
        asset["tags"] = ",".join([*_tags(asset), DEFAULT_TAG])
        _save(ctx, asset)
    entry["_defaultThumb"] = asset["id"]
    bump_thumbnail(entry)
    entry["updatedAt"] = ctx.now
    save_entry(ctx.db, entry)


def _entry_of(ctx: Context, asset: Obj) -> Obj:
    return get_entry(ctx, str(asset["entryId"]))


@action("thumbasset", "add", Param("entryId", "string"), Param("thumbAsset", "KalturaThumbAsset"),
        access=Access.USER)
def add(ctx: Context, entryId: str, thumbAsset: Obj) -> Obj:
    """A QUEUED asset with no image yet."""
    entry = get_entry(ctx, entryId)
    validate_user(ctx, entry)
    return render(_new_asset(ctx, entry, thumbAsset))


@action("thumbasset", "addFromImage", Param("entryId", "string"), access=Access.USER)
def add_from_image(ctx: Context, entryId: str) -> Obj:
    """An asset from an image file part (``fileData``)."""
    entry = get_entry(ctx, entryId)
    part = ctx.files.get("fileData")
    if part is None:
        raise ApiError(errors.MISSING_MANDATORY_PARAMETER, "fileData")
    if part.filename.rsplit(".", 1)[-1].lower() not in _IMAGE_EXTENSIONS:
        raise ApiError(FILE_CONTENT_NOT_SECURE)
    asset = _new_asset(ctx, entry, {"objectType": "KalturaThumbAsset"})
    target = thumb_file(ctx.db, asset["id"])
    write_at(target, 0, part.file)
    _attach_image(ctx, asset, entry, part.filename)
    return render(asset)


@action(
    "thumbasset", "setContent",
    Param("id", "string"), Param("contentResource", "KalturaContentResource"),
    access=Access.USER,
)
def set_content(ctx: Context, id: str, contentResource: Obj) -> Obj:
    """Give an asset its image from an uploaded-file token."""
    asset = _get_asset(ctx, id)
    entry = _entry_of(ctx, asset)
    validate_user(ctx, entry)
    if contentResource.get("objectType") != "KalturaUploadedFileTokenResource":
        raise ApiError(
            errors.SANDBOX_NOT_IMPLEMENTED, f"{contentResource.get('objectType')} resources"
        )
    token_id = str(contentResource.get("token") or "")
    token = ctx.db.first(
        "SELECT data FROM upload_tokens WHERE partner_id=? AND id=?", (ctx.partner_id, token_id)
    )
    if token is None:
        raise ApiError(upload_tokens.UPLOAD_TOKEN_NOT_FOUND)
    if token["status"] != upload_tokens.FULL_UPLOAD:
        raise ApiError(UPLOAD_TOKEN_INVALID_STATUS_FOR_ADD_ENTRY)
    source = token_file(ctx.db, token_id)
    target = thumb_file(ctx.db, asset["id"])
    os.replace(source, target)
    token["status"] = upload_tokens.CLOSED
    upload_tokens.save_token(ctx, token)
    _attach_image(ctx, asset, entry, str(token.get("fileName") or ""))
    return render(asset)


UPLOAD_TOKEN_INVALID_STATUS_FOR_ADD_ENTRY = ErrorDef.parse(
    "UPLOAD_TOKEN_INVALID_STATUS_FOR_ADD_ENTRY;;Upload token is in an invalid status for "
    "adding entry, maybe the a file was not uploaded or the token was used"
)


@action("thumbasset", "setAsDefault", Param("thumbAssetId", "string"), access=Access.USER)
def set_as_default(ctx: Context, thumbAssetId: str) -> None:
    """Tag the asset ``default_thumb`` (and no other of its entry)."""
    asset = _get_asset(ctx, thumbAssetId)
    entry = _entry_of(ctx, asset)
    validate_user(ctx, entry)
    _make_default(ctx, asset, entry)


@action("thumbasset", "get", Param("thumbAssetId", "string"), access=Access.USER)
def get(ctx: Context, thumbAssetId: str) -> Obj:
    """One asset."""
    return render(_get_asset(ctx, thumbAssetId))


@action("thumbasset", "delete", Param("thumbAssetId", "string"), access=Access.USER)
def delete(ctx: Context, thumbAssetId: str) -> None:
    """Status DELETED, unless it is the entry's default."""
    asset = _get_asset(ctx, thumbAssetId)
    if DEFAULT_TAG in _tags(asset):
        raise ApiError(THUMB_ASSET_IS_DEFAULT, thumbAssetId)
    validate_user(ctx, _entry_of(ctx, asset))
    asset.update(status=DELETED, deletedAt=ctx.now)
    _save(ctx, asset)
    thumb_file(ctx.db, asset["id"]).unlink(missing_ok=True)


@action(
    "thumbasset", "list",
    Param("filter", "KalturaAssetFilter", optional=True),
    Param("pager", "KalturaFilterPager", optional=True),
    access=Access.USER,
)
def list_assets(ctx: Context, filter: Obj | None, pager: Obj | None) -> Obj:
    """Assets that are not deleted, by filter (``entryIdEqual`` usually)."""
    conditions = ["partner_id = ?", "status != ?"]
    params: list[Any] = [ctx.partner_id, DELETED]
    return list_response(
        ctx.db, "thumb_assets", "KalturaThumbAssetListResponse", (conditions, params),
        filter, pager, render, columns=_COLUMNS, default_order="rowid ASC",
    )


def default_image(db: Any, pid: int, entry: Obj) -> Path | None:
    """The image of the entry's default thumbnail asset, if it has one."""
    asset_id = entry.get("_defaultThumb")
    if not asset_id:
        return None
    path = thumb_file(db, str(asset_id))
    return path if path.exists() else None


def image_size(path: Path) -> tuple[int, int] | None:
    """Width and height of a PNG, GIF or JPEG (what ``getimagesize`` reports), else None."""
    with path.open("rb") as handle:
        head = handle.read(32)
        if head.startswith(b"\x89PNG\r\n\x1a\n") and head[12:16] == b"IHDR":
            return struct.unpack(">II", head[16:24])
        if head[:6] in (b"GIF87a", b"GIF89a"):
            return struct.unpack("<HH", head[6:10])
        if not head.startswith(b"\xff\xd8"):
            return None
        handle.seek(2)
        while True:
            marker = handle.read(4)
            if len(marker) < 4 or marker[0] != 0xFF:
                return None
            length = struct.unpack(">H", marker[2:4])[0]
            if marker[1] in (0xC0, 0xC1, 0xC2):
                data = handle.read(5)
                height, width = struct.unpack(">HH", data[1:5])
                return width, height
            handle.seek(length - 2, os.SEEK_CUR)
