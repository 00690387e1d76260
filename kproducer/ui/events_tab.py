"""The Events tab: the account's virtual events, searchable, with create, edit and delete."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..services.models import Event
from .common import NOT_CONNECTED, Deps, Page, confirm, failure_box, heading, hint, when
from .failure import Failure
from .job_context import JobContext
from .table import Column, RowsModel, make_view, select_where, selected_row

COLUMNS: list[Column[Event]] = [
    Column("ID", lambda e: str(e.id), sort=lambda e: e.id, numeric=True, width=7),
    Column("Name", lambda e: e.name, sort=lambda e: e.name.lower()),
    Column("Status", lambda e: e.status, width=9),
    Column("Created", lambda e: when(e.created_at), sort=lambda e: e.created_at, width=26),
]


class EventsTab(Page):
    """Events of the connected account.

    Signals:
        eventSelected(object): the selected :class:`Event`, or None.
        eventsLoaded(object): the list of events after each load.
        showSessions(object): the producer asked for the sessions of an event.
    """

    eventSelected = Signal(object)
    eventsLoaded = Signal(object)
    showSessions = Signal(object)

    def __init__(self, deps: Deps, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.deps = deps
        self.model: RowsModel[Event] = RowsModel(COLUMNS, self)
        self.view = make_view(self.model, "events.table", self)
        self.view.sortByColumn(3, Qt.SortOrder.DescendingOrder)

        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search events by name or ID")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda text: self.model.set_filter(text))
        self.new_button = QPushButton("&New event…", self)
        self.edit_button = QPushButton("Ed&it…", self)
        self.delete_button = QPushButton("&Delete…", self)
        self.refresh_button = QPushButton("&Refresh", self)
        self.new_button.clicked.connect(self.new_item)
        self.edit_button.clicked.connect(self.edit_item)
        self.delete_button.clicked.connect(self.delete_item)
        self.refresh_button.clicked.connect(self.refresh)
        bar = QHBoxLayout()
        bar.addWidget(self.search, 1)
        for button in (self.new_button, self.edit_button, self.delete_button,
                       self.refresh_button):
            bar.addWidget(button)

        self.lay_out_list("events", bar, self.view, self._details_pane())

        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.view.doubleClicked.connect(lambda _: self._show_sessions())
        self._want_id: int | None = None
        self._set_empty(NOT_CONNECTED)
        self.update_actions()

    def _details_pane(self) -> QWidget:
        pane = QWidget(self)
        self.title = heading("No event selected", pane)
        self.title.setWordWrap(True)
        self.d_id, self.d_status, self.d_created = QLabel(), QLabel(), QLabel()
        self.d_description = QLabel()
        self.d_description.setWordWrap(True)
        for label in (self.d_id, self.d_description):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form = QFormLayout()
        form.addRow("ID:", self.d_id)
        form.addRow("Status:", self.d_status)
        form.addRow("Created:", self.d_created)
        form.addRow("Description:", self.d_description)
        self.sessions_button = QPushButton("Show its &sessions", pane)
        self.sessions_button.clicked.connect(self._show_sessions)
        layout = QVBoxLayout(pane)
        layout.addWidget(self.title)
        layout.addLayout(form)
        layout.addWidget(self.sessions_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(hint(
            "Sessions (live streams, rooms and videos) belong to an event; the Sessions tab "
            "lists the sessions of the event selected here."
        ))
        layout.addStretch(1)
        return pane

    # --- state ---

    def selected(self) -> Event | None:
        """The selected event."""
        event: Event | None = selected_row(self.view)
        return event

    def update_actions(self) -> None:
        """Enable what makes sense for the connection and selection."""
        connected = self.deps.account() is not None
        chosen = self.selected() is not None
        held = self.deps.worker.is_held
        self.new_button.setEnabled(connected and not held(self.new_button))
        self.refresh_button.setEnabled(connected and not held(self.refresh_button))
        self.edit_button.setEnabled(connected and chosen and not held(self.edit_button))
        self.delete_button.setEnabled(connected and chosen and not held(self.delete_button))
        self.sessions_button.setEnabled(chosen)

    def can(self, action: str) -> bool:
        """Whether an Edit-menu action applies now."""
        buttons = {"new": self.new_button, "edit": self.edit_button,
                   "delete": self.delete_button, "refresh": self.refresh_button}
        return (action in buttons and buttons[action].isEnabled()) or action == "find"

    def focus_search(self) -> None:
        """Put the cursor in the search box."""
        self.search.setFocus()
        self.search.selectAll()

    def _set_empty(self, text: str) -> None:
        self.empty.setText(text)
        self.stack.setCurrentWidget(self.empty)

    def _selection_changed(self) -> None:
        event = self.selected()
        self.title.setText(event.name if event else "No event selected")
        self.d_id.setText(str(event.id) if event else "")
        self.d_status.setText(event.status if event else "")
        self.d_created.setText(when(event.created_at) if event else "")
        self.d_description.setText((event.description or "—") if event else "")
        self.update_actions()
        self.eventSelected.emit(event)

    def _show_sessions(self) -> None:
        event = self.selected()
        if event is not None:
            self.showSessions.emit(event)

    # --- jobs ---

    def refresh(self) -> None:
        """Load the events (again), keeping the selection."""
        account = self.deps.account()
        if account is None:
            self.model.set_rows([])
            self._set_empty(NOT_CONNECTED)
            self.update_actions()
            return
        if self.model.rowCount() == 0:
            self._set_empty("Loading events…")
        current = self.selected()
        if current is not None and self._want_id is None:
            self._want_id = current.id

        def load(ctx: JobContext) -> list[Event]:
            from ..services import events

            return events.list_events(account)

        self.deps.worker.run(
            "Loading events",
            load,
            on_done=self._loaded,
            on_error=self._load_failed,
            on_cancelled=self._load_cancelled,
            controls=[self.refresh_button],
            key="events.load",
            abandon_on_cancel=True,
        )

    def clear(self) -> None:
        """Forget the rows (after disconnecting or before another account's load)."""
        self.model.set_rows([])
        self._set_empty(NOT_CONNECTED)
        self.update_actions()

    def _loaded(self, rows: list[Event]) -> None:
        self.model.set_rows(rows)
        if rows:
            self.stack.setCurrentWidget(self.view)
        else:
            self._set_empty("This account has no virtual events yet.\n"
                            "Create the first one with “New event…”.")
        want, self._want_id = self._want_id, None
        if not (want and select_where(self.view, lambda e: e.id == want)) and rows:
            self.view.selectRow(0)
        self._selection_changed()
        self.eventsLoaded.emit(rows)

    def _load_failed(self, failure: Failure) -> None:
        self._want_id = None  # the next load keeps what is selected then
        if self.model.rowCount() == 0:
            self._set_empty(f"The events could not be loaded.\n{failure.message}\n"
                            "Try Refresh (F5).")

    def _load_cancelled(self) -> None:
        self._want_id = None
        if self.model.rowCount() == 0:
            self._set_empty("Loading the events was cancelled.\nTry Refresh (F5).")

    def new_item(self) -> None:
        """Ask for a name and create an event."""
        account = self.deps.account()
        if account is None:
            return
        from .dialogs import EventDialog

        dialog = EventDialog(self, others=self.model.rows)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.create_event(*dialog.values())

    def create_event(self, name: str, description: str = "") -> None:
        """Create an event (on the worker), then reload and select it."""
        account = self.deps.account()
        if account is None:
            return

        def create(ctx: JobContext) -> Event:
            from ..services import events

            return events.create(account, name, description)

        self.deps.worker.run(
            "Creating the event",
            create,
            on_done=lambda event: self._changed(event, f"Created the event “{event.name}”."),
            on_error=lambda failure: failure_box(self, failure),
            controls=[self.new_button],
        )

    def edit_item(self) -> None:
        """Rename the selected event or change its description."""
        account, event = self.deps.account(), self.selected()
        if account is None or event is None:
            return
        from .dialogs import EventDialog

        dialog = EventDialog(self, event, others=self.model.rows)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        name, description = dialog.values()

        def update(ctx: JobContext) -> Event:
            from ..services import events

            return events.update(account, event.id, name, description)

        self.deps.worker.run(
            "Saving the event",
            update,
            on_done=lambda saved: self._changed(saved, f"Saved the event “{saved.name}”."),
            on_error=lambda failure: failure_box(self, failure),
            controls=[self.edit_button, self.delete_button],
        )

    def delete_item(self) -> None:
        """Delete the selected event after asking."""
        account, event = self.deps.account(), self.selected()
        if account is None or event is None:
            return
        if not confirm(
            self, "Delete event", f"Delete the event “{event.name}” (ID {event.id})?", "Delete",
            "Its sessions are kept, but they are no longer listed under this event. "
            "This cannot be undone.",
        ):
            return

        def delete(ctx: JobContext) -> None:
            from ..services import events

            events.delete(account, event.id)

        self.deps.worker.run(
            "Deleting the event",
            delete,
            on_done=lambda _: self._changed(None, f"Deleted the event “{event.name}”."),
            on_error=lambda failure: failure_box(self, failure),
            controls=[self.edit_button, self.delete_button],
        )

    def _changed(self, event: Event | None, message: str) -> None:
        self.deps.say(message)
        self._want_id = event.id if event else None
        self.refresh()
