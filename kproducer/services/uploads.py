"""Add a recording: upload a video file in chunks, resumably, and make it a VOD session.

``uploadToken.add`` → chunked ``uploadToken.upload`` → ``media.add`` + ``media.addContent``
(an uploaded-file-token resource) with the moderators group, in ONE multirequest.

- Chunks are :data:`CHUNK_BYTES` (10 MB, the last one smaller). The server sets no minimum
  (``kUploadTokenMgr`` accepts any size); Kaltura's own uploaders send chunks of several
  MB, and 10 MB keeps the requests few while one chunk in memory stays small.
- The first chunk creates the token's file (``resume=false``); the others are sent a few
  at a time (:data:`IN_FLIGHT`) with ``resume=true`` and ``resumeAt`` = their offset: the
  server places each at its offset, in any order, and re-sending one is harmless. The
  final chunk goes last, alone (the server checks the file's size then).
- A chunk that fails in transit is sent again (:data:`RETRY_PAUSES`); never a new token,
  never a second entry.
- Resume: the token ID, the file's identity and the confirmed bytes are kept locally
  (:mod:`kproducer.local.upload_state`, no secret); a new run for the same unchanged file
  asks the server (``uploadToken.get`` ``uploadedFileSize``) and continues from there.
- The file is read one chunk at a time: memory does not grow with the file.

Server: ``api_v3/services/UploadTokenService.php``, ``alpha/apps/kaltura/lib/
kUploadTokenMgr.php``, ``api_v3/services/MediaService.php`` (addContent).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import os
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from KalturaClient.Plugins.Core import (
    KalturaUploadToken,
)

from ..kaltura.errors import (
    InvalidInput,
    KalturaError,
    NotFound,
    ServiceUnavailable,
)
from ..kaltura.producer_client import ProducerClient
from ..local import upload_state
from ..local.upload_state import UploadRecord
from . import entries, upload_session
from .account import Account
from .models import Entry

CHUNK_BYTES = 10 * 1024 * 1024
IN_FLIGHT = 3
#: Pauses before each new try of a chunk that failed in transit (then it fails for good).
RETRY_PAUSES = (0.5, 1.0, 2.0, 4.0)
#: Seconds between writes of the confirmed bytes to the local state.
SAVE_EVERY_S = 1.0
#: ``KalturaUploadTokenStatus``.
PENDING, PARTIAL_UPLOAD, FULL_UPLOAD, CLOSED = 0, 1, 2, 3

ProgressCallback = Callable[["Progress"], None]
CancelCheck = Callable[[], bool]


@dataclass(frozen=True)
class Progress:
    """How far an upload is.

    Attributes:
        done: Bytes the server has confirmed (resumed bytes included).
        total: The file's size.
        resumed_from: Bytes the server already had when this run began.
        chunks_sent: Chunk requests this run made (re-sends included).
    """

    done: int
    total: int
    resumed_from: int = 0
    chunks_sent: int = 0


class UploadCancelled(Exception):
    """The upload was cancelled; it can be resumed by uploading the same file again."""

    def __init__(self, path: Path, done: int, total: int) -> None:
        self.path, self.done, self.total = path, done, total
        super().__init__(
            f"The upload of {path.name} was stopped at {_mb(done)} of {_mb(total)}; "
            "upload the same file again to continue where it stopped."
        )


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def account_key(account: Account) -> str:
    """How upload records name an account."""
    if account.local_key:
        return account.local_key
    settings = account.conn.settings
    return f"{settings.service_url.rstrip('/')}#{settings.partner_id}"


def check_file(path: str | os.PathLike[str]) -> tuple[Path, int, int]:
    """The file's absolute path, size and modification time; refused before any call.

    The sentences name the file by its name (the folder is what the producer typed).

    Raises:
        InvalidInput: Missing, not a file, unreadable or empty.
    """
    file = Path(path).expanduser()
    try:
        file = file.resolve(strict=True)
        info = file.stat()
    except (FileNotFoundError, NotADirectoryError):
        raise InvalidInput(f"There is no file named {file.name} there.", "BAD_FILE") from None
    except OSError as exc:
        raise InvalidInput(_unreadable(file, exc), "BAD_FILE") from None
    if not file.is_file():
        raise InvalidInput(f"{file.name} is a folder, not a video file.", "BAD_FILE")
    try:
        with file.open("rb") as handle:
            handle.read(1)
    except OSError as exc:
        raise InvalidInput(_unreadable(file, exc), "BAD_FILE") from None
    if info.st_size == 0:
        raise InvalidInput(f"{file.name} is empty.", "BAD_FILE")
    return file, info.st_size, info.st_mtime_ns


def _unreadable(file: Path, exc: OSError) -> str:
    return f"{file.name} cannot be read ({(exc.strerror or str(exc)).lower()})."


class _Slice:
    """``length`` bytes of a file from ``offset``, read when the request is built.

    ``requests`` reads a file part with one ``read()``: only this chunk is in memory.
    """

    def __init__(self, path: Path, offset: int, length: int, size: int, mtime_ns: int) -> None:
        self.name = path.name  # the part's file name (the server wants one)
        self._path, self._offset, self._length = path, offset, length
        self._size, self._mtime_ns = size, mtime_ns

    def read(self, size: int = -1) -> bytes:
        """The chunk's bytes; refuses a file that changed or went away since the start."""
        try:
            with self._path.open("rb") as handle:
                info = os.fstat(handle.fileno())
                if info.st_size != self._size or info.st_mtime_ns != self._mtime_ns:
                    raise file_changed(self._path)
                handle.seek(self._offset)
                return handle.read(self._length)
        except FileNotFoundError:
            raise file_changed(self._path) from None


