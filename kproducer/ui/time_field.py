"""A date-and-time field that takes what a producer types, and says back what it understood.

It replaces ``QDateTimeEdit``, whose section-based editing lost typed dates: its keystrokes
go into one section at a time (a separator only jumps to the next section, digits that do not
fit the section are dropped), and typing over the whole selected text replaced it with a
partial string that failed validation, so the old value came back. "2027-03-15 17:00" typed
over a selected "2026-12-02 14:00" stayed 2026. Here the text is the value: it is parsed as a
whole (:func:`kproducer.ui.times.parse_local`) and echoed beside it in words, with the zone.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from . import times
from .common import hint


class TimeField(QWidget):
    """A line edit for a local date and time, with a live "= Mon 15 Mar 2027, 17:00 CET".

    Signals:
        changed(): the text changed (the value may have become valid or invalid).
    """

    changed = Signal()

    def __init__(self, unix: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText(f"e.g. {times.EXAMPLE}")
        self.edit.setClearButtonEnabled(True)
        self.echo: QLabel = hint("", self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.edit)
        layout.addWidget(self.echo)
        self.setFocusProxy(self.edit)
        self.edit.textChanged.connect(self._changed)
        if unix:
            self.set_value(unix)
        self._changed()

    def set_value(self, unix: int) -> None:
        """Show this time (local, as the field is typed)."""
        self.edit.setText(times.input_text(unix))

    def value(self) -> int | None:
        """The time typed, as unix seconds; None when it cannot be read."""
        try:
            return times.parse_local(self.edit.text())
        except ValueError:
            return None

    def problem(self) -> str:
        """Why the text is not a time, or ""."""
        try:
            times.parse_local(self.edit.text())
        except ValueError as error:
            return str(error)
        return ""

    def _changed(self) -> None:
        value = self.value()
        if value is None:
            self.echo.setText(self.problem())
            self.echo.setToolTip("")
        else:
            self.echo.setText(f"= {times.local_time(value)}")
            self.echo.setToolTip(f"= {times.utc_time(value)}")
        self.changed.emit()


class ScheduleBox(QWidget):
    """A session's slot: start and end fields, and what is wrong with them.

    Signals:
        changed(): either field changed.
    """

    changed = Signal()

    def __init__(self, start: int | None, end: int | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.start = TimeField(start, self)
        self.end = TimeField(end, self)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("S&tarts:", self.start)
        form.addRow("En&ds:", self.end)
        zone = times.zone_name(start or end or int(time.time()))
        form.addRow(hint(f"Times are in this computer's zone ({zone}); hover over a time "
                         "for UTC.", self))
        self.start.changed.connect(self.changed)
        self.end.changed.connect(self.changed)

    def values(self) -> tuple[int | None, int | None]:
        """Start and end (unix seconds; None where unreadable)."""
        return self.start.value(), self.end.value()

    def problem(self) -> str:
        """Why this slot cannot be saved, or ""."""
        for label, field in (("Start", self.start), ("End", self.end)):
            if field.value() is None:
                return f"{label}: {field.problem()}"
        start, end = self.values()
        if start is not None and end is not None and end <= start:
            return "The session must end after it starts."
        return ""
