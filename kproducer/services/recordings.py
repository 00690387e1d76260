"""Recorded sessions after the upload: their state, their thumbnail, and search.

Their state in words, following them to ready, setting their thumbnail, and searching the
account's entries (to attach one to an event).

The states are the server's (``KalturaEntryStatus``): IMPORT (0) while the file is still
coming, PRECONVERT (1) while Kaltura converts it, READY (2), ERROR_CONVERTING (-1) or
ERROR_IMPORTING (-2) when it failed, NO_CONTENT (7) before any file.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from KalturaClient.Plugins.Core import (
    KalturaBaseEntryFilter,
    KalturaBaseEntryOrderBy,
    KalturaFilterPager,
)

from ..kaltura.errors import InvalidInput
from . import entries
from .account import Account
from .models import Entry, EntryKind

#: Status code → (word, sentence). The word is one of: waiting, uploading, converting,
#: ready, error (what the UI and ``--json`` show); the sentence is for a producer.
STATES: dict[str, tuple[str, str]] = {
    "7": ("waiting", "Waiting for its video file."),
    "0": ("uploading", "Kaltura is receiving the video file."),
    "1": ("converting", "Kaltura is converting the video."),
    "4": ("converting", "Kaltura is checking the video (moderation)."),
    "5": ("converting", "The video is waiting for moderation."),
    "2": ("ready", "Ready to watch."),
    "-1": ("error", "Kaltura could not convert the file: it is not a video it can read."),
    "-2": ("error", "Kaltura could not import the video file."),
    "6": ("error", "The video is blocked on this account."),
    "3": ("error", "The session was deleted."),
}
DONE_WORDS = ("ready", "error")


@dataclass(frozen=True)
class RecordingStatus:
    """Where a recorded session is.

    Attributes:
        entry_id: The session.
        code: Kaltura's status code (``KalturaEntryStatus``).
        word: waiting, uploading, converting, ready or error.
        sentence: What it means, for a producer (the reason, for an error).
        duration: Seconds (known once ready).
    """

    entry_id: str
    code: str
    word: str
    sentence: str
    duration: int = 0

    @property
    def done(self) -> bool:
        """Ready or failed: nothing more will happen by itself."""
        return self.word in DONE_WORDS


def status_of(entry: Entry) -> RecordingStatus:
    """An entry's state in words."""
    word, sentence = STATES.get(entry.status, ("converting", f"Kaltura status {entry.status}."))
    return RecordingStatus(entry.id, entry.status, word, sentence, entry.duration)


def status(account: Account, entry_id: str) -> RecordingStatus:
    """The session's state as Kaltura has it now (ONE request; the cache is refreshed)."""
    entries.forget(account, entry_id)
    return status_of(entries.get(account, entry_id))


def follow_until_ready(
    account: Account,
    entry_id: str,
    on_status: Callable[[RecordingStatus], None] | None = None,
    cancel_check: Callable[[], bool] | None = None,
    *,
    poll_s: float = 2.0,
    timeout_s: float = 3600.0,
    sleep: Callable[[float], None] = time.sleep,
) -> RecordingStatus:
    """Ask for the session's state every ``poll_s`` until it is ready or failed.

    Returns the last state: done, or not when ``cancel_check`` said stop or ``timeout_s``
    passed (then nothing is wrong: it goes on converting on Kaltura).
    """
    deadline = time.monotonic() + timeout_s
    last: RecordingStatus | None = None
    while True:
        current = status(account, entry_id)
        if on_status is not None and current != last:
            on_status(current)
        last = current
        if current.done or time.monotonic() >= deadline:
            return current
        if cancel_check is not None and cancel_check():
            return current
        sleep(poll_s)


# --- speed and time left -----------------------------------------------------------------------


