"""The producer's words in the window (Sessions, not Entries), the F1 help, the dock's height,
and texts that read whole at 1024×700."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialog,
    QGroupBox,
    QLabel,
    QLineEdit,
    QTextBrowser,
    QWidget,
)

from kproducer.activity import ActivityLog
from kproducer.ui import entry_columns
from kproducer.ui.activity_dock import HEIGHT_KEY, START_FRACTION
from kproducer.ui.main_window import MainWindow
from kproducer.ui.settings import gui_settings
from kproducer.ui.table import select_where


def window_texts(window):
    """Every text a producer can read in the window: tabs, menus, labels, buttons, tips."""
    texts = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    for action in window.findChildren(QAction):
        texts += [action.text(), action.toolTip(), action.statusTip()]
    for widget in window.findChildren(QWidget):
        texts.append(widget.toolTip())
        if isinstance(widget, (QLabel, QAbstractButton)):
            texts.append(widget.text())
        elif isinstance(widget, QLineEdit):
            texts.append(widget.placeholderText())
        elif isinstance(widget, QGroupBox):
            texts.append(widget.title())
    return [t.replace("&", "") for t in texts if t]


def test_tabs_menus_and_texts_say_sessions(window):
    tabs = [window.tabs.tabText(i).replace("&", "") for i in range(window.tabs.count())]
    assert tabs == ["Events", "Go-live check", "Sessions", "Moderators", "Preview", "Links"]
    view = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    names = [a.text().replace("&", "") for a in view.actions() if a.text()]
    assert names[:6] == tabs
    assert window.entries.attach_button.text().replace("&", "") == "Attach existing…"
    texts = window_texts(window)
    assert not [t for t in texts if "Entries" in t or "entries" in t]
    assert not [t for t in texts if "Attach entry" in t]


def test_the_help_describes_the_app_as_it_is(window, qtbot):
    window.menu_actions.help.trigger()
    dialog = window.findChild(QDialog, "help.dialog")
    assert dialog is not None and dialog.isVisible() and not dialog.isModal()
    text = dialog.findChild(QTextBrowser, "help.text").toPlainText()
    for words in ("Accounts", "Events", "Sessions", "encoder kit", "schedule", "Moderators",
                  "import a CSV", "Preview", "Export signed links", "Activity", "Ctrl+E",
                  "Go-live check", "Upload recording", "Simulive", "Links", "Revoke",
                  "kproducer --help"):
        assert words in text, words
    assert "Entries" not in text
    window.menu_actions.help.trigger()  # F1 again brings the same window forward
    assert len(window.findChildren(QDialog, "help.dialog")) == 1
    dialog.close()


def open_bare_window(qtbot, size=(1024, 700)):
    window = MainWindow(ActivityLog())
    window.confirm_quit = False
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    QApplication.processEvents()
    return window


def test_the_dock_starts_at_a_fifth_of_the_window_and_remembers_its_height(qtbot):
    window = open_bare_window(qtbot)
    assert window.height() == 700
    qtbot.waitUntil(lambda: abs(window.dock.height() / window.height() - START_FRACTION)
                    < 0.03, timeout=3_000)
    window.resizeDocks([window.dock], [230], Qt.Orientation.Vertical)
    qtbot.waitUntil(lambda: abs(window.dock.height() - 230) <= 4, timeout=3_000)
    window.close()  # saves the layout
    assert int(gui_settings().value(HEIGHT_KEY)) == window.dock.height()

    again = open_bare_window(qtbot)
    qtbot.waitUntil(lambda: abs(again.dock.height() - 230) <= 4, timeout=3_000)
    again.close()


def test_the_sessions_id_column_reads_whole_at_1024(window, qtbot):
    window.resize(1024, 700)
    if window.entries.model.rowCount() == 0:  # another test's new event is selected
        with qtbot.waitSignal(window.entries.entriesLoaded, timeout=10_000):
            assert select_where(window.events.view, lambda e: e.name == "Sandbox Summit 2026")
    window.tabs.setCurrentWidget(window.entries)
    QApplication.processEvents()
    view = window.entries.view
    metrics = view.fontMetrics()
    ids = [e.id for e in window.entries.model.rows] + [entry_columns.WIDEST_ID]
    assert len(ids) > 1
    model = window.entries.model
    column = next(i for i in range(model.columnCount())
                  if model.headerData(i, Qt.Orientation.Horizontal) == "ID")
    for entry_id in ids:  # the text plus the cell's margins fit in the column
        assert metrics.horizontalAdvance(entry_id) + 8 <= view.columnWidth(column), entry_id
