"""The Edit session dialog: rename, reschedule, move to another event.

Imported only when the dialog opens.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ..services.models import Entry, EntryKind, Event
from .common import hint
from .dialogs import duplicate_warning, event_combo, event_label
from .time_field import ScheduleBox


@dataclass(frozen=True)
class SessionChanges:
    """What the producer changed (None: unchanged).

    Attributes:
        moved: The event changed (``event_id`` then holds the new one, None for no event).
    """

    name: str | None = None
    start: int | None = None
    end: int | None = None
    moved: bool = False
    event_id: int | None = None

    @property
    def empty(self) -> bool:
        """Nothing was changed."""
        return self.name is None and self.start is None and self.end is None and not self.moved


class EditSessionDialog(QDialog):
    """Rename, reschedule or move one session.

    Args:
        siblings: The sessions of each event known to the tab, by event ID (for the
            duplicate-name warning; an event not in it is not checked).
    """

    def __init__(self, parent: QWidget | None, entry: Entry, events: Sequence[Event],
                 siblings: dict[int | None, Sequence[Entry]]) -> None:
        super().__init__(parent)
        self.entry = entry
        self.events = list(events)
        self.siblings = siblings
        self.setWindowTitle("Edit session")
        self.name = QLineEdit(entry.name)
        self.event_picker = event_combo(events, entry.event_id,
                                        "No event (not listed under any event)")
        if entry.event_id is not None and self.event_picker.findData(entry.event_id) < 0:
            self.event_picker.addItem(f"Event {entry.event_id}", entry.event_id)
            self.event_picker.setCurrentIndex(self.event_picker.count() - 1)
        form = QFormLayout()
        form.addRow("&Name:", self.name)
        form.addRow("&Event:", self.event_picker)

        self.scheduled = entry.kind in (EntryKind.LIVE, EntryKind.ROOM)
        self.schedule = QGroupBox("&Schedule")
        start, end = ((entry.schedule.start, entry.schedule.end) if entry.schedule
                      else (entry.start_date, entry.end_date))
        self.slot = ScheduleBox(start, end)
        self._typed_at_first = self._slot_texts()
        QVBoxLayout(self.schedule).addWidget(self.slot)
        self.schedule.setVisible(self.scheduled)

        self.move_note = hint("")
        self.problem = hint("")
        self.warning = hint("")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Save")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.schedule)
        for label in (self.move_note, self.warning, self.problem):
            layout.addWidget(label)
        layout.addWidget(buttons)
        self.name.textChanged.connect(self._check)
        self.event_picker.currentIndexChanged.connect(self._check)
        self.slot.changed.connect(self._check)
        self._check()
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 64)

    def target_event(self) -> int | None:
        """The event chosen (None: no event)."""
        data = self.event_picker.currentData()
        return None if data is None else int(data)

    def _check(self) -> None:
        name = self.name.text().strip()
        problem = "A session needs a name." if not name else ""
        if not problem and self.scheduled and self._slot_typed():
            problem = self.slot.problem()
        target = self.target_event()
        moving = target != self.entry.event_id
        self.move_note.setText(
            f"It leaves {event_label(self.events, self.entry.event_id)} and is listed under "
            f"{event_label(self.events, target)} instead." if moving else "")
        self.move_note.setVisible(moving)
        warning = duplicate_warning(name, self.siblings.get(target, ()), self.entry.id)
        self.warning.setText(warning)
        self.warning.setVisible(bool(warning))
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        self.ok.setEnabled(not problem and not self.changes().empty)

    def _slot_texts(self) -> tuple[str, str]:
        return self.slot.start.edit.text().strip(), self.slot.end.edit.text().strip()

    def _slot_typed(self) -> bool:
        return bool(self.slot.start.edit.text().strip() or self.slot.end.edit.text().strip())

    def changes(self) -> SessionChanges:
        """What differs from the session as it was."""
        name = self.name.text().strip()
        start, end = self.slot.values() if self.scheduled else (None, None)
        target = self.target_event()
        # compared as typed: the field shows minutes, a slot may carry seconds
        rescheduled = self._slot_texts() != self._typed_at_first \
            and start is not None and end is not None
        return SessionChanges(
            name=name if name and name != self.entry.name else None,
            start=start if rescheduled else None,  # both ends go together
            end=end if rescheduled else None,
            moved=target != self.entry.event_id,
            event_id=target,
        )
