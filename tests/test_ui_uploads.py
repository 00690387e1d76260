"""Recordings from the window: upload (dialog path, drag and drop), progress, cancel and
resume, follow to ready, the error of a file that is not a video, set thumbnail, simulive.

Real main window on a sandbox of the test's own; real files (a generated MP4 whose header
gives its real duration); the sandbox converts in a second or two.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from conftest import set_faults
from PySide6.QtCore import QMimeData, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QColor, QDropEvent, QImage
from PySide6.QtWidgets import QApplication, QMessageBox
from upload_support import conversion_seconds, make_mp4

from kproducer.services import uploads
from kproducer.services.models import EntryKind
from kproducer.ui import thumbnails
from kproducer.ui.table import select_where
from kproducer.ui.upload_queue import is_pending_row

MB = 1_000_000


@pytest.fixture
def win(open_window, fresh_sandbox):
    conversion_seconds(fresh_sandbox.info, 1)
    window = open_window(fresh_sandbox.info)
    window.tabs.setCurrentWidget(window.entries)
    return window


def pending(tab) -> list:
    return [e for e in tab.model.rows if is_pending_row(e)]


def test_an_upload_shows_at_once_reports_speed_and_turns_ready(win, fresh_sandbox, qtbot,
                                                             tmp_path: Path) -> None:
    tab = win.entries
    video = make_mp4(tmp_path / "Sponsor reel.mp4", 75, 25 * MB)
    set_faults(fresh_sandbox.info, latency_ms=400)  # each chunk takes a while: seen moving
    lines: list[str] = []
    notes: list[str] = []
    win.worker.jobStarted.connect(lambda job: job.progressed.connect(
        lambda _done, _total, note: (notes.append(note),
                                     lines.append(win.status.jobs.label.text()))))
    try:
        tab.upload_files([video])
        # The session is in the list at once, before Kaltura has made it.
        (row,) = pending(tab)
        assert row.name == "Sponsor reel"
        assert tab._status(row) in ("waiting to upload", "uploading")
        qtbot.waitUntil(lambda: any("MB/s" in line for line in lines), timeout=30_000)
    finally:
        set_faults(fresh_sandbox.info)
    line = next(line for line in lines if "MB/s" in line)
    assert line.startswith("Uploading “Sponsor reel”…")
    note = next(n for n in notes if "MB/s" in n)  # whole in the label's tooltip
    assert " of 25.0 MB · " in note and "% · " in note
    assert any(n.endswith(" left") and "MB/s" in n for n in notes)  # time left, before the end
    qtbot.waitUntil(lambda: not pending(tab) and any(
        e.name == "Sponsor reel" for e in tab.model.rows), timeout=30_000)
    made = next(e for e in tab.model.rows if e.name == "Sponsor reel")
    assert made.kind is EntryKind.VOD and made.event_id == tab.event_id()
    # It turns ready by itself, and the window says so.
    qtbot.waitUntil(lambda: "is ready to watch" in win.status.text(), timeout=30_000)
    assert win.status.text() == f"“Sponsor reel” ({made.id}) is ready to watch."
    qtbot.waitUntil(lambda: any(e.id == made.id and tab._status(e) == "ready"
                                for e in tab.model.rows), timeout=10_000)
    ready = next(e for e in tab.model.rows if e.id == made.id)
    assert ready.duration == 75
    assert thumbnails.has_own_picture(ready)


def test_several_files_queue_one_at_a_time(win, fresh_sandbox, qtbot, tmp_path: Path) -> None:
    tab = win.entries
    files = [make_mp4(tmp_path / f"part {n}.mp4", 10 + n, 2 * MB) for n in range(3)]
    most = [0]

    def count() -> None:
        uploading = [j for j in win.worker.jobs if j.title.startswith("Uploading")]
        most[0] = max(most[0], len(uploading))

    win.worker.busyChanged.connect(lambda _: count())
    tab.upload_files(files)
    assert [e.name for e in pending(tab)] == ["part 0", "part 1", "part 2"]
    assert tab.uploads.add(files, tab.event_id()) == 0  # already queued: not twice
    qtbot.waitUntil(lambda: not tab.uploads.busy, timeout=60_000)
    assert most[0] == 1
    qtbot.waitUntil(lambda: {"part 0", "part 1", "part 2"} <= {
        e.name for e in tab.model.rows if e.id}, timeout=30_000)


def test_cancel_then_resume_offered_at_the_next_start(win, fresh_sandbox, qtbot,
                                                     tmp_path: Path) -> None:
    tab = win.entries
    video = make_mp4(tmp_path / "Long talk.mp4", 600, 45 * MB)
    set_faults(fresh_sandbox.info, latency_ms=500)
    try:
        tab.upload_files([video])
        qtbot.waitUntil(lambda: "uploading " in tab._status(pending(tab)[0]), timeout=30_000)
        assert select_where(tab.view, lambda e: is_pending_row(e))
        tab.cancel_upload()
        qtbot.waitUntil(lambda: "Stopped the upload" in win.status.text(), timeout=30_000)
    finally:
        set_faults(fresh_sandbox.info)
    assert win.status.text() == ("Stopped the upload of “Long talk”; upload the same file "
                                 "again to continue where it stopped.")
    assert not pending(tab)
    account = win.account()
    (record,) = uploads.pending_uploads(account)
    assert record.path == str(video.resolve()) and 0 < record.confirmed < record.size
    # Next start: offered; "Continue" picks it up from where the server stopped.
    clicked: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(50, answer)
            return
        clicked.append(box.text())
        next(b for b in box.buttons() if b.text() == "Continue").click()

    QTimer.singleShot(50, answer)
    tab._ask_resume(uploads.pending_uploads(account))
    assert clicked and "Long talk.mp4 (" in clicked[0] and "of 45.0 MB)" in clicked[0]
    assert [e.name for e in pending(tab)] == ["Long talk"]
    qtbot.waitUntil(lambda: not tab.uploads.busy, timeout=60_000)
    qtbot.waitUntil(lambda: any(e.name == "Long talk" and e.id for e in tab.model.rows),
                    timeout=30_000)
    assert uploads.pending_uploads(account) == []


def test_a_file_that_is_not_a_video_ends_in_error_with_the_reason(win, qtbot,
                                                                  tmp_path: Path) -> None:
    tab = win.entries
    fake = tmp_path / "notes.mp4"
    fake.write_text("these are meeting notes, not a video\n" * 100)
    tab.upload_files([fake])
    qtbot.waitUntil(lambda: "is not usable" in win.status.text(), timeout=60_000)
    assert "could not convert the file" in win.status.text()
    qtbot.waitUntil(lambda: any(e.name == "notes" and tab._status(e) == "error"
                                for e in tab.model.rows), timeout=10_000)
    assert select_where(tab.view, lambda e: e.name == "notes")
    assert tab.fields["Status"].text().startswith("error — Kaltura could not convert")


def test_video_files_dropped_on_the_tab_are_uploaded(win, qtbot, tmp_path: Path) -> None:
    tab = win.entries
    video = make_mp4(tmp_path / "Dropped.mov", 30, MB)
    other = tmp_path / "agenda.pdf"
    other.write_bytes(b"%PDF-1.4")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(video)), QUrl.fromLocalFile(str(other))])
    drop = QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    tab.dropEvent(drop)
    assert [e.name for e in pending(tab)] == ["Dropped"]  # the PDF is not taken
    qtbot.waitUntil(lambda: any(e.name == "Dropped" and e.id for e in tab.model.rows),
                    timeout=30_000)


def test_set_thumbnail_shows_the_new_picture(win, qtbot, tmp_path: Path) -> None:
    tab = win.entries
    assert select_where(tab.view, lambda e: e.kind is EntryKind.VOD)
    video = tab.selected()
    image = QImage(320, 180, QImage.Format.Format_RGB32)
    image.fill(QColor("#d00000"))
    path = tmp_path / "red.png"
    assert image.save(str(path))
    tab.set_thumbnail(video, path)
    qtbot.waitUntil(lambda: "has a new thumbnail" in win.status.text(), timeout=20_000)

    def red() -> bool:
        picture = tab.details.picture.pixmap().toImage()
        if picture.width() != thumbnails.LARGE.width():
            return False
        pixel = picture.pixelColor(picture.width() // 2, picture.height() // 2)
        return pixel.red() > 200 and pixel.green() < 40
    qtbot.waitUntil(red, timeout=20_000)


def test_schedule_a_ready_video_as_simulive_from_the_window(win, qtbot) -> None:
    tab = win.entries
    assert select_where(tab.view, lambda e: e.kind is EntryKind.VOD and e.status == "2")
    video = tab.selected()
    start = (int(time.time()) // 3600 + 30) * 3600
    with qtbot.waitSignal(tab.entriesLoaded, timeout=20_000):
        tab.schedule_simulive(video, "Keynote replay", video.event_id, start,
                              start + video.duration)
    qtbot.waitUntil(lambda: tab.selected() is not None
                    and tab.selected().name == "Keynote replay", timeout=10_000)
    made = tab.selected()
    assert made.is_simulive and made.schedule.source_entry_id == video.id
    assert tab.fields["Type"].text() == f"Simulive (plays the video {video.id})"
    type_column = next(n for n, c in enumerate(tab.model.columns) if c.title == "Type")
    assert tab.model.index(tab.view.currentIndex().row(), type_column).data() == "Simulive"
    assert thumbnails.placeholder_label(made) == "SIMULIVE"
    assert not tab.details.live.isVisibleTo(tab.details)  # no encoder: Kaltura streams it
    assert win.status.text().startswith("Scheduled “Keynote replay”")
