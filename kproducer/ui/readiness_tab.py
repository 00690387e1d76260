"""The Go-live tab: is everything in place for the event chosen on the Events tab?

A traffic light per session (and one for what the whole event shares: the chat token and
the uiconfs), "Check now", when it was last checked, and for the session selected each
finding's sentence with its fix — a button where the app can make or open the fix (create
the moderators group here; the others are opened by :func:`connect_fixes`). The check runs
on the worker (``services.readiness``), never on the GUI thread; it runs when the tab comes
on screen for an event not checked yet, and on "Check now".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ..services.models import Entry, EntryKind, Event
from ..services.readiness_model import Finding, Fix, Readiness
from . import plain_text
from .common import NOT_CONNECTED, Deps, Page, heading, hint, when
from .entry_columns import kind_text
from .failure import Failure
from .job_context import JobContext
from .table import Column, RowsModel, make_view, select_where, selected_row

if TYPE_CHECKING:
    from .main_window import MainWindow

#: What a fix button says.
FIX_BUTTONS = {
    Fix.CREATE_GROUP: "Create the moderators group",
    Fix.ADD_MODERATORS: "Add moderators…",
    Fix.EDIT_SCHEDULE: "Edit the schedule…",
    Fix.OPEN_ENCODER: "Open the encoder settings",
    Fix.REEXPORT: "Export the links again…",
    Fix.EDIT_ACCOUNT: "Open Accounts…",
}
GREEN = "● Ready"
#: The row of what every session of the event shares.
WHOLE_EVENT = "The whole event (shared settings)"


@dataclass(frozen=True)
class LightRow:
    """One line of the table: a session, or the whole event (``entry`` None)."""

    entry: Entry | None
    findings: tuple[Finding, ...] = field(default_factory=tuple)

    @property
    def id(self) -> str | None:
        """The session's ID (what Edit › Copy copies)."""
        return self.entry.id if self.entry else None

    @property
    def problems(self) -> int:
        """Failed checks."""
        return sum(1 for f in self.findings if not f.ok)

    @property
    def light(self) -> str:
        """● Ready, or ● N to fix."""
        return GREEN if not self.problems else f"● {self.problems} to fix"

    @property
    def name(self) -> str:
        """The session's name, or what the event-wide row stands for."""
        return self.entry.name if self.entry else WHOLE_EVENT


def _starts(row: LightRow) -> str:
    entry = row.entry
    if entry is None:
        return ""
    if entry.kind is EntryKind.VOD:
        return "On demand"
    return when(entry.schedule.start) if entry.schedule else "Not scheduled"


COLUMNS: list[Column[LightRow]] = [
    Column("Ready", lambda r: r.light, sort=lambda r: -r.problems, width=11,
           tone=lambda r: "error" if r.problems else "good"),
    Column("Session", lambda r: r.name, sort=lambda r: (r.entry is not None, r.name.lower())),
    Column("Type", lambda r: kind_text(r.entry) if r.entry else "", width=7),
    Column("Starts", _starts, sort=lambda r: (r.entry.schedule.start if r.entry and
                                                r.entry.schedule else 0), width=31),
]


