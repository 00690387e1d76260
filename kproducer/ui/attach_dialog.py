"""“Attach entry…”: find an entry of the account by name (server-side), or type its ID.

The search is Kaltura's (``baseEntry.list`` with ``freeText``, newest first, 30 a page:
:func:`kproducer.services.recordings.search_entries`), run on the worker a moment after
the producer stops typing; "More results" asks for the next page. Each row shows the
session's picture, name, type, duration or schedule and the event it already belongs to.
Text that is an entry ID is taken as it is (the search lists it too, when it exists).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..services.models import Entry, EntryKind, Event
from . import thumbnails
from .common import Deps, duration, hint
from .dialogs import event_combo, event_label
from .failure import Failure
from .job_context import JobContext
from .table import Column, RowsModel, make_view, selected_row

if TYPE_CHECKING:
    from ..services.recordings import SearchPage

#: Milliseconds after the last key before the search is sent.
TYPING_PAUSE_MS = 350
PAGE_SIZE = 30


class AttachDialog(QDialog):
    """Search the account's entries (or type an ID) and choose the event to list it under."""

    def __init__(self, parent: QWidget, deps: Deps, events: Sequence[Event],
                 event_id: int | None) -> None:
        super().__init__(parent)
        from .entry_columns import kind_text

        self.setWindowTitle("Attach an existing session")
        self.deps = deps
        self._events = list(events)
        self._page: SearchPage | None = None
        self._asked = ""
        self.thumbs = thumbnails.shared(deps)
        self.search = QLineEdit(self)
        self.search.setObjectName("attach.search")
        self.search.setPlaceholderText("Words of its name, or its ID (1_abcd2345)")
        self.search.setClearButtonEnabled(True)
        self.event_picker = event_combo(events, event_id, None)
        columns: list[Column[Entry]] = [
            Column("Picture", lambda e: "", width=6, picture=self.thumbs.picture),
            Column("Name", lambda e: e.name, sort=lambda e: e.name.lower()),
            Column("Type", kind_text, width=7),
            Column("Duration", lambda e: duration(e.duration)
                   if e.kind is EntryKind.VOD and e.duration else "", width=8),
            Column("Event", self._event_of, width=22),
            Column("ID", lambda e: e.id, width=11),
        ]
        self.model: RowsModel[Entry] = RowsModel(columns, self)
        self.view = make_view(self.model, "attach.results", self, stretch=1)
        self.view.setIconSize(thumbnails.SMALL)
        self.view.verticalHeader().setDefaultSectionSize(thumbnails.SMALL.height() + 4)
        self.view.selectionModel().selectionChanged.connect(self._check)
        self.thumbs.loaded.connect(self._repaint)
        self.found = QLabel(self)
        self.found.setObjectName("attach.found")
        self.more = QPushButton("&More results", self)
        self.more.clicked.connect(self._next_page)
        self.more.setVisible(False)
        form = QFormLayout()
        form.addRow("&Find:", self.search)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Attach")
        self.view.doubleClicked.connect(self._double_clicked)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        target = QFormLayout()
        target.addRow("List it under &event:", self.event_picker)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.found)
        layout.addWidget(self.more, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addLayout(target)
        layout.addWidget(hint(
            "Any video, live stream or room of the account, made here or elsewhere (KMC, "
            "KMS). It will be listed under the event, and its moderators group is created "
            "if it is missing."))
        layout.addWidget(buttons)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(TYPING_PAUSE_MS)
        self._timer.timeout.connect(lambda: self._ask(1))
        self.search.textChanged.connect(self._typed)
        self.ok.setEnabled(False)
        if not events:
            self.event_picker.setEnabled(False)
        self.resize(self.fontMetrics().horizontalAdvance("M") * 60,
                    self.fontMetrics().lineSpacing() * 30)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self._ask(1)  # the newest entries, before anything is typed

    # --- searching ---

    def _typed(self, _text: str) -> None:
        self._timer.start()
        self._check()

    def _double_clicked(self) -> None:
        if self.ok.isEnabled():
            self.accept()

    def _repaint(self, _url: str) -> None:
        self.view.viewport().update()

    def _event_of(self, entry: Entry) -> str:
        if entry.event_id is None:
            return "none"
        return event_label(self._events, entry.event_id)

    def _ask(self, page: int) -> None:
        account = self.deps.account()
        if account is None:
            return
        text = self.search.text().strip()
        self._asked = text
        if page == 1:
            self.found.setText("Searching…")

        def search(ctx: JobContext) -> SearchPage:
            from ..services import recordings

            return recordings.search_entries(account, text, page, PAGE_SIZE)

        self.deps.worker.run("Searching the sessions", search,
                             on_done=lambda found: self._found(text, found),
                             on_error=self._failed, key="attach.search",
                             abandon_on_cancel=True, controls=[self.more])

    def _next_page(self) -> None:
        if self._page is not None and self._page.has_more:
            self._ask(self._page.page + 1)

    def _found(self, text: str, page: SearchPage) -> None:
        if text != self.search.text().strip():
            return  # the producer typed on meanwhile; the newer search answers
        self._page = page
        if page.page == 1:
            self.model.set_rows(list(page.entries))
        else:
            self.model.append_rows(list(page.entries))
        shown = self.model.rowCount()
        if not shown:
            self.found.setText(f"No session of the account matches “{text}”." if text
                               else "This account has no sessions yet.")
        else:
            what = f"matching “{text}”" if text else "newest first"
            self.found.setText(f"{shown} of {page.total} sessions, {what}.")
        self.more.setVisible(page.has_more)
        if shown and selected_row(self.view) is None and page.page == 1:
            self.view.selectRow(0)
        self._check()

    def _failed(self, failure: Failure) -> None:
        self.found.setText(f"The search failed: {failure.message}")

    # --- choice ---

    def _typed_id(self) -> str | None:
        from ..services.entries import ENTRY_ID

        text = self.search.text().strip()
        return text if ENTRY_ID.match(text) else None

    def chosen_id(self) -> str | None:
        """The entry to attach: the row selected, else an entry ID typed."""
        typed = self._typed_id()
        row: Entry | None = selected_row(self.view)
        if typed is not None and (row is None or row.id != typed):
            return typed
        return row.id if row is not None else None

    def _check(self) -> None:
        self.ok.setEnabled(self.chosen_id() is not None and self.event_picker.count() > 0)

    def values(self) -> tuple[str, int]:
        """The entry ID and the event ID."""
        chosen = self.chosen_id()
        assert chosen is not None
        return chosen, int(self.event_picker.currentData())
