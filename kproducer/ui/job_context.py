"""What a job's function is given on its pool thread: progress reports and the cancel flag.

No Qt here: :class:`~.worker.Worker` hands each job a :class:`JobContext` whose progress it
relays to the GUI thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

#: Progress signals from a job are coalesced to at most one per this many seconds.
PROGRESS_INTERVAL = 0.05


class Cancelled(Exception):
    """Raised inside a job to stop it because it was cancelled."""


class JobContext:
    """What a running job may use: progress reports and the cancel flag.

    Attributes:
        cancel_event: Set when the job is cancelled; pass it to services that take one.
    """

    def __init__(self, emit_progress: Callable[[int, int, str], None]) -> None:
        self.cancel_event = threading.Event()
        self._emit = emit_progress
        self._last = 0.0

    @property
    def cancelled(self) -> bool:
        """The job was cancelled."""
        return self.cancel_event.is_set()

    def check_cancelled(self) -> None:
        """Raise :class:`Cancelled` if the job was cancelled."""
        if self.cancel_event.is_set():
            raise Cancelled()

    def progress(self, done: int, total: int, text: str = "") -> None:
        """Report progress (thread-safe; coalesced so the GUI is never flooded)."""
        now = time.monotonic()
        if done < total and now - self._last < PROGRESS_INTERVAL:
            return
        self._last = now
        self._emit(done, total, text)
