"""The tabs' dialogs: an event, a new session, attaching an entry, a moderator.

Imported only when a dialog opens (they are not needed to show the window).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QRegularExpression
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ..services.models import Entry, EntryKind, Event, events_named
from .common import hint
from .plain_text import make_plain
from .time_field import ScheduleBox

if TYPE_CHECKING:
    from ..services.facts import Person


def event_combo(events: Sequence[Event], chosen: int | None, none_label: str | None) -> QComboBox:
    """A combo of events (with a "no event" first item when ``none_label`` is given)."""
    combo = QComboBox()
    if none_label is not None:
        combo.addItem(none_label, None)
    for event in events:
        combo.addItem(f"{event.name}  (ID {event.id})", event.id)
    index = combo.findData(chosen)
    combo.setCurrentIndex(max(0, index))
    return combo


def event_label(events: Sequence[Event], event_id: int | None) -> str:
    """``“Sandbox Summit 2026” (ID 12)``, or "no event"."""
    if event_id is None:
        return "no event"
    name = next((e.name for e in events if e.id == event_id), "event")
    return f"“{name}” (ID {event_id})"


def duplicate_warning(name: str, siblings: Sequence[Entry], entry_id: str | None) -> str:
    """A sentence when another session of the same event has this name (allowed), or ""."""
    wanted = name.strip().casefold()
    twins = [e for e in siblings if e.id != entry_id and e.name.strip().casefold() == wanted]
    if not wanted or not twins:
        return ""
    return (f"Another session of this event is already called “{twins[0].name}” "
            f"({twins[0].id}); both will be listed under that name.")


class EntryDialog(QDialog):
    """A new live stream or meeting room: type, name, event and (for live) schedule."""

    def __init__(self, parent: QWidget | None, events: Sequence[Event], event_id: int | None,
                 siblings: dict[int | None, Sequence[Entry]] | None = None) -> None:
        super().__init__(parent)
        self.siblings = siblings or {}
        self.setWindowTitle("New session")
        self.live = QRadioButton("&Live stream — a broadcast attendees watch")
        self.room = QRadioButton("Meeting &room — an interactive Kaltura Meeting room")
        self.live.setChecked(True)
        kinds = QButtonGroup(self)
        kinds.addButton(self.live)
        kinds.addButton(self.room)
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. Opening keynote")
        self.event_picker = event_combo(events, event_id, "No event (not listed under any event)")

        self.schedule = QGroupBox("&Scheduled")
        self.schedule.setCheckable(True)
        self.schedule.setChecked(True)
        start = (int(time.time()) // 3600 + 1) * 3600  # the next full hour
        self.slot = ScheduleBox(start, start + 3600)
        QVBoxLayout(self.schedule).addWidget(self.slot)

        form = QFormLayout()
        form.addRow("&Name:", self.name)
        form.addRow("&Event:", self.event_picker)
        kind_box = QVBoxLayout()
        kind_box.addWidget(self.live)
        kind_box.addWidget(self.room)
        form.addRow("Type:", kind_box)

        self.problem = hint("")
        self.warning = hint("")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Create")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.schedule)
        layout.addWidget(hint(
            "Its moderators group (“<session ID>_moderators”) is created in the same request, "
            "so you can assign moderators right away."
        ))
        layout.addWidget(self.problem)
        layout.addWidget(self.warning)
        layout.addWidget(buttons)

        for signal in (self.name.textChanged, self.slot.changed, self.schedule.toggled,
                       self.live.toggled, self.event_picker.currentIndexChanged):
            signal.connect(self._check)
        self._check()

    def _check(self) -> None:
        self.schedule.setEnabled(self.live.isChecked())
        problem = ""
        if not self.name.text().strip():
            problem = "A session needs a name."
        elif self._scheduled():
            problem = self.slot.problem()
        start = self.slot.start.value()
        past = (not problem and self._scheduled() and start is not None
                and start < time.time())
        warnings = [duplicate_warning(self.name.text(), self.siblings.get(
            self.event_picker.currentData(), ()), None)]
        if past:
            warnings.append("This start is in the past; the session is created anyway.")
        self.warning.setText(" ".join(w for w in warnings if w))
        self.warning.setVisible(bool(self.warning.text()))
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        self.ok.setEnabled(not problem)

    def _scheduled(self) -> bool:
        return self.live.isChecked() and self.schedule.isChecked()

    def values(self) -> tuple[EntryKind, str, int | None, int | None, int | None]:
        """Kind, name, event ID, start and end (unix seconds, or None)."""
        kind = EntryKind.LIVE if self.live.isChecked() else EntryKind.ROOM
        start, end = self.slot.values() if self._scheduled() else (None, None)
        return kind, self.name.text().strip(), self.event_picker.currentData(), start, end


class EventDialog(QDialog):
    """Name and description of a new or existing event.

    Args:
        parent: The window.
        event: The event edited, or None for a new one.
        others: The account's events as listed: a name one of them has already is said
            (Kaltura allows two events of one name; attendees cannot tell them apart).
    """

    def __init__(self, parent: QWidget, event: Event | None = None,
                 others: Sequence[Event] = ()) -> None:
        super().__init__(parent)
        self.edited = event
        self.others = [e for e in others if event is None or e.id != event.id]
        self.setWindowTitle("Edit event" if event else "New event")
        self.name = QLineEdit(event.name if event else "")
        self.name.setPlaceholderText("e.g. Product launch 2026")
        self.description = QPlainTextEdit(event.description if event else "")
        self.description.setPlaceholderText("Optional: what attendees will see about the event")
        self.description.setTabChangesFocus(True)
        self.problem = hint("An event name needs 3 to 256 characters.")
        self.clash = hint("")
        self.clash.setObjectName("event.nameClash")
        form = QFormLayout()
        form.addRow("&Name:", self.name)
        form.addRow("", self.clash)
        form.addRow("&Description:", self.description)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Save" if event else "Create")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.name.textChanged.connect(self._check)
        self._check()
        self.resize(self.sizeHint().expandedTo(self.fontMetrics().size(0, "M" * 40)))

    def _check(self) -> None:
        size = len(self.name.text().strip().encode())
        self.ok.setEnabled(3 <= size <= 256)
        self.problem.setVisible(not self.ok.isEnabled())
        same = events_named(self.others, self.name.text()) if self.ok.isEnabled() else []
        if same:
            ids = ", ".join(str(e.id) for e in same)
            verb = "Save gives this one" if self.edited else "Create makes another event with"
            self.clash.setText(f"⚠ An event named “{same[0].name}” already exists (ID {ids}). "
                               f"{verb} the same name; attendees cannot tell them apart.")
        self.clash.setVisible(bool(same))

    def values(self) -> tuple[str, str]:
        """The name and description entered."""
        return self.name.text().strip(), self.description.toPlainText().strip()


class ModeratorDialog(QDialog):
    """A person to make a moderator: user ID (or email) and names; a bad email is named."""

    USER_ID_PLACEHOLDER = "e.g. jane.doe (empty: the email is the ID)"

    def __init__(self, parent: QWidget, entry: Entry) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add moderator")
        self.user_id = QLineEdit()
        self.user_id.setPlaceholderText(self.USER_ID_PLACEHOLDER)
        self.user_id.setValidator(QRegularExpressionValidator(
            QRegularExpression(r"[A-Za-z0-9,!#$%&'*+?^_`{|}~.@-]{0,320}"), self))
        # The placeholder is read whole (it said "… leave empty to use the em" at 1024×700).
        self.user_id.setMinimumWidth(
            self.user_id.fontMetrics().horizontalAdvance(self.USER_ID_PLACEHOLDER) + 24)
        self.email = QLineEdit()
        self.email.setPlaceholderText("name@example.com")
        self.email_problem = QLabel()
        self.email_problem.setObjectName("moderator.emailProblem")
        self.email_problem.setWordWrap(True)
        from .table import tone_color

        palette = self.email_problem.palette()
        palette.setColor(self.email_problem.foregroundRole(), tone_color("error"))
        self.email_problem.setPalette(palette)
        self.email_problem.hide()
        self.first_name, self.last_name = QLineEdit(), QLineEdit()
        form = QFormLayout()
        form.addRow("&User ID:", self.user_id)
        email_box = QVBoxLayout()
        email_box.setContentsMargins(0, 0, 0, 0)
        email_box.addWidget(self.email)
        email_box.addWidget(self.email_problem)
        email_label = QLabel("E&mail:")
        email_label.setBuddy(self.email)
        form.addRow(email_label, email_box)
        form.addRow("&First name:", self.first_name)
        form.addRow("&Last name:", self.last_name)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Add")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Moderator of “{entry.name}” ({entry.id})"))
        layout.addLayout(form)
        layout.addWidget(hint("If the user does not exist on the account yet, it is created "
                              "with these names."))
        layout.addWidget(buttons)
        self.user_id.textChanged.connect(self._check)
        self.email.textChanged.connect(self._check)
        self._check()
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 64)
        make_plain(self)  # the entry's name

    def _check(self) -> None:
        from ..services.csv_input import USER_ID  # loaded by now (see kproducer.ui)
        from ..services.emails import email_problem

        email = self.email.text().strip()
        problem = email_problem(email) if email else ""
        self.email_problem.setText(
            f"This is not an email address: {problem}." if problem else "")
        if self.email_problem.isVisibleTo(self) != bool(problem):
            self.email_problem.setVisible(bool(problem))
            self.adjustSize()  # room for the sentence (or none once it is gone)
        self.ok.setEnabled(not problem and bool(USER_ID.match(self.person().user_id)))

    def person(self) -> Person:
        """The person entered (the email is the ID when no ID was given)."""
        from ..services.facts import Person

        email = self.email.text().strip()
        return Person(self.user_id.text().strip() or email, self.first_name.text().strip(),
                      self.last_name.text().strip(), email)
