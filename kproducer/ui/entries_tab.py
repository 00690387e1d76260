"""The Entries tab: the sessions of an event (VOD, live, room), create, attach, details."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from ..services.models import Entry, Event, ScheduleSource
from . import thumbnails
from .common import NOT_CONNECTED, Deps, Page, when
from .entry_columns import (
    COLUMNS,
    kind_text,
    status_reason,
    status_text,
    timing,
    timing_utc,
)
from .entry_details import EntryDetails
from .failure import Failure
from .job_context import JobContext
from .live_badge import LivePoller, badge, summary
from .recording_actions import RecordingActions
from .session_actions import SessionActions, moderators_group
from .table import Column, RowsModel, make_view, select_where, selected_row
from .upload_queue import UploadQueue, is_pending_row

ALL_EVENTS = -1


class EntriesTab(RecordingActions, SessionActions, Page):
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
        self.thumbs = thumbnails.shared(deps)
        picture: Column[Entry] = Column("Picture", lambda e: "", width=6,
                                        sort=lambda e: thumbnails.placeholder_label(e),
                                        picture=self.thumbs.picture)
        self.uploads = UploadQueue(deps, self)
        self._server_rows: list[Entry] = []
        self._resume_offered = False
        state: Column[Entry] = Column(
            "Status", self._status, width=13, tooltip=self._status_tip,
            tone=lambda e: "error" if e.status in ("-2", "-1", "6") else "")
        self.model: RowsModel[Entry] = RowsModel(
            [picture, *COLUMNS[:2], on_air, COLUMNS[2], state, *COLUMNS[4:]], self)
        self.view = make_view(self.model, "entries.table", self, stretch=2)
        self.view.setIconSize(thumbnails.SMALL)
        self.view.verticalHeader().setDefaultSectionSize(
            max(self.view.verticalHeader().defaultSectionSize(), thumbnails.SMALL.height() + 4))
        # Pictures arrive one by one: repaint their column at most every 100 ms, not 200 times.
        self._repaint = QTimer(self)
        self._repaint.setSingleShot(True)
        self._repaint.setInterval(100)
        self._repaint.timeout.connect(self._repaint_pictures)
        self.thumbs.loaded.connect(lambda _url: self._repaint.start()
                                   if not self._repaint.isActive() else None)

        self.event_picker = QComboBox(self)
        self.event_picker.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.event_picker.setMinimumContentsLength(22)  # the bar fits in 1024 px
        self.event_picker.addItem("All events", ALL_EVENTS)
        self.event_picker.currentIndexChanged.connect(lambda _: self.refresh())
        self.new_button = QPushButton("&New session…", self)
        self.attach_button = QPushButton("&Attach existing…", self)
        self.upload_button = QPushButton("&Upload recording…", self)
        self.upload_button.setToolTip("Add video files as recorded sessions of the event "
                                      "(or drop them on this list)")
        self.upload_button.clicked.connect(self.upload_item)
        self.edit_button = QPushButton("Ed&it…", self)
        self.delete_button = QPushButton("&Delete…", self)
        self.refresh_button = QPushButton("&Refresh", self)
        self.new_button.setToolTip("Create a live stream or a meeting room, with its moderators "
                                   "group")
        self.attach_button.setToolTip("Find a session of the account by name (or type its "
                                      "ID) and list it under the event")
        self.edit_button.setToolTip("Rename, reschedule or move the selected session (F2)")
        self.delete_button.setToolTip("Delete the selected session, its moderators group and "
                                      "its schedule (Del)")
        self.new_button.clicked.connect(self.new_item)
        self.attach_button.clicked.connect(self.attach_item)
        self.edit_button.clicked.connect(self.edit_item)
        self.delete_button.clicked.connect(self.delete_item)
        self.refresh_button.clicked.connect(self.refresh)
        bar = QHBoxLayout()
        label = QLabel("Sessions &of event:", self)
        label.setBuddy(self.event_picker)
        bar.addWidget(label)
        bar.addWidget(self.event_picker)
        bar.addStretch(1)
        for button in (self.new_button, self.attach_button, self.upload_button, self.edit_button,
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
        self.setAcceptDrops(True)
        self.uploads.changed.connect(self._show_rows)
        self.uploads.uploaded.connect(self._reload_showing)
        self.uploads.settled.connect(lambda _id, _status: self.refresh())
        self._set_empty(NOT_CONNECTED)
        self.update_actions()

    # --- rows: sessions, and files still uploading ---

    def _status(self, entry: Entry) -> str:
        return self.uploads.line_for(entry) if is_pending_row(entry) else status_text(entry)

    def _status_tip(self, entry: Entry) -> str:
        return self._status(entry) if is_pending_row(entry) else status_reason(entry)

    def _show_rows(self) -> None:
        """The sessions loaded and the files uploading for this event (keeps the selection)."""
        if self._listed == "never":
            return
        pending = self.uploads.rows(self.event_id())
        chosen = self.selected()
        if pending or self.model.rowCount() != len(self._server_rows):
            self.model.set_rows(self._server_rows + pending)
            if pending or self._server_rows:
                self.stack.setCurrentWidget(self.view)
            if chosen is not None:
                select_where(self.view, lambda e: e is chosen or (e.id and e.id == chosen.id))
        self.details.fields["Status"].setText(
            self._status(chosen) if chosen is not None else "")

    # --- pictures ---

    def _repaint_pictures(self) -> None:
        rows = self.model.rowCount()
        if rows:
            self.model.dataChanged.emit(self.model.index(0, 0), self.model.index(rows - 1, 0),
                                        [Qt.ItemDataRole.DecorationRole])
        self.details.show_picture(self.thumbs.picture(self.selected(), thumbnails.LARGE))

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
        self.upload_button.setEnabled(connected)
        entry = self.selected()
        chosen = connected and entry is not None and not is_pending_row(entry)
        for button in (self.edit_button, self.delete_button):
            button.setEnabled(chosen and not held(button))
        self.moderators_button.setEnabled(entry is not None and not is_pending_row(entry))

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

    def show_session(self, event: Event | None, entry_id: str,
                     then: Callable[[], object] | None = None) -> None:
        """Select a session, listing ``event``'s sessions first when it is not listed.

        Args:
            then: Runs once the session is selected (e.g. open its editor).
        """
        if select_where(self.view, lambda e: e.id == entry_id):
            if then is not None:
                then()
            return

        def loaded(_rows: object) -> None:
            self.entriesLoaded.disconnect(loaded)
            if select_where(self.view, lambda e: e.id == entry_id) and then is not None:
                then()

        self.entriesLoaded.connect(loaded)
        self._want_id = entry_id
        index = self.event_picker.findData(event.id if event else ALL_EVENTS)
        if index >= 0 and index == self.event_picker.currentIndex():
            self.refresh()  # listed already, but not the session: it is new
        else:
            self.show_event(event)

    def _set_empty(self, text: str) -> None:
        self.empty.setText(text)
        self.stack.setCurrentWidget(self.empty)

    def _selection_changed(self) -> None:
        entry = self.selected()
        self.title.setText(entry.name if entry else "No session selected")
        names = {e.id: e.name for e in self._events}
        values = {
            "ID": entry.id or "not yet: Kaltura gives it once the file is uploaded",
            "Type": kind_text(entry) + (f" (plays the video {entry.schedule.source_entry_id})"
                                        if entry.is_simulive and entry.schedule else ""),
            "Status": self._status(entry) + (f" — {status_reason(entry)}"
                                             if status_text(entry) == "error" else ""),
            "Event": (f"{names.get(entry.event_id, 'event')} (ID {entry.event_id})"
                      if entry.event_id else "none"),
            "Duration / schedule": timing(entry) or "—",
            "Moderators group": moderators_group(entry.id) if entry.id
            else "made with the session",
            "Admin tags": entry.admin_tags or "—",
            "Created": when(entry.created_at, "not yet: uploading"),
        } if entry else {}
        for name, label in self.fields.items():
            label.setText(values.get(name, ""))
        self.fields["Duration / schedule"].setToolTip(timing_utc(entry) if entry else "")
        # A simulive session is streamed by Kaltura from its video: no encoder to set up.
        self.details.live.show_entry(None if entry is not None and entry.is_simulive else entry)
        self.details.show_picture(self.thumbs.picture(entry, thumbnails.LARGE))
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
        self._server_rows, self._resume_offered = [], False
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
        self._server_rows = list(rows)
        self.model.set_rows(rows + self.uploads.rows(self.event_id()))
        self.poller.set_entries(rows)
        if not self._resume_offered:
            self._resume_offered = True
            self.offer_resume()
        if self.model.rowCount():
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
