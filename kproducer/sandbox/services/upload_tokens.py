"""``uploadToken`` add, get, upload, list, delete (``api_v3/services/UploadTokenService.php``).

The chunk logic is ``alpha/apps/kaltura/lib/kUploadTokenMgr.php``'s:

- ``upload`` is refused unless the token is PENDING or PARTIAL_UPLOAD
  (``UPLOAD_TOKEN_INVALID_STATUS_FOR_UPLOAD``: used, closed or deleted tokens).
- ``resume=false``: the part becomes the token's file (any earlier bytes are replaced).
- ``resume=true`` needs the token's file (``UPLOAD_TOKEN_CANNOT_RESUME`` without it);
  ``resumeAt=-1`` appends; otherwise a chunk that starts within or at the end of the
  assembled file is written at ``resumeAt`` (overlapping bytes are overwritten, which is
  what makes a re-sent chunk harmless), and one that starts past the end is kept aside
  as ``{file}.chunk.{resumeAt}`` and appended once the bytes before it arrive.
- ``uploadedFileSize`` is the size of the assembled (contiguous) file.
- A final chunk at ``resumeAt > 0`` must bring the file to exactly ``resumeAt`` + its
  size once every waiting chunk is appended; otherwise the server throws
  ``UPLOAD_TOKEN_CANNOT_MATCH_EXPECTED_SIZE``, a ``kUploadTokenException`` the service
  does not map, which the front controller answers as ``INTERNAL_SERVERL_ERROR``. (The
  server first waits up to 45 s for chunks still in flight; the sandbox runs one call at
  a time, so every earlier chunk has already landed.)
- An empty non-final chunk at ``resumeAt > 0`` is dismissed: the token comes back as it was.

The server sets no minimum chunk size: Kaltura's uploaders choose theirs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import errors, ids
from ..api import Access, Context, action
from ..errors import ApiError, ErrorDef
from ..form import UploadedFile
from ..media_files import chunk_file, size_of, token_file, write_at
from ..params import Param, set_fields
from .listing import list_response
from .objects import Obj, project, strip_nulls

PENDING, PARTIAL_UPLOAD, FULL_UPLOAD, CLOSED, TIMED_OUT, DELETED, ERROR = range(7)
_UPLOADABLE = (PENDING, PARTIAL_UPLOAD)

UPLOAD_TOKEN_NOT_FOUND = ErrorDef.parse("UPLOAD_TOKEN_NOT_FOUND;;Upload token not found")
UPLOAD_TOKEN_INVALID_STATUS_FOR_UPLOAD = ErrorDef.parse(
    "UPLOAD_TOKEN_INVALID_STATUS_FOR_UPLOAD;;Upload token is in an invalid status for "
    "uploading a file, maybe the file was already uploaded"
)
UPLOAD_TOKEN_CANNOT_RESUME = ErrorDef.parse(
    "UPLOAD_TOKEN_CANNOT_RESUME;;Cannot resume the upload, original file was not found"
)
UPLOAD_TOKEN_MISSING_FILE_SIZE = ErrorDef.parse(
    "UPLOAD_TOKEN_MISSING_FILE_SIZE;;FileSize is mandatory when enabling autoFinalize"
)
UPLOAD_ERROR = ErrorDef.parse("UPLOAD_ERROR;;Upload failed")

#: Called with (ctx, token) when a token reaches FULL_UPLOAD while an entry waits on it
#: (``kFlowHelper::handleUploadFinished``); set by :mod:`.media_content`.
ON_FULL_UPLOAD: list[Any] = []

_COLUMNS = {
    "id": "id",
    "status": "status",
    "userId": "json_extract(data, '$.userId')",
    "fileName": "json_extract(data, '$.fileName')",
    "fileSize": "json_extract(data, '$.fileSize')",
    "createdAt": "json_extract(data, '$.createdAt')",
}


def render(data: Obj) -> Obj:
    """A stored token as ``KalturaUploadToken``."""
    return project(data, "KalturaUploadToken")


def find_token(ctx: Context, token_id: str) -> Obj | None:
    """``UploadTokenPeer::retrieveByPK``, limited to the user's own tokens for a USER KS."""
    sql = "SELECT data FROM upload_tokens WHERE partner_id=? AND id=?"
    params: list[Any] = [ctx.partner_id, token_id]
    if not ctx.is_admin:
        sql += " AND lower(json_extract(data, '$.userId'))=?"
        params.append(ctx.user_id.lower())
    return ctx.db.first(sql, params)


