"""The record of every API call: which ``service.action``, its outcome, how long it took.

The Kaltura access layer records each call (each sub-call of a multirequest too) as
``fetched``/``created``/``updated``/``deleted``/``error``; services record ``cached`` when the
cache answered instead of the API. The log keeps the last records in memory, counts outcomes
since it was created (or cleared), tells plain-callback listeners about each new record (the
GUI bridges them to Qt), and can append every record to a file under ``paths.log_dir()``.

Calls are grouped into the producer's **operations** ("Importing moderators"): whoever starts
an operation names it once (:meth:`ActivityLog.begin`; the window's worker does it with the
job's title) and runs its work :meth:`~ActivityLog.within` it; every call recorded meanwhile,
on that thread or on threads started with :func:`contextvars.copy_context`, belongs to it.
No table maps API names to words.

Every text is passed through :func:`kproducer.local.redact.redact` before it is stored.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import os
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import paths
from .activity_records import (
    OTHER_CALLS,
    OTHER_TITLE,
    OUTCOMES,
    ActivityCounters,
    ActivityRecord,
    Ending,
    Operation,
    Outcome,
)
from .local.redact import redact

__all__ = ["OTHER_CALLS", "OTHER_TITLE", "OUTCOMES", "ActivityCounters", "ActivityLog",
           "ActivityRecord", "Ending", "Operation", "Outcome", "default_log"]

log = logging.getLogger(__name__)

#: Records kept in memory.
DEFAULT_CAPACITY = 5000
#: The log file is rotated (once, to ``.1``) when it grows past this size.
MAX_FILE_BYTES = 5 * 1024 * 1024
LOG_FILE_NAME = "activity.log"

Listener = Callable[["ActivityRecord"], None]
OperationListener = Callable[["Operation"], None]


#: The (log, operation id) whose work runs in this context.
_CURRENT: contextvars.ContextVar[tuple[ActivityLog, int] | None] = contextvars.ContextVar(
    "kproducer_activity_operation", default=None)
#: Finished operations kept (the oldest are forgotten first; their calls age out too).
MAX_OPERATIONS = 1000


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
        self._requests = 0
        self._listeners: list[Listener] = []
        self._operation_listeners: list[OperationListener] = []
        self._operations: dict[int, Operation] = {}
        self._background: dict[str, int] = {}
        self._next_operation = 1
        self._begun = 0
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
        current = _CURRENT.get()
        operation = current[1] if current is not None and current[0] is self else OTHER_CALLS
        entry = ActivityRecord(
            time=datetime.now(UTC),
            action=redact(action),
            outcome=outcome,
            ms=max(0.0, float(ms)),
            detail=redact(detail),
            operation=operation,
        )
        with self._lock:
            self._records.append(entry)
            self._counts[outcome] += 1
            if outcome != "cached":
                self._total_ms += entry.ms
            changed = self._count_call(entry)
            listeners = list(self._listeners)
        self._append_to_file(entry)
        for listener in listeners:
            try:
                listener(entry)
            except Exception:  # a broken listener must never break an API call
                log.exception("activity listener %r failed", listener)
        self._tell(changed)
        return entry

    def count_request(self) -> None:
        """Count one HTTP request that Kaltura answered (the Kaltura layer calls this)."""
        with self._lock:
            self._requests += 1

    def _count_call(self, entry: ActivityRecord) -> Operation:
        """Add the call to its operation's figures (under the lock); the new snapshot."""
        operation = self._operations.get(entry.operation)
        if operation is None:
            operation = Operation(OTHER_CALLS, OTHER_TITLE, entry.time, ending="done")
        cached = entry.outcome == "cached"
        operation = replace(operation, calls=operation.calls + (not cached),
                            cached=operation.cached + cached,
                            errors=operation.errors + (entry.outcome == "error"))
        self._operations[operation.id] = operation
        return operation

    # --- operations --------------------------------------------------------------------------

    def begin(self, title: str, background: bool = False) -> int:
        """Start an operation named ``title``; returns its id (for :meth:`within`, :meth:`end`).

        A background check with a title seen before is the same operation run again (one row
        that counts its runs), so a poll every few seconds never floods the list.
        """
        now = datetime.now(UTC)
        with self._lock:
            known = self._background.get(title) if background else None
            if known is not None and known in self._operations:
                old = self._operations[known]
                operation = replace(old, started=now, ending="running", ended=None,
                                    runs=old.runs + 1)
            else:
                operation = Operation(self._next_operation, redact(title), now,
                                      background=background)
                self._next_operation += 1
                self._begun += 1
                if background:
                    self._background[title] = operation.id
            self._operations[operation.id] = operation
            self._forget_old_operations()
        self._tell(operation)
        return operation.id

    def _forget_old_operations(self) -> None:
        """Keep at most :data:`MAX_OPERATIONS` finished operations (under the lock)."""
        finished = [key for key, op in self._operations.items()
                    if op.ending != "running" and key != OTHER_CALLS]
        for key in finished[: max(0, len(finished) - MAX_OPERATIONS)]:
            del self._operations[key]

    @contextlib.contextmanager
    def within(self, operation: int) -> Iterator[int]:
        """Calls recorded in this block (this thread and copied contexts) belong to it."""
        token = _CURRENT.set((self, operation))
        try:
            yield operation
        finally:
            _CURRENT.reset(token)

    def describe(self, text: str, operation: int | None = None) -> None:
        """Say what came of an operation (default: the one this code runs within)."""
        if operation is None:
            current = _CURRENT.get()
            if current is None or current[0] is not self:
                return
            operation = current[1]
        self._update(operation, result=redact(" ".join(text.split())))

    def end(self, operation: int, ending: Ending, result: str = "") -> None:
        """Mark an operation done, failed or cancelled (keeps a result already described)."""
        changes: dict[str, Any] = {"ending": ending, "ended": datetime.now(UTC)}
        if result:
            changes["result"] = redact(" ".join(result.split()))
        self._update(operation, **changes)

    def operation(self, operation: int) -> Operation | None:
        """The operation's latest snapshot."""
        with self._lock:
            return self._operations.get(operation)

    def operations(self) -> list[Operation]:
        """Every operation this log knows (those with calls in memory or still listed)."""
        with self._lock:
            return sorted(self._operations.values(), key=lambda o: o.id)

    def _update(self, operation: int, **changes: Any) -> None:
        with self._lock:
            old = self._operations.get(operation)
            if old is None:
                return
            new = replace(old, **changes)
            self._operations[operation] = new
        self._tell(new)

    def _tell(self, operation: Operation) -> None:
        with self._lock:
            listeners = list(self._operation_listeners)
        for listener in listeners:
            try:
                listener(operation)
            except Exception:  # a broken listener must never break an API call
                log.exception("activity listener %r failed", listener)

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
            return ActivityCounters(by_outcome=counts, total_ms=self._total_ms,
                                    requests=self._requests, operations=self._begun)

    def clear(self) -> None:
        """Forget the records and finished operations and zero the counters (the file stays).

        Operations still running are kept (their next calls still find them), with their
        figures zeroed.
        """
        with self._lock:
            self._records.clear()
            self._counts.clear()
            self._total_ms = 0.0
            self._requests = 0
            self._begun = 0
            self._operations = {
                key: replace(op, calls=0, cached=0, errors=0)
                for key, op in self._operations.items() if op.ending == "running"}
            self._background = {t: k for t, k in self._background.items()
                                if k in self._operations}

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

    def subscribe_operations(self, listener: OperationListener) -> Callable[[], None]:
        """Call ``listener(operation)`` whenever an operation starts, changes or ends.

        Returns:
            A function that unsubscribes the listener.
        """
        with self._lock:
            self._operation_listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._operation_listeners:
                    self._operation_listeners.remove(listener)

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
