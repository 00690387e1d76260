"""The Moderators tab: who moderates a session; add, remove, import from CSV (or drop a file).

The list says how many moderators the session has, several can be selected (Shift/Ctrl-click)
and removed with one confirmation (50 a request), and the list can be saved as a CSV that
imports back. The import panel below belongs to the session it imports into.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ..services.models import Entry, Moderator
from . import moderator_actions
from .common import NOT_CONNECTED, Deps, Page, failure_box, hint
from .failure import Failure
from .job_context import JobContext
from .moderator_actions import count_text, moderator_name
from .table import ROW_ROLE, Column, RowsModel, make_view

if TYPE_CHECKING:
    from ..services.facts import Person
    from .import_panel import ImportPanel

COLUMNS: list[Column[Moderator]] = [
    Column("User ID", lambda m: m.user_id, width=28),
    Column("Name", moderator_name),
    Column("Email", lambda m: m.email, width=30),
]
CSV_SUFFIXES = (".csv", ".txt")
EMPTY_TEXT = ("This session has no moderators yet.\nAdd one with “Add moderator…”, or drop a "
              "CSV file here to import many.")
IMPORT_HELP = ("CSV columns: user_id (or email), optional first_name, last_name, email, role. "
               "Rows with role “attendee” are skipped.")


class ModeratorsTab(Page):
    """The moderators of one session.

    Signals:
        entryChosen(object): the session picked here, or None.
        loaded(object): the list of moderators after each load.
    """

    entryChosen = Signal(object)
    loaded = Signal(object)

    def __init__(self, deps: Deps, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.deps = deps
        self._entries: list[Entry] = []
        self._stale = False
        self._loaded_for: str | None = None  # the session whose list is shown
        self.setAcceptDrops(True)
        self.model: RowsModel[Moderator] = RowsModel(COLUMNS, self)
        self.view = make_view(self.model, "moderators.table", self, stretch=1)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.sortByColumn(1, Qt.SortOrder.AscendingOrder)
        self.count = QLabel(self)
        self.count.setObjectName("moderators.count")
        for signal in (self.model.modelReset, self.model.layoutChanged):
            signal.connect(self._show_count)

        self.entry = QComboBox(self)
        self.entry.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.entry.setMinimumContentsLength(24)
        self.entry.currentIndexChanged.connect(self._entry_changed)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Filter moderators")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda text: self.model.set_filter(text))
        self.add_button = QPushButton("&Add moderator…", self)
        self.remove_button = QPushButton("Re&move…", self)
        self.remove_button.setToolTip("Remove the selected moderators (Shift- or Ctrl-click "
                                      "to select several)")
        self.import_button = QPushButton("&Import CSV…", self)
        self.import_button.setToolTip("Add many moderators from a CSV file (or drop the file "
                                      "on this tab). " + IMPORT_HELP)
        self.export_button = QPushButton("E&xport list…", self)
        self.export_button.setToolTip("Save every moderator of this session as a CSV file "
                                      "(user_id, first_name, last_name, email), which can be "
                                      "imported into another session")
        self.refresh_button = QPushButton("&Refresh", self)
        self.add_button.clicked.connect(self.new_item)
        self.remove_button.clicked.connect(self.delete_item)
        self.import_button.clicked.connect(self.choose_csv)
        self.export_button.clicked.connect(self.choose_export)
        self.refresh_button.clicked.connect(self.refresh)

        picker = QHBoxLayout()
        label = QLabel("&Session:", self)
        label.setBuddy(self.entry)
        picker.addWidget(label)
        picker.addWidget(self.entry, 1)
        picker.addWidget(self.search, 1)
        bar = QHBoxLayout()
        for button in (self.add_button, self.remove_button, self.import_button,
                       self.export_button):
            bar.addWidget(button)
        bar.addStretch(1)
        bar.addWidget(self.count)
        bar.addWidget(self.refresh_button)

        self.empty = hint("", self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.empty)
        self._importer: ImportPanel | None = None

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.setObjectName("moderators.splitter")
        splitter.addWidget(self.stack)
        splitter.setChildrenCollapsible(False)
        self.splitter = splitter
        layout = QVBoxLayout(self)
        layout.addLayout(picker)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self.update_actions())
        self._show_empty()
        self.update_actions()

    # --- state ---

    @property
    def importer(self) -> ImportPanel:
        """The import panel (built the first time it is needed, below the list)."""
        if self._importer is None:
            from .import_panel import ImportPanel as Panel  # not needed to show the window

            self._importer = Panel(self.deps, self)
            self._importer.imported.connect(self._imported)
            self.splitter.addWidget(self._importer)
            # The results need the room while an import is on: a third for the list.
            self.splitter.setStretchFactor(0, 1)
            self.splitter.setStretchFactor(1, 2)
            third = max(self.splitter.height() // 3, 1)
            self.splitter.setSizes([third, 2 * third])
        return self._importer

    @property
    def importing(self) -> bool:
        """A CSV import is running."""
        return self._importer is not None and self._importer.running

    def entry_id(self) -> str | None:
        """The session whose moderators are shown."""
        data = self.entry.currentData()
        return str(data) if data else None

    def current_entry(self) -> Entry | None:
        """The picked session."""
        return next((e for e in self._entries if e.id == self.entry_id()), None)

    def selected(self) -> Moderator | None:
        """The selected moderator (the first, when several are)."""
        chosen = self.selected_moderators()
        return chosen[0] if chosen else None

    def selected_moderators(self) -> list[Moderator]:
        """Every selected moderator, in the order shown."""
        model = self.view.selectionModel()
        rows = sorted(model.selectedRows(), key=lambda i: i.row()) if model else []
        return [index.data(ROW_ROLE) for index in rows]

    def _show_count(self) -> None:
        """``250 moderators`` (``12 of 250 moderators`` while the filter hides some)."""
        known = self._loaded_for is not None and self._loaded_for == self.entry_id()
        self.count.setText(
            count_text(len(self.model.rows), self.model.rowCount()) if known else "")

    def update_actions(self) -> None:
        """Enable what makes sense for the connection, session and selection."""
        ready = self.deps.account() is not None and self.entry_id() is not None
        held = self.deps.worker.is_held
        self.add_button.setEnabled(ready and not held(self.add_button))
        self.refresh_button.setEnabled(ready and not held(self.refresh_button))
        self.import_button.setEnabled(ready and not self.importing)
        self.export_button.setEnabled(ready and bool(self.model.rows)
                                      and not held(self.export_button))
        self.remove_button.setEnabled(
            ready and self.selected() is not None and not held(self.remove_button))

    def can(self, action: str) -> bool:
        """Whether an Edit-menu action applies now."""
        buttons = {"new": self.add_button, "delete": self.remove_button,
                   "refresh": self.refresh_button}
        return (action in buttons and buttons[action].isEnabled()) or action == "find"

    def focus_search(self) -> None:
        """Put the cursor in the filter box."""
        self.search.setFocus()
        self.search.selectAll()

    def set_entries(self, entries: Sequence[Entry]) -> None:
        """Offer these sessions in the picker (keeps the current one if it remains)."""
        current = self.entry_id()
        self._entries = list(entries)
        self.entry.blockSignals(True)
        self.entry.clear()
        for entry in entries:
            self.entry.addItem(f"{entry.name}  ({entry.id})", entry.id)
        index = self.entry.findData(current) if current else -1
        self.entry.setCurrentIndex(index if index >= 0 else (0 if entries else -1))
        self.entry.blockSignals(False)
        if self.entry_id() != current or not self.model.rowCount():
            self._entry_changed()
        self.update_actions()

    def show_entry(self, entry: Entry) -> None:
        """Show the moderators of ``entry``."""
        if self.entry.findData(entry.id) < 0:
            self._entries.append(entry)
            self.entry.addItem(f"{entry.name}  ({entry.id})", entry.id)
        self.entry.setCurrentIndex(self.entry.findData(entry.id))

    def _show_empty(self, text: str = "") -> None:
        if not text:
            if self.deps.account() is None:
                text = NOT_CONNECTED
            elif self.entry_id() is None:
                text = "Pick a session above (or select one on the Sessions tab)."
            else:
                text = EMPTY_TEXT
        self.empty.setText(text)
        self.stack.setCurrentWidget(self.empty)
        self._show_count()

    def _entry_changed(self) -> None:
        """Load the new session's moderators now if the tab shows, else when it does.

        The import panel of another session is reset: its Retry would work on that session
        while this one shows. One that is still running goes on; its title names its session.
        """
        if self._importer is not None and self._importer.target is not None \
                and self._importer.target[0] != self.entry_id():
            self._importer.reset()
        self._loaded_for = None
        self.model.set_rows([])
        self.entryChosen.emit(self.current_entry())
        self._stale = True
        if self.isVisible():
            self.refresh()
        else:
            self._show_empty(" ")
            self.update_actions()

    def showEvent(self, event: QShowEvent) -> None:
        """Load what changed while the tab was hidden."""
        super().showEvent(event)
        if self._stale:
            self.refresh()

    # --- jobs ---

    def refresh(self) -> None:
        """Load the moderators of the picked session."""
        self._stale = False
        account, entry_id = self.deps.account(), self.entry_id()
        self.update_actions()
        if account is None or entry_id is None:
            self._loaded_for = None
            self.model.set_rows([])
            self._show_empty()
            return
        if not self.model.rowCount():
            self._show_empty("Loading moderators…")

        def load(ctx: JobContext) -> tuple[str, list[Moderator]]:
            from ..services import moderators

            return entry_id, moderators.list_moderators(account, entry_id)

        self.deps.worker.run(
            "Loading moderators",
            load,
            on_done=self._loaded,
            on_error=self._load_failed,
            on_cancelled=self._load_cancelled,
            controls=[self.refresh_button],
            key="moderators.load",
            abandon_on_cancel=True,
        )

    def _load_failed(self, failure: Failure) -> None:
        if not self.model.rowCount():
            self._show_empty(f"The moderators could not be loaded.\n{failure.message}\n"
                             "Try Refresh (F5).")

    def _load_cancelled(self) -> None:
        if not self.model.rowCount():
            self._show_empty("Loading the moderators was cancelled.\nTry Refresh (F5).")

    def _loaded(self, loaded: tuple[str, list[Moderator]]) -> None:
        entry_id, rows = loaded
        if entry_id != self.entry_id():
            return
        self._loaded_for = entry_id
        self.model.set_rows(rows)
        if rows:
            self.stack.setCurrentWidget(self.view)
        else:
            self._show_empty()
        self._show_count()
        self.update_actions()
        self.loaded.emit(rows)

    def new_item(self) -> None:
        """Ask for a person and make them a moderator."""
        account, entry = self.deps.account(), self.current_entry()
        if account is None or entry is None:
            return
        from .dialogs import ModeratorDialog

        dialog = ModeratorDialog(self, entry)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.add(dialog.person())

    def add(self, person: Person) -> None:
        """Make ``person`` a moderator of the picked session (on the worker)."""
        account, entry = self.deps.account(), self.current_entry()
        if account is None or entry is None:
            return

        def add(ctx: JobContext) -> None:
            from ..services import moderators

            moderators.add(account, entry.id, person)

        self.deps.worker.run(
            "Adding the moderator",
            add,
            on_done=lambda _: self._changed(
                f"{person.user_id} is now a moderator of “{entry.name}”."),
            on_error=lambda failure: failure_box(self, failure),
            controls=[self.add_button],
        )

    def delete_item(self) -> None:
        """Take the selected people off the session's moderators, after asking once."""
        moderator_actions.remove_selected(self)

    def _changed(self, message: str) -> None:
        self.deps.say(message)
        self.refresh()

    # --- export ---

    def choose_export(self) -> None:
        """Pick a file and save the list there."""
        moderator_actions.choose_export(self)

    def export_to(self, path: Path) -> None:
        """Save every moderator of the list as a people CSV (on the worker; atomic, 0600)."""
        moderator_actions.export_list(self, path)

    # --- import ---

    def choose_csv(self) -> None:
        """Pick a CSV file and import it."""
        from PySide6.QtWidgets import QFileDialog

        name, _ = QFileDialog.getOpenFileName(
            self, "Import moderators from CSV", "", "CSV files (*.csv *.txt);;All files (*)")
        if name:
            self.import_csv(Path(name))

    def import_csv(self, path: Path) -> bool:
        """Import ``path`` into the picked session; False when that is not possible now."""
        account, entry = self.deps.account(), self.current_entry()
        if account is None or entry is None:
            self.deps.say("Pick a session before importing moderators.")
            return False
        if self.importing:
            self.deps.say("An import is already running; cancel it or wait for it to finish.")
            return False
        self.importer.start(account, entry.id, f"“{entry.name}” ({entry.id})", path)
        self.update_actions()
        return True

    def _imported(self, report: object) -> None:
        self.update_actions()
        if getattr(report, "entry_id", None) == self.entry_id():
            self.refresh()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        """Accept a dragged CSV file."""
        if _dropped_csv(event) is not None and self.import_button.isEnabled():
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        """Import a dropped CSV file."""
        path = _dropped_csv(event)
        if path is not None and self.import_csv(path):
            event.acceptProposedAction()
        else:
            event.ignore()


def _dropped_csv(event: QDragEnterEvent | QDropEvent) -> Path | None:
    urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
    files = [Path(u.toLocalFile()) for u in urls if u.isLocalFile()]
    return files[0] if len(files) == 1 and files[0].suffix.lower() in CSV_SUFFIXES else None
