"""The Entries tab: the sessions of an event (VOD, live, room), create, attach, details."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..services.models import Entry, EntryKind, Event
from . import times
from .common import NOT_CONNECTED, Deps, Page, duration, failure_box, heading, when
from .table import Column, RowsModel, make_view, select_where, selected_row
from .worker import Failure, JobContext

KIND_NAMES = {
    EntryKind.VOD: "VOD",
    EntryKind.LIVE: "Live",
    EntryKind.ROOM: "Room",
    EntryKind.OTHER: "Other",
}
#: Kaltura entry statuses as words.
STATUS_NAMES = {
    "-2": "import failed", "-1": "conversion failed", "0": "importing", "1": "converting",
    "2": "ready", "3": "deleted", "4": "pending", "5": "awaiting moderation",
    "6": "blocked", "7": "no media yet",
}
ALL_EVENTS = -1


def moderators_group(entry_id: str) -> str:
    """The entry's moderators group ID (as :func:`kproducer.services.tokens.moderators_group`)."""
    return f"{entry_id}_moderators"


def status_text(entry: Entry) -> str:
    """The entry's status as a word."""
    return STATUS_NAMES.get(entry.status, entry.status or "unknown")


def timing(entry: Entry) -> str:
    """Duration for a video, schedule for live sessions and rooms."""
    if entry.kind is EntryKind.VOD:
        return duration(entry.duration) if entry.duration else ""
    if entry.start_date or entry.end_date:
        return times.slot(entry.start_date, entry.end_date)
    return "not scheduled"


def timing_utc(entry: Entry) -> str:
    """The schedule in UTC (a tooltip), or ""."""
    return "" if entry.kind is EntryKind.VOD else times.slot_utc(entry.start_date,
                                                                 entry.end_date)


def _timing_key(entry: Entry) -> int:
    return entry.duration if entry.kind is EntryKind.VOD else entry.start_date or 0


COLUMNS: list[Column[Entry]] = [
    Column("ID", lambda e: e.id, width=12),
    Column("Name", lambda e: e.name, sort=lambda e: e.name.lower()),
    Column("Type", lambda e: KIND_NAMES[e.kind], width=6),
    Column("Status", status_text, width=13,
           tone=lambda e: "error" if e.status in ("-2", "-1", "6") else ""),
    Column("Duration / schedule", timing, sort=_timing_key, tooltip=timing_utc, width=34),
]


