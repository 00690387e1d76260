"""Session pictures: the disk cache (TTL, size), the fetch, and the Entries tab loading 200.

The window test opens the real main window on a sandbox of its own holding 200 ready
videos, and keeps a heartbeat on the GUI thread while their thumbnails are fetched (from
the sandbox's ``thumbnailUrl`` with ``/width/W/height/H``) and decoded on the loader's
threads. A second window shows them from the disk cache without asking the server.
"""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path
from typing import Any

import pytest
from test_ui_faults import Heartbeat

from kproducer.local.thumbnail_cache import ThumbnailCache
from kproducer.sandbox.seed import ADMIN_USER_ID
from kproducer.sandbox.services import objects
from kproducer.services import thumbnails as fetching
from kproducer.services.entries import event_tag
from kproducer.services.models import Entry, EntryKind
from kproducer.ui import thumbnails
from kproducer.ui.table import select_where

VIDEOS = 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 100


def test_cache_keeps_owner_only_files_and_honours_its_ttl(tmp_path: Path) -> None:
    cache = ThumbnailCache(tmp_path / "thumbs", ttl_s=60)
    cache.put("http://x/p/1/thumbnail/entry_id/0_a/width/48/height/27", PNG)
    path = cache.path_of("http://x/p/1/thumbnail/entry_id/0_a/width/48/height/27")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "0_a" not in path.name  # the file name does not show the URL
    assert cache.get("http://x/p/1/thumbnail/entry_id/0_a/width/48/height/27") == PNG
    later = time.time() + 61
    assert cache.get("http://x/p/1/thumbnail/entry_id/0_a/width/48/height/27", now=later) is None
    assert cache.get("http://x/other") is None
    assert not list((tmp_path / "thumbs").glob("*.tmp"))


def test_cache_evicts_the_least_recently_used_past_its_size(tmp_path: Path) -> None:
    cache = ThumbnailCache(tmp_path / "thumbs", max_bytes=1000)
    for n in range(5):
        cache.put(f"u{n}", bytes(300))
        path = cache.path_of(f"u{n}")
        os.utime(path, (1000 + n, time.time()))  # u0 used longest ago
    assert cache.size() <= 900
    assert cache.get("u4") is not None and cache.get("u0") is None
    cache.drop("u4")
    assert cache.get("u4") is None


def test_fetch_takes_pictures_only_and_caches_them(fresh_sandbox, tmp_path: Path) -> None:
    info = fresh_sandbox.info
    cache = ThumbnailCache(tmp_path / "thumbs")
    url = fetching.sized_url(
        f"/p/{info.partner_id}/sp/{info.partner_id}00/thumbnail/entry_id/0_zzzzzzzz", 48, 27,
        info.service_url)
    with pytest.raises(fetching.ThumbnailUnavailable, match="HTTP 404"):
        fetching.fetch(url, cache)
    with pytest.raises(fetching.ThumbnailUnavailable, match="not a picture"):
        fetching.fetch(f"{info.service_url}/_sandbox/stats", cache)
    assert cache.size() == 0  # errors are never cached


def add_videos(sandbox: Any, count: int, event_id: int) -> None:
    """Ready videos written straight into the sandbox's store (as its seed does)."""
    db, pid, now = sandbox.db, sandbox.info.partner_id, int(time.time())
    with db.transaction():
        for n in range(count):
            objects.add_entry(db, pid, {
                "objectType": "KalturaMediaEntry", "name": f"Recording {n:03d}",
                "mediaType": 1, "type": "1", "status": "2", "duration": 60 + n,
                "msDuration": (60 + n) * 1000, "adminTags": event_tag(event_id),
            }, now - n, ADMIN_USER_ID)


def pictures_shown(window: Any) -> int:
    tab = window.entries
    own = [e for e in tab.model.rows if thumbnails.has_own_picture(e)]
    fallback = thumbnails.placeholder("VIDEO", thumbnails.SMALL).cacheKey()
    return sum(1 for e in own if tab.thumbs.picture(e).cacheKey() != fallback)


