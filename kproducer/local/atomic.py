"""Atomic, owner-only file writes.

A reader (or a crash, or a full disk) never sees a half-written file: the content goes to a
temporary file in the same folder, is flushed to disk (``fsync``), and then replaces the
target in one ``os.replace``. The file is created owner-only (0600) from the start, so there
is no moment when others could read it. On failure the temporary file is removed and the
target is left exactly as it was. The temporary file is named
``.{target}.kproducer-{pid}-{random}.tmp``; one a crash left behind is removed before the
next write into its folder (:mod:`kproducer.local.temp_files`).

Used for profiles now and for exported files (links, reports) later::

    write_text(path, json.dumps(data))
    with atomic_writer(out_path, newline="") as handle:   # streaming, e.g. csv.writer
        ...
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from . import temp_files

#: Owner read/write only.
PRIVATE_FILE_MODE = 0o600


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # best effort: the data itself is already on disk
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_writer(
    path: str | os.PathLike[str],
    *,
    binary: bool = False,
    encoding: str = "utf-8",
    newline: str | None = None,
    mode: int = PRIVATE_FILE_MODE,
) -> Iterator[IO[Any]]:
    """Open a temporary file that replaces ``path`` when the ``with`` block succeeds.

    If the block raises, the temporary file is deleted, ``path`` is untouched and the
    exception propagates.

    Args:
        path: The file to (re)place. Its folder must exist.
        binary: Yield a binary handle instead of a text one.
        encoding: Text encoding (text mode only).
        newline: Passed to :func:`open` (text mode only); ``""`` for the csv module.
        mode: Permission bits of the new file (default owner read/write only).

    Yields:
        A writable file object.

    Raises:
        OSError: The folder is missing or not writable, or the disk is full.
    """
    target = Path(path)
    temp_files.sweep_once(target.parent, temp_files.ATOMIC_PATTERN)  # a crash's leftovers
    fd, tmp_name = tempfile.mkstemp(
        dir=target.parent, prefix=temp_files.atomic_prefix(target), suffix=".tmp"
    )
    tmp = Path(tmp_name)
    try:
        # mkstemp already creates 0600; set the requested mode explicitly (umask-proof).
        os.chmod(tmp, mode)
        if binary:
            handle: IO[Any] = os.fdopen(fd, "wb")
        else:
            handle = os.fdopen(fd, "w", encoding=encoding, newline=newline)
        fd = -1  # owned by the handle now
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    _fsync_dir(target.parent)


def write_bytes(
    path: str | os.PathLike[str], data: bytes, *, mode: int = PRIVATE_FILE_MODE
) -> None:
    """Atomically replace ``path`` with ``data``, owner-only.

    Args:
        path: The file to write. Its folder must exist.
        data: The complete new content.
        mode: Permission bits (default 0600).

    Raises:
        OSError: The file cannot be written; ``path`` is then unchanged.
    """
    with atomic_writer(path, binary=True, mode=mode) as handle:
        handle.write(data)


def write_text(
    path: str | os.PathLike[str],
    text: str,
    *,
    encoding: str = "utf-8",
    mode: int = PRIVATE_FILE_MODE,
) -> None:
    """Atomically replace ``path`` with ``text``, owner-only.

    Args:
        path: The file to write. Its folder must exist.
        text: The complete new content.
        encoding: Text encoding.
        mode: Permission bits (default 0600).

    Raises:
        OSError: The file cannot be written; ``path`` is then unchanged.
    """
    with atomic_writer(path, encoding=encoding, mode=mode) as handle:
        handle.write(text)
