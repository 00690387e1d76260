"""Starting the desktop window: QApplication, the main window, the first connection.

Qt is imported here, inside :func:`run`, so the command line never pays for it. QtWebEngine
is not loaded at startup: ``AA_ShareOpenGLContexts`` is set before the QApplication exists,
which is what lets the preview import ``QtWebEngineWidgets`` later, on first use.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Exit codes (DESIGN §5).
OK, FAILED, UNREACHABLE = 0, 1, 3


@dataclass(frozen=True)
class GuiOptions:
    """How the window was asked to start.

    Attributes:
        sandbox: Connect to the embedded sandbox.
        profile: Connect with this saved profile.
        smoke_test: Start, connect, load, report timings, exit.
        screenshot: With ``smoke_test``, save a PNG of each tab here.
        timeout: Seconds the smoke test may take.
        on_shown: Called once the window is on screen, with the QApplication (benchmarks
            and embedding: e.g. measure, then quit).
    """

    sandbox: bool = False
    profile: str | None = None
    smoke_test: bool = False
    screenshot: Path | None = None
    timeout: float = 90.0
    on_shown: Callable[[Any], None] | None = None


@dataclass
class Outcome:
    """What :func:`run` reports: an exit code, the smoke-test timings, or why it failed."""

    code: int
    report: dict[str, Any] | None = None
    error: str = ""


def display_problem() -> str | None:
    """Why no window can be shown here, as a sentence (None when a display looks usable)."""
    if os.environ.get("QT_QPA_PLATFORM"):
        return None
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        return ("There is no display to open the window on; run it in a desktop session, or "
                "set QT_QPA_PLATFORM=offscreen for a headless run.")
    return None


def make_application(argv: list[str] | None = None) -> Any:
    """The QApplication, configured for kproducer (created once)."""
    from PySide6.QtCore import QCoreApplication, Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    from . import __version__

    existing = QApplication.instance()
    if existing is not None:
        return existing
    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    _quiet_known_qt_messages()
    app = QApplication(argv or [sys.argv[0]])
    app.setApplicationName("kproducer")
    app.setApplicationDisplayName("kproducer")
    app.setOrganizationName("kproducer")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("kproducer")
    from .ui.app_icon import app_icon
    from .ui.gui_gc import GuiThreadCollector

    app.setWindowIcon(app_icon())
    global _collector
    _collector = GuiThreadCollector(app)  # cycles are collected on this thread only
    return app


#: The application's :class:`~kproducer.ui.gui_gc.GuiThreadCollector` (kept alive here).
_collector: Any = None


#: Qt messages that say nothing to a user (the offscreen platform cannot resize hints).
KNOWN_QT_NOISE = ("This plugin does not support propagateSizeHints()",)


def _quiet_known_qt_messages() -> None:
    """Drop Qt's known-harmless messages; pass everything else to Python logging."""
    import logging

    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    log = logging.getLogger("kproducer.qt")
    levels = {QtMsgType.QtDebugMsg: logging.DEBUG, QtMsgType.QtInfoMsg: logging.INFO,
              QtMsgType.QtWarningMsg: logging.WARNING}

    def handler(kind: Any, context: Any, message: str) -> None:
        if message in KNOWN_QT_NOISE:
            return
        log.log(levels.get(kind, logging.ERROR), "%s", message)

    qInstallMessageHandler(handler)


def first_profile(options: GuiOptions) -> str | None:
    """Which account to open at start: asked for, else the last one used, else none."""
    from .ui import SANDBOX_PROFILE
    from .ui.settings import gui_settings

    if options.sandbox:
        return SANDBOX_PROFILE
    if options.profile:
        return options.profile
    last = gui_settings().value("last_profile")
    return str(last) if last else None


def run(options: GuiOptions) -> Outcome:
    """Show the window and run until it closes (or until the smoke test ends)."""
    started = time.perf_counter()
    app = make_application()
    from PySide6.QtCore import QTimer

    from .activity import ActivityLog
    from .ui.main_window import MainWindow

    window = MainWindow(ActivityLog())
    smoke = None
    if options.smoke_test:
        from .ui.smoke import SmokeTest

        window.persist = False
        smoke = SmokeTest(window, started, options.screenshot, options.timeout)
    window.show()
    profile = first_profile(options)

    def warm_up_then_connect() -> None:
        # The Kaltura client's own modules import each other in a cycle: imported for the
        # first time on two threads at once they deadlock (_DeadlockError). So one job
        # imports them, and connecting (which needs them) starts only after it.
        job = window.warm_up()
        if profile:
            job.settled.connect(lambda: window.connect_to(profile))

    QTimer.singleShot(0, warm_up_then_connect)
    if options.on_shown is not None:
        on_shown = options.on_shown
        QTimer.singleShot(0, lambda: on_shown(app))
    if not profile and smoke is not None:
        smoke.fail("No account to test: use --sandbox or --profile NAME.", FAILED)
    stop = _handle_interrupts(app)
    try:
        code = app.exec()
    finally:
        stop()
        window.worker.shutdown(5000)
        session = sys.modules.get("kproducer.ui.session")  # loaded only if it was used
        if session is not None:
            session.stop_embedded_sandbox()
    if smoke is not None:
        return Outcome(smoke.code, smoke.report, smoke.error)
    return Outcome(int(code))


def _handle_interrupts(app: Any) -> Any:
    """Ctrl+C in the terminal closes the window (Python sees signals between Qt events)."""
    from PySide6.QtCore import QTimer

    def interrupted(signum: int, frame: object) -> None:
        app.closeAllWindows()

    try:
        previous = signal.signal(signal.SIGINT, interrupted)
    except ValueError:  # not the main thread (tests)
        return lambda: None
    timer = QTimer()
    timer.timeout.connect(lambda: None)  # lets the interpreter run the handler
    timer.start(250)

    def restore() -> None:
        timer.stop()
        signal.signal(signal.SIGINT, previous)

    return restore
