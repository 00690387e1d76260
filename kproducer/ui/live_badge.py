"""Which live sessions are broadcasting: polled only while someone is looking, backing off.

:class:`LivePoller` asks Kaltura (``liveStream.isLive`` for every live session listed, in one
multirequest, through the service) while its page is on screen and the window is not
minimised. While nothing changes it waits longer each time (5 s, 10 s, then every 30 s); any
change starts again at 5 s. Off screen, nothing is asked at all: the next look starts afresh.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, QTimer, Signal

from ..services.models import Entry, EntryKind
from .common import Deps
from .failure import Failure
from .job_context import JobContext

LIVE = "● Live"
OFFLINE = "○ Offline"
UNKNOWN = "…"


def badge(entry: Entry, live: dict[str, bool]) -> str:
    """The badge of a session: ● Live, ○ Offline, … (not known yet) or "" (not live)."""
    if entry.kind is not EntryKind.LIVE:
        return ""
    if entry.id not in live:
        return UNKNOWN
    return LIVE if live[entry.id] else OFFLINE


def summary(entries: Sequence[Entry], live: dict[str, bool]) -> str:
    """One line for the window's status: which sessions are on air now."""
    streams = [e for e in entries if e.kind is EntryKind.LIVE]
    if not streams or not any(e.id in live for e in streams):
        return ""
    on_air = [e.name for e in streams if live.get(e.id)]
    if not on_air:
        return f"{OFFLINE}: none of {len(streams)} live sessions"
    names = ", ".join(on_air[:3]) + (f" +{len(on_air) - 3}" if len(on_air) > 3 else "")
    return f"{LIVE}: {names}"


class LivePoller(QObject):
    """Polls the broadcasting state of the live sessions shown, only while they are seen.

    Signals:
        changed(dict): entry ID → broadcasting, after each answer that differs.
        polled(): after each answer (changed or not).
    """

    changed = Signal(object)
    polled = Signal()
    #: A poll failed (its sentence): who is on air is not known until the next one.
    unknown = Signal(str)
    #: Seconds between polls while nothing changes (the last one repeats).
    INTERVALS: tuple[float, ...] = (5.0, 10.0, 30.0)

    def __init__(self, deps: Deps, on_screen: Callable[[], bool],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.deps = deps
        self.on_screen = on_screen
        self.live: dict[str, bool] = {}
        self._ids: tuple[str, ...] = ()
        self._step = 0
        self._busy = False
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.poll)

    @property
    def interval(self) -> float:
        """Seconds until the next poll (while nothing changes)."""
        return self.INTERVALS[min(self._step, len(self.INTERVALS) - 1)]

    def set_entries(self, entries: Sequence[Entry]) -> None:
        """Follow these sessions (the live ones among them); polls at once if on screen."""
        ids = tuple(e.id for e in entries if e.kind is EntryKind.LIVE)
        if ids == self._ids:
            return
        self._ids = ids
        self.live = {k: v for k, v in self.live.items() if k in ids}
        self._step = 0
        self.wake()

    def wake(self) -> None:
        """Something may have come on screen (or gone): poll now, or stop."""
        if not self.on_screen() or not self._ids:
            self.timer.stop()
            return
        if not self.timer.isActive() and not self._busy:
            self.poll()

    def sleep(self) -> None:
        """Nothing is on screen: stop asking (the next :meth:`wake` polls at once)."""
        self.timer.stop()
        self._step = 0

    def poll(self) -> None:
        """Ask now (when on screen and connected)."""
        account = self.deps.account()
        if account is None or not self._ids or not self.on_screen():
            self.timer.stop()
            return
        ids = list(self._ids)

        def ask(ctx: JobContext) -> dict[str, bool]:
            from ..services import live

            states = live.live_status(account, ids)
            return {k: bool(v.broadcasting) for k, v in states.items()
                    if v.broadcasting is not None}

        self._busy = True
        self.deps.worker.run("Checking which sessions are live", ask,
                             on_done=self._answered, on_error=self._failed,
                             on_settled=self._settled, key="entries.live",
                             abandon_on_cancel=True, quiet=True)

    def _answered(self, live: dict[str, bool]) -> None:
        fresh = {k: v for k, v in live.items() if k in self._ids}
        if fresh != self.live:
            self.live = fresh
            self._step = 0
            self.changed.emit(dict(fresh))
        else:
            self._step += 1
        self.polled.emit()

    def _failed(self, failure: Failure) -> None:
        # A poll nobody asked for never talks over the status bar: the badge says it is
        # not known, and the next poll (later, not at once) tries again.
        self._step += 1
        self.unknown.emit(failure.message)

    def _settled(self) -> None:
        self._busy = False
        if self.on_screen() and self._ids:
            self.timer.start(int(self.interval * 1000))
