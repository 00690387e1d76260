"""Small pieces every tab shares: time formats, confirmations, failure dialogs, headers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QLabel,
    QLayout,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from . import plain_text
from . import settings as gui_settings
from .failure import Failure
from .worker import Worker

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMessageBox

    from ..services.account import Account

#: Shows a sentence in the window's status bar.
Say = Callable[[str], None]
#: What an empty tab says before an account is connected.
NOT_CONNECTED = ("Not connected yet: open the Sandbox demo, or add your Kaltura account with "
                 "File › Accounts.")


@dataclass(frozen=True)
class Deps:
    """What a tab needs from the window (and nothing more).

    Attributes:
        worker: Runs service calls off the GUI thread.
        say: Shows a sentence in the status bar.
        account: The connected account, or None.
    """

    worker: Worker
    say: Say
    account: Callable[[], Account | None]


def when(unix: int | None, empty: str = "") -> str:
    """A unix time as local ``Mon 15 Mar 2027, 17:00 CET`` (the zone named)."""
    from .times import local_time

    return local_time(unix, empty)


def duration(seconds: int) -> str:
    """``1:02:03`` or ``4:05``."""
    hours, rest = divmod(max(0, int(seconds)), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def confirm(parent: QWidget, title: str, text: str, action: str, detail: str = "") -> bool:
    """Ask before something that cannot be undone; the safe answer is the default.

    Args:
        title: The window title.
        text: The question, naming the thing ("Delete the event “Launch” (ID 12)?").
        action: The verb of the destructive button ("Delete").
        detail: What happens next, in a sentence.
    """
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setText(text)
    if detail:
        box.setInformativeText(detail)
    go = box.addButton(action, QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    plain_text.make_plain(box).exec()  # the names in it are account data
    return box.clickedButton() is go


def failure_box(parent: QWidget | None, failure: Failure) -> QMessageBox:
    """A non-blocking dialog: the sentence, with the technical details behind a button."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(f"{failure.title} failed")
    box.setText(failure.message)
    box.setDetailedText(failure.details)
    box.setStandardButtons(QMessageBox.StandardButton.Close)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setWindowModality(Qt.WindowModality.WindowModal)
    plain_text.make_plain(box).open()
    return box


def hint(text: str, parent: QWidget | None = None) -> QLabel:
    """A muted, wrapping line of help text."""
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)  # muted, light or dark
    return label


def heading(text: str, parent: QWidget | None = None) -> QLabel:
    """A bold section heading, a step larger than the body font."""
    label = QLabel(text, parent)
    font = label.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.15)
    label.setFont(font)
    return label


class Page(QWidget):
    """A tab: remembers its splitters and table columns between runs."""

    def can(self, action: str) -> bool:
        """Whether an Edit-menu action (new, edit, delete, refresh, find) applies now."""
        return False

    def update_actions(self) -> None:
        """Enable the tab's buttons for the current state."""

    def lay_out_list(self, name: str, bar: QLayout, view: QTableView, details: QWidget) -> None:
        """The list tabs' layout: a button bar, the table beside a details pane.

        The table sits in ``self.stack`` with ``self.empty``, a centred hint shown when there
        is nothing to list; the splitter's sizes are saved as ``{name}.splitter``.
        """
        self.empty = hint("", self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(view)
        self.stack.addWidget(self.empty)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setObjectName(f"{name}.splitter")
        splitter.addWidget(self.stack)
        splitter.addWidget(details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)

    def state_widgets(self) -> tuple[list[QSplitter], list[QTableView]]:
        """The splitters and tables whose state is saved (by object name)."""
        return self.findChildren(QSplitter), self.findChildren(QTableView)

    def save_state(self, settings: QSettings) -> None:
        """Store splitter sizes and column layouts."""
        splitters, views = self.state_widgets()
        for splitter in splitters:
            if splitter.objectName():
                gui_settings.save_splitter(settings, splitter)
        for view in views:
            if view.objectName():
                gui_settings.save_columns(settings, view)

    def restore_state(self, settings: QSettings) -> None:
        """Restore splitter sizes and column layouts."""
        splitters, views = self.state_widgets()
        for splitter in splitters:
            if splitter.objectName():
                gui_settings.restore_splitter(settings, splitter)
        for view in views:
            if view.objectName():
                gui_settings.restore_columns(settings, view)
