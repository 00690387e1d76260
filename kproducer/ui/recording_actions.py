"""What the Entries tab does with recordings: upload, set a thumbnail, schedule as simulive.

Uploads come from the file dialog, drag and drop, or an unfinished upload resumed.

A mixin of :class:`kproducer.ui.entries_tab.EntriesTab`; the uploads themselves run in its
:class:`~kproducer.ui.upload_queue.UploadQueue`, every Kaltura call on the worker.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QDialog, QFileDialog, QMenu, QMessageBox

from ..services.models import Entry, EntryKind, Event
from .common import Deps
from .job_context import JobContext
from .upload_queue import VIDEO_SUFFIXES, UploadQueue, is_pending_row, is_video_file

if TYPE_CHECKING:
    from PySide6.QtWidgets import QTableView

    from ..local.upload_state import UploadRecord
    from .thumbnails import ThumbnailLoader

READY = "2"
IMAGE_FILTER = "Images (*.jpg *.jpeg *.png *.gif)"
VIDEO_FILTER = "Videos (" + " ".join(f"*{s}" for s in VIDEO_SUFFIXES) + ");;All files (*)"


def dropped_videos(event: QDragEnterEvent | QDropEvent) -> list[Path]:
    """The local video files being dragged (by their names), in order."""
    mime = event.mimeData()
    if not mime.hasUrls():
        return []
    files = [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]
    return [f for f in files if is_video_file(f)]


def can_be_simulive(entry: Entry | None) -> bool:
    """A ready video (what simulive plays)."""
    return entry is not None and entry.kind is EntryKind.VOD and entry.status == READY


class RecordingActions:
    """Upload, set thumbnail, schedule as simulive (mixed into the Entries tab)."""

    deps: Deps
    view: QTableView
    uploads: UploadQueue
    thumbs: ThumbnailLoader
    _events: list[Event]

    if TYPE_CHECKING:  # the tab's own
        def selected(self) -> Entry | None: ...  # noqa: D102
        def event_id(self) -> int | None: ...  # noqa: D102
        def refresh(self) -> None: ...  # noqa: D102
        def _reload_showing(self, entry: Entry) -> None: ...
        def _fail(self, failure: object) -> None: ...

    def recording_menu(self, menu: QMenu, entry: Entry | None) -> None:
        """The context menu's recording actions, for ``entry`` (the selected row)."""
        menu.addSeparator()
        connected = self.deps.account() is not None
        if is_pending_row(entry):
            menu.addAction("&Cancel upload", self.cancel_upload)
        menu.addAction("&Upload recording…", self.upload_item).setEnabled(connected)
        video = entry is not None and entry.kind is EntryKind.VOD and not is_pending_row(entry)
        menu.addAction("Set &thumbnail…", self.set_thumbnail_item).setEnabled(
            connected and video)
        menu.addAction("Schedule as &simulive…", self.simulive_item).setEnabled(
            connected and can_be_simulive(entry))

    # --- upload ---

    def upload_item(self) -> None:
        """Choose video files and queue them (they join the event listed)."""
        if self.deps.account() is None:
            return
        names, _ = QFileDialog.getOpenFileNames(self.view, "Upload recordings", "",
                                                VIDEO_FILTER)
        if names:
            self.upload_files([Path(n) for n in names])

    def upload_files(self, paths: Sequence[Path]) -> None:
        """Queue files for upload, as sessions of the event listed (none for all events)."""
        if self.deps.account() is None or not paths:
            return
        added = self.uploads.add(list(paths), self.event_id())
        if added:
            self.deps.say(f"Uploading {added} recording{'s' if added > 1 else ''}; "
                          "you can go on working meanwhile.")

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        """Video files dragged over the tab: accept them (Qt API)."""
        if self.deps.account() is not None and dropped_videos(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        """Video files dropped on the tab: upload them (Qt API)."""
        files = dropped_videos(event)
        if files:
            event.acceptProposedAction()
            self.upload_files(files)

    def cancel_upload(self) -> None:
        """Stop the upload of the selected row (resumable), or take it off the queue."""
        entry = self.selected()
        if is_pending_row(entry):
            assert entry is not None
            self.uploads.cancel(entry)

    def offer_resume(self) -> None:
        """Offer to finish uploads an earlier run left unfinished (asked once a connect)."""
        account = self.deps.account()
        if account is None:
            return

        def look(ctx: JobContext) -> list[UploadRecord]:
            from ..services import uploads

            return uploads.pending_uploads(account)

        self.deps.worker.run("Looking for unfinished uploads", look, quiet=True,
                             on_done=self._ask_resume)

    def _ask_resume(self, records: list[UploadRecord]) -> None:
        left = self.uploads.unfinished(records)
        if not left or self.deps.account() is None:
            return
        names = ", ".join(f"{Path(r.path).name} ({r.confirmed / 1e6:.1f} of "
                          f"{r.size / 1e6:.1f} MB)" for r in left[:3])
        more = f" and {len(left) - 3} more" if len(left) > 3 else ""
        box = QMessageBox(QMessageBox.Icon.Question, "Unfinished uploads",
                          f"Uploads were left unfinished: {names}{more}. Continue them now?",
                          QMessageBox.StandardButton.NoButton, self.view)
        box.setInformativeText("They continue from the last part Kaltura confirmed. "
                               "Discard stops them for good.")
        go = box.addButton("Continue", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton("Later", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(go)
        box.exec()
        if box.clickedButton() is go:
            self.resume(left)
        elif box.clickedButton() is discard:
            self.discard(left)

    def resume(self, records: Sequence[UploadRecord]) -> None:
        """Upload these files again (each continues where the server stopped)."""
        by_event: dict[int | None, list[UploadRecord]] = {}
        for record in records:
            by_event.setdefault(record.event_id, []).append(record)
        for event_id, group in by_event.items():
            self.uploads.add([Path(r.path) for r in group], event_id,
                             [r.name or Path(r.path).stem for r in group])

    def discard(self, records: Sequence[UploadRecord]) -> None:
        """Give the unfinished uploads up (their server-side tokens are deleted)."""
        account = self.deps.account()
        if account is None:
            return

        def drop(ctx: JobContext) -> int:
            from ..services import uploads

            return sum(1 for r in records if uploads.discard(account, r.path))

        self.deps.worker.run("Discarding unfinished uploads", drop, on_error=self._fail,
                             on_done=lambda n: self.deps.say(
                                 f"Discarded {n} unfinished upload{'s' if n != 1 else ''}."))

    # --- thumbnail ---

    def set_thumbnail_item(self) -> None:
        """Choose an image file as the selected video's thumbnail."""
        entry = self.selected()
        if self.deps.account() is None or entry is None or entry.kind is not EntryKind.VOD \
                or is_pending_row(entry):
            return
        name, _ = QFileDialog.getOpenFileName(self.view, f"Thumbnail of “{entry.name}”", "",
                                              IMAGE_FILTER)
        if name:
            self.set_thumbnail(entry, Path(name))

    def set_thumbnail(self, entry: Entry, image: Path) -> None:
        """Make ``image`` the video's thumbnail (on the worker), then show it."""
        account = self.deps.account()
        if account is None:
            return

        def upload(ctx: JobContext) -> Entry:
            from ..services import recordings

            return recordings.set_thumbnail(account, entry.id, image)

        def done(updated: Entry) -> None:
            self.thumbs.forget(entry)
            self.thumbs.forget(updated)
            self.deps.say(f"“{updated.name}” has a new thumbnail.")
            self._reload_showing(updated)

        self.deps.worker.run("Setting the thumbnail", upload, on_done=done, on_error=self._fail)

    # --- simulive ---

    def simulive_item(self) -> None:
        """Schedule the selected ready video to play as a live session."""
        entry = self.selected()
        if self.deps.account() is None or not can_be_simulive(entry):
            return
        assert entry is not None
        from .simulive_dialog import SimuliveDialog

        dialog = SimuliveDialog(self.view, entry, self._events, self.event_id())
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.schedule_simulive(entry, *dialog.values())

    def schedule_simulive(self, source: Entry, name: str, event_id: int | None, start: int,
                          end: int) -> None:
        """Create the simulive session (live entry, moderators group, schedule event)."""
        account = self.deps.account()
        if account is None:
            return

        def create(ctx: JobContext) -> Entry:
            from ..services import simulive

            return simulive.create(account, source.id, name, start, end, event_id)

        def created(entry: Entry) -> None:
            self.deps.say(f"Scheduled “{entry.name}” ({entry.id}) to play “{source.name}” as "
                          "a live session.")
            self._reload_showing(entry)

        self.deps.worker.run("Scheduling the simulive session", create, on_done=created,
                             on_error=self._fail)
