"""The main window: the tabs, the Activity dock, the status bar, and the connection."""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QEvent, Qt, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QShowEvent
from PySide6.QtWidgets import QMainWindow, QTabWidget, QVBoxLayout, QWidget

from ..activity import ActivityLog
from . import SANDBOX_PROFILE, menus, plain_text
from .activity_dock import ActivityDock
from .common import Deps, Page
from .entries_tab import EntriesTab
from .events_tab import EventsTab
from .failure import Failure
from .job_context import JobContext
from .links_tab import LinksTab
from .moderators_tab import ModeratorsTab
from .preview_tab import PreviewTab
from .readiness_tab import ReadinessTab, connect_fixes
from .settings import gui_settings
from .status_bar import StatusBar
from .welcome import WelcomeBanner
from .worker import Job, Worker

if TYPE_CHECKING:
    from ..services.account import Account
    from .accounts_dialog import AccountsDialog
    from .session import Connection

APP_TITLE = "kproducer"


def freeze_heap() -> None:
    """Collect once, then keep today's objects out of every later collection."""
    gc.collect()
    gc.freeze()


class MainWindow(QMainWindow):
    """Events, Sessions, Moderators and Preview tabs over one connected account.

    Signals:
        connected(object): a :class:`session.Connection` is now in use.
        connectFailed(object): connecting failed (a :class:`Failure`).
    """

    connected = Signal(object)
    connectFailed = Signal(object)

    def __init__(self, activity: ActivityLog | None = None) -> None:
        super().__init__()
        self.setWindowTitle(APP_TITLE)
        self.activity = activity if activity is not None else ActivityLog()
        self.connection: Connection | None = None
        self.connecting: str | None = None
        #: Save the layout on close (off for the smoke test, so it leaves no trace).
        self.persist = True
        #: Ask before quitting during an import (off in tests and the smoke test).
        self.confirm_quit = True
        self.worker = Worker(parent=self, activity=self.activity)
        self.status = StatusBar(self.worker, self)
        self.setStatusBar(self.status)
        self.deps = Deps(self.worker, self.say, self.account)

        self.events = EventsTab(self.deps, self)
        self.entries = EntriesTab(self.deps, self)
        self.moderators = ModeratorsTab(self.deps, self)
        self.preview = PreviewTab(self.deps, self)
        self.links = LinksTab(self.deps, self)
        self.readiness = ReadinessTab(self.deps, self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("main.tabs")
        self.tabs.setDocumentMode(True)
        # No mnemonics on the tabs: Alt+letter belongs to the menus and the page's own
        # controls (a tab's letter clashed with both); Ctrl+1…6 (View menu) picks a tab.
        for page, title in ((self.events, "Events"), (self.readiness, "Go-live check"),
                            (self.entries, "Sessions"), (self.moderators, "Moderators"),
                            (self.preview, "Preview"), (self.links, "Links")):
            number = self.tabs.addTab(page, title)
            self.tabs.setTabToolTip(number, f"{title} (Ctrl+{number + 1})")
        self.welcome = WelcomeBanner(self)
        self.welcome.sandboxRequested.connect(lambda: self.connect_to(SANDBOX_PROFILE))
        self.welcome.accountsRequested.connect(self.show_accounts)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.welcome)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

        self.dock = ActivityDock(self.activity, self.deps, self)
        self._dock_sized = False
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)
        self.menu_actions = menus.build(self)
        self._last_tab: QWidget | None = None  # the tab in front before the current one
        self._wire()
        self._restore()
        self._set_disconnected("Not connected")
        plain_text.make_plain(self)  # account data in any label is plain text, never markup

    def say(self, text: str) -> None:
        """Show a sentence in the status bar; said as a job ends, it is what came of it."""
        self.status.say(text)
        self.activity.describe(text)

    # --- wiring ---

    def pages(self) -> list[Page]:
        """The tabs, in order."""
        return [self.events, self.readiness, self.entries, self.moderators, self.preview]

    def _wire(self) -> None:
        self.events.eventSelected.connect(self.entries.show_event)
        self.events.eventsLoaded.connect(self.entries.set_events)
        self.events.eventsLoaded.connect(self.preview.set_events)
        self.events.eventsLoaded.connect(lambda events: setattr(self, "known_events", events))
        self.entries.entriesLoaded.connect(lambda entries: setattr(self, "known_entries", entries))
        self.events.showSessions.connect(self._show_sessions)
        connect_fixes(self, self.readiness)
        self.entries.entriesLoaded.connect(self.moderators.set_entries)
        self.entries.entriesLoaded.connect(self.links.set_entries)
        self.preview.sharedLinkRecorded.connect(  # shown at once if Links is on that session
            lambda entry_id: self.links.refresh() if self.links.entry_id() == entry_id
            else None)
        self.entries.showModerators.connect(self._show_moderators)
        self.entries.liveSummary.connect(self.status.set_live)
        self.worker.jobSettled.connect(lambda _: self.update_actions())
        self.worker.jobSettled.connect(lambda _: self._show_cache_notes())
        self.tabs.currentChanged.connect(lambda _: self.update_actions())
        self.tabs.currentChanged.connect(self._preview_follows)
        self.entries.entriesLoaded.connect(
            lambda rows: self.preview.sessions_listed(self.entries.event_id(), rows))
        for page in (self.events, self.entries, self.moderators):
            view = page.view
            view.selectionModel().selectionChanged.connect(lambda *_: self.update_actions())

    def _show_cache_notes(self) -> None:
        """Say what happened to the cache during the job (rebuilt, locked), once each."""
        account = self.account()
        notes = account.cache.take_notes() if account is not None else []
        if notes and self.status.failure is None:  # a failure's sentence stays in front
            self.status.say(" ".join(notes))

    def _show_sessions(self, event: Any) -> None:
        self.entries.show_event(event)
        self.tabs.setCurrentWidget(self.entries)

    def _preview_follows(self, index: int) -> None:
        """Preview and Links open on the session selected on the tab the producer left."""
        came_from, page = self._last_tab, self.tabs.widget(index)
        if page is self.preview:
            self.preview.follow(self.moderators.current_entry() if came_from is self.moderators
                                else self.entries.selected())
        elif page is self.links:
            shown = self.preview.page
            self.links.follow(
                self.moderators.current_entry() if came_from is self.moderators
                else shown.entry if came_from is self.preview and shown is not None
                else self.entries.selected())
        self._last_tab = page

    def _show_moderators(self, entry: Any) -> None:
        self.moderators.show_entry(entry)
        self.tabs.setCurrentWidget(self.moderators)

    def current_page(self) -> Page:
        """The tab in front."""
        page = self.tabs.currentWidget()
        assert isinstance(page, Page)
        return page

    def update_actions(self) -> None:
        """Refresh every enabled state (after a job, a selection or a tab change)."""
        for page in (self.events, self.entries, self.moderators, self.readiness):
            page.update_actions()
        self.dock.update_actions()
        menus.update(self)

    def show_export(self) -> None:
        """Open the Export signed links dialog on the session selected in Sessions."""
        from .export_dialog import ExportDialog

        selected = self.entries.selected()
        dialog = ExportDialog(self.deps, getattr(self, "known_entries", ()),
                              getattr(self, "known_events", ()),
                              getattr(selected, "id", None), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def account(self) -> Account | None:
        """The connected account, or None."""
        return self.connection.account if self.connection else None

    def warm_up(self) -> Job[None]:
        """Import the Kaltura client and services on a worker, once the window shows.

        Then everything loaded so far is frozen out of the garbage collector's reach
        (``gc.freeze``): a full collection otherwise walks every Qt wrapper and Kaltura
        class and stalls the GUI thread for 50-100 ms in the middle of a big import.
        """

        def load(ctx: JobContext) -> None:
            from ..local import secret_store  # noqa: F401
            from ..services import entries, events, moderator_import, moderators  # noqa: F401
            from ..services.emails import email_problem
            from . import session  # noqa: F401  (imports every service it needs)

            email_problem("warm.up@example.com")  # email-validator compiles its regexes

        return self.worker.run("Preparing the Kaltura client", load,
                               on_done=lambda _: freeze_heap())

    # --- connection ---

    def connect_to(self, name: str,
                   opener: Callable[[ActivityLog], Connection] | None = None) -> None:
        """Open an account by profile name (the Sandbox starts in the background).

        Args:
            name: A saved profile, or "Sandbox".
            opener: Opens the connection instead of the profile (tests: a given sandbox).
        """
        self.connecting = name
        what = "the Sandbox (starting the demo server)" if name == SANDBOX_PROFILE \
            else f"“{name}”"
        self.status.set_connection(f"Connecting to {what}…")
        self.welcome.set_busy(f"Connecting to {what}…")
        activity = self.activity

        def open_account(ctx: JobContext) -> Connection:
            if opener is not None:
                return opener(activity)
            from . import session

            return session.open_account(name, activity)

        self.worker.run(
            "Connecting",
            open_account,
            on_done=self._connected,
            on_error=self._connect_failed,
            key="connect",
        )

    def _connected(self, connection: Connection) -> None:
        old, self.connection = self.connection, connection
        self.connecting = None
        if old is not None:
            self.worker.run("Closing the previous connection", lambda ctx: old.close())
        self.setWindowTitle(f"{connection.name} — {APP_TITLE}")
        notes = "\n".join(connection.notes)
        self.status.set_connection(f"● Connected: {connection.name}",
                                   f"Connected to {connection.name}: {connection.summary}"
                                   + (f"\n{notes}" if notes else ""))
        self.status.say(f"Connected to {connection.name} ({connection.summary})."
                        + (f" {connection.notes[0]}" if connection.notes else ""))
        self.welcome.hide()
        if self.persist:
            gui_settings().setValue("last_profile", connection.name)
        self.preview.reset()
        self.readiness.clear()
        self.events.clear()
        self.entries.clear()
        self.moderators.set_entries([])
        self.events.refresh()  # selecting the first event then loads its sessions
        self.update_actions()
        self.connected.emit(connection)

    def _connect_failed(self, failure: Failure) -> None:
        self.connecting = None
        if self.connection is None:
            self._set_disconnected("Not connected")
            self.welcome.set_failed(failure.message)
        else:
            self.status.set_connection(f"● Connected: {self.connection.name}")
        self.connectFailed.emit(failure)

    def _set_disconnected(self, text: str) -> None:
        self.status.set_connection(f"○ {text}", "Choose an account with File › Accounts…")
        self.readiness.clear()
        self.events.clear()
        self.entries.clear()
        self.moderators.set_entries([])
        self.update_actions()

    def show_accounts(self) -> AccountsDialog:
        """Open the Accounts dialog (window-modal, non-blocking)."""
        from .accounts_dialog import AccountsDialog

        current = self.connection.name if self.connection else None
        dialog = AccountsDialog(self.deps, self.activity, current, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.connectRequested.connect(self.connect_to)
        # The dialog closes once connected, and stays open with the reason when not.
        self.connected.connect(dialog.connection_opened)
        self.connectFailed.connect(dialog.connection_failed)
        dialog.open()
        return dialog

    # --- state ---

    def _restore(self) -> None:
        settings = gui_settings()
        geometry = settings.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            screen = QGuiApplication.primaryScreen()
            area = screen.availableGeometry() if screen else None
            width, height = (min(1280, area.width() * 9 // 10), min(820, area.height() * 9 // 10)) \
                if area else (1280, 820)
            self.resize(width, height)
        state = settings.value("window/state")
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)
        for page in self.pages():
            page.restore_state(settings)
        self.dock.restore_columns(settings)
        tab = str(settings.value("window/tab", 0) or 0)
        self.tabs.setCurrentIndex(int(tab) if tab.isdigit() else 0)

    def showEvent(self, event: QShowEvent) -> None:
        """The first time: give the Activity dock its start height (Qt API)."""
        super().showEvent(event)
        if not self._dock_sized:
            self._dock_sized = True
            height = self.dock.start_height(gui_settings(), self.height())
            self.resizeDocks([self.dock], [height], Qt.Orientation.Vertical)

    def save_state(self) -> None:
        """Remember geometry, dock, splitters, columns and the current tab."""
        settings = gui_settings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState())
        settings.setValue("window/tab", self.tabs.currentIndex())
        for page in self.pages():
            page.save_state(settings)
        self.dock.save_columns(settings)
        settings.sync()

    def changeEvent(self, event: QEvent) -> None:
        """Minimised: the live status stops being asked for; restored: again (Qt API)."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.WindowStateChange:
            self.entries.poller.wake()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Ask before abandoning an import; save the layout; stop the workers."""
        from PySide6.QtWidgets import QMessageBox

        if self.confirm_quit and self.moderators.importing and QMessageBox.question(
            self, "Quit kproducer",
            "A moderator import is still running. Quit anyway? Rows already sent are "
            "finished; the rest are not imported.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        ) != QMessageBox.StandardButton.Yes:
            event.ignore()
            return
        if self.persist:
            self.save_state()
        self.dock.detach()
        self.preview.shutdown()
        self.worker.shutdown(5000)
        if self.connection is not None:
            self.connection.close()
        event.accept()
