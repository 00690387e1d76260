"""What the Entries tab does to sessions: new, attach, edit, move, delete, with confirmations.

A mixin of :class:`kproducer.ui.entries_tab.EntriesTab` (which owns the table, the picker
and the buttons); every call to Kaltura runs on the worker through a service.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QMenu, QPushButton

from ..services.models import Entry, EntryKind, Event
from .common import Deps, confirm, failure_box
from .dialogs import event_label
from .job_context import JobContext
from .session_editor import SessionChanges

if TYPE_CHECKING:
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QTableView

    from ..services.sessions import UpdateResult
    from .table import RowsModel


def moderators_group(entry_id: str) -> str:
    """The entry's moderators group ID (as :func:`kproducer.services.tokens.moderators_group`)."""
    return f"{entry_id}_moderators"


class SessionActions:
    """New, attach, edit and delete of the Entries tab (mixed into the tab)."""

    deps: Deps
    view: QTableView
    model: RowsModel[Entry]
    _events: list[Event]
    _want_id: str | None
    new_button: QPushButton
    attach_button: QPushButton
    edit_button: QPushButton
    delete_button: QPushButton

    refresh_button: QPushButton

    if TYPE_CHECKING:  # the tab's own
        def selected(self) -> Entry | None: ...  # noqa: D102
        def event_id(self) -> int | None: ...  # noqa: D102
        def refresh(self) -> None: ...  # noqa: D102
        def _show_moderators(self) -> None: ...
        def _reload_showing(self, entry: Entry) -> None: ...

    # --- helpers ---

    def siblings(self) -> dict[int | None, Sequence[Entry]]:
        """The sessions the table holds, by event (for the duplicate-name warning)."""
        grouped: dict[int | None, list[Entry]] = {}
        for entry in self.model.rows:
            grouped.setdefault(entry.event_id, []).append(entry)
        return dict(grouped)

    def _fail(self, failure: object) -> None:
        failure_box(self.view, failure)  # type: ignore[arg-type]

    # --- context menu ---

    def context_menu(self) -> QMenu:
        """The menu of the selected session (right click on the table)."""
        entry = self.selected()
        menu = QMenu(self.view)
        edit = menu.addAction("&Edit…", self.edit_item)
        edit.setShortcut(QKeySequence("F2"))
        delete = menu.addAction("&Delete…", self.delete_item)
        delete.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        menu.addSeparator()
        moderators = menu.addAction("&Moderators of this session", self._show_moderators)
        copy: QAction = menu.addAction("&Copy ID", lambda: self._copy_id())
        for action in (edit, delete):
            action.setEnabled(entry is not None and self.can("edit"))
        for action in (moderators, copy):
            action.setEnabled(entry is not None and bool(entry.id))
        more = getattr(self, "recording_menu", None)
        if more is not None:  # the tab's recording actions (upload, thumbnail, simulive)
            more(menu, entry)
        return menu

    def _open_context_menu(self, pos: QPoint) -> None:
        index = self.view.indexAt(pos)
        if index.isValid():
            self.view.selectRow(index.row())
        self.context_menu().exec(self.view.viewport().mapToGlobal(pos))

    def _copy_id(self) -> None:
        from PySide6.QtGui import QGuiApplication

        entry = self.selected()
        if entry is not None:
            QGuiApplication.clipboard().setText(entry.id)
            self.deps.say(f"Copied {entry.id}.")

    def can(self, action: str) -> bool:
        """Whether an Edit-menu action applies now."""
        buttons = {"new": self.new_button, "edit": self.edit_button,
                   "delete": self.delete_button, "refresh": self.refresh_button}
        return action in buttons and buttons[action].isEnabled()

    # --- new ---

    def new_item(self) -> None:
        """Create a live stream or a room (and its moderators group)."""
        if self.deps.account() is None:
            return
        from .dialogs import EntryDialog

        dialog = EntryDialog(self.view, self._events, self.event_id(), self.siblings())
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.create_session(*dialog.values())

    def create_session(self, kind: EntryKind, name: str, event_id: int | None,
                       start: int | None = None, end: int | None = None) -> None:
        """Create a live stream or room and its moderators group (on the worker)."""
        account = self.deps.account()
        if account is None:
            return

        def create(ctx: JobContext) -> Entry:
            from ..services import entries

            return entries.create(account, kind, name, event_id, start, end)

        self.deps.worker.run("Creating the session", create, on_done=self._created,
                             on_error=self._fail, controls=[self.new_button])

    def _created(self, entry: Entry) -> None:
        what = "live stream" if entry.kind is EntryKind.LIVE else "room"
        self.deps.say(f"Created the {what} “{entry.name}” ({entry.id}) and its moderators "
                      f"group {moderators_group(entry.id)}.")
        self._reload_showing(entry)

    # --- attach ---

    def attach_item(self) -> None:
        """Tie an existing entry to an event (asking first if that moves it)."""
        if self.deps.account() is None:
            return
        from .attach_dialog import AttachDialog

        dialog = AttachDialog(self.view, self.deps, self._events, self.event_id())
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.attach(*dialog.values())

    def attach(self, entry_id: str, event_id: int) -> None:
        """Look the entry up; if it belongs to another event, say so and ask; then attach."""
        account = self.deps.account()
        if account is None:
            return

        def look_up(ctx: JobContext) -> Entry:
            from ..services import entries

            return entries.get(account, entry_id)

        self.deps.worker.run("Looking up the session", look_up,
                             on_done=lambda entry: self._attach_found(entry, event_id),
                             on_error=self._fail, controls=[self.attach_button])

    def _attach_found(self, entry: Entry, event_id: int) -> None:
        if entry.event_id == event_id:
            self.deps.say(f"“{entry.name}” ({entry.id}) is already a session of "
                          f"{event_label(self._events, event_id)}.")
            self._reload_showing(entry)
            return
        if entry.event_id is not None and not confirm(
            self.view, "Move session",
            f"“{entry.name}” ({entry.id}) is a session of "
            f"{event_label(self._events, entry.event_id)}. Move it to "
            f"{event_label(self._events, event_id)}?",
            "Move",
            "A session belongs to one event: it will no longer be listed under "
            f"{event_label(self._events, entry.event_id)}.",
        ):
            return
        account = self.deps.account()
        if account is None:
            return

        def attach(ctx: JobContext) -> Entry:
            from ..services import entries

            return entries.attach(account, entry.id, event_id)

        self.deps.worker.run("Attaching the session", attach, on_done=self._attached,
                             on_error=self._fail, controls=[self.attach_button])

    def _attached(self, entry: Entry) -> None:
        self.deps.say(f"“{entry.name}” ({entry.id}) is now a session of "
                      f"{event_label(self._events, entry.event_id)}.")
        self._reload_showing(entry)

    # --- edit ---

    def edit_item(self) -> None:
        """Rename, reschedule or move the selected session."""
        entry = self.selected()
        if self.deps.account() is None or entry is None:
            return
        from .session_editor import EditSessionDialog

        dialog = EditSessionDialog(self.view, entry, self._events, self.siblings())
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.update_session(entry, dialog.changes())

    def update_session(self, entry: Entry, changes: SessionChanges) -> None:
        """Save the changes (a move is confirmed first, naming the event it leaves)."""
        account = self.deps.account()
        if account is None or changes.empty:
            return
        if changes.moved and entry.event_id is not None and not confirm(
            self.view, "Move session",
            f"Move “{entry.name}” ({entry.id}) out of "
            f"{event_label(self._events, entry.event_id)}?",
            "Move",
            f"It will be listed under {event_label(self._events, changes.event_id)} instead; "
            "its moderators, links and schedule stay as they are.",
        ):
            return

        def update(ctx: JobContext) -> UpdateResult:
            from ..services import sessions

            return sessions.update(
                account, entry.id, name=changes.name, start=changes.start, end=changes.end,
                event_id=changes.event_id if changes.moved else sessions.KEEP)

        self.deps.worker.run("Saving the session", update, on_done=self._updated,
                             on_error=self._fail, controls=[self.edit_button])

    def _updated(self, result: UpdateResult) -> None:
        entry = result.entry
        said = f"Saved “{entry.name}” ({entry.id})."
        if result.left_event_id is not None:
            said += (f" It left {event_label(self._events, result.left_event_id)} for "
                     f"{event_label(self._events, result.joined_event_id)}.")
        if result.same_name:
            said += (f" Another session of its event has the same name "
                     f"({', '.join(result.same_name)}).")
        self.deps.say(said)
        self._reload_showing(entry)

    def move_schedule(self) -> None:
        """Move the selected session's slot from its entry dates to a Kaltura schedule event."""
        entry, account = self.selected(), self.deps.account()
        if entry is None or account is None:
            return

        def move(ctx: JobContext) -> Entry:
            from ..services import schedule

            return schedule.move_to_schedule_event(account, entry.id)

        def moved(done: Entry) -> None:
            self.deps.say(f"“{done.name}” ({done.id}) now has a Kaltura schedule event.")
            self._reload_showing(done)

        self.deps.worker.run("Moving the schedule", move, on_done=moved, on_error=self._fail)

    # --- delete ---

    def delete_item(self) -> None:
        """Delete the selected session after asking."""
        entry = self.selected()
        account = self.deps.account()
        if account is None or entry is None:
            return
        what = {EntryKind.LIVE: "live stream", EntryKind.ROOM: "room",
                EntryKind.VOD: "video"}.get(entry.kind, "session")
        if not confirm(
            self.view, "Delete session", f"Delete the {what} “{entry.name}” ({entry.id})?",
            "Delete",
            f"Its moderators group {moderators_group(entry.id)} and its schedule are deleted "
            "with it, and links already sent for it stop working. Kaltura keeps a deleted "
            "session only as a record: it cannot be brought back from kproducer.",
        ):
            return

        def delete(ctx: JobContext) -> None:
            from ..services import sessions

            sessions.delete(account, entry.id)

        self.deps.worker.run("Deleting the session", delete,
                             on_done=lambda _: self._deleted(entry),
                             on_error=self._fail, controls=[self.delete_button])

    def _deleted(self, entry: Entry) -> None:
        self.deps.say(f"Deleted “{entry.name}” ({entry.id}), its moderators group and its "
                      "schedule.")
        self.refresh()