def get_token(ctx: Context, token_id: str) -> Obj:
    """A token of the caller, else ``UPLOAD_TOKEN_NOT_FOUND``."""
    data = find_token(ctx, token_id)
    if data is None:
        raise ApiError(UPLOAD_TOKEN_NOT_FOUND)
    return data


def save_token(ctx: Context, data: Obj) -> None:
    """Write a token back, its ``updatedAt`` moved to now."""
    data["updatedAt"] = ctx.now
    ctx.db.update("upload_tokens", "id", data["id"], data, status=data["status"])


def token_path(ctx: Context, data: Obj) -> Path:
    """The token's assembled file."""
    return token_file(ctx.db, data["id"])


@action("uploadtoken", "add", Param("uploadToken", "KalturaUploadToken", optional=True),
        access=Access.USER)
def add(ctx: Context, uploadToken: Obj | None) -> Obj:
    """A PENDING token (``kUploadTokenMgr::saveAsNewUploadToken``)."""
    request = dict(uploadToken or {"objectType": "KalturaUploadToken"})
    if request.get("autoFinalize") == 1:
        if request.get("fileSize") is None:
            raise ApiError(UPLOAD_TOKEN_MISSING_FILE_SIZE)
        raise ApiError(errors.SANDBOX_NOT_IMPLEMENTED, "autoFinalize upload tokens")
    data = strip_nulls(set_fields({}, request, "KalturaUploadToken", for_update=False))
    data.update(
        objectType="KalturaUploadToken",
        id=f"0_{ids.token_value()[:32]}",
        partnerId=ctx.partner_id,
        userId=ctx.user_id,
        status=PENDING,
        uploadedFileSize=None,
        createdAt=ctx.now,
        updatedAt=ctx.now,
    )
    ctx.db.insert("upload_tokens", data, partner_id=ctx.partner_id, id=data["id"],
                  status=PENDING)
    return render(data)


@action("uploadtoken", "get", Param("uploadTokenId", "string"), access=Access.USER)
def get(ctx: Context, uploadTokenId: str) -> Obj:
    """One token (a deleted one too: the peer has no status criteria)."""
    return render(get_token(ctx, uploadTokenId))


@action(
    "uploadtoken", "upload",
    Param("uploadTokenId", "string"),
    Param("resume", "bool", optional=True, default=False),
    Param("finalChunk", "bool", optional=True, default=True),
    Param("resumeAt", "float", optional=True, default=-1.0),
    access=Access.USER,
)
def upload(ctx: Context, uploadTokenId: str, resume: bool, finalChunk: bool,
           resumeAt: float) -> Obj:
    """Add one part of the file (``kUploadTokenMgr::uploadFileToToken``)."""
    part = ctx.files.get("fileData")
    data = get_token(ctx, uploadTokenId)
    if part is None:  # a ``file`` parameter is read from $_FILES only
        raise ApiError(errors.MISSING_MANDATORY_PARAMETER, "fileData")
    if data["status"] not in _UPLOADABLE:
        raise ApiError(UPLOAD_TOKEN_INVALID_STATUS_FOR_UPLOAD)
    if not data.get("fileName"):
        data["fileName"] = part.filename or None
    if not part.filename:
        raise ApiError(UPLOAD_ERROR)
    at = int(resumeAt)
    if part.size == 0 and not finalChunk and at > 0:
        save_token(ctx, data)
        return render(data)
    target = token_path(ctx, data)
    if resume:
        size = _resume(ctx, data, target, part, at, finalChunk)
    else:
        target.unlink(missing_ok=True)
        size = write_at(target, 0, part.file)
    data["uploadedFileSize"] = size
    data["status"] = FULL_UPLOAD if finalChunk else PARTIAL_UPLOAD
    save_token(ctx, data)
    if finalChunk and data.get("attachedObjectType") == "entry":
        for hook in ON_FULL_UPLOAD:
            hook(ctx, data)
    return render(data)