def file_changed(path: Path) -> InvalidInput:
    """The sentence for a file deleted or changed during its upload."""
    return InvalidInput(
        f"{path.name} was deleted or changed during its upload; what was sent is kept on "
        "Kaltura, and uploading the unchanged file again continues it.", "FILE_CHANGED")


def _transient(exc: KalturaError) -> bool:
    return isinstance(exc, ServiceUnavailable)


@dataclass
class _Run:
    account: Account
    record: UploadRecord
    path: Path
    progress: ProgressCallback | None
    cancel: CancelCheck | None
    chunk_bytes: int
    in_flight: int
    resumed_from: int = 0
    chunks_sent: int = 0
    sent_bytes: int = 0
    saved_at: float = 0.0

    def sent(self, offset: int) -> None:
        """A chunk is confirmed: report the bytes done."""
        self.sent_bytes += min(self.chunk_bytes, self.record.size - offset)
        self.report(min(self.record.size, self.resumed_from + self.sent_bytes))

    def send_at(self, offset: int) -> tuple[int, Any]:
        """A non-final chunk at its offset (``resumeAt``); returns (offset, token)."""
        return offset, self.send(offset, resume=True, final=False)

    def report(self, done: int) -> None:
        if self.progress is not None:
            self.progress(Progress(done, self.record.size, self.resumed_from, self.chunks_sent))

    def cancelled(self) -> bool:
        return self.cancel is not None and self.cancel()

    def send(self, offset: int, resume: bool, final: bool) -> Any:
        """One chunk, tried again while it fails in transit; returns the token."""
        record = self.record
        length = min(self.chunk_bytes, record.size - offset)
        for pause in (0.0, *RETRY_PAUSES):
            if pause:
                time.sleep(pause)
            part = _Slice(self.path, offset, length, record.size, record.mtime_ns)
            self.chunks_sent += 1
            try:
                return self.account.conn.call(functools.partial(
                    _upload_chunk, record.token_id, part, resume, final,
                    offset if resume else -1))
            except KalturaError as exc:
                if final and exc.code == "UPLOAD_TOKEN_INVALID_STATUS_FOR_UPLOAD":
                    token = self.account.conn.call(lambda c: c.uploadToken.get(record.token_id))
                    if _status(token) == FULL_UPLOAD:  # an earlier try did land
                        return token
                if not _transient(exc) or pause == RETRY_PAUSES[-1]:
                    raise
        raise AssertionError("unreachable")

    def confirm(self, token: Any) -> int:
        """Note the server's confirmed bytes; written down at most every second.

        The record is a hint (a resume asks the server for ``uploadedFileSize``), so it
        need not cost an fsync per chunk.
        """
        confirmed = int(token.uploadedFileSize or 0)
        if confirmed > self.record.confirmed:
            self.record.confirmed = confirmed
            now = time.monotonic()
            if now - self.saved_at >= SAVE_EVERY_S or confirmed >= self.record.size:
                upload_state.save(self.record)
                self.saved_at = now
        return self.record.confirmed


def _upload_chunk(token_id: str, part: _Slice, resume: bool, final: bool, at: int,
                  c: ProducerClient) -> Any:
    return c.uploadToken.upload(token_id, part, resume, final, at)


def _delete_token(token_id: str, c: ProducerClient) -> None:
    c.uploadToken.delete(token_id)


def _status(token: Any) -> int:
    return int(getattr(token.status, "value", token.status))