class Meter:
    """Upload speed (over the last few seconds) and time left, from progress reports.

    Args:
        window_s: How far back the speed looks.
        clock: Seconds (monotonic), injectable for tests.
    """

    def __init__(self, window_s: float = 5.0, clock: Callable[[], float] = time.monotonic):
        self._window = window_s
        self._clock = clock
        self._samples: list[tuple[float, int]] = []

    def add(self, done: int) -> None:
        """Note the bytes done now."""
        now = self._clock()
        self._samples.append((now, done))
        while len(self._samples) > 2 and now - self._samples[0][0] > self._window:
            self._samples.pop(0)

    def speed(self) -> float:
        """Bytes per second (0 until two reports are apart in time)."""
        if len(self._samples) < 2:
            return 0.0
        (t0, d0), (t1, d1) = self._samples[0], self._samples[-1]
        return (d1 - d0) / (t1 - t0) if t1 > t0 else 0.0

    def seconds_left(self, total: int) -> float | None:
        """At the current speed, or None while it is not known."""
        speed = self.speed()
        if speed <= 0 or not self._samples:
            return None
        return max(0.0, (total - self._samples[-1][1]) / speed)

    def line(self, total: int) -> str:
        """``"42% · 84.0 of 200.0 MB · 31.5 MB/s · about 4 s left"``."""
        done = self._samples[-1][1] if self._samples else 0
        parts = [f"{100 * done // max(total, 1)}%",
                 f"{done / 1e6:.1f} of {total / 1e6:.1f} MB"]
        speed = self.speed()
        if speed > 0:
            parts.append(f"{speed / 1e6:.1f} MB/s")
        left = self.seconds_left(total)
        if left is not None and done < total:
            parts.append(f"about {format_duration(left)} left" if left >= 1
                         else "less than a second left")
        return " · ".join(parts)


def format_duration(seconds: float) -> str:
    """``"4 s"``, ``"3 min 20 s"``, ``"1 h 5 min"``."""
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60} s"
    return f"{whole // 3600} h {whole % 3600 // 60} min"


# --- thumbnails ---------------------------------------------------------------------------------

IMAGE_TYPES = (".jpg", ".jpeg", ".png", ".gif")


def thumbnail_url(url: str, width: int, height: int) -> str:
    """A ``thumbnailUrl`` asking for a size (Kaltura's ``/width/W/height/H``)."""
    return f"{url.rstrip('/')}/width/{int(width)}/height/{int(height)}" if url else ""


def set_thumbnail(account: Account, entry_id: str, path: str | os.PathLike[str]) -> Entry:
    """Make an image file the session's thumbnail (two requests).

    ``thumbAsset.addFromImage`` (the image goes as a file part) then ``setAsDefault``.

    Raises:
        InvalidInput: Not a JPEG, PNG or GIF file, or it cannot be read.
    """
    entry_id = entries.check_entry_id(entry_id)
    image = Path(path).expanduser()
    if image.suffix.lower() not in IMAGE_TYPES:
        raise InvalidInput(f"{image.name} is not a JPEG, PNG or GIF image.", "BAD_FILE")
    try:
        handle = image.open("rb")
    except OSError as exc:
        raise InvalidInput(f"{image} cannot be read: {exc.strerror or exc}.", "BAD_FILE") from None
    with handle:
        asset = account.conn.call(lambda c: c.thumbAsset.addFromImage(entry_id, handle))
    asset_id = str(asset.id)
    account.conn.call(lambda c: c.thumbAsset.setAsDefault(asset_id))
    entries.forget(account, entry_id)
    return entries.get(account, entry_id)


# --- search -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchPage:
    """One page of entries found.

    Attributes:
        entries: The sessions, with ``thumbnail_url``, ``kind``, ``duration`` and
            ``event_id`` (None when in no event).
        total: How many match in all.
        page: This page's number (from 1).
        page_size: Entries per page.
    """

    entries: tuple[Entry, ...]
    total: int
    page: int
    page_size: int

    @property
    def has_more(self) -> bool:
        """Whether a next page exists."""
        return self.page * self.page_size < self.total


def search_entries(account: Account, text: str, page: int = 1,
                   page_size: int = 30) -> SearchPage:
    """The account's entries matching ``text``, newest first (ONE request).

    The server's search index (``baseEntry.list`` ``freeText``: words of the name, tags,
    description or the ID); an empty ``text`` lists them all. Every status but deleted.
    """
    flt = KalturaBaseEntryFilter(statusIn=entries.ALL_STATUSES,
                                 orderBy=KalturaBaseEntryOrderBy.CREATED_AT_DESC)
    words = text.strip()
    if words:
        flt.freeText = words
    pager = KalturaFilterPager(pageSize=max(1, min(500, page_size)), pageIndex=max(1, page))
    listed: Any = account.conn.call(lambda c: c.baseEntry.list(flt, pager))
    found = tuple(entries.entry_from(o) for o in listed.objects or [])
    return SearchPage(found, int(listed.totalCount or 0), max(1, page), pager.pageSize)


def is_recording(entry: Entry) -> bool:
    """A VOD session (what can be uploaded, followed to ready, scheduled as simulive)."""
    return entry.kind is EntryKind.VOD