def _resume(ctx: Context, data: Obj, target: Path, part: UploadedFile, at: int,
            final: bool) -> int:
    """``handleResume``: write or keep aside one chunk; returns the assembled size."""
    if not target.exists():
        raise ApiError(UPLOAD_TOKEN_CANNOT_RESUME)
    if at == -1:
        return write_at(target, size_of(target), part.file)
    current = _append_waiting(ctx, data["id"], target)
    if at <= current < at + part.size:
        current = write_at(target, at, part.file)
        current = _append_waiting(ctx, data["id"], target)
    else:
        aside = chunk_file(ctx.db, data["id"], at)
        aside.unlink(missing_ok=True)
        write_at(aside, 0, part.file)
    if final and at > 0 and current != at + part.size:
        raise ApiError(errors.INTERNAL_SERVERL_ERROR)  # UPLOAD_TOKEN_CANNOT_MATCH_EXPECTED_SIZE
    return current


def _append_waiting(ctx: Context, token_id: str, target: Path) -> int:
    """Append chunks kept aside that now start within or at the end of the file."""
    current = size_of(target)
    folder = chunk_file(ctx.db, token_id, 0).parent
    prefix = f"{token_id}.upload.chunk."
    while True:
        waiting = sorted(
            (int(p.name[len(prefix):]), p) for p in folder.glob(f"{prefix}*")
            if p.name[len(prefix):].isdigit()
        )
        usable = [(o, p) for o, p in waiting if o <= current < o + size_of(p)]
        for offset, path in waiting:  # chunks wholly inside the file add nothing
            if offset + size_of(path) <= current:
                path.unlink(missing_ok=True)
        if not usable:
            return current
        offset, path = usable[0]
        with path.open("rb") as chunk:
            current = write_at(target, offset, chunk)
        path.unlink(missing_ok=True)


@action("uploadtoken", "delete", Param("uploadTokenId", "string"), access=Access.USER)
def delete(ctx: Context, uploadTokenId: str) -> None:
    """Status DELETED; the sandbox also drops the token's bytes."""
    data = get_token(ctx, uploadTokenId)
    data["status"] = DELETED
    save_token(ctx, data)
    discard_files(ctx, data["id"])


def discard_files(ctx: Context, token_id: str) -> None:
    """Remove a token's assembled file and any chunk kept aside."""
    target = token_file(ctx.db, token_id)
    target.unlink(missing_ok=True)
    for aside in target.parent.glob(f"{token_id}.upload.chunk.*"):
        aside.unlink(missing_ok=True)


@action(
    "uploadtoken", "list",
    Param("filter", "KalturaUploadTokenFilter", optional=True),
    Param("pager", "KalturaFilterPager", optional=True),
    access=Access.USER,
)
def list_tokens(ctx: Context, filter: Obj | None, pager: Obj | None) -> Obj:
    """The partner's tokens (a USER session's own only)."""
    conditions = ["partner_id = ?"]
    params: list[Any] = [ctx.partner_id]
    if not ctx.is_admin:
        conditions.append("lower(json_extract(data, '$.userId')) = ?")
        params.append(ctx.user_id.lower())
    return list_response(
        ctx.db, "upload_tokens", "KalturaUploadTokenListResponse", (conditions, params),
        filter, pager, render, columns=_COLUMNS, default_order="rowid ASC",
    )
