"""A QR code of one signed link, to open it on a phone for testing (segno, no network).

The link is a personal credential (it carries the person's KS): the dialog says so, and
offers Copy next to the code.
"""

from __future__ import annotations

import io

import segno
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .common import hint
from .desktop_open import is_loopback
from .plain_text import make_plain

#: Said when the link points at this computer (the sandbox): a phone cannot open it.
UNREACHABLE = (
    "A phone cannot open this link: it points at this computer (127.0.0.1), where the "
    "Sandbox demo runs. Scanning works with a real Kaltura account, whose links reach the "
    "internet."
)
#: Pixels per QR module, and the quiet zone around the code (in modules).
SCALE = 4
BORDER = 4


def qr_png(text: str, scale: int = SCALE) -> bytes:
    """A PNG of the QR code of ``text`` (error correction M, at least; segno picks the size).

    Raises:
        ValueError: The text is too long for any QR code (over ~2,300 characters).
    """
    try:
        code = segno.make(text, error="m", micro=False)
    except segno.DataOverflowError as exc:
        raise ValueError("This link is too long for a QR code.") from exc
    buffer = io.BytesIO()
    code.save(buffer, kind="png", scale=scale, border=BORDER)
    return buffer.getvalue()


class QrDialog(QDialog):
    """Shows the QR code of one link, the link itself, and Copy."""

    def __init__(self, link: str, title: str = "Open on a phone",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.link = link
        self.setWindowTitle(title)
        self.code = QLabel(self)
        self.code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code.setAccessibleName("QR code of the link")
        pixmap = QPixmap()
        try:
            pixmap.loadFromData(qr_png(link))
            self.code.setPixmap(pixmap)
        except ValueError as exc:
            self.code.setText(str(exc))
        self.pixmap = pixmap
        self.text = QLineEdit(link, self)
        self.text.setReadOnly(True)
        self.text.setCursorPosition(0)
        self.copy_button = QPushButton("&Copy link", self)
        self.copy_button.clicked.connect(self.copy)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.code, 1)
        layout.addWidget(self.text)
        layout.addWidget(hint(
            "Scan it with a phone's camera to test the link there. It is a personal link "
            "(it carries that person's Kaltura session): don't share screenshots of it.", self))
        self.unreachable = QLabel(UNREACHABLE, self)
        self.unreachable.setObjectName("qr.unreachable")
        self.unreachable.setWordWrap(True)
        self.unreachable.setStyleSheet("background:#fff4d6;color:#5a4100;padding:6px;")
        self.unreachable.setVisible(is_loopback(link))
        layout.addWidget(self.unreachable)
        layout.addWidget(buttons)
        make_plain(self)  # the code's label shows an error sentence when there is no code

    def copy(self) -> None:
        """Put the link on the clipboard."""
        QGuiApplication.clipboard().setText(self.link)
