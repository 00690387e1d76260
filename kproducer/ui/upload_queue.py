"""Recordings being added from the window: a queue of files, one uploading at a time.

Each file is shown in the Entries table at once (a row with no ID yet, its status the
upload's progress), uploads on the worker through :func:`kproducer.services.uploads.upload`
(progress with MB/s and time left in the status bar, where Cancel stops it; the upload
stays resumable), then is followed until Kaltura has converted it
(:func:`kproducer.services.recordings.follow_until_ready`, a quiet poll). Ready or failed,
the window says so in its status bar and, where the desktop has a tray, in a notification.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QSystemTrayIcon, QWidget

from ..services.models import Entry, EntryKind
from .common import Deps
from .failure import Failure
from .job_context import Cancelled, JobContext
from .worker import Job

if TYPE_CHECKING:
    from ..local.upload_state import UploadRecord
    from ..services.recordings import RecordingStatus

#: Files offered by the file dialog and taken by drag and drop.
VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v", ".mkv", ".webm", ".avi", ".wmv", ".flv", ".mpg",
                  ".mpeg", ".ts", ".mts", ".3gp", ".ogv", ".mxf")
UPLOADING = "0"  # KalturaEntryStatus.IMPORT: what a row waiting for its entry shows
KB = 1024  # progress goes through Qt signals as int: kilobytes keep a 2 GB+ file in range


def is_video_file(path: Path) -> bool:
    """Whether the file's name says it is a video (what drag and drop accepts)."""
    return path.suffix.lower() in VIDEO_SUFFIXES


def is_pending_row(entry: Entry | None) -> bool:
    """A row of a file still uploading (no Kaltura entry yet)."""
    return entry is not None and not entry.id


@dataclass
class QueuedFile:
    """One file to upload, and the row that stands for it until Kaltura has its entry."""

    path: Path
    name: str
    event_id: int | None
    row: Entry
    line: str = "waiting to upload"
    failed: str = ""


