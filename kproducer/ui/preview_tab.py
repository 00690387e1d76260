"""The Preview tab: what an attendee or a moderator of a session will see, before going live.

Choose the event, the session, the role and the person (the preview user kproducer creates
once, or one of the session's moderators): the page that would be shared with that person
is built (``services/preview.py``, on the worker; no request when the entry is cached) and
shown in a QtWebEngine view with its own off-the-record profile. The side panel shows the
KS and JWT claims, their expiry and warnings. Switching role or person re-renders at once.

QtWebEngine is imported on the first preview only (``preview_web``), never at startup.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ..services.models import Entry, Event, Role
from .common import Deps, Page, hint
from .desktop_open import desktop_opener
from .failure import Failure
from .job_context import JobContext
from .preview_chooser import PreviewChooser
from .preview_panel import TokenPanel
from .preview_sharing import SharingActions

if TYPE_CHECKING:
    from ..services.preview import EmbedPage
    from .preview_web import PreviewBrowser

CODEC_NOTICE = (
    "This Qt build cannot play H.264 video or AAC audio, which Kaltura streams use: the "
    "preview shows the player and the chat, but real video may stay black here. Use "
    "“Open in system browser” to watch it."
)


class PreviewTab(SharingActions, Page):
    """The Preview tab.

    Args:
        deps: The window's worker, status-bar sentence and current account.

    Signals:
        previewSettled(dict): a preview is ready or failed: ``ok``, ``problems``, ``ms``
            (since it was asked for), ``mode``, ``role``, ``entry_id``, ``user_id``.
        sharedLinkRecorded(str): a copied link or QR code of this session (its entry ID)
            is in the link ledger now (the Links tab reads it again).
    """

    previewSettled = Signal(object)
    sharedLinkRecorded = Signal(str)
    #: What ``canPlayType`` said of H.264 and AAC (None until a page was checked).
    codecs: dict[str, str] | None = None

    def __init__(self, deps: Deps, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.deps = deps
        self.page: EmbedPage | None = None
        self.browser: PreviewBrowser | None = None
        #: A new page is being built: settle reports of the current one are stale.
        self._building = False
        self._token_rechecked = False  # the CnC token was re-fetched after a refusal
        self._user_rechecked = False  # the person was added again after "user not found"
        #: Opens a URL in the system browser, True when one was launched (tests replace it).
        self.open_url: Callable[[QUrl], object] = desktop_opener
        self._account: object | None = None
        self._followed: tuple[str, int | None] | None = None  # the session last handed over
        self._pending = False
        self._temp_files: list[Path] = []
        self.chooser = PreviewChooser(deps, self)
        self.codec_notice = QLabel(CODEC_NOTICE, self)
        self.codec_notice.setObjectName("preview.codecNotice")
        self.codec_notice.setWordWrap(True)
        self.codec_notice.setStyleSheet("background:#fff4d6;color:#5a4100;padding:6px;")
        self.codec_notice.hide()
        self.media_bar = QFrame(self)
        self.media_bar.setObjectName("preview.mediaBar")
        self.media_bar.setFrameShape(QFrame.Shape.StyledPanel)
        self.media_text = QLabel(self.media_bar)
        self.media_text.setWordWrap(True)
        self.media_allow = QPushButton("Allow camera and microphone", self.media_bar)
        self.media_block = QPushButton("Block", self.media_bar)
        bar = QHBoxLayout(self.media_bar)
        bar.addWidget(self.media_text, 1)
        bar.addWidget(self.media_allow)
        bar.addWidget(self.media_block)
        self.media_bar.hide()
        self.web = QStackedWidget(self)
        self.placeholder = hint("Choose a session to preview what its attendees and moderators "
                                "will see.", self.web)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.web.addWidget(self.placeholder)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("preview.splitter")
        self.splitter.addWidget(self.web)
        self.splitter.addWidget(self._side_panel())
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.chooser)
        layout.addWidget(self.codec_notice)
        layout.addWidget(self.media_bar)
        layout.addWidget(self.splitter, 1)
        self.chooser.selectionChanged.connect(self._request_preview)
        self.chooser.failed.connect(self._failed)
        self.chooser.loading.connect(self.status.setText)
        self.media_allow.clicked.connect(lambda: self._answer_media(True))
        self.media_block.clicked.connect(lambda: self._answer_media(False))
        self.reload_button.clicked.connect(self.refresh)
        self.open_button.clicked.connect(self.open_in_browser)
        self.copy_button.clicked.connect(self.copy_share_link)
        self.qr_button.clicked.connect(self.show_qr)
        self.update_actions()

    def _side_panel(self) -> QWidget:
        self.panel = TokenPanel(self)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.panel)
        scroll.setMinimumWidth(self.panel.fitting_width() + scroll.verticalScrollBar().sizeHint()
                               .width())
        self.status = QLabel(self)
        self.status.setObjectName("preview.status")
        self.status.setWordWrap(True)
        self.reload_button = QPushButton("&Reload with fresh tokens", self)
        self.open_button = QPushButton("Open in system &browser", self)
        self.copy_button = QPushButton("&Copy share link", self)
        self.qr_button = QPushButton("Show &QR code (to test on a phone)", self)
        side = QWidget(self)
        column = QVBoxLayout(side)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.status)
        column.addWidget(scroll, 1)
        for button in (self.reload_button, self.open_button, self.copy_button, self.qr_button):
            column.addWidget(button)
        return side

    # --- public API ---

    def set_events(self, events: Sequence[Event]) -> None:
        """Offer these events (the Events tab's list; saves listing them again)."""
        self._check_account()
        self.chooser.set_events(events)

    def reset(self) -> None:
        """Forget everything shown (another account was connected)."""
        self._dispose_browser()
        self.page = None
        self._account = self.deps.account()
        self._followed = None
        self.chooser.clear()
        self.panel.clear()
        self.status.clear()
        self.update_actions()

    def show_entry(self, entry: Entry, role: Role | None = None) -> None:
        """Preview a session (e.g. from the Entries tab); keeps the role unless one is given."""
        self._check_account()
        self._followed = (entry.id, entry.event_id)
        self.chooser.select_entry(entry, role)

    def follow(self, entry: Entry | None) -> None:
        """Open on the session selected elsewhere, under its current event.

        Called when the tab comes to the front; a session already handed over (same event)
        is left alone, so what the producer chose here stays until another is selected.
        """
        if entry is None or self.deps.account() is None:
            return
        self._check_account()
        if (entry.id, entry.event_id) != self._followed:
            self.show_entry(entry)

    def sessions_listed(self, event_id: int | None, found: Sequence[Entry]) -> None:
        """Sessions were listed elsewhere (the Entries tab): keep the chooser's lists fresh."""
        if self.deps.account() is self._account:
            self.chooser.absorb(found, event_id, whole=event_id is not None)

    def show_page(self, page: EmbedPage) -> None:
        """Show a page built elsewhere (e.g. one exported link), as a preview."""
        self._show(page, time.perf_counter())

    def refresh(self) -> None:
        """Reload the page with freshly issued tokens."""
        self._request_preview()

    def can(self, action: str) -> bool:
        """Refresh (Ctrl+R) reloads the preview with fresh tokens."""
        return action == "refresh" and self.chooser.current_entry() is not None

    def update_actions(self) -> None:
        """Enable the buttons for what is shown."""
        page = self.page
        self.reload_button.setEnabled(self.chooser.current_entry() is not None)
        self.open_button.setEnabled(page is not None)
        self.copy_button.setEnabled(page is not None and page.share_url is not None)
        self.qr_button.setEnabled(self.copy_button.isEnabled())
        self.copy_button.setToolTip(
            "Rooms are joined through a signed form, not a link: use Open in system browser."
            if page is not None and page.share_url is None else
            "Copy the player share URL (it carries this person's KS).")

    def shutdown(self) -> None:
        """Delete the web view, page and profile, and the pages written for the browser."""
        self._dispose_browser()
        for path in self._temp_files:
            with contextlib.suppress(OSError):
                path.unlink()
        self._temp_files.clear()

    def showEvent(self, event: QShowEvent) -> None:
        """Load what is missing (and any preview asked for while hidden) once visible."""
        super().showEvent(event)
        self._check_account()
        if self.deps.account() is None:
            return
        if not self.chooser.events:
            self.chooser.load_events()
        if self.chooser.entry_combo.count() == 0:
            self.chooser.event_changed()
        elif self._pending:
            self._request_preview()

    # --- the preview ---

    def _check_account(self) -> None:
        if self.deps.account() is not self._account:
            self.reset()

    def _request_preview(self) -> None:
        entry, account = self.chooser.current_entry(), self.deps.account()
        self.update_actions()
        if entry is None or account is None:
            return
        if not self.isVisible():
            self._pending = True
            return
        self._pending = False
        started = time.perf_counter()
        person, role = self.chooser.person(entry.id), self.chooser.role()
        event_id = entry.event_id  # the event it is in now, whatever the Event box lists

        def build(ctx: JobContext) -> EmbedPage:
            from ..services import preview

            return preview.build(account, entry.id, person, role, event_id=event_id)

        self.status.setText(f"Preparing the {role.value} view of “{entry.name}”…")
        self._building = True  # the page still loading now answers a question nobody asks
        self.deps.worker.run("Building the preview", build,
                             on_done=lambda page: self._show(page, started),
                             on_error=self._failed, key="preview",
                             controls=[self.reload_button])

    def _show(self, page: EmbedPage, started: float) -> None:
        from .preview_web import PreviewBrowser

        self._building = False
        self.page = page
        self.panel.show_page(page)
        self._dispose_browser()
        browser = PreviewBrowser(self.web, page.mode, allow_media_requests=page.mode == "room")
        assert browser.view is not None
        self.web.addWidget(browser.view)
        self.web.setCurrentWidget(browser.view)
        browser.settled.connect(self._settled)
        browser.mediaRequested.connect(self._ask_media)
        browser.codecsChecked.connect(self._codecs_checked)
        self.browser = browser
        self._update_codec_notice()
        browser.load(page.html, page.base_url, started)
        self.update_actions()

    def _settled(self, result: dict[str, Any]) -> None:
        page = self.page
        if page is None or self._building:
            return
        problems = result.get("problems") or []
        if any(_token_refused(p) for p in problems) and not self._token_rechecked:
            self._recheck_cnc_token()
        elif any(_user_missing(p) for p in problems) and not self._user_rechecked:
            self._add_user_again(page.person.user_id)
        elif not problems:
            self._token_rechecked = self._user_rechecked = False
        what = "room" if page.mode == "room" else "player and chat"
        checked = " (the sandbox stand-ins verified the tokens)" if result.get("standin") else ""
        self.status.setText("\n".join(problems) if problems else
                            f"Ready in {result.get('ms', 0):.0f} ms: {what} loaded{checked}.")
        self.previewSettled.emit({**result, "mode": page.mode, "role": page.role.value,
                                  "entry_id": page.entry.id, "user_id": page.person.user_id})

    def _recheck_cnc_token(self) -> None:
        """The chat refused the JWT's signature: the remembered CnC app token may be gone.

        Fetch the account's current token (one request) and, if it is another one, preview
        again; at most once until a preview succeeds, so a wrong token never loops.
        """
        account = self.deps.account()
        if account is None:
            return
        self._token_rechecked = True

        def recheck(ctx: JobContext) -> bool:
            from ..services import facts

            return facts.replace_cnc_token(account)

        def done(changed: bool) -> None:
            if changed:
                self.status.setText("The chat refused a token signed with the remembered CnC "
                                    "app token; fetched the account's current one, "
                                    "previewing again…")
                self._request_preview()
            elif account.settings.cnc_app_token:
                self.status.setText(self.status.text() + "\nThe CnC app token in this "
                                    "account's settings is not the one Kaltura has; update it "
                                    "in File › Accounts.")

        self.deps.worker.run("Checking the CnC app token", recheck, on_done=done,
                             on_error=self._failed, key="preview-token")

    def _add_user_again(self, user_id: str) -> None:
        """The chat does not know the person the cache says exists: add them again.

        Deleted in KMC since, or the sandbox made anew: the fact is forgotten and the
        preview built again, which adds them; at most once until a preview succeeds.
        """
        account = self.deps.account()
        if account is None:
            return
        from ..services import facts

        self._user_rechecked = True
        facts.forget_user(account, user_id)  # a cache entry, no request
        self.deps.say(f"The chat does not know the Kaltura user “{user_id}” (it was "
                            "removed from the account since kproducer added it); adding it "
                            "again and previewing again…")
        self._request_preview()

    def _failed(self, failure: Failure) -> None:
        self._building = False
        self.status.setText(failure.message)
        if failure.title == "Building the preview":
            self.previewSettled.emit({"ok": False, "problems": [failure.message]})

    def _dispose_browser(self) -> None:
        self.media_bar.hide()
        browser, self.browser = self.browser, None
        if browser is not None:
            browser.dispose()
            browser.deleteLater()
        self.web.setCurrentWidget(self.placeholder)

    def _codecs_checked(self, codecs: dict[str, str]) -> None:
        PreviewTab.codecs = codecs
        self._update_codec_notice()

    def _update_codec_notice(self) -> None:
        codecs = PreviewTab.codecs
        missing = codecs is not None and not (codecs.get("h264") and codecs.get("aac"))
        self.codec_notice.setVisible(bool(missing and self.page and self.page.mode == "player"))

    def _ask_media(self, permission: object) -> None:
        name = self.page.entry.name if self.page else "The room"
        self.media_text.setText(
            f"“{name}” asks to use your camera and microphone. Allow them only to test "
            "them in this preview.")
        self.media_bar.show()

    def _answer_media(self, allow: bool) -> None:
        self.media_bar.hide()
        if self.browser is not None:
            self.browser.answer_media(allow)


def _user_missing(problem: str) -> bool:
    """The chat refused the JWT because its Kaltura user does not exist."""
    return problem.startswith("Chat: rejected:") and "user not found" in problem


def _token_refused(problem: str) -> bool:
    """The chat refused the JWT because of the app token that signed it (not its claims)."""
    return problem.startswith("Chat: rejected:") and (
        "bad signature" in problem or "app token" in problem)
