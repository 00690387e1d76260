"""The QtWebEngine side of the preview: one off-the-record profile, page and view per preview.

Imported only when the first preview is shown (never at startup): ``app.py`` sets
``AA_ShareOpenGLContexts`` before the QApplication exists, which is what allows a late
import of ``QtWebEngineWidgets``.

Each :class:`PreviewBrowser` owns a fresh off-the-record :class:`QWebEngineProfile` (no disk
cache, cookies or storage, nothing shared between the attendee and the moderator views),
a page and a view. :meth:`PreviewBrowser.dispose` deletes them in the order QtWebEngine
needs: the page, then its profile, then the view.

The page reports its progress in ``window.kpEmbed`` (set by the embed template) and, in the
sandbox, ``window.kpStandin`` (set by the stand-ins); the browser polls both until the
preview settles: ready, failed or rejected.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QTimer, QUrl, Signal
from PySide6.QtWebEngineCore import (
    QWebEnginePage,
    QWebEnginePermission,
    QWebEngineProfile,
    QWebEngineSettings,
)
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)

#: Reads the page's progress (as JSON, so nothing is lost in conversion).
STATE_JS = (
    "JSON.stringify({url: location.href, embed: window.kpEmbed || null,"
    " standin: window.kpStandin || null})"
)
#: Whether this QtWebEngine can play Kaltura's usual H.264 video and AAC audio.
CODECS_JS = (
    "JSON.stringify((function () { var v = document.createElement('video');"
    " return {h264: v.canPlayType('video/mp4; codecs=\"avc1.42E01E\"'),"
    " aac: v.canPlayType('audio/mp4; codecs=\"mp4a.40.2\"')}; })())"
)
POLL_MS = 40
#: How long a page may take to report ready before the preview says so.
SETTLE_TIMEOUT_S = 20.0

_Permission = QWebEnginePermission.PermissionType
MEDIA_PERMISSIONS = frozenset(
    {_Permission.MediaAudioCapture, _Permission.MediaVideoCapture,
     _Permission.MediaAudioVideoCapture}
)


def _done(value: Any) -> bool:
    return isinstance(value, str) and (value in ("ready", "off") or value.startswith("failed"))


def outcome(state: dict[str, Any], mode: str, launched: bool) -> dict[str, Any] | None:
    """Whether a page has settled, from its polled state; None while it is still loading.

    Returns:
        ``{"ok", "problems", "player", "cnc", "room", "standin"}`` once settled.
    """
    embed = state.get("embed") or {}
    standin = state.get("standin") or {}
    problems: list[str] = []
    if mode == "room":
        kme = standin.get("kme")
        if not launched:
            return None
        room = "ready" if kme is None or kme.get("state") == "ready" else "rejected"
        if kme is not None and kme.get("state") != "ready":
            problems.append(f"Room: rejected: {kme.get('reason', 'unknown reason')}")
        return {"ok": not problems, "problems": problems, "room": room, "player": "off",
                "cnc": "off", "standin": kme is not None}
    player, cnc = embed.get("player"), embed.get("cnc")
    rejected = {part: standin[part].get("reason") for part in ("player", "cnc")
                if isinstance(standin.get(part), dict)
                and standin[part].get("state") == "rejected"}
    player_done = _done(player) or "player" in rejected
    cnc_done = _done(cnc) or "cnc" in rejected
    if not (player_done and cnc_done):
        return None
    for part, label in (("player", "Player"), ("cnc", "Chat")):
        if part in rejected:
            problems.append(f"{label}: rejected: {rejected[part]}")
        elif isinstance(embed.get(part), str) and embed[part].startswith("failed"):
            problems.append(f"{label}: {embed[part].removeprefix('failed: ')}")
    return {"ok": not problems, "problems": problems, "player": player, "cnc": cnc,
            "room": "off", "standin": bool(standin)}


class PreviewPage(QWebEnginePage):
    """A page that keeps console output in the log (not on stderr) and opens no windows."""

    def javaScriptConsoleMessage(
        self, level: QWebEnginePage.JavaScriptConsoleMessageLevel, message: str,
        line: int, source: str,
    ) -> None:
        """Send the page's console to debug logging."""
        log.debug("preview console (%s:%s): %s", source, line, message)

    def createWindow(self, kind: QWebEnginePage.WebWindowType) -> QWebEnginePage:
        """Pop-ups stay closed in a preview."""
        return None  # type: ignore[return-value]  # Qt: no page means no window


