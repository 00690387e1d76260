"""The menu bar (File, Edit, View, Help) with the platform's standard shortcuts."""

from __future__ import annotations

import platform
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QApplication

from .. import __version__, paths
from . import SANDBOX_PROFILE, help_text, plain_text, window_shortcuts

if TYPE_CHECKING:
    from .main_window import MainWindow

Key = QKeySequence.StandardKey

#: The F1 help (its sections live in :mod:`.help_text`).
HELP_TEXT = help_text.help_html()


@dataclass
class Actions:
    """The window's actions (the Edit ones act on the tab in front)."""

    accounts: QAction
    sandbox: QAction
    import_csv: QAction
    export_links: QAction
    quit: QAction
    new: QAction
    edit: QAction
    delete: QAction
    copy: QAction
    find: QAction
    refresh: QAction
    tabs: list[QAction]
    activity: QAction
    full_screen: QAction
    help: QAction
    about: QAction
    upload: QAction | None = None


def _action(window: MainWindow, text: str, slot: Callable[[], object],
            *keys: QKeySequence | Key | str, tip: str = "") -> QAction:
    action = QAction(text, window)
    shortcuts: list[QKeySequence] = []
    for key in keys:
        sequence = key if isinstance(key, QKeySequence) else QKeySequence(key)
        if not sequence.isEmpty() and sequence not in shortcuts:
            shortcuts.append(sequence)
    if shortcuts:
        action.setShortcuts(shortcuts)
    if tip:
        action.setStatusTip(tip)
    action.triggered.connect(lambda _checked=False: slot())
    return action


def build(window: MainWindow) -> Actions:
    """Create the menus of ``window`` and return their actions."""
    bar = window.menuBar()
    page = window.current_page

    def on_page(capability: str, method: str) -> Callable[[], object]:
        def run() -> None:
            target = page()
            if target.can(capability) and hasattr(target, method):
                getattr(target, method)()
        return run

    acts = Actions(
        accounts=_action(window, "&Accounts…", window.show_accounts, "Ctrl+Shift+A",
                         tip="Add, edit, test and connect Kaltura accounts"),
        sandbox=_action(window, "Open the &Sandbox demo",
                        lambda: window.connect_to(SANDBOX_PROFILE),
                        tip="A demo Kaltura account that runs on this computer"),
        import_csv=_action(window, "&Import moderators from CSV…", lambda: _import(window),
                           "Ctrl+I"),
        export_links=_action(window, "&Export signed links…", window.show_export, "Ctrl+E",
                             tip="A signed link per person of a CSV list, as URLs or pages"),
        quit=_action(window, "&Quit", window.close, Key.Quit, "Ctrl+Q"),
        new=_action(window, "&New…", on_page("new", "new_item"), Key.New),
        edit=_action(window, "&Edit…", on_page("edit", "edit_item"), "F2"),
        delete=_action(window, "&Delete…", on_page("delete", "delete_item"), Key.Delete),
        copy=_action(window, "&Copy ID", lambda: _copy_id(window), Key.Copy),
        find=_action(window, "&Find", on_page("find", "focus_search"), Key.Find),
        refresh=_action(window, "&Refresh", on_page("refresh", "refresh"), Key.Refresh, "Ctrl+R"),
        tabs=[],
        activity=window.dock.toggleViewAction(),
        full_screen=_action(window, "&Full Screen", lambda: _full_screen(window),
                            Key.FullScreen),
        help=_action(window, "kproducer &Help", lambda: _help(window), Key.HelpContents),
        about=_action(window, "&About kproducer", lambda: _about(window)),
    )
    acts.upload = _action(window, "&Upload recording…", lambda: _upload(window), "Ctrl+U",
                          tip="Add video files as recorded sessions (or drop them on Sessions)")
    acts.activity.setText("&Activity")
    acts.activity.setShortcut(QKeySequence("Ctrl+Shift+Y"))
    acts.quit.setMenuRole(QAction.MenuRole.QuitRole)
    acts.about.setMenuRole(QAction.MenuRole.AboutRole)

    file_menu = bar.addMenu("&File")
    file_menu.addActions([acts.accounts, acts.sandbox])
    file_menu.addSeparator()
    file_menu.addAction(acts.upload)
    file_menu.addAction(acts.import_csv)
    file_menu.addAction(acts.export_links)
    file_menu.addSeparator()
    file_menu.addAction(acts.quit)
    file_menu.aboutToShow.connect(lambda: update(window))

    edit_menu = bar.addMenu("&Edit")
    edit_menu.addActions([acts.new, acts.edit, acts.delete])
    edit_menu.addSeparator()
    edit_menu.addActions([acts.copy, acts.find, acts.refresh])
    edit_menu.aboutToShow.connect(lambda: update(window))

    view_menu = bar.addMenu("&View")
    for number in range(window.tabs.count()):  # the tabs as the window has them, in order
        name = window.tabs.tabText(number).replace("&", "")
        tab = _action(window, name, partial(window.tabs.setCurrentIndex, number),
                      f"Ctrl+{number + 1}")
        acts.tabs.append(tab)
        view_menu.addAction(tab)
    view_menu.addSeparator()
    view_menu.addActions([acts.activity, acts.full_screen])

    help_menu = bar.addMenu("&Help")
    help_menu.addAction(acts.help)
    help_menu.addSeparator()
    help_menu.addAction(acts.about)
    about_qt = _action(window, "About &Qt", QApplication.aboutQt)
    about_qt.setMenuRole(QAction.MenuRole.AboutQtRole)
    help_menu.addAction(about_qt)
    # Window-wide: they work while a text field has the focus (Ctrl+E is "end of line" there)
    window_shortcuts.keep(window, [acts.accounts, acts.import_csv, acts.export_links, acts.quit,
                                   acts.refresh, *acts.tabs, acts.activity, acts.full_screen,
                                   acts.help])
    return acts


