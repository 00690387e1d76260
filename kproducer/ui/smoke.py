"""``kproducer gui --smoke-test``: start, connect, load events and entries, report, exit.

Drives the real window through its own signals (no shortcuts around the worker): the times
are milliseconds since the GUI command started. With a screenshot folder, every tab (and the
Accounts dialog) is saved as a PNG once its data has loaded.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QBuffer, QIODevice, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from ..local import atomic
from .failure import Failure
from .worker import Job

if TYPE_CHECKING:
    from .main_window import MainWindow

OK, FAILED, UNREACHABLE = 0, 1, 3


class SmokeTest(QObject):
    """Watches the window until everything loaded, then quits the application.

    Attributes:
        code: The exit code (FAILED until the test passes).
        report: The timings and counts, once passed.
        error: Why it failed, as one sentence.
    """

    def __init__(self, window: MainWindow, started: float, screenshots: Path | None,
                 timeout: float) -> None:
        super().__init__(window)
        self.window = window
        self.started = started
        self.screenshots = screenshots
        self.code = FAILED
        self.report: dict[str, Any] | None = None
        self.error = ""
        self.timings: dict[str, float] = {}
        self.counts: dict[str, int] = {}
        self.saved: list[str] = []
        self._done = False
        window.connected.connect(self._connected)
        window.connectFailed.connect(
            lambda failure: self.fail(f"Could not connect: {failure.message}",
                                      int(getattr(failure.error, "exit_code", UNREACHABLE))))
        window.worker.jobFailed.connect(self._job_failed)
        window.events.eventsLoaded.connect(self._events_loaded)
        window.entries.entriesLoaded.connect(self._entries_loaded)
        window.moderators.loaded.connect(self._moderators_loaded)
        window.preview.previewSettled.connect(self._preview_settled)
        self.entries: list[Any] = []
        QTimer.singleShot(0, lambda: self._mark("window_shown_ms"))
        QTimer.singleShot(int(timeout * 1000), self._timed_out)

    def _mark(self, name: str) -> None:
        self.timings.setdefault(name, round((time.perf_counter() - self.started) * 1000, 1))

    def _connected(self, connection: Any) -> None:
        self._mark("connected_ms")
        self.account = connection.name

    def _events_loaded(self, events: list[Any]) -> None:
        self._mark("events_loaded_ms")
        self.counts["events"] = len(events)
        if not events:
            self._mark("entries_loaded_ms")
            self.counts["entries"] = 0
            self._finish()

    def _entries_loaded(self, entries: list[Any]) -> None:
        if "events_loaded_ms" not in self.timings or "entries_loaded_ms" in self.timings:
            return
        self._mark("entries_loaded_ms")
        self.counts["entries"] = len(entries)
        self.entries = list(entries)
        if entries:
            moderators = self.window.moderators
            live = next((e for e in entries if e.kind.value == "live"), entries[0])
            moderators.show_entry(live)
            self.window.tabs.setCurrentWidget(moderators)  # loads them
        else:
            self._finish()

    def _moderators_loaded(self, moderators: list[Any]) -> None:
        if "entries_loaded_ms" in self.timings and "moderators_loaded_ms" not in self.timings:
            self._mark("moderators_loaded_ms")
            self.counts["moderators"] = len(moderators)
            self._preview()

    def _preview(self) -> None:
        """Open a moderator preview of the first session with a player (not a room)."""
        from ..services.models import EntryKind, Role

        entry = next((e for e in self.entries if e.kind is not EntryKind.ROOM), None)
        if entry is None:
            self._finish()
            return
        self.window.tabs.setCurrentWidget(self.window.preview)
        self.window.preview.show_entry(entry, Role.MODERATOR)

    def _preview_settled(self, result: dict[str, Any]) -> None:
        if "moderators_loaded_ms" not in self.timings or "preview_ready_ms" in self.timings:
            return
        if not result.get("ok"):
            problems = "; ".join(result.get("problems") or []) or "unknown reason"
            self.fail(f"The moderator preview did not load: {problems}", FAILED)
            return
        self._mark("preview_ready_ms")
        self._finish()

    def _job_failed(self, job: Job[Any], failure: Failure) -> None:
        self.fail(f"{failure.message} (while {job.title.lower()})", FAILED)

    def _timed_out(self) -> None:
        waiting = next((name for name in ("connected_ms", "events_loaded_ms",
                                          "entries_loaded_ms", "moderators_loaded_ms",
                                          "preview_ready_ms")
                        if name not in self.timings), "the screenshots")
        self.fail(f"The smoke test timed out waiting for {waiting.removesuffix('_ms')}.", FAILED)

    def fail(self, message: str, code: int) -> None:
        """End the test as failed."""
        if self._done:
            return
        self._done = True
        self.error, self.code = message, code
        QTimer.singleShot(0, self._quit)

    def _finish(self) -> None:
        if self._done:
            return
        if self.screenshots is None:
            self._pass()
            return
        self.window.resize(1280, 800)
        self._when_idle(self._shoot)

    def _when_idle(self, then: Any) -> None:
        """Call ``then`` once no job runs (so the screenshots show a settled window)."""
        worker = self.window.worker
        if not worker.jobs:
            QTimer.singleShot(0, then)
            return

        def check(count: int) -> None:
            if count == 0:
                worker.busyChanged.disconnect(check)
                QTimer.singleShot(0, then)

        worker.busyChanged.connect(check)

    def _shoot(self) -> None:
        assert self.screenshots is not None
        self.window.dock.drain()
        self._shoot_tabs(self.screenshots)
        self._shoot_live(self.screenshots)

    def _pass(self) -> None:
        if self._done:
            return
        self._done = True
        self.code = OK
        self.report = {**self.timings, **self.counts,
                       "account": getattr(self, "account", None)}
        if self.saved:
            self.report["screenshots"] = self.saved
        QTimer.singleShot(0, self._quit)

    def _quit(self) -> None:
        self.window.close()
        QApplication.quit()

    # --- screenshots ---

    def _save(self, widget: QWidget, folder: Path, name: str) -> None:
        """Save a PNG of ``widget``, owner-only like every file kproducer writes (DESIGN §6)."""
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = folder / f"{len(self.saved) + 1:02d}-{name}.png"
        png = QBuffer()
        png.open(QIODevice.OpenModeFlag.WriteOnly)
        if not widget.grab().save(png, "PNG"):
            raise OSError(f"Could not save the screenshot {path}.")
        atomic.write_bytes(path, bytes(png.data().data()))
        self.saved.append(str(path))

    def _shoot_tabs(self, folder: Path) -> None:
        tabs = self.window.tabs
        for index in range(tabs.count()):
            tabs.setCurrentIndex(index)
            QApplication.processEvents()
            # A tab may start work as it comes on screen (the Go-live check checks the event):
            # shoot what it then shows, not "Checking…" (at most 10 s).
            for _ in range(200):
                if not self.window.worker.jobs:
                    break
                _wait(50)
            if tabs.widget(index) is self.window.preview:
                _wait(300)  # the web view composites its page asynchronously
            name = re.sub(r"[^a-z]+", "-", tabs.tabText(index).replace("&", "").lower())
            self._save(self.window, folder, name.strip("-"))

    def _shoot_live(self, folder: Path) -> None:
        """Entries with a live session selected (kit, switches, badge), at two sizes.

        The default size and a narrow 1024×700 window; then the Accounts dialog.
        """
        from ..services.models import EntryKind
        from .table import select_where

        entries = self.window.entries
        self.window.tabs.setCurrentWidget(entries)
        if not select_where(entries.view, lambda e: e.kind is EntryKind.LIVE):
            self._shoot_accounts(folder)
            return
        panel = entries.details.live

        def shoot(sizes: list[tuple[int, int]]) -> None:
            if panel.kit is None or not entries.poller.live:
                QTimer.singleShot(50, lambda: shoot(sizes))  # the kit and the badge come
                return
            width, height = sizes[0]
            self.window.resize(width, height)
            QApplication.processEvents()
            self._save(self.window, folder, f"entries-live-{width}x{height}")
            if sizes[1:]:
                shoot(sizes[1:])
            else:
                self.window.resize(1280, 800)
                self._shoot_accounts(folder)

        shoot([(1280, 800), (1024, 700)])

    def _shoot_accounts(self, folder: Path) -> None:
        dialog = self.window.show_accounts()

        def shoot() -> None:
            QApplication.processEvents()
            self._save(dialog, folder, "accounts-dialog")
            dialog.close()
            self.window.tabs.setCurrentIndex(0)
            self._pass()

        if dialog.keyring_checked:
            shoot()
        else:
            dialog.keyringChecked.connect(shoot)


def _wait(ms: int) -> None:
    """Let the event loop run for ``ms`` (as QTest.qWait, without shipping QtTest)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()
