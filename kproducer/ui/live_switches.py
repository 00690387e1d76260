"""A live session's switches, each with a sentence saying what attendees will see.

Kaltura's fields behind them (kaltura/server LiveEntry): ``explicitLive`` (the producer
decides when attendees see the stream) with ``viewMode`` PREVIEW (0) or ALLOW_ALL (1), and
``recordStatus`` DISABLED (0) or PER_SESSION (2).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QVBoxLayout, QWidget

from .common import hint

PREVIEW_TEXT = ("Preview: only you and the moderators see the stream; attendees see that "
                "the session has not started yet.")
LIVE_TEXT = "Live: attendees see the stream now, as soon as an encoder is pushing."
RECORD_ON = "Recording on: Kaltura keeps a recording attendees can watch afterwards."
RECORD_OFF = "Recording off: nothing is kept once the broadcast ends."


class LiveSwitches(QWidget):
    """Go live / back to preview, and recording on or off.

    Signals:
        goLiveRequested(bool): True to show the stream to attendees, False for preview.
        recordRequested(bool): True to record, False not to.
    """

    goLiveRequested = Signal(bool)
    recordRequested = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.live = QCheckBox("Attendees see the stream (&go live)", self)
        self.live.setToolTip("Off: preview mode, for a sound and picture check")
        self.live_note = hint("", self)
        self.record = QCheckBox("Re&cord this session", self)
        self.record_note = hint("", self)
        self.live.clicked.connect(self.goLiveRequested)
        self.record.clicked.connect(self.recordRequested)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.live, self.live_note, self.record, self.record_note):
            layout.addWidget(widget)
        self.set_state(None, None)

    def set_state(self, live: bool | None, recording: bool | None, live_says: str = "",
                  recording_says: str = "") -> None:
        """Show the switches as Kaltura has them (None: not known, switch disabled)."""
        for box, value in ((self.live, live), (self.record, recording)):
            box.blockSignals(True)
            box.setChecked(bool(value))
            box.setEnabled(value is not None)
            box.blockSignals(False)
        self.live_note.setText(live_says or ("" if live is None else LIVE_TEXT if live
                                             else PREVIEW_TEXT))
        self.record_note.setText(recording_says or ("" if recording is None else RECORD_ON
                                                    if recording else RECORD_OFF))

    def set_busy(self, busy: bool) -> None:
        """Disable both while a change is being saved."""
        self.live.setEnabled(not busy)
        self.record.setEnabled(not busy)