def upload(
    account: Account,
    path: str | os.PathLike[str],
    name: str | None = None,
    event_id: int | None = None,
    progress: ProgressCallback | None = None,
    cancel_check: CancelCheck | None = None,
    *,
    chunk_bytes: int = CHUNK_BYTES,
    in_flight: int = IN_FLIGHT,
) -> Entry:
    """Upload a video file and make it a VOD session (of ``event_id`` when given).

    Resumes an earlier upload of the same unchanged file to the same account.

    Args:
        name: The session's name (default: the file's name without its extension).
        progress: Called after each confirmed chunk (from this thread).
        cancel_check: Polled between chunks; True stops the upload (resumable).

    Returns:
        The new session (status converting: follow it with
        :func:`kproducer.services.recordings.follow_until_ready`).

    Raises:
        InvalidInput: The file is missing, unreadable, empty, or changed during the upload;
            or the name is bad.
        UploadCancelled: ``cancel_check`` said stop.
        KalturaError: Kaltura refused a call, or a chunk kept failing in transit (the upload
            is then resumable).
        OSError: The local state could not be written (e.g. the disk is full).
    """
    file, size, mtime_ns = check_file(path)
    session_name = entries.check_name(name if name is not None else file.stem)
    key = account_key(account)
    record = upload_state.find(key, file, size, mtime_ns)
    token = _token_of(account, record) if record is not None else None
    status = _status(token) if token is not None else None
    if record is not None and status == CLOSED:  # an earlier run attached it already
        return upload_session.finished_earlier(account, record, file)
    if status not in (PENDING, PARTIAL_UPLOAD, FULL_UPLOAD):
        record = None  # deleted, timed out or unknown: start over
    if record is None:
        added = account.conn.call(lambda c: c.uploadToken.add(
            KalturaUploadToken(fileName=file.name, fileSize=float(size))))
        record = UploadRecord(key, str(file), size, mtime_ns, str(added.id),
                              name=session_name, event_id=event_id)
        upload_state.save(record)
        token = added
    run = _Run(account, record, file, progress, cancel_check, max(1, chunk_bytes),
               max(1, in_flight))
    assert token is not None
    if _status(token) != FULL_UPLOAD:
        _send_chunks(run, int(token.uploadedFileSize or 0))
    entry = upload_session.make_session(account, record, session_name, event_id)
    upload_state.remove(key, file)
    return entry


def _token_of(account: Account, record: UploadRecord) -> Any | None:
    """The record's token as the server has it, or None when it is gone."""
    try:
        return account.conn.call(lambda c: c.uploadToken.get(record.token_id))
    except NotFound:
        return None


def _send_chunks(run: _Run, confirmed: int) -> None:
    """Every chunk from the confirmed bytes on; the final one last and alone."""
    record, step = run.record, run.chunk_bytes
    start = confirmed - confirmed % step
    run.resumed_from = start
    run.report(start)
    offsets = list(range(start, record.size, step))
    final = offsets.pop()
    if offsets and offsets[0] == 0:  # the first chunk makes the token's file
        run.confirm(run.send(0, resume=False, final=False))
        run.sent(offsets.pop(0))
    try:
        if offsets:
            _parallel(run, offsets)
        if run.cancelled():
            raise UploadCancelled(run.path, record.confirmed, record.size)
        run.confirm(run.send(final, resume=final > 0, final=True))
        run.sent(final)
    except BaseException:
        with contextlib.suppress(OSError):  # stopped: note how far it got (a hint only)
            upload_state.save(record)
        raise


def _parallel(run: _Run, offsets: list[int]) -> None:
    """Non-final chunks, :attr:`_Run.in_flight` at a time, each with its ``resumeAt``."""
    pending: set[Future[Any]] = set()
    with ThreadPoolExecutor(run.in_flight, thread_name_prefix="kproducer-upload") as pool:
        queue = list(offsets)
        try:
            while queue or pending:
                while queue and len(pending) < run.in_flight and not run.cancelled():
                    # The chunk's call belongs to the upload's operation (Activity dock):
                    # a pool thread does not inherit the context by itself.
                    pending.add(pool.submit(contextvars.copy_context().run, run.send_at,
                                            queue.pop(0)))
                if not pending:
                    break
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    offset, token = future.result()
                    run.confirm(token)
                    run.sent(offset)
        except BaseException:
            for future in pending:
                future.cancel()
            wait(pending)
            raise
    if queue:
        raise UploadCancelled(run.path, run.record.confirmed, run.record.size)


def discard(account: Account, path: str | os.PathLike[str]) -> bool:
    """Give up an unfinished upload of ``path``: delete its token and forget it.

    Returns:
        Whether there was one.
    """
    file = Path(path).expanduser().resolve()
    key = account_key(account)
    records = [r for r in upload_state.all_records() if r.key() == (key, str(file))]
    for record in records:
        if not record.entry_id:
            with contextlib.suppress(NotFound):
                account.conn.call(functools.partial(_delete_token, record.token_id))
        upload_state.remove(key, file)
    return bool(records)


def pending_uploads(account: Account) -> list[UploadRecord]:
    """Unfinished uploads of this account on this machine (to offer resuming them)."""
    key = account_key(account)
    return [r for r in upload_state.all_records() if r.account == key]