class UploadQueue(QObject):
    """Files to upload, one at a time, then followed to ready.

    Signals:
        changed(): the rows of files still uploading changed (added, progress, gone).
        uploaded(object): the :class:`Entry` Kaltura made for a file (converting).
        settled(object, object): an uploaded session is ready or failed: the Entry's ID
            and its :class:`~kproducer.services.recordings.RecordingStatus`.
    """

    changed = Signal()
    uploaded = Signal(object)
    settled = Signal(str, object)

    def __init__(self, deps: Deps, parent: QWidget) -> None:
        super().__init__(parent)
        self.deps = deps
        self.files: list[QueuedFile] = []
        self._current: QueuedFile | None = None
        self._job: Job[Entry] | None = None
        self._tray: QSystemTrayIcon | None = None

    # --- what the table shows ---

    def rows(self, event_id: int | None) -> list[Entry]:
        """Rows of files still uploading, for the sessions of ``event_id`` (None: all)."""
        return [f.row for f in self.files if event_id is None or f.event_id == event_id]

    def line_for(self, entry: Entry) -> str:
        """The status of a pending row in words ("uploading 42% · 12.3 MB/s · …")."""
        for queued in self.files:
            if queued.row is entry:
                return queued.failed or queued.line
        return ""

    @property
    def busy(self) -> bool:
        """A file is uploading or waiting to."""
        return bool(self.files)

    # --- adding and cancelling ---

    def add(self, paths: Sequence[Path], event_id: int | None,
            names: Sequence[str] | None = None) -> int:
        """Queue files (videos by name or not: Kaltura is the judge); returns how many."""
        added = 0
        for number, path in enumerate(paths):
            if any(f.path == path and not f.failed for f in self.files):
                continue  # already queued
            name = names[number] if names else path.stem
            row = Entry(id="", name=name, kind=EntryKind.VOD, status=UPLOADING,
                        event_id=event_id)
            self.files.append(QueuedFile(path, name, event_id, row))
            added += 1
        if added:
            self.changed.emit()
            self._next()
        return added

    def cancel(self, entry: Entry) -> None:
        """Stop the upload of that row (resumable later), or take it off the queue."""
        for queued in list(self.files):
            if queued.row is not entry:
                continue
            if queued is self._current and self._job is not None:
                self._job.cancel()
            else:
                self.files.remove(queued)
                self.changed.emit()

    # --- running ---

    def _next(self) -> None:
        if self._current is not None:
            return
        waiting = [f for f in self.files if not f.failed]
        account = self.deps.account()
        if not waiting or account is None:
            return
        queued = self._current = waiting[0]

        def upload(ctx: JobContext) -> Entry:
            from ..services import recordings, uploads

            meter = recordings.Meter()

            def report(progress: uploads.Progress) -> None:
                meter.add(progress.done)
                ctx.progress(progress.done // KB, max(1, progress.total // KB),
                             meter.line(progress.total))

            try:
                return uploads.upload(account, queued.path, queued.name, queued.event_id,
                                      progress=report, cancel_check=lambda: ctx.cancelled)
            except uploads.UploadCancelled as stopped:
                raise Cancelled() from stopped

        self._job = self.deps.worker.run(
            f"Uploading “{queued.name}”", upload,
            on_done=lambda entry: self._uploaded(queued, entry),
            on_error=lambda failure: self._failed(queued, failure),
            on_progress=lambda done, total, line: self._progress(queued, line),
            on_cancelled=lambda: self._cancelled(queued),
            on_settled=self._settled)

    def _progress(self, queued: QueuedFile, line: str) -> None:
        queued.line = f"uploading {line}" if line else "uploading"
        self.changed.emit()

    def _uploaded(self, queued: QueuedFile, entry: Entry) -> None:
        self.files.remove(queued)
        self.deps.say(f"Uploaded “{entry.name}” ({entry.id}); Kaltura is converting it.")
        self.changed.emit()
        self.uploaded.emit(entry)
        self.follow(entry)

    def _failed(self, queued: QueuedFile, failure: Failure) -> None:
        queued.failed = "error: " + failure.message
        queued.row = dataclasses.replace(queued.row, status="-2")
        self.changed.emit()
        self.notify("Upload failed", f"“{queued.name}” could not be uploaded: "
                                     f"{failure.message}")

    def _cancelled(self, queued: QueuedFile) -> None:
        if queued in self.files:
            self.files.remove(queued)
        self.deps.say(f"Stopped the upload of “{queued.name}”; upload the same file again "
                      "to continue where it stopped.")
        self.changed.emit()

    def _settled(self) -> None:
        self._current, self._job = None, None
        self._next()

    def dismiss_failed(self) -> None:
        """Take the rows of failed uploads off the table."""
        self.files = [f for f in self.files if not f.failed]
        self.changed.emit()

    # --- following to ready ---

    def follow(self, entry: Entry, poll_s: float = 2.0) -> None:
        """Ask Kaltura about the session until it is ready or failed, then say so."""
        account = self.deps.account()
        if account is None:
            return

        def follow(ctx: JobContext) -> RecordingStatus:
            from ..services import recordings

            def pause(seconds: float) -> None:
                ctx.cancel_event.wait(seconds)  # a cancel (the window closing) ends it early

            return recordings.follow_until_ready(
                account, entry.id, cancel_check=lambda: ctx.cancelled, poll_s=poll_s,
                sleep=pause)

        self.deps.worker.run(f"Following “{entry.name}”", follow, quiet=True,
                             on_done=lambda status: self._followed(entry, status),
                             key=f"follow.{entry.id}")

    def _followed(self, entry: Entry, status: RecordingStatus) -> None:
        if not status.done:
            return
        if status.word == "ready":
            self.deps.say(f"“{entry.name}” ({entry.id}) is ready to watch.")
            self.notify("Recording ready", f"“{entry.name}” is ready to watch.")
        else:
            self.deps.say(f"“{entry.name}” ({entry.id}) is not usable: {status.sentence}")
            self.notify("Recording failed", f"“{entry.name}”: {status.sentence}")
        self.settled.emit(entry.id, status)

    def notify(self, title: str, text: str) -> None:
        """A desktop notification where the desktop has a tray (the status bar says it too)."""
        if not QSystemTrayIcon.isSystemTrayAvailable():
            return
        if self._tray is None:
            app = QApplication.instance()
            icon = app.windowIcon() if isinstance(app, QApplication) else None
            self._tray = QSystemTrayIcon(icon, self) if icon is not None else None
            if self._tray is None:
                return
            self._tray.show()
        self._tray.showMessage(title, text)

    # --- resume ---

    def unfinished(self, records: Sequence[UploadRecord]) -> list[UploadRecord]:
        """Records of uploads not in the queue now (left by an earlier run)."""
        queued = {str(f.path) for f in self.files}
        return [r for r in records if r.path not in queued and not r.entry_id]
