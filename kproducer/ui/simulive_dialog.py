"""“Schedule as simulive…”: play a ready video as a live session at a given time."""

from __future__ import annotations

import time
from collections.abc import Sequence

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QVBoxLayout, QWidget

from ..services.models import Entry, Event
from .common import duration, hint
from .dialogs import event_combo
from .time_field import ScheduleBox


class SimuliveDialog(QDialog):
    """Name, event and slot of a simulive session playing ``source``.

    The slot starts at the next full hour and lasts as long as the video; the end can be
    moved (Kaltura stops the stream at the slot's end).
    """

    def __init__(self, parent: QWidget | None, source: Entry, events: Sequence[Event],
                 event_id: int | None) -> None:
        super().__init__(parent)
        from PySide6.QtWidgets import QLineEdit

        self.source = source
        self.setWindowTitle("Schedule as simulive")
        self.name = QLineEdit(f"{source.name} (simulive)"[:256])
        self.event_picker = event_combo(events, event_id if event_id is not None
                                        else source.event_id,
                                        "No event (not listed under any event)")
        start = (int(time.time()) // 3600 + 1) * 3600
        self.slot = ScheduleBox(start, start + max(60, source.duration or 3600))
        form = QFormLayout()
        form.addRow("&Name:", self.name)
        form.addRow("&Event:", self.event_picker)
        self.problem = hint("")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Schedule")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(hint(
            f"The video “{source.name}” ({source.id}, {duration(source.duration)}) plays as a "
            "live session during this slot, for everyone at the same time. Kaltura makes a "
            "live entry for it, with its own moderators group."))
        layout.addLayout(form)
        layout.addWidget(self.slot)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.name.textChanged.connect(self._check)
        self.slot.changed.connect(self._check)
        self._check()

    def _check(self) -> None:
        problem = "A session needs a name." if not self.name.text().strip() else (
            self.slot.problem())
        start, end = self.slot.values()
        if not problem and start is not None and end is not None and (
                end - start < self.source.duration):
            problem = ("The slot is shorter than the video: its end will not be played.")
            self.problem.setText(problem)
            self.problem.setVisible(True)
            self.ok.setEnabled(True)  # a warning: Kaltura allows it
            return
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        self.ok.setEnabled(not problem)

    def values(self) -> tuple[str, int | None, int, int]:
        """Name, event ID, start and end (unix seconds)."""
        start, end = self.slot.values()
        assert start is not None and end is not None
        return self.name.text().strip(), self.event_picker.currentData(), start, end
