"""The record of every API call: which ``service.action``, its outcome, how long it took.

The Kaltura access layer records each call (each sub-call of a multirequest too) as
``fetched``/``created``/``updated``/``deleted``/``error``; services record ``cached`` when the
cache answered instead of the API. The log keeps the last records in memory, counts outcomes
since it was created (or cleared), tells plain-callback listeners about each new record (the
GUI bridges them to Qt), and can append every record to a file under ``paths.log_dir()``.

Every text is passed through :func:`kproducer.local.redact.redact` before it is stored.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, get_args

from . import paths
from .local.redact import redact

log = logging.getLogger(__name__)

Outcome = Literal["fetched", "cached", "created", "updated", "deleted", "error"]
OUTCOMES: tuple[str, ...] = get_args(Outcome)

#: Records kept in memory.
DEFAULT_CAPACITY = 5000
#: The log file is rotated (once, to ``.1``) when it grows past this size.
MAX_FILE_BYTES = 5 * 1024 * 1024
LOG_FILE_NAME = "activity.log"

Listener = Callable[["ActivityRecord"], None]


@dataclass(frozen=True)
class ActivityRecord:
    """One API call (or one cache hit standing in for it).

    Attributes:
        time: When the call finished (UTC).
        action: ``service.action``, e.g. ``groupUser.add``.
        outcome: fetched, cached, created, updated, deleted or error.
        ms: Wall time in milliseconds (for a multirequest sub-call: the whole request's).
        detail: A short redacted note: the error sentence, retries, multirequest position.
    """

    time: datetime
    action: str
    outcome: Outcome
    ms: float
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready fields (time in ISO 8601)."""
        return {
            "time": self.time.isoformat(timespec="milliseconds"),
            "action": self.action,
            "outcome": self.outcome,
            "ms": round(self.ms, 1),
            "detail": self.detail,
        }


@dataclass(frozen=True)
class ActivityCounters:
    """Totals since the log was created or cleared.

    Attributes:
        by_outcome: Number of records per outcome (every outcome present, possibly 0).
        total_ms: Sum of ``ms`` over records that reached the API (not ``cached``).
    """

    by_outcome: dict[str, int] = field(default_factory=dict)
    total_ms: float = 0.0

    @property
    def total(self) -> int:
        """All records, cache hits included."""
        return sum(self.by_outcome.values())

    @property
    def api_calls(self) -> int:
        """Records that went to the API (everything but ``cached``)."""
        return self.total - self.by_outcome.get("cached", 0)

    @property
    def cache_hit_rate(self) -> float | None:
        """Share of lookups the cache answered: cached / (cached + fetched); None if none."""
        cached = self.by_outcome.get("cached", 0)
        lookups = cached + self.by_outcome.get("fetched", 0)
        return cached / lookups if lookups else None


class ActivityLog:
    """A thread-safe, bounded, observable log of API calls.

    Args:
        capacity: How many records to keep in memory (older ones are dropped; counters keep
            counting).
        log_file: Append every record to this file as JSON lines (0600); see
            :meth:`write_to`.
    """

    def __init__(self, capacity: int = DEFAULT_CAPACITY, log_file: Path | None = None) -> None:
        self._lock = threading.Lock()
        self._records: deque[ActivityRecord] = deque(maxlen=capacity)
        self._counts: Counter[str] = Counter()
        self._total_ms = 0.0
        self._listeners: list[Listener] = []
        self._file_lock = threading.Lock()
        self._file_path: Path | None = None
        self._fd: int | None = None
        if log_file is not None:
            self.write_to(log_file)

    # --- recording ---------------------------------------------------------------------------

    def record(self, action: str, outcome: Outcome, ms: float, detail: str = "") -> ActivityRecord:
        """Add one record (redacted), tell the listeners, append it to the file.

        Args:
            action: ``service.action``.
            outcome: One of :data:`OUTCOMES`.
            ms: Duration in milliseconds (0 for a cache hit is fine).
            detail: A short note; redacted before it is stored.

        Returns:
            The stored record.

        Raises:
            ValueError: ``outcome`` is not one of :data:`OUTCOMES`.
        """
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}; expected one of {', '.join(OUTCOMES)}")
        entry = ActivityRecord(
            time=datetime.now(UTC),
            action=redact(action),
            outcome=outcome,
            ms=max(0.0, float(ms)),
            detail=redact(detail),
        )
        with self._lock:
            self._records.append(entry)
            self._counts[outcome] += 1
            if outcome != "cached":
                self._total_ms += entry.ms
            listeners = list(self._listeners)
        self._append_to_file(entry)
        for listener in listeners:
            try:
                listener(entry)
            except Exception:  # a broken listener must never break an API call
                log.exception("activity listener %r failed", listener)
        return entry

    # --- reading -----------------------------------------------------------------------------

    def records(self, last: int | None = None) -> list[ActivityRecord]:
        """The records in memory, oldest first (only the ``last`` N if given)."""
        with self._lock:
            items = list(self._records)
        return items[-last:] if last else items

    def counters(self) -> ActivityCounters:
        """Outcome counts and total API time since creation or :meth:`clear`."""
        with self._lock:
            counts = {name: self._counts.get(name, 0) for name in OUTCOMES}
            return ActivityCounters(by_outcome=counts, total_ms=self._total_ms)

    def clear(self) -> None:
        """Forget the records in memory and zero the counters (the file is kept)."""
        with self._lock:
            self._records.clear()
            self._counts.clear()
            self._total_ms = 0.0

    # --- listeners ---------------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(record)`` for every new record, on the recording thread.

        Returns:
            A function that unsubscribes the listener.
        """
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    # --- file --------------------------------------------------------------------------------

    @property
    def log_file(self) -> Path | None:
        """The file records are appended to, if any."""
        return self._file_path

    def write_to(self, path: Path | None = None) -> Path:
        """Append every new record to ``path`` (default: ``activity.log`` in the log folder).

        The file is created owner-only (0600) and holds one JSON object per line.
        """
        target = Path(path) if path is not None else paths.log_dir() / LOG_FILE_NAME
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with self._file_lock:
            self._close_file()
            self._fd = _open_private(target)
            self._file_path = target
        return target

    def stop_writing(self) -> None:
        """Stop appending to the log file."""
        with self._file_lock:
            self._close_file()
            self._file_path = None

    def _close_file(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _append_to_file(self, entry: ActivityRecord) -> None:
        if self._fd is None:
            return
        line = (json.dumps(entry.as_dict(), ensure_ascii=False) + "\n").encode("utf-8")
        with self._file_lock:
            if self._fd is None or self._file_path is None:
                return
            try:
                if os.fstat(self._fd).st_size + len(line) > MAX_FILE_BYTES:
                    self._rotate(self._file_path)
                os.write(self._fd, line)
            except OSError:
                log.warning("cannot write the activity log %s; file logging stopped",
                            self._file_path, exc_info=True)
                self._close_file()
                self._file_path = None

    def _rotate(self, path: Path) -> None:
        self._close_file()
        os.replace(path, path.with_name(path.name + ".1"))
        self._fd = _open_private(path)


def _open_private(path: Path) -> int:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    os.fchmod(fd, 0o600)
    return fd


_default: ActivityLog | None = None
_default_lock = threading.Lock()


def default_log() -> ActivityLog:
    """The process-wide activity log (created on first use, memory only until told to write)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = ActivityLog()
        return _default
