"""“Attach entry…” searches the account's entries on the server (or takes a typed ID).

The real dialog on a window connected to a sandbox of the test's own: the newest entries
first, a search by words of the name (``baseEntry.list`` ``freeText``), pages of 30 with
“More results”, each row with its picture, type, duration and event; then attaching.
"""

from __future__ import annotations

import time

from conftest import reset_stats, stats
from PySide6.QtCore import Qt
from test_ui_thumbnails import add_videos

from kproducer.services.models import EntryKind
from kproducer.ui import thumbnails
from kproducer.ui.attach_dialog import PAGE_SIZE, AttachDialog
from kproducer.ui.table import select_where


def cell(dialog: AttachDialog, row: int, title: str) -> str:
    column = next(n for n, c in enumerate(dialog.model.columns) if c.title == title)
    return dialog.model.index(row, column).data()


def test_search_by_name_pages_and_attach(open_window, fresh_sandbox, qtbot) -> None:
    info = fresh_sandbox.info
    event_id = int(fresh_sandbox.db.execute(
        "SELECT id FROM virtual_events ORDER BY id LIMIT 1").fetchone()[0])
    add_videos(fresh_sandbox, 40, event_id)
    window = open_window(info)
    tab = window.entries
    dialog = AttachDialog(tab.view, window.deps, tab._events, event_id)
    qtbot.addWidget(dialog)
    dialog.show()
    # Before typing: the newest entries, one page, and more to come.
    qtbot.waitUntil(lambda: dialog.model.rowCount() == PAGE_SIZE, timeout=10_000)
    assert dialog.more.isVisible()
    assert dialog.found.text() == f"{PAGE_SIZE} of 43 sessions, newest first."
    qtbot.mouseClick(dialog.more, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 43, timeout=10_000)
    assert not dialog.more.isVisible()
    # A search by words of the name, on the server (one request).
    time.sleep(0.05)
    reset_stats(info)
    dialog.search.setText("keynote")
    qtbot.waitUntil(lambda: dialog.found.text().startswith("1 of 1"), timeout=10_000)
    assert stats(info)["by_action"] == {"baseentry.list": 1}
    assert cell(dialog, 0, "Name") == "Opening keynote (recording)"
    assert cell(dialog, 0, "Type") == "VOD"
    assert cell(dialog, 0, "Duration") == "45:00"
    assert cell(dialog, 0, "Event") == f"“Sandbox Summit 2026” (ID {event_id})"
    video = dialog.model.row(0)
    assert thumbnails.has_own_picture(video)
    qtbot.waitUntil(lambda: dialog.thumbs.is_loaded(video), timeout=10_000)
    assert dialog.ok.isEnabled() and dialog.values() == (video.id, event_id)
    # Nothing matches: said so, nothing to attach.
    dialog.search.setText("no such words anywhere")
    qtbot.waitUntil(lambda: dialog.found.text().startswith("No session"), timeout=10_000)
    assert dialog.found.text() == ("No session of the account matches “no such words "
                                   "anywhere”.")
    assert not dialog.ok.isEnabled()
    # A typed ID still works.
    room = next(e for e in tab.model.rows if e.kind is EntryKind.ROOM)
    dialog.search.setText(room.id)
    assert dialog.ok.isEnabled() and dialog.values()[0] == room.id
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1, timeout=10_000)
    assert cell(dialog, 0, "Type") == "Room"
    dialog.close()


def test_the_picked_entry_is_attached(open_window, fresh_sandbox, qtbot) -> None:
    info = fresh_sandbox.info
    window = open_window(info)
    tab = window.entries
    live = next(e for e in tab.model.rows if e.kind is EntryKind.LIVE)
    dialog = AttachDialog(tab.view, window.deps, tab._events, None)
    qtbot.addWidget(dialog)
    dialog.search.setText(live.name.split()[0])
    qtbot.waitUntil(lambda: select_where(dialog.view, lambda e: e.id == live.id),
                    timeout=10_000)
    entry_id, event_id = dialog.values()
    assert entry_id == live.id and event_id == live.event_id
    with qtbot.waitSignal(tab.entriesLoaded, timeout=10_000):
        tab.attach(entry_id, event_id)
    assert "already a session" in window.status.text()
