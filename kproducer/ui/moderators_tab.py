"""The Moderators tab: who moderates a session; add, remove, import from CSV (or drop a file)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QShowEvent
from PySide6.QtWidgets import (
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
from .common import NOT_CONNECTED, Deps, Page, confirm, failure_box, hint
from .table import Column, RowsModel, make_view, selected_row
from .worker import Failure, JobContext

if TYPE_CHECKING:
    from ..services.facts import Person
    from .import_panel import ImportPanel

COLUMNS: list[Column[Moderator]] = [
    Column("User ID", lambda m: m.user_id, width=28),
    Column("Name", lambda m: " ".join(p for p in (m.first_name, m.last_name) if p)),
    Column("Email", lambda m: m.email, width=30),
]
CSV_SUFFIXES = (".csv", ".txt")


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
        self.setAcceptDrops(True)
        self.model: RowsModel[Moderator] = RowsModel(COLUMNS, self)
        self.view = make_view(self.model, "moderators.table", self, stretch=1)
        self.view.sortByColumn(1, Qt.SortOrder.AscendingOrder)

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
        self.import_button = QPushButton("&Import CSV…", self)
        self.import_button.setToolTip("Add many moderators from a CSV file (or drop the file "
                                      "on this tab)")
        self.refresh_button = QPushButton("&Refresh", self)
        self.add_button.clicked.connect(self.new_item)
        self.remove_button.clicked.connect(self.delete_item)
        self.import_button.clicked.connect(self.choose_csv)
        self.refresh_button.clicked.connect(self.refresh)

        picker = QHBoxLayout()
        label = QLabel("&Session:", self)
        label.setBuddy(self.entry)
        picker.addWidget(label)
        picker.addWidget(self.entry, 1)
        picker.addWidget(self.search, 1)
        bar = QHBoxLayout()
        for button in (self.add_button, self.remove_button, self.import_button):
            bar.addWidget(button)
        bar.addStretch(1)
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
            half = max(self.splitter.height() // 2, 1)
            self.splitter.setSizes([half, half])
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
        """The selected moderator."""
        moderator: Moderator | None = selected_row(self.view)
        return moderator

    def update_actions(self) -> None:
        """Enable what makes sense for the connection, session and selection."""
        ready = self.deps.account() is not None and self.entry_id() is not None
        held = self.deps.worker.is_held
        self.add_button.setEnabled(ready and not held(self.add_button))
        self.refresh_button.setEnabled(ready and not held(self.refresh_button))
        self.import_button.setEnabled(ready and not self.importing)
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
                text = ("This session has no moderators yet.\nAdd one with “Add moderator…”, "
                        "or drop a CSV file here to import many.")
        self.empty.setText(text)
        self.stack.setCurrentWidget(self.empty)

    def _entry_changed(self) -> None:
        """Load the new session's moderators now if the tab shows, else when it does."""
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
        self.model.set_rows(rows)
        if rows:
            self.stack.setCurrentWidget(self.view)
        else:
            self._show_empty()
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
        """Take the selected person off the session's moderators, after asking."""
        account, entry, moderator = self.deps.account(), self.current_entry(), self.selected()
        if account is None or entry is None or moderator is None:
            return
        if not confirm(
            self, "Remove moderator",
            f"Remove {moderator.display_name} ({moderator.user_id}) from the moderators of "
            f"“{entry.name}”?", "Remove",
            "Their Kaltura user stays; only the moderator role for this session is removed.",
        ):
            return

        def remove(ctx: JobContext) -> None:
            from ..services import moderators

            moderators.remove(account, entry.id, moderator.user_id)

        self.deps.worker.run(
            "Removing the moderator",
            remove,
            on_done=lambda _: self._changed(
                f"{moderator.user_id} is no longer a moderator of “{entry.name}”."),
            on_error=lambda failure: failure_box(self, failure),
            controls=[self.remove_button],
        )

    def _changed(self, message: str) -> None:
        self.deps.say(message)
        self.refresh()

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