def update(window: MainWindow) -> None:
    """Enable the Edit actions the tab in front supports right now."""
    acts: Actions | None = getattr(window, "menu_actions", None)
    if not isinstance(acts, Actions):
        return
    page = window.current_page()
    acts.new.setEnabled(page.can("new"))
    acts.edit.setEnabled(page.can("edit"))
    acts.delete.setEnabled(page.can("delete"))
    acts.refresh.setEnabled(page.can("refresh"))
    acts.find.setEnabled(page.can("find"))
    acts.copy.setEnabled(_selected_id(window) is not None)
    acts.import_csv.setEnabled(window.moderators.import_button.isEnabled())
    acts.export_links.setEnabled(window.account() is not None)
    if acts.upload is not None:
        acts.upload.setEnabled(window.account() is not None)


def _selected_id(window: MainWindow) -> str | None:
    page = window.current_page()
    selected = getattr(page, "selected", None)
    row = selected() if callable(selected) else None
    value = getattr(row, "id", None) or getattr(row, "user_id", None)
    return None if value is None else str(value)


def _copy_id(window: MainWindow) -> None:
    value = _selected_id(window)
    if value is not None:
        QGuiApplication.clipboard().setText(value)
        window.status.say(f"Copied {value}.")


def _upload(window: MainWindow) -> None:
    window.tabs.setCurrentWidget(window.entries)
    window.entries.upload_item()


def _import(window: MainWindow) -> None:
    window.tabs.setCurrentWidget(window.moderators)
    window.moderators.choose_csv()


def _full_screen(window: MainWindow) -> None:
    window.showNormal() if window.isFullScreen() else window.showFullScreen()


def _help(window: MainWindow) -> None:
    """Open the help beside the window (not modal: the producer can follow it while working)."""
    from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout

    dialog = window.findChild(QDialog, "help.dialog")
    if dialog is None:
        dialog = QDialog(window)
        dialog.setObjectName("help.dialog")
        dialog.setWindowTitle("kproducer Help")
        text = QTextBrowser(dialog)
        text.setObjectName("help.text")
        text.setHtml(HELP_TEXT)  # our own HTML, every text in it escaped
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
        buttons.rejected.connect(dialog.close)
        layout = QVBoxLayout(dialog)
        layout.addWidget(text)
        layout.addWidget(buttons)
        dialog.resize(600, min(640, max(400, window.height() - 60)))
    dialog.show()
    dialog.activateWindow()  # F1 again brings it forward


def about_text() -> str:
    """The About box: versions of kproducer and what it runs on, and where its files live."""
    from html import escape
    from importlib import metadata

    try:
        kaltura_version = metadata.version("KalturaApiClient")
    except metadata.PackageNotFoundError:
        kaltura_version = "unknown"
    places = (
        ("Settings", paths.config_dir()), ("Cache", paths.cache_dir()),
        ("Data (sandbox, saved state)", paths.data_dir()), ("Logs", paths.log_dir()),
    )
    rows = "".join(
        f"<tr><td>{label}:&nbsp;</td><td><code>{escape(str(where))}</code></td></tr>"
        for label, where in places
    )
    return (
        f"<h3>kproducer {escape(__version__)}</h3>"
        "<p>A desktop tool for producers of Kaltura virtual events: events, sessions, "
        "moderators, previews and signed links.</p>"
        "<p>Secrets stay in the system keyring; admin sessions are generated on this "
        "computer and never leave it.</p>"
        f"<table>{rows}</table>"
        f"<p>Qt {escape(qVersion())} · PySide6 {escape(pyside_version)} · "
        f"KalturaClient {escape(kaltura_version)} · Python {escape(platform.python_version())}"
        "<br>License: GNU AGPL 3.0 or later.</p>"
    )


def _about(window: MainWindow) -> None:
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(window)
    box.setWindowTitle("About kproducer")
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setText(about_text())
    box.setIconPixmap(window.windowIcon().pixmap(64, 64))
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    plain_text.allow_rich(box).exec()  # our own HTML, every name and path in it escaped