class ReadinessTab(Page):
    """The go-live check of one event.

    Signals:
        fixRequested(object, object): a fix the window opens (:class:`Fix`, the
            :class:`Entry` or None).
        checked(object): a :class:`Readiness` was shown.
    """

    fixRequested = Signal(object, object)
    checked = Signal(object)

    def __init__(self, deps: Deps, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.deps = deps
        self.chosen: Event | None = None
        self.report: Readiness | None = None
        self.model: RowsModel[LightRow] = RowsModel(COLUMNS, self)
        self.view = make_view(self.model, "readiness.table", self, stretch=1)
        self.check_button = QPushButton("&Check now", self)
        self.check_button.clicked.connect(self.refresh)
        self.verdict = heading("", self)
        self.last_checked = hint("", self)
        bar = QHBoxLayout()
        texts = QVBoxLayout()
        texts.addWidget(self.verdict)
        texts.addWidget(self.last_checked)
        bar.addLayout(texts, 1)
        bar.addWidget(self.check_button, 0, Qt.AlignmentFlag.AlignTop)
        self.lay_out_list("readiness", bar, self.view, self._details_pane())
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._show_selected())
        self._show_nothing(NOT_CONNECTED)

    def _details_pane(self) -> QWidget:
        pane = QWidget(self)
        self.title = heading("", pane)
        self.title.setWordWrap(True)
        self.list_holder = QWidget(pane)
        self.list_layout = QVBoxLayout(self.list_holder)
        self.list_layout.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(pane)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.list_holder)
        layout = QVBoxLayout(pane)
        layout.addWidget(self.title)
        layout.addWidget(scroll, 1)
        layout.addWidget(hint(
            "Each session is checked for what going live needs: the session itself, its "
            "schedule, its moderators, the encoder (live) or room launch, and the links "
            "exported for it. Select a session to see what to fix."))
        return pane

    # --- state ---

    def selected(self) -> LightRow | None:
        """The selected row."""
        row: LightRow | None = selected_row(self.view)
        return row

    def can(self, action: str) -> bool:
        """Edit › Refresh checks again."""
        return action == "refresh" and self.check_button.isEnabled()

    def update_actions(self) -> None:
        """Check now needs an account and an event."""
        ready = self.deps.account() is not None and self.chosen is not None
        self.check_button.setEnabled(ready and not self.deps.worker.is_held(self.check_button))

    def show_event(self, event: Event | None) -> None:
        """Check this event next (at once when the tab is on screen)."""
        if event is not None and self.chosen is not None and event.id == self.chosen.id:
            self.chosen = event
            return
        self.chosen = event
        self.report = None
        self.model.set_rows([])
        if event is None:
            self._show_nothing("Choose an event on the Events tab to check it for going live."
                               if self.deps.account() else NOT_CONNECTED)
        else:
            self._show_nothing(f"“{event.name}” has not been checked yet.")
            if self.isVisible():
                self.refresh()
        self.update_actions()

    def showEvent(self, event: QShowEvent) -> None:
        """On screen: check the event when it has not been checked yet (Qt API)."""
        super().showEvent(event)
        if self.report is None and self.chosen is not None and self.deps.account() is not None:
            self.refresh()

    def clear(self) -> None:
        """Forget the event and its check (after disconnecting)."""
        self.chosen = None
        self.report = None
        self.model.set_rows([])
        self._show_nothing(NOT_CONNECTED)
        self.update_actions()

    def _show_nothing(self, text: str) -> None:
        self.verdict.setText("Go-live check")
        self.last_checked.setText("")
        self.empty.setText(text)
        self.stack.setCurrentWidget(self.empty)
        self._show_selected()

    # --- the check ---

    def refresh(self) -> None:
        """Check the event (again), on the worker."""
        account, event = self.deps.account(), self.chosen
        if account is None or event is None:
            return
        if self.report is None:
            self._show_nothing(f"Checking “{event.name}”…")

        def check(ctx: JobContext) -> Readiness:
            from ..services import readiness

            return readiness.check(account, event.id)

        self.deps.worker.run("Checking the event for going live", check,
                             on_done=self._checked, on_error=self._failed,
                             controls=[self.check_button], key="readiness.check",
                             abandon_on_cancel=True)

    def _checked(self, report: Readiness) -> None:
        if self.chosen is None or report.event.id != self.chosen.id:
            return  # another event was chosen meanwhile
        keep = getattr(self.selected(), "id", "") if self.report is not None else ""
        self.report = report
        rows = [LightRow(None, tuple(report.of(None)))]
        rows += [LightRow(e, tuple(report.of(e.id))) for e in report.sessions]
        self.model.set_rows(rows)
        self.stack.setCurrentWidget(self.view)
        problems = sum(r.problems for r in rows)
        self.verdict.setText(
            f"“{report.event.name}” is ready to go live." if report.ready else
            f"“{report.event.name}” is not ready: {problems} "
            f"thing{'s' if problems != 1 else ''} to fix.")
        notes = " ".join(report.notes)
        self.last_checked.setText(f"Last checked {when(int(report.checked_at))}."
                                  + (f" {notes}" if notes else ""))
        if not (keep and select_where(self.view, lambda r: r.id == keep)):
            first = next((r for r in rows[1:] if r.problems), None) or (
                rows[0] if rows[0].problems else (rows[1] if len(rows) > 1 else rows[0]))
            select_where(self.view, lambda r: r is first)
        self._show_selected()
        self.checked.emit(report)

    def _failed(self, failure: Failure) -> None:
        if self.report is None:
            self._show_nothing(f"The event could not be checked.\n{failure.message}\n"
                               "Try Check now.")

    # --- the selected row's findings ---

    def _show_selected(self) -> None:
        while self.list_layout.count():
            item = self.list_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.setParent(None)  # out of the pane now (findChild, the layout)
                widget.deleteLater()
        row = self.selected()
        self.title.setText(row.name if row else "")
        if row is None:
            self.list_layout.addStretch(1)
            return
        for finding in sorted(row.findings, key=lambda f: f.ok):
            self.list_layout.addWidget(self._finding_widget(row, finding))
        self.list_layout.addStretch(1)

    def _finding_widget(self, row: LightRow, finding: Finding) -> QWidget:
        box = QFrame(self.list_holder)
        box.setFrameShape(QFrame.Shape.StyledPanel)
        box.setObjectName(f"finding.{finding.check}")
        layout = QVBoxLayout(box)
        mark = "✓" if finding.ok else "✗"
        sentence = QLabel(f"{mark}  {finding.message}", box)
        sentence.setWordWrap(True)
        sentence.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(sentence)
        if not finding.ok and finding.fix:
            layout.addWidget(hint(f"Fix: {finding.fix}", box))
        if not finding.ok and finding.action is not None:
            button = QPushButton(FIX_BUTTONS[finding.action], box)
            button.setObjectName(f"fix.{finding.action.value}")
            button.clicked.connect(lambda: self.fix(finding.action, row.entry, button))
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
        return plain_text.make_plain(box)  # server sentences in it are account data

    def fix(self, action: Fix | None, entry: Entry | None, button: QPushButton) -> None:
        """Make the fix (create the group here), or ask the window to open it."""
        account = self.deps.account()
        if action is None or account is None:
            return
        if action is not Fix.CREATE_GROUP or entry is None:
            self.fixRequested.emit(action, entry)
            return

        def create(ctx: JobContext) -> None:
            from ..services import readiness

            readiness.create_group(account, entry.id)

        def made(_: None) -> None:
            self.deps.say(f"Created the moderators group of “{entry.name}”; add its "
                          "moderators on the Moderators tab.")
            self.refresh()

        self.deps.worker.run("Creating the moderators group", create, on_done=made,
                             controls=[button, self.check_button])


def connect_fixes(window: MainWindow, tab: ReadinessTab) -> None:
    """Open the fixes the Go-live tab asks for in the window's other tabs and dialogs."""

    def open_session(entry: Entry, then: Callable[[], object] | None = None) -> None:
        """Select the session on the Entries tab (listing its event first when needed)."""
        window.tabs.setCurrentWidget(window.entries)
        window.entries.show_session(tab.chosen, entry.id, then)

    def fix(action: Fix, entry: Entry | None) -> None:
        if action is Fix.EDIT_ACCOUNT or entry is None:
            window.show_accounts()
        elif action is Fix.ADD_MODERATORS:
            window.moderators.show_entry(entry)
            window.tabs.setCurrentWidget(window.moderators)
        elif action is Fix.OPEN_ENCODER:
            open_session(entry)
        elif action is Fix.EDIT_SCHEDULE:
            open_session(entry, window.entries.edit_item)
        elif action is Fix.REEXPORT:
            open_session(entry, window.show_export)

    tab.fixRequested.connect(fix)
    window.events.eventSelected.connect(tab.show_event)