def test_200_thumbnails_load_without_stalling_the_gui(open_window, fresh_sandbox, qtbot,
                                                      kproducer_home: Path) -> None:
    info = fresh_sandbox.info
    event_id = int(fresh_sandbox.db.execute(
        "SELECT id FROM virtual_events ORDER BY id LIMIT 1").fetchone()[0])
    add_videos(fresh_sandbox, VIDEOS, event_id)
    fetching.reset_counts()
    window = open_window(info)  # the sessions listed; their pictures start to load now
    with Heartbeat() as beat:
        qtbot.waitUntil(lambda: pictures_shown(window) >= VIDEOS + 1, timeout=60_000)
    figures = beat.check()
    print(f"\nTHUMBNAILS| {VIDEOS} pictures: {figures}")
    own = [e for e in window.entries.model.rows if thumbnails.has_own_picture(e)]
    assert len(own) == VIDEOS + 1  # and the sandbox's own recording
    # one GET each, none twice, and the selected one's larger picture for the details pane
    assert fetching.counts()["http"] == len(own) + 1
    tab = window.entries
    # The table's picture column shows them; rooms and live sessions keep a placeholder.
    column = next(n for n, c in enumerate(tab.model.columns) if c.title == "Picture")
    assert column == 0
    assert select_where(tab.view, lambda e: e.kind is EntryKind.LIVE)
    live = tab.selected()
    shown = tab.model.index(tab.view.currentIndex().row(), column).data(1)  # DecorationRole
    assert shown.cacheKey() == thumbnails.placeholder(
        thumbnails.placeholder_label(live), thumbnails.SMALL).cacheKey()
    assert thumbnails.placeholder_label(live) == "LIVE"
    # The details pane shows the larger picture of the selected video once it arrives.
    assert select_where(tab.view, lambda e: e.name == "Recording 007")
    video: Entry = tab.selected()
    fmt = tab.details.picture.pixmap().toImage().Format.Format_RGB32

    def shown() -> bool:
        if not tab.thumbs.is_loaded(video, thumbnails.LARGE):
            return False
        on_screen = tab.details.picture.pixmap().toImage().convertToFormat(fmt)
        return on_screen == tab.thumbs.picture(video, thumbnails.LARGE).toImage(
            ).convertToFormat(fmt)
    qtbot.waitUntil(shown, timeout=10_000)
    # The Preview tab's session list shows them too.
    chooser = window.preview.chooser
    chooser.select_entry(video)
    qtbot.waitUntil(lambda: chooser.entry_combo.count() > VIDEOS, timeout=20_000)
    number = chooser.entry_combo.findData(video.id)
    qtbot.waitUntil(lambda: chooser.entry_combo.itemIcon(number).pixmap(
        thumbnails.SMALL).toImage().convertToFormat(fmt) == tab.thumbs.picture(
        video).toImage().convertToFormat(fmt), timeout=10_000)
    # On disk, owner-only, under the cache dir.
    folder = kproducer_home / "cache" / "thumbnails"
    files = list(folder.glob("*.thumb"))
    assert len(files) >= VIDEOS
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)


def test_a_second_window_shows_the_pictures_from_disk(open_window, fresh_sandbox, qtbot) -> None:
    info = fresh_sandbox.info
    event_id = int(fresh_sandbox.db.execute(
        "SELECT id FROM virtual_events ORDER BY id LIMIT 1").fetchone()[0])
    add_videos(fresh_sandbox, 20, event_id)
    first = open_window(info)
    qtbot.waitUntil(lambda: pictures_shown(first) >= 20, timeout=30_000)
    first.close()
    fetching.reset_counts()
    second = open_window(info)
    qtbot.waitUntil(lambda: pictures_shown(second) >= 20, timeout=30_000)
    # 21 small (the sandbox's own recording too) and the selected one's large: from disk
    assert fetching.counts() == {"http": 0, "disk": 22}