class EntriesTab(Page):
    """Sessions of the event chosen on the Events tab (or of every event).

    Signals:
        entrySelected(object): the selected :class:`Entry`, or None.
        entriesLoaded(object): the list of entries after each load.
        showModerators(object): the producer asked for the moderators of an entry.
    """

    entrySelected = Signal(object)
    entriesLoaded = Signal(object)
    showModerators = Signal(object)

    def __init__(self, deps: Deps, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.deps = deps
        self._events: list[Event] = []
        self._want_id: str | None = None
        self._requested: int | str | None = "never"
        #: The event whose sessions the table holds ("never": none loaded yet).
        self._listed: int | str | None = "never"
        self.model: RowsModel[Entry] = RowsModel(COLUMNS, self)
        self.view = make_view(self.model, "entries.table", self, stretch=1)

        self.event_picker = QComboBox(self)
        self.event_picker.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.event_picker.setMinimumContentsLength(28)
        self.event_picker.addItem("All events", ALL_EVENTS)
        self.event_picker.currentIndexChanged.connect(lambda _: self.refresh())
        self.new_button = QPushButton("&New session…", self)
        self.attach_button = QPushButton("&Attach entry…", self)
        self.refresh_button = QPushButton("&Refresh", self)
        self.new_button.setToolTip("Create a live stream or a meeting room, with its moderators "
                                   "group")
        self.attach_button.setToolTip("List an existing entry (by ID) under the event")
        self.new_button.clicked.connect(self.new_item)
        self.attach_button.clicked.connect(self.attach_item)
        self.refresh_button.clicked.connect(self.refresh)
        bar = QHBoxLayout()
        label = QLabel("Sessions of &event:", self)
        label.setBuddy(self.event_picker)
        bar.addWidget(label)
        bar.addWidget(self.event_picker)
        bar.addStretch(1)
        for button in (self.new_button, self.attach_button, self.refresh_button):
            bar.addWidget(button)

        self.lay_out_list("entries", bar, self.view, self._details_pane())
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.view.doubleClicked.connect(lambda _: self._show_moderators())
        self._set_empty(NOT_CONNECTED)
        self.update_actions()

    def _details_pane(self) -> QWidget:
        pane = QWidget(self)
        self.title = heading("No session selected", pane)
        self.title.setWordWrap(True)
        self.fields: dict[str, QLabel] = {}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for name in ("ID", "Type", "Status", "Event", "Duration / schedule",
                     "Moderators group", "Admin tags", "Created"):
            label = QLabel(pane)
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fields[name] = label
            form.addRow(f"{name}:", label)
        self.moderators_button = QPushButton("&Moderators of this session", pane)
        self.moderators_button.clicked.connect(self._show_moderators)
        layout = QVBoxLayout(pane)
        layout.addWidget(self.title)
        layout.addLayout(form)
        layout.addWidget(self.moderators_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)
        return pane

    # --- state ---

    def selected(self) -> Entry | None:
        """The selected entry."""
        entry: Entry | None = selected_row(self.view)
        return entry

    def event_id(self) -> int | None:
        """The event whose sessions are listed, or None for all."""
        data = self.event_picker.currentData()
        return None if data in (None, ALL_EVENTS) else int(data)

    def update_actions(self) -> None:
        """Enable what makes sense for the connection and selection."""
        connected = self.deps.account() is not None
        held = self.deps.worker.is_held
        self.new_button.setEnabled(connected and not held(self.new_button))
        self.attach_button.setEnabled(
            connected and bool(self._events) and not held(self.attach_button))
        self.refresh_button.setEnabled(connected and not held(self.refresh_button))
        self.moderators_button.setEnabled(self.selected() is not None)

    def can(self, action: str) -> bool:
        """Whether an Edit-menu action applies now."""
        buttons = {"new": self.new_button, "refresh": self.refresh_button}
        return action in buttons and buttons[action].isEnabled()

    def set_events(self, events: Sequence[Event]) -> None:
        """Offer these events in the event picker (keeps the current choice if it remains)."""
        self._events = list(events)
        current = self.event_picker.currentData()
        self.event_picker.blockSignals(True)
        self.event_picker.clear()
        self.event_picker.addItem("All events", ALL_EVENTS)
        for event in events:
            self.event_picker.addItem(f"{event.name}  (ID {event.id})", event.id)
        self.event_picker.setCurrentIndex(max(0, self.event_picker.findData(current)))
        self.event_picker.blockSignals(False)
        self.update_actions()

    def show_event(self, event: Event | None) -> None:
        """List the sessions of ``event`` (None: of every event)."""
        index = self.event_picker.findData(event.id if event else ALL_EVENTS)
        if index < 0 and event is not None:
            self.event_picker.addItem(f"{event.name}  (ID {event.id})", event.id)
            index = self.event_picker.count() - 1
        if index != self.event_picker.currentIndex():
            self.event_picker.setCurrentIndex(max(0, index))  # reloads
        elif self._requested != self.event_id():
            self.refresh()

    def _set_empty(self, text: str) -> None:
        self.empty.setText(text)
        self.stack.setCurrentWidget(self.empty)

    def _selection_changed(self) -> None:
        entry = self.selected()
        self.title.setText(entry.name if entry else "No session selected")
        names = {e.id: e.name for e in self._events}
        values = {
            "ID": entry.id,
            "Type": KIND_NAMES[entry.kind],
            "Status": status_text(entry),
            "Event": (f"{names.get(entry.event_id, 'event')} (ID {entry.event_id})"
                      if entry.event_id else "none"),
            "Duration / schedule": timing(entry) or "—",
            "Moderators group": moderators_group(entry.id),
            "Admin tags": entry.admin_tags or "—",
            "Created": when(entry.created_at),
        } if entry else {}
        for name, label in self.fields.items():
            label.setText(values.get(name, ""))
        self.update_actions()
        self.entrySelected.emit(entry)

    def _show_moderators(self) -> None:
        entry = self.selected()
        if entry is not None:
            self.showModerators.emit(entry)

    # --- jobs ---

    def clear(self) -> None:
        """Forget everything (after disconnecting)."""
        self._requested = self._listed = "never"
        self.model.set_rows([])
        self.set_events([])
        self._set_empty(NOT_CONNECTED)

    def refresh(self) -> None:
        """Load the sessions of the chosen event (again), keeping the selection."""
        account = self.deps.account()
        if account is None:
            self.clear()
            return
        event_id = self._requested = self.event_id()
        current = self.selected()
        if current is not None and self._want_id is None:
            self._want_id = current.id
        if event_id != self._listed and self.model.rowCount():
            # Another event's sessions must not stand for this one's while it loads, nor
            # after its load failed.
            self.model.set_rows([])
            self._selection_changed()
        if self.model.rowCount() == 0:
            self._set_empty("Loading sessions…")

        def load(ctx: JobContext) -> list[Entry]:
            from ..services import entries

            return entries.list_entries(account, event_id)

        self.deps.worker.run(
            "Loading sessions",
            load,
            on_done=self._loaded,
            on_error=self._load_failed,
            on_cancelled=self._load_cancelled,
            controls=[self.refresh_button],
            key="entries.load",
            abandon_on_cancel=True,
        )

    def _load_failed(self, failure: Failure) -> None:
        # Picking the event again tries again; the next load keeps what is selected then.
        self._requested, self._want_id = self._listed, None
        if not self.model.rowCount():
            self._set_empty(f"The sessions could not be loaded.\n{failure.message}\n"
                            "Try Refresh (F5).")

    def _load_cancelled(self) -> None:
        self._requested, self._want_id = self._listed, None
        if not self.model.rowCount():
            self._set_empty("Loading the sessions was cancelled.\nTry Refresh (F5).")

    def _loaded(self, rows: list[Entry]) -> None:
        self._listed = self._requested  # a superseded load never gets here
        self.model.set_rows(rows)
        if rows:
            self.stack.setCurrentWidget(self.view)
        elif self.event_id() is None:
            self._set_empty("This account has no sessions yet.\n"
                            "Create a live stream or a room with “New session…”.")
        else:
            self._set_empty("This event has no sessions yet.\nCreate one with “New session…”, "
                            "or attach an existing entry with “Attach entry…”.")
        want, self._want_id = self._want_id, None
        if not (want and select_where(self.view, lambda e: e.id == want)) and rows:
            self.view.selectRow(0)
        self._selection_changed()
        self.entriesLoaded.emit(rows)

    def new_item(self) -> None:
        """Create a live stream or a room (and its moderators group)."""
        account = self.deps.account()
        if account is None:
            return
        from .dialogs import EntryDialog

        dialog = EntryDialog(self, self._events, self.event_id())
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

        self.deps.worker.run(
            "Creating the session",
            create,
            on_done=self._created,
            on_error=lambda failure: failure_box(self, failure),
            controls=[self.new_button],
        )

    def _created(self, entry: Entry) -> None:
        what = "live stream" if entry.kind is EntryKind.LIVE else "room"
        self.deps.say(f"Created the {what} “{entry.name}” ({entry.id}) and its moderators "
                      f"group {moderators_group(entry.id)}.")
        self._reload_showing(entry)

    def attach_item(self) -> None:
        """Tie an existing entry to an event."""
        account = self.deps.account()
        if account is None:
            return
        from .dialogs import AttachDialog

        dialog = AttachDialog(self, self._events, self.event_id())
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.attach(*dialog.values())

    def attach(self, entry_id: str, event_id: int) -> None:
        """Tie an existing entry to an event (on the worker)."""
        account = self.deps.account()
        if account is None:
            return

        def attach(ctx: JobContext) -> Entry:
            from ..services import entries

            return entries.attach(account, entry_id, event_id)

        self.deps.worker.run(
            "Attaching the entry",
            attach,
            on_done=self._attached,
            on_error=lambda failure: failure_box(self, failure),
            controls=[self.attach_button],
        )

    def _attached(self, entry: Entry) -> None:
        self.deps.say(f"“{entry.name}” ({entry.id}) is now a session of event {entry.event_id}.")
        self._reload_showing(entry)

    def _reload_showing(self, entry: Entry) -> None:
        self._want_id = entry.id
        if self.event_id() not in (None, entry.event_id):
            index = self.event_picker.findData(entry.event_id if entry.event_id else ALL_EVENTS)
            self.event_picker.setCurrentIndex(max(0, index))  # reloads
        else:
            self.refresh()
