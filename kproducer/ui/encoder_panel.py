"""The encoder kit of a live session: where an encoder (OBS, vMix, a hardware box) pushes.

The stream key and the SRT passphrase are credentials: shown as dots until "Reveal", copied
without being shown, never written to the status bar, the Activity dock or a log. Only the
file the producer asks for with "Save encoder settings…" holds them (the service writes it,
0600). Kaltura also puts the key into the URLs (``?t=`` of the RTMP and RTMPS URLs, ``p=``
of the SRT stream ID: kaltura/server kBroadcastUrlManager), so those parts are dotted too.
"""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .common import Say, heading, hint

#: What each protocol needs: (label, kit attribute), primary and backup URL first.
PROTOCOLS: dict[str, list[tuple[str, str]]] = {
    "RTMP": [("Server (primary)", "rtmp_url"), ("Server (backup)", "backup_rtmp_url"),
             ("Stream name", "stream_name"), ("Stream key", "stream_key")],
    "RTMPS": [("Server (primary)", "rtmps_url"), ("Server (backup)", "backup_rtmps_url"),
              ("Stream name", "stream_name"), ("Stream key", "stream_key")],
    "SRT": [("URL (primary)", "srt_url"), ("URL (backup)", "backup_srt_url"),
            ("Stream ID", "srt_stream_id"), ("Passphrase", "srt_passphrase")],
}
SECRETS = frozenset({"stream_key", "srt_passphrase"})
ROWS = 4
DOTS = "•" * 10
#: Credentials inside URLs and SRT stream IDs: ``?t=KEY``, ``,p=KEY``, ``,ep=ENCRYPTED``.
_IN_URL = re.compile(r"(?<=[?&,]t=)[^&,\s]+|(?<=[?&,]p=)[^&,\s]+|(?<=[?&,]ep=)[^&,\s]+")


def masked(kit: Any, value: str) -> str:
    """``value`` with every credential of ``kit`` in it replaced by dots."""
    for attribute in SECRETS:
        secret = str(getattr(kit, attribute, "") or "")
        if secret:
            value = value.replace(secret, DOTS)
    return _IN_URL.sub(DOTS, value)


class EncoderPanel(QWidget):
    """Encoder URLs and credentials of one live session, with copy, reveal, save, regenerate.

    Signals:
        saveRequested(): "Save encoder settings…" was clicked.
        regenerateRequested(): "Regenerate stream key…" was clicked.
    """

    saveRequested = Signal()
    regenerateRequested = Signal()

    def __init__(self, say: Say, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.say = say
        self.kit: Any = None
        self.protocol = QComboBox(self)
        self.protocol.addItem("RTMP (OBS, vMix, most encoders)", "RTMP")
        self.protocol.addItem("RTMPS (RTMP over TLS)", "RTMPS")
        self.protocol.addItem("SRT (unreliable networks)", "SRT")
        self.protocol.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.protocol.setMinimumContentsLength(12)
        self.protocol.setToolTip("The protocol your encoder uses; the other fields follow it")
        self.protocol.currentIndexChanged.connect(lambda _: self._fill())
        self.names: list[QLabel] = []
        self.values: list[QLineEdit] = []
        self.copies: list[QPushButton] = []
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        protocol_label = QLabel("&Protocol:", self)
        protocol_label.setBuddy(self.protocol)
        grid.addWidget(protocol_label, 0, 0)
        grid.addWidget(self.protocol, 0, 1, 1, 2)
        for row in range(ROWS):
            name, value = QLabel(self), QLineEdit(self)
            value.setReadOnly(True)
            value.setMinimumWidth(value.fontMetrics().averageCharWidth() * 8)  # narrow windows
            copy = QPushButton("Copy", self)
            copy.clicked.connect(lambda _=False, r=row: self.copy(r))
            grid.addWidget(name, row + 1, 0)
            grid.addWidget(value, row + 1, 1)
            grid.addWidget(copy, row + 1, 2)
            self.names.append(name)
            self.values.append(value)
            self.copies.append(copy)
        self.reveal = QPushButton("Revea&l", self)
        self.reveal.setCheckable(True)
        self.reveal.setToolTip("Show the stream key and the SRT passphrase")
        self.reveal.toggled.connect(lambda _: self._fill())
        self.save = QPushButton("&Save encoder settings…", self)
        self.save.setToolTip("A text file with every URL and the key, for the technician "
                             "who sets up the encoder")
        self.regenerate = QPushButton("Regenerate stream &key…", self)
        self.regenerate.setToolTip("A new key: an encoder still using the old one is cut off")
        self.save.clicked.connect(self.saveRequested)
        self.regenerate.clicked.connect(self.regenerateRequested)
        # Two rows, so that the details pane fits beside the table in a 1024-pixel window.
        buttons = QGridLayout()
        buttons.addWidget(self.reveal, 0, 0)
        buttons.addWidget(self.save, 0, 1)
        buttons.addWidget(self.regenerate, 1, 0, 1, 2, Qt.AlignmentFlag.AlignLeft)
        buttons.setColumnStretch(2, 1)
        self.note = hint("In OBS: Settings › Stream › Service “Custom…”, then paste the "
                         "server and the stream key.", self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(heading("Encoder settings", self))
        layout.addLayout(grid)
        layout.addLayout(buttons)
        layout.addWidget(self.note)
        self.show_kit(None)

    def chosen(self) -> str:
        """The protocol shown ("RTMP", "RTMPS" or "SRT")."""
        return str(self.protocol.currentData())

    def fields(self) -> list[tuple[str, str]]:
        """(label, kit attribute) of the rows shown."""
        return PROTOCOLS[self.chosen()]

    def show_kit(self, kit: Any) -> None:
        """Show this kit (None: nothing to show); the credentials go back under dots."""
        self.kit = kit
        self.reveal.setChecked(False)
        self._fill()
        for button in (self.reveal, self.save, self.regenerate, self.protocol):
            button.setEnabled(kit is not None)

    def _fill(self) -> None:
        shown = self.reveal.isChecked()
        for row, (label, attribute) in enumerate(self.fields()):
            value = self.value(attribute)
            secret = attribute in SECRETS
            edit = self.values[row]
            self.names[row].setText(f"{label}:")
            edit.setEchoMode(QLineEdit.EchoMode.Password if secret and not shown
                             else QLineEdit.EchoMode.Normal)
            edit.setText(value if shown or secret else masked(self.kit, value))
            edit.setPlaceholderText("not given by Kaltura" if self.kit is not None else "")
            edit.setCursorPosition(0)
            self.copies[row].setEnabled(bool(value))
        # Hide keeps Reveal's Alt+L (every letter of "Hide" has an owner on the Sessions tab).
        self.reveal.setText("Hide" if shown else "Revea&l")
        self.reveal.setShortcut(QKeySequence("Alt+L"))

    def value(self, attribute: str) -> str:
        """The kit's value of ``attribute`` ("" when not given)."""
        return str(getattr(self.kit, attribute, "") or "") if self.kit is not None else ""

    def copy(self, row: int) -> None:
        """Put one value on the clipboard, whole; say which (never the value itself)."""
        label, attribute = self.fields()[row]
        value = self.value(attribute)
        if not value:
            return
        QGuiApplication.clipboard().setText(value)
        what = f"{self.chosen()} {label.lower()}" if "URL" in label or "Server" in label \
            else label.lower()
        self.say(f"Copied the {what}.")
