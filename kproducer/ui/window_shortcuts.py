"""The window's own shortcuts keep working while a text field has the keyboard focus.

Before Qt runs a shortcut it asks the focused widget whether it wants the key itself (a
``ShortcutOverride`` event). A line edit says yes to the editing keys of the platform, and
on Linux those include Emacs-style Ctrl+E (end of line), Ctrl+A, Ctrl+K...: so File › Export
signed links (Ctrl+E) did nothing while the cursor was in a search box, whatever the
action's shortcut context. :func:`keep` answers "no" for the window's own commands, in the
text fields of that window only (text editing keys such as Ctrl+C and Delete stay with the
field). The filter is put on a field when it first gets the focus, so fields made later
(the import panel, a dialog's own window excluded) are covered too.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

#: Set on a field once it is watched.
WATCHED = "kproducerWindowShortcuts"
TEXT_FIELDS = (QLineEdit, QAbstractSpinBox, QTextEdit, QPlainTextEdit)


class WindowShortcuts(QObject):
    """Refuses a text field's claim on the window's own shortcuts (see the module)."""

    def __init__(self, window: QWidget, actions: Iterable[QAction]) -> None:
        super().__init__(window)
        self.window = window
        self.actions = list(actions)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)
            self._focus_changed(None, app.focusWidget())

    def sequences(self) -> list[QKeySequence]:
        """The single-chord shortcuts of the actions (read now: they may change)."""
        return [s for a in self.actions for s in a.shortcuts() if s.count() == 1]

    def watch(self, field: QWidget) -> None:
        """Watch a text field of the window (once)."""
        if not field.property(WATCHED):
            field.setProperty(WATCHED, True)
            field.installEventFilter(self)

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if isinstance(new, TEXT_FIELDS) and new.window() is self.window:
            self.watch(new)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Let the shortcut run: the field does not get to claim the key (Qt API)."""
        if event.type() != QEvent.Type.ShortcutOverride or not isinstance(event, QKeyEvent):
            return False
        pressed = QKeySequence(event.keyCombination())
        if any(pressed == s for s in self.sequences()):
            event.ignore()
            return True
        return False


def keep(window: QWidget, actions: Iterable[QAction]) -> WindowShortcuts:
    """Keep ``actions``' shortcuts working in ``window``'s text fields."""
    return WindowShortcuts(window, actions)