class PreviewBrowser(QObject):
    """One preview's profile, page and view, and the watch until the page settles.

    Signals:
        settled(dict): the page is ready or failed (see :func:`outcome`; adds ``ms``,
            or ``timeout``).
        mediaRequested(object): a room page asks for the camera/microphone; call
            :meth:`answer_media` with the producer's answer.
        codecsChecked(dict): ``{"h264": str, "aac": str}`` from ``canPlayType``.
    """

    settled = Signal(object)
    mediaRequested = Signal(object)
    codecsChecked = Signal(object)

    def __init__(self, parent: QWidget, mode: str, allow_media_requests: bool) -> None:
        super().__init__(parent)
        self.mode = mode
        self.allow_media_requests = allow_media_requests
        self.profile: QWebEngineProfile | None = QWebEngineProfile()  # off the record
        self.profile.setPersistentPermissionsPolicy(
            QWebEngineProfile.PersistentPermissionsPolicy.AskEveryTime)
        self.view: QWebEngineView | None = QWebEngineView(parent)
        self.page: PreviewPage | None = PreviewPage(self.profile, self.view)
        # The view owns the page, then the profile: even if the window is destroyed without
        # dispose(), Qt deletes the page before the profile (children go in order).
        self.profile.setParent(self.view)
        settings = self.page.settings()
        settings.setAttribute(QWebEngineSettings.WebAttribute.JavascriptCanOpenWindows, False)
        settings.setAttribute(QWebEngineSettings.WebAttribute.LocalStorageEnabled, True)
        self.view.setPage(self.page)
        self.page.permissionRequested.connect(self._permission)
        self.page.loadFinished.connect(self._load_finished)
        self.pending: list[QWebEnginePermission] = []
        self.state: dict[str, Any] = {}
        self.result: dict[str, Any] | None = None
        self.base_url = ""
        self.loads = 0
        self.started = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)
        self._polling = False

    @property
    def is_off_the_record(self) -> bool:
        """The profile keeps nothing on disk and shares nothing."""
        return self.profile is not None and self.profile.isOffTheRecord()

    def load(self, html: str, base_url: str, started: float | None = None) -> None:
        """Show a page; ``started`` (perf_counter) is when the preview was asked for."""
        assert self.page is not None
        self.started = time.perf_counter() if started is None else started
        self.base_url = base_url
        self.result = None
        self.page.setHtml(html, QUrl(base_url))
        self._timer.start()

    def evaluate(self, script: str, callback: Any) -> None:
        """Run JavaScript in the page; ``callback(result)`` gets its value."""
        if self.page is not None:
            self.page.runJavaScript(script, 0, callback)

    def _load_finished(self, ok: bool) -> None:
        self.loads += 1
        if self.loads == 1:
            self.evaluate(CODECS_JS, self._codecs)

    def _codecs(self, text: Any) -> None:
        with contextlib.suppress(ValueError):
            self.codecsChecked.emit(json.loads(str(text)))

    def _poll(self) -> None:
        if self._polling or self.page is None:
            return
        self._polling = True
        self.page.runJavaScript(STATE_JS, 0, self._polled)

    def _polled(self, text: Any) -> None:
        self._polling = False
        if self.result is not None or self.page is None:
            return
        try:
            self.state = json.loads(str(text)) if text else {}
        except ValueError:
            self.state = {}
        # A room page leaves the embed page for the launch URL (the form posts there).
        launched = self.mode == "room" and self.loads >= 2 and not self.state.get("embed")
        result = outcome(self.state, self.mode, launched)
        elapsed = time.perf_counter() - self.started
        if result is None and elapsed > SETTLE_TIMEOUT_S:
            result = {"ok": False, "timeout": True, "problems": [
                f"The page did not report ready within {SETTLE_TIMEOUT_S:.0f} s."]}
        if result is not None:
            self._timer.stop()
            result["ms"] = round(elapsed * 1000, 1)
            self.result = result
            self.settled.emit(result)

    def _permission(self, permission: QWebEnginePermission) -> None:
        if permission.permissionType() in MEDIA_PERMISSIONS and self.allow_media_requests:
            self.pending.append(permission)
            self.mediaRequested.emit(permission)
        else:
            log.info("preview: denied %s for %s", permission.permissionType().name,
                     permission.origin().toString())
            permission.deny()

    def answer_media(self, allow: bool) -> None:
        """Grant or deny every waiting camera/microphone request."""
        pending, self.pending = self.pending, []
        for permission in pending:
            if permission.isValid():
                if allow:
                    permission.grant()
                else:
                    permission.deny()

    def dispose(self) -> None:
        """Delete the view and its page, then the profile (the order QtWebEngine needs)."""
        self._timer.stop()
        self.answer_media(False)
        view, page, profile = self.view, self.page, self.profile
        self.view = self.page = self.profile = None
        if page is not None and shiboken6.isValid(page):
            page.permissionRequested.disconnect(self._permission)
            page.loadFinished.disconnect(self._load_finished)
        for obj in (page, profile, view):  # the page before its profile, always
            if obj is not None and shiboken6.isValid(obj):
                shiboken6.delete(obj)
