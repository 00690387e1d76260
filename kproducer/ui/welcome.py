"""The banner shown while no account is connected: try the Sandbox, or add an account."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from .common import heading

INTRO = (
    "Connect a Kaltura account to manage its virtual events, sessions and moderators — or "
    "try everything first on the Sandbox, a demo account that runs on this computer."
)


class WelcomeBanner(QFrame):
    """Two ways in, side by side; hidden once connected.

    Signals:
        sandboxRequested(): "Open the Sandbox demo" was clicked.
        accountsRequested(): "Add your Kaltura account…" was clicked.
    """

    sandboxRequested = Signal()
    accountsRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        self.title = heading("Welcome to kproducer", self)
        self.text = QLabel(INTRO, self)
        self.text.setWordWrap(True)
        self.sandbox_button = QPushButton("Open the &Sandbox demo", self)
        self.accounts_button = QPushButton("Add your &Kaltura account…", self)
        self.sandbox_button.clicked.connect(self.sandboxRequested)
        self.accounts_button.clicked.connect(self.accountsRequested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.sandbox_button)
        buttons.addWidget(self.accounts_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.text)
        layout.addLayout(buttons)

    def set_busy(self, text: str) -> None:
        """Connecting: say so and keep the buttons from starting a second attempt."""
        self.text.setText(text)
        self.sandbox_button.setEnabled(False)
        self.accounts_button.setEnabled(False)

    def set_failed(self, message: str) -> None:
        """Connecting failed: the reason, and both ways in again."""
        self.show()
        self.text.setText(f"Could not connect: {message}\n{INTRO}")
        self.sandbox_button.setEnabled(True)
        self.accounts_button.setEnabled(True)
