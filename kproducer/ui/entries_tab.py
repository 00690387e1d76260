"""The Entries tab: the sessions of an event (VOD, live, room), create, attach, details."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from ..services.models import Entry, EntryKind, Event, ScheduleSource
from . import times
from .common import NOT_CONNECTED, Deps, Page, duration, when
from .entry_details import EntryDetails
from .live_badge import LivePoller, badge, summary
from .session_actions import SessionActions, moderators_group
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
#: The widest entry ID the ID column shows whole ("{partition}_{8 letters or digits}").
WIDEST_ID = "0_wwwwwwww"


def status_text(entry: Entry) -> str:
    """The entry's status as a word."""
    return STATUS_NAMES.get(entry.status, entry.status or "unknown")


def timing(entry: Entry) -> str:
    """Duration for a video, schedule for live sessions and rooms."""
    if entry.kind is EntryKind.VOD:
        return duration(entry.duration) if entry.duration else ""
    start, end = slot_of(entry)
    if start or end:
        return times.slot(start, end)
    return "not scheduled"


def slot_of(entry: Entry) -> tuple[int | None, int | None]:
    """The session's slot: its schedule event, else (older sessions) the entry's dates."""
    if entry.schedule is not None:
        return entry.schedule.start, entry.schedule.end
    return entry.start_date, entry.end_date


def timing_utc(entry: Entry) -> str:
    """The schedule in UTC (a tooltip), or ""."""
    return "" if entry.kind is EntryKind.VOD else times.slot_utc(*slot_of(entry))


def _timing_key(entry: Entry) -> int:
    return entry.duration if entry.kind is EntryKind.VOD else slot_of(entry)[0] or 0


COLUMNS: list[Column[Entry]] = [
    Column("ID", lambda e: e.id, width=12, fits=WIDEST_ID),
    Column("Name", lambda e: e.name, sort=lambda e: e.name.lower()),
    Column("Type", lambda e: KIND_NAMES[e.kind], width=6),
    Column("Status", status_text, width=13,
           tone=lambda e: "error" if e.status in ("-2", "-1", "6") else ""),
    Column("Duration / schedule", timing, sort=_timing_key, tooltip=timing_utc, width=34),
]


