"""Opening a file or folder with the desktop's own application, and saying what happened.

``QDesktopServices.openUrl`` answers False when no application could be launched (on Linux
Qt prints "Unable to detect a launcher" when there is no ``xdg-open`` or desktop session),
and that answer used to be dropped: the window said "opened in your browser" while nothing
opened. :func:`open_path` reads it, and when nothing opened it says so in a dialog that
offers to copy the path, so the producer can open the file by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from . import plain_text

#: Opens a URL with the desktop (True when an application was launched).
Opener = Callable[[QUrl], object]


def desktop_opener(url: QUrl) -> bool:
    """``QDesktopServices.openUrl`` (looked up at call time, so tests can replace it)."""
    return bool(QDesktopServices.openUrl(url))


def open_path(parent: QWidget, path: Path, what: str, say: Callable[[str], object],
              opener: Opener = desktop_opener) -> bool:
    """Open ``path`` with the desktop; when nothing could be launched, say so and offer Copy.

    Args:
        what: What is being opened, for the sentences ("the preview page").
        say: Where a sentence for the status bar goes.
        opener: Opens the URL (default: the desktop's application).

    Returns:
        True when the desktop launched an application.
    """
    if not path.exists():
        say(f"{_cap(what)} is no longer at {path} (moved or deleted).")
        return False
    if opener(QUrl.fromLocalFile(str(path))):
        return True
    cannot_open(parent, path, what, say)
    return False


def cannot_open(parent: QWidget, path: Path, what: str,
                say: Callable[[str], object]) -> QMessageBox:
    """A non-blocking dialog: nothing could open ``path``; Copy path puts it on the clipboard."""
    kind = "folder" if path.is_dir() else "file"
    box = QMessageBox(parent)
    box.setObjectName("desktop.cannotOpen")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Nothing could open it")
    box.setText(f"This computer has no application kproducer could launch to open {what} "
                f"(no browser or file manager is set up for this desktop).")
    box.setInformativeText(f"It is saved at {path}. Copy the {kind} path and open it by hand, "
                           "e.g. paste it into a browser's address bar.")
    copy = box.addButton(f"Copy {kind} path", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Close)
    box.setDefaultButton(copy)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setWindowModality(Qt.WindowModality.WindowModal)

    def copied() -> None:
        QGuiApplication.clipboard().setText(str(path))
        say(f"The {kind} path is on the clipboard: {path}")

    copy.clicked.connect(copied)
    say(f"Could not open {what}: no application could be launched for it.")
    plain_text.make_plain(box).open()  # the path is the producer's data
    return box


def is_loopback(url: str) -> bool:
    """Whether ``url`` points at this computer only (127.x, ::1, localhost)."""
    from urllib.parse import urlsplit

    host = (urlsplit(url).hostname or "").lower()
    return host == "localhost" or host == "::1" or host.startswith("127.")


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]
