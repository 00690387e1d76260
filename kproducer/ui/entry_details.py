"""The details pane of the Entries tab: the session's facts, and for live ones the live panel.

It scrolls, so the encoder kit stays reachable in a small window.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from .common import Deps, heading, hint
from .live_panel import LivePanel

FIELDS = ("ID", "Type", "Status", "Event", "Duration / schedule", "Moderators group",
          "Admin tags", "Created")


class EntryDetails(QScrollArea):
    """Title, facts, "Moderators of this session", the schedule offer, the live panel."""

    def __init__(self, deps: Deps, show_moderators: Callable[[], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        # As needed, never off: a pane narrower than its content scrolls rather than cutting.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        pane = QWidget(self)
        self.title = heading("No session selected", pane)
        self.title.setWordWrap(True)
        self.picture = QLabel(pane)
        self.picture.setObjectName("entries.picture")
        self.picture.setAccessibleName("Session picture")
        self.fields: dict[str, QLabel] = {}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for name in FIELDS:
            label = QLabel(pane)
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fields[name] = label
            form.addRow(f"{name}:", label)
        self.moderators_button = QPushButton("&Moderators of this session", pane)
        self.moderators_button.clicked.connect(show_moderators)
        self.schedule_note = hint("", pane)
        self.schedule_button = QPushButton("Move to a &Kaltura schedule", pane)
        self.schedule_button.setToolTip(
            "Kaltura reads a session's slot from its schedule event; the session's own start and "
            "end only limit when it may be played")
        self.live = LivePanel(deps, pane)
        layout = QVBoxLayout(pane)
        layout.addWidget(self.title)
        layout.addWidget(self.picture, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addLayout(form)
        layout.addWidget(self.moderators_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.schedule_note)
        layout.addWidget(self.schedule_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.live)
        layout.addStretch(1)
        self.setWidget(pane)
        self.offer_schedule_move(False)

    def show_picture(self, pixmap: QPixmap) -> None:
        """Show the session's picture (or its placeholder)."""
        self.picture.setPixmap(pixmap)

    def offer_schedule_move(self, offer: bool) -> None:
        """Show (or hide) the one-click move of an old-style schedule."""
        self.schedule_note.setText(
            "This session's slot is kept in its own start and end, which Kaltura treats "
            "as an availability window, not as its schedule." if offer else "")
        self.schedule_note.setVisible(offer)
        self.schedule_button.setVisible(offer)
