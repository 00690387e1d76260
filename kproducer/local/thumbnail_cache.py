"""Session thumbnails kept on disk: their own TTL, evicted by total size (no Qt here).

One file per sized thumbnail URL, named by the URL's SHA-256, owner-only (0600), in
``<cache dir>/thumbnails``. A thumbnail older than its TTL is a miss (fetched again); when
the files together pass ``max_bytes``, the least recently used go first until they fit in
90% of it. It is only a cache: a write is atomic (temporary file, then ``os.replace``) but
not fsynced, since a thumbnail lost in a crash is simply fetched again. A thumbnail URL
carries no secret (Kaltura serves them without a KS for public entries), and the file names
do not even show it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import threading
import time
from pathlib import Path

from .atomic import PRIVATE_FILE_MODE

#: How long a thumbnail is trusted (a session's picture rarely changes; "Set thumbnail…"
#: drops it at once).
DEFAULT_TTL_S = 7 * 24 * 3600
#: The most the folder may hold (200 sessions at two sizes take about 2 MB).
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
SUFFIX = ".thumb"


class ThumbnailCache:
    """Bytes of thumbnails by URL, on disk; safe to use from several threads."""

    def __init__(self, folder: Path, ttl_s: int = DEFAULT_TTL_S,
                 max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.folder = folder
        self.ttl_s = ttl_s
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._total: int | None = None  # counted on first write
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)

    def path_of(self, url: str) -> Path:
        """Where the thumbnail of ``url`` is (or would be) kept."""
        return self.folder / (hashlib.sha256(url.encode()).hexdigest()[:40] + SUFFIX)

    def get(self, url: str, now: float | None = None) -> bytes | None:
        """The cached bytes of ``url``, or None when absent or older than the TTL."""
        path = self.path_of(url)
        try:
            stat = path.stat()
            if (now or time.time()) - stat.st_mtime > self.ttl_s:
                return None
            data = path.read_bytes()
        except OSError:
            return None
        with contextlib.suppress(OSError):  # recently used: last to be evicted
            os.utime(path, (time.time(), stat.st_mtime))
        return data

    def put(self, url: str, data: bytes) -> None:
        """Keep ``data`` for ``url`` (replacing what was there), then evict if too big.

        Raises:
            OSError: The file cannot be written (disk full); nothing is left half-written.
        """
        path = self.path_of(url)
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".thumb-", suffix=".tmp")
        try:
            os.chmod(tmp, PRIVATE_FILE_MODE)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            old = path.stat().st_size if path.exists() else 0
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        with self._lock:
            if self._total is None:
                self._total = self.size()
            else:
                self._total += len(data) - old
            if self._total > self.max_bytes:
                self._total = self._evict(int(self.max_bytes * 0.9))

    def drop(self, url: str) -> None:
        """Forget the thumbnail of ``url`` (its picture changed)."""
        with contextlib.suppress(OSError):
            self.path_of(url).unlink()
        with self._lock:
            self._total = None

    def size(self) -> int:
        """Bytes held now."""
        total = 0
        for path in self.folder.glob("*" + SUFFIX):
            with contextlib.suppress(OSError):
                total += path.stat().st_size
        return total

    def _evict(self, target: int) -> int:
        """Remove least recently used files until at most ``target`` bytes remain."""
        files: list[tuple[float, int, Path]] = []
        for path in self.folder.glob("*" + SUFFIX):
            with contextlib.suppress(OSError):
                stat = path.stat()
                files.append((stat.st_atime, stat.st_size, path))
        files.sort()
        total = sum(size for _, size, _ in files)
        for _, size, path in files:
            if total <= target:
                break
            with contextlib.suppress(OSError):
                path.unlink()
                total -= size
        return total

    def clear(self) -> None:
        """Remove every cached thumbnail."""
        for path in self.folder.glob("*" + SUFFIX):
            with contextlib.suppress(OSError):
                path.unlink()
        with self._lock:
            self._total = 0