class EntriesTab(SessionActions, Page):
    """Sessions of the event chosen on the Events tab (or of every event).

    Signals:
        entrySelected(object): the selected :class:`Entry`, or None.
        entriesLoaded(object): the list of entries after each load.
        showModerators(object): the producer asked for the moderators of an entry.
    """

    entrySelected = Signal(object)
    entriesLoaded = Signal(object)
    showModerators = Signal(object)
    #: Which sessions are on air, one line for the window's status ("" when none is live).
    liveSummary = Signal(str, str)

    def __init__(self, deps: Deps, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.deps = deps
        self._events: list[Event] = []
        self._want_id: str | None = None
        self._requested: int | str | None = "never"
        #: The event whose sessions the table holds ("never": none loaded yet).
        self._listed: int | str | None = "never"
        self.poller = LivePoller(deps, self.on_screen, self)
        self.poller.changed.connect(self._live_changed)
        self.poller.unknown.connect(
            lambda why: self.liveSummary.emit("On air: not known", f"Kaltura could not be "
                                              f"asked which sessions are live: {why}"))
        on_air: Column[Entry] = Column("On air", lambda e: badge(e, self.poller.live), width=9,
                        tone=lambda e: "good" if self.poller.live.get(e.id) else "muted",
                        tooltip=lambda e: "An encoder is pushing to this session"
                        if self.poller.live.get(e.id) else "")
        self.model: RowsModel[Entry] = RowsModel([*COLUMNS[:2], on_air, *COLUMNS[2:]], self)
        self.view = make_view(self.model, "entries.table", self, stretch=1)

        self.event_picker = QComboBox(self)
        self.event_picker.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.event_picker.setMinimumContentsLength(28)
        self.event_picker.addItem("All events", ALL_EVENTS)
        self.event_picker.currentIndexChanged.connect(lambda _: self.refresh())
        self.new_button = QPushButton("&New session…", self)
        self.attach_button = QPushButton("&Attach by ID…", self)
        self.edit_button = QPushButton("Ed&it…", self)
        self.delete_button = QPushButton("&Delete…", self)
        self.refresh_button = QPushButton("&Refresh", self)
        self.new_button.setToolTip("Create a live stream or a meeting room, with its moderators "
                                   "group")
        self.attach_button.setToolTip("List a video, live stream or room that already exists "
                                      "in Kaltura (by its ID) under the event")
        self.edit_button.setToolTip("Rename, reschedule or move the selected session (F2)")
        self.delete_button.setToolTip("Delete the selected session, its moderators group and "
                                      "its schedule (Del)")
        self.new_button.clicked.connect(self.new_item)
        self.attach_button.clicked.connect(self.attach_item)
        self.edit_button.clicked.connect(self.edit_item)
        self.delete_button.clicked.connect(self.delete_item)
        self.refresh_button.clicked.connect(self.refresh)
        bar = QHBoxLayout()
        label = QLabel("Sessions of &event:", self)
        label.setBuddy(self.event_picker)
        bar.addWidget(label)
        bar.addWidget(self.event_picker)
        bar.addStretch(1)
        for button in (self.new_button, self.attach_button, self.edit_button,
                       self.delete_button, self.refresh_button):
            bar.addWidget(button)

        self.details = EntryDetails(deps, self._show_moderators, self)
        self.title, self.fields = self.details.title, self.details.fields
        self.moderators_button = self.details.moderators_button
        self.details.schedule_button.clicked.connect(self.move_schedule)
        self.lay_out_list("entries", bar, self.view, self.details)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.view.doubleClicked.connect(lambda _: self._show_moderators())
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._open_context_menu)
        self._set_empty(NOT_CONNECTED)
        self.update_actions()

    # --- live status ---

    def on_screen(self) -> bool:
        """The table is seen: this tab in front, the window shown and not minimised."""
        window = self.window()
        return self.isVisible() and not window.isMinimized()

    def showEvent(self, event: QShowEvent) -> None:
        """Coming on screen: ask which sessions are live (Qt API)."""
        super().showEvent(event)
        self.poller.wake()

    def hideEvent(self, event: QHideEvent) -> None:
        """Going off screen: stop asking (Qt API)."""
        super().hideEvent(event)
        self.poller.sleep()

    def _live_changed(self, live: dict[str, bool]) -> None:
        rows = self.model.rowCount()
        if rows:
            column = next(n for n, c in enumerate(self.model.columns) if c.title == "On air")
            self.model.dataChanged.emit(self.model.index(0, column),
                                        self.model.index(rows - 1, column))
        entry = self.selected()
        if entry is not None and entry.id in live:
            self.details.live.set_broadcasting(live[entry.id])
        on_air = [e.name for e in self.model.rows if live.get(e.id)]
        self.liveSummary.emit(summary(self.model.rows, live),
                              "On air now: " + ", ".join(on_air) if on_air
                              else "No session of this list is on air")

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
        chosen = connected and self.selected() is not None
        for button in (self.edit_button, self.delete_button):
            button.setEnabled(chosen and not held(button))
        self.moderators_button.setEnabled(self.selected() is not None)

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
        self.fields["Duration / schedule"].setToolTip(timing_utc(entry) if entry else "")
        self.details.live.show_entry(entry)
        self.details.offer_schedule_move(
            entry is not None and entry.schedule is not None
            and entry.schedule.source is ScheduleSource.ENTRY_DATES)
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
        self.poller.set_entries([])
        self.liveSummary.emit("", "")
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
        self.poller.set_entries(rows)
        if rows:
            self.stack.setCurrentWidget(self.view)
        elif self.event_id() is None:
            self._set_empty("This account has no sessions yet.\n"
                            "Create a live stream or a room with “New session…”.")
        else:
            self._set_empty("This event has no sessions yet.\nCreate one with “New session…”, "
                            "or attach one that already exists with “Attach by ID…”.")
        want, self._want_id = self._want_id, None
        if not (want and select_where(self.view, lambda e: e.id == want)) and rows:
            self.view.selectRow(0)
        self._selection_changed()
        self.entriesLoaded.emit(rows)

    def _reload_showing(self, entry: Entry) -> None:
        self._want_id = entry.id
        if self.event_id() not in (None, entry.event_id):
            index = self.event_picker.findData(entry.event_id if entry.event_id else ALL_EVENTS)
            self.event_picker.setCurrentIndex(max(0, index))  # reloads
        else:
            self.refresh()
