"""Session thumbnails in the window: fetched and decoded on loader threads, shown when ready.

Why its own small thread pool rather than :class:`~kproducer.ui.worker.Worker` jobs: a
thumbnail is a public picture, not a Kaltura API call — 200 of them must not fill the
status bar, the Activity dock or hold any button, and a failed one only leaves its
placeholder. Why not ``QNetworkAccessManager``: its answers arrive on the GUI thread, where
200 image decodes (and the disk cache's reads) would add up to stalls; here the fetch, the
cache (:mod:`kproducer.services.thumbnails`) and the decode all run on the loader's
threads, and the GUI thread only turns a small decoded ``QImage`` into a ``QPixmap``.

Entries with no picture of their own (live sessions, rooms, videos still uploading or
converting) get a drawn placeholder that says what they are.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QRectF, QRunnable, QSize, Qt, QThreadPool, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPixmap

from ..services.models import Entry, EntryKind

if TYPE_CHECKING:
    from .common import Deps

#: The table's picture size (16:9) and the larger one of the details pane and dialogs.
SMALL = QSize(48, 27)
LARGE = QSize(192, 108)
#: Decoded pictures kept in memory (a 48x27 pixmap is ~5 kB).
MEMORY_LIMIT = 1200
#: Loader threads: two hide a slow network's latency (waiting releases the GIL); more
#: compete with the GUI thread for the GIL when the network is fast (measured with
#: benchmarks/ui_responsiveness.py: three stalled the GUI about twice as long as one).
THREADS = 2
READY = "2"


class _Relay(QObject):
    """Lives on the GUI thread; loader threads emit through it (queued)."""

    done = Signal(str, object)


class _Fetch(QRunnable):
    def __init__(self, url: str, size: QSize, relay: _Relay) -> None:
        super().__init__()
        self.url, self.size, self.relay = url, size, relay

    def run(self) -> None:
        from ..services import thumbnails

        image: QImage | None = None
        try:
            data = thumbnails.fetch(self.url)
            decoded = QImage.fromData(data)
            if not decoded.isNull():
                image = decoded.scaled(self.size, Qt.AspectRatioMode.KeepAspectRatio,
                                       Qt.TransformationMode.SmoothTransformation)
        except Exception:
            image = None
        self.relay.done.emit(self.url, image)


def has_own_picture(entry: Entry) -> bool:
    """Whether Kaltura has a picture of this session (a ready video) worth fetching."""
    return entry.kind is EntryKind.VOD and bool(entry.thumbnail_url) and entry.status == READY


def placeholder_label(entry: Entry | None) -> str:
    """The word a placeholder shows for a session without a picture."""
    if entry is None:
        return "—"
    if entry.is_simulive:
        return "SIMULIVE"
    if entry.kind is EntryKind.LIVE:
        return "LIVE"
    if entry.kind is EntryKind.ROOM:
        return "ROOM"
    if entry.kind is EntryKind.VOD:
        return {"-2": "ERROR", "-1": "ERROR", "2": "VIDEO"}.get(entry.status, "WAIT")
    return "—"


_placeholders: dict[tuple[str, int, int], QPixmap] = {}


def placeholder(label: str, size: QSize) -> QPixmap:
    """A grey 16:9 card with one word on it (drawn once per word and size)."""
    key = (label, size.width(), size.height())
    cached = _placeholders.get(key)
    if cached is not None:
        return cached
    pixmap = QPixmap(size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    tint = {"LIVE": "#b3261e", "SIMULIVE": "#8e44ad", "ROOM": "#1a6fb3",
            "ERROR": "#b3261e"}.get(label, "#6b7280")
    painter.setBrush(QColor(tint))
    painter.setPen(Qt.PenStyle.NoPen)
    rect = QRectF(0.5, 0.5, size.width() - 1, size.height() - 1)
    painter.drawRoundedRect(rect, 3, 3)
    font = QFont()
    font.setBold(True)
    font.setPixelSize(max(7, min(size.height() // 3, size.width() // max(4, len(label)))))
    painter.setFont(font)
    painter.setPen(QColor("white"))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, label)
    painter.end()
    _placeholders[key] = pixmap
    return pixmap


class ThumbnailLoader(QObject):
    """Pictures of sessions by sized URL: at once when known, else fetched in the background.

    Signals:
        loaded(str): a picture arrived (or proved unavailable) for this sized URL.
    """

    loaded = Signal(str)

    def __init__(self, base_url: Callable[[], str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._base_url = base_url
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(THREADS)
        self._relay = _Relay(self)
        self._relay.done.connect(self._arrived)
        self._pixmaps: OrderedDict[str, QPixmap] = OrderedDict()
        self._pending: set[str] = set()
        self._missing: set[str] = set()
        self._asked = 0  # later asks run first: the rows on screen now, not those scrolled past

    def url_for(self, entry: Entry, size: QSize) -> str:
        """The sized thumbnail URL of ``entry``."""
        from ..services.thumbnails import sized_url

        return sized_url(entry.thumbnail_url, size.width(), size.height(), self._base_url())

    def picture(self, entry: Entry | None, size: QSize = SMALL) -> QPixmap:
        """The session's picture if loaded, else its placeholder (and the fetch starts)."""
        if entry is None or not has_own_picture(entry):
            return placeholder(placeholder_label(entry), size)
        url = self.url_for(entry, size)
        pixmap = self._pixmaps.get(url)
        if pixmap is not None:
            self._pixmaps.move_to_end(url)
            return pixmap
        if url not in self._pending and url not in self._missing:
            self._pending.add(url)
            self._asked += 1
            self._pool.start(_Fetch(url, size, self._relay), self._asked)
        return placeholder("VIDEO", size)

    def is_loaded(self, entry: Entry, size: QSize = SMALL) -> bool:
        """Whether the session's own picture of that size is in memory."""
        return self.url_for(entry, size) in self._pixmaps

    def is_pending(self) -> bool:
        """Whether pictures are still being fetched."""
        return bool(self._pending)

    def forget(self, entry: Entry) -> None:
        """Drop what is known of ``entry``'s picture (it was just changed)."""
        from ..services import thumbnails

        for size in (SMALL, LARGE):
            url = self.url_for(entry, size)
            self._pixmaps.pop(url, None)
            self._missing.discard(url)
            thumbnails.default_cache().drop(url)

    def _arrived(self, url: str, image: QImage | None) -> None:
        self._pending.discard(url)
        if image is None:
            self._missing.add(url)
        else:
            self._pixmaps[url] = QPixmap.fromImage(image)
            while len(self._pixmaps) > MEMORY_LIMIT:
                self._pixmaps.popitem(last=False)
        self.loaded.emit(url)

    def shutdown(self) -> None:
        """Let running fetches finish; start no more (the window is closing)."""
        self._pool.clear()
        self._pool.waitForDone(2000)


_loaders: weakref.WeakKeyDictionary[QObject, ThumbnailLoader] = weakref.WeakKeyDictionary()


def shared(deps: Deps) -> ThumbnailLoader:
    """The window's one loader (its tabs and dialogs share pictures), made on first use."""
    loader = _loaders.get(deps.worker)
    if loader is None:
        def base_url() -> str:
            account = deps.account()
            return account.settings.service_url if account is not None else ""

        loader = _loaders[deps.worker] = ThumbnailLoader(base_url, deps.worker)
    return loader
