"""kproducer's temporary files: a name that says whose they are, and a sweep of stale ones.

Two kinds of temporary file can hold tokens: the ``.tmp`` an atomic write fills beside its
target (an export's links, a person's page) and the page "Open in system browser" hands to
the browser. Both are removed when kproducer finishes normally; a crash or a SIGKILL leaves
them. So their names carry a fixed mark and the writer's process ID, and :func:`sweep`
removes the ones left behind:

- atomic writes: ``.{target}.kproducer-{pid}-{random}.tmp`` beside the target;
- browser pages: ``kproducer-preview-{pid}-{random}.html`` in the system's temporary folder.

A file is swept only when its name has that pattern, it is a regular file (not a symlink)
owned by this user, and either its writer is gone or it is older than :data:`STALE_AFTER_S`
(a process ID can be reused). A file of a live writer, such as a second export running at the
same time, is left alone.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import stat
import tempfile
import threading
import time
from pathlib import Path

log = logging.getLogger(__name__)

#: Age after which a temporary file of ours is stale whatever its writer's process ID says.
STALE_AFTER_S = 24 * 3600

#: ``mkstemp``'s random part: letters, digits and ``_``.
_RANDOM = r"[A-Za-z0-9_]+"
ATOMIC_PATTERN = re.compile(rf"^\..+\.kproducer-(\d+)-{_RANDOM}\.tmp$")
PAGE_PATTERN = re.compile(rf"^kproducer-preview-(\d+)-{_RANDOM}\.html$")

_swept: set[tuple[str, str]] = set()
_swept_lock = threading.Lock()


def atomic_prefix(target: Path) -> str:
    """The ``mkstemp`` prefix of an atomic write's temporary file for ``target``."""
    return f".{target.name}.kproducer-{os.getpid()}-"


def page_prefix() -> str:
    """The ``mkstemp`` prefix of a page handed to the system browser."""
    return f"kproducer-preview-{os.getpid()}-"


def _writer_gone(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError, OSError):
        return False  # alive under another user (or not a usable ID): keep the file
    return False


def sweep(folder: Path, pattern: re.Pattern[str], now: float | None = None) -> list[Path]:
    """Remove stale temporary files of ours from ``folder``; returns what was removed.

    Never raises: a folder that cannot be listed or a file that cannot be removed is skipped.
    """
    removed: list[Path] = []
    now = time.time() if now is None else now
    uid = os.getuid() if hasattr(os, "getuid") else None
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = pattern.match(entry.name)
        if match is None:
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode) or (uid is not None and info.st_uid != uid):
            continue
        if not (_writer_gone(int(match.group(1))) or now - info.st_mtime > STALE_AFTER_S):
            continue
        with contextlib.suppress(OSError):
            os.unlink(entry.path)
            removed.append(Path(entry.path))
    if removed:
        log.info("Removed %d temporary file(s) left by an earlier run in %s", len(removed), folder)
    return removed


def sweep_once(folder: Path, pattern: re.Pattern[str]) -> None:
    """:func:`sweep` ``folder`` the first time this process asks for it (writes are many)."""
    key = (os.path.abspath(folder), pattern.pattern)
    with _swept_lock:
        if key in _swept:
            return
        _swept.add(key)
    sweep(folder, pattern)


def sweep_at_start() -> None:
    """At start: browser pages left in the temporary folder by an earlier run.

    (Atomic writes sweep their own folder before their first write there: see
    :mod:`kproducer.local.atomic`.)
    """
    sweep_once(Path(tempfile.gettempdir()), PAGE_PATTERN)
