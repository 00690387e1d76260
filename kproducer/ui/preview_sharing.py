"""The Preview tab's sharing buttons: open in the system browser, copy the link, QR code.

A mixin of :class:`~kproducer.ui.preview_tab.PreviewTab` (it uses the tab's page, worker and
buttons); every link shared here is written into the link ledger, so the Links tab can
revoke it. A page written for the browser is a private temporary file the tab deletes when
it closes.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QPushButton, QWidget

from ..local import temp_files
from .common import Deps, when
from .desktop_open import open_path
from .failure import Failure
from .job_context import JobContext

if TYPE_CHECKING:
    from ..services.preview import EmbedPage


class SharingActions(QWidget):
    """Open in browser, Copy share link and Show QR code, for the page shown."""

    deps: Deps
    page: EmbedPage | None
    open_button: QPushButton
    open_url: Callable[[QUrl], object]
    _temp_files: list[Path]
    sharedLinkRecorded: Any  # the tab's Signal(str)

    def _failed(self, failure: Failure) -> None:  # the tab's
        raise NotImplementedError

    def open_in_browser(self) -> None:
        """Write the page to a private temporary file and open it in the system browser.

        A room's LTI launch can be used once, so a room gets a freshly signed page.
        """
        page, account = self.page, self.deps.account()
        if page is None:
            return
        if page.mode != "room" or account is None:
            self._open_file(page.html)
            return

        def build(ctx: JobContext) -> EmbedPage:
            from ..services import preview

            return preview.build(account, page.entry.id, page.person, page.role,
                                 event_id=page.tokens.event_id)

        self.deps.worker.run("Preparing the page for the browser", build,
                             on_done=lambda fresh: self._open_file(fresh.html),
                             on_error=self._failed, controls=[self.open_button])

    def _open_file(self, html: str) -> None:
        # 0600; a name temp_files.sweep recognises should a crash leave it behind
        handle, name = tempfile.mkstemp(prefix=temp_files.page_prefix(), suffix=".html")
        try:
            os.write(handle, html.encode("utf-8"))
        finally:
            os.close(handle)
        path = Path(name)
        path.chmod(0o600)
        self._temp_files.append(path)
        if open_path(self, path, "the preview page", self.deps.say, self.open_url):
            self.deps.say("The page opened in your browser; it holds this person's tokens, "
                          "so share it with them only.")

    def show_qr(self) -> None:
        """Show the share link as a QR code, to open the preview on a phone."""
        from .qr_dialog import QrDialog

        page = self.page
        if page is None or page.share_url is None:
            return
        dialog = QrDialog(page.share_url, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.record_shared("qr code")

    def copy_share_link(self) -> None:
        """Copy the player share URL (DESIGN §3) of the page shown."""
        page = self.page
        if page is None or page.share_url is None:
            return
        QGuiApplication.clipboard().setText(page.share_url)
        self.deps.say(f"Share link copied: it lets {page.person.user_id} watch until "
                      f"{when(page.tokens.ks_expires_at)}.")
        self.record_shared("share link")

    def record_shared(self, link_format: str) -> None:
        """Write the shown link into the link ledger (the Links tab can revoke it)."""
        account, page = self.deps.account(), self.page
        if account is None or page is None:
            return
        from ..services.link_record import record_single

        tokens = page.tokens

        def done(note: str | None) -> None:
            if note:
                self.deps.say(note)
            self.sharedLinkRecorded.emit(tokens.entry_id)

        self.deps.worker.run("Recording the shared link",
                             lambda ctx: record_single(account, tokens, link_format),
                             on_done=done, quiet=True)
