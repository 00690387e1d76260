"""A live session on the day, in the window: the encoder kit (masked credentials, copy, save,
regenerate), the On air badge polled only while the Entries tab is seen, and the switches."""

from __future__ import annotations

import os
import stat

import pytest
import requests
from conftest import reset_stats, stats
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog, QLineEdit

from kproducer.services.models import EntryKind
from kproducer.ui import live_panel
from kproducer.ui.encoder_panel import DOTS
from kproducer.ui.live_badge import LIVE, OFFLINE, LivePoller
from kproducer.ui.table import select_where


@pytest.fixture
def info(fresh_sandbox):
    """A sandbox of its own: on the shared one, the newest event may hold no room by now."""
    return fresh_sandbox.info


@pytest.fixture
def window(open_window, info):
    """The window on that sandbox, its demo event (a VOD, a live session, a room) loaded."""
    return open_window(info)


def encoder(info, entry_id, broadcasting):
    """An encoder starts (or stops) pushing to the entry."""
    requests.post(f"{info.service_url}/_sandbox/live",
                  json={"entry_id": entry_id, "broadcasting": broadcasting},
                  timeout=5).raise_for_status()


def calls(info, action):
    return stats(info)["by_action"].get(action, 0)


def new_live(window, qtbot, unique):
    """A new live session of the selected event, selected on the Entries tab in front."""
    entries = window.entries
    window.tabs.setCurrentWidget(entries)
    name = unique("Keynote")
    entries.create_session(EntryKind.LIVE, name, window.events.selected().id)
    qtbot.waitUntil(lambda: getattr(entries.selected(), "name", None) == name, timeout=10_000)
    panel = entries.details.live
    qtbot.waitUntil(lambda: panel.kit is not None, timeout=10_000)
    return entries.selected(), panel


class Asked:
    def __init__(self, answer):
        self.answer, self.questions = answer, []

    def __call__(self, parent, title, text, action, detail=""):
        self.questions.append((title, text, action, detail))
        return self.answer


def shown_texts(window):
    """Everything the window shows as text: status bar, Activity dock, the kit's fields."""
    window.dock.drain()
    rows = [" ".join(str(v) for v in vars(r).values()) for r in window.dock.model.rows]
    return "\n".join([window.status.text(), *rows])


def test_the_kit_is_masked_until_revealed_and_never_said_aloud(window, qtbot, unique, info):
    _entry, panel = new_live(window, qtbot, unique)
    kit, kit_panel = panel.kit, panel.encoder
    key = kit.stream_key
    assert key and kit.rtmp_url and kit.backup_rtmp_url and kit.stream_name
    rows = {kit_panel.names[n].text(): kit_panel.values[n] for n in range(4)}
    assert list(rows) == ["Server (primary):", "Server (backup):", "Stream name:", "Stream key:"]
    assert rows["Stream key:"].echoMode() == QLineEdit.EchoMode.Password
    assert key not in rows["Server (primary):"].text()  # the URL's token is dotted too
    assert DOTS in rows["Server (primary):"].text()

    kit_panel.copy(3)  # copy the key without revealing it
    assert QGuiApplication.clipboard().text() == key
    assert window.status.text() == "Copied the stream key."
    kit_panel.copy(0)
    assert QGuiApplication.clipboard().text() == kit.rtmp_url  # whole, with its token
    assert key not in shown_texts(window)

    kit_panel.reveal.click()
    assert rows["Stream key:"].echoMode() == QLineEdit.EchoMode.Normal
    assert rows["Stream key:"].text() == key
    assert rows["Server (primary):"].text() == kit.rtmp_url
    kit_panel.protocol.setCurrentIndex(kit_panel.protocol.findData("SRT"))
    labels = [kit_panel.names[n].text() for n in range(4)]
    assert labels == ["URL (primary):", "URL (backup):", "Stream ID:", "Passphrase:"]
    assert kit_panel.values[0].text() == kit.srt_url
    kit_panel.reveal.click()  # hidden again
    if kit.srt_passphrase:
        assert kit.srt_passphrase not in kit_panel.values[3].displayText()
    assert kit.stream_key not in kit_panel.values[2].displayText()  # p= of the stream ID


def test_opening_a_live_session_costs_one_request_cold_none_warm(open_window, window, qtbot,
                                                                 unique, info):
    name = unique("Cold keynote")
    with qtbot.waitSignal(window.entries.entriesLoaded, timeout=10_000):
        window.entries.create_session(EntryKind.LIVE, name, window.events.selected().id)
    fresh = open_window(info)  # a new run: nothing of that session in memory
    entries, panel = fresh.entries, fresh.entries.details.live
    qtbot.waitUntil(lambda: any(e.name == name for e in entries.model.rows), timeout=10_000)
    assert select_where(entries.view, lambda e: e.kind is EntryKind.ROOM)
    qtbot.waitUntil(lambda: not fresh.worker.jobs, timeout=10_000)
    reset_stats(info)  # the Entries tab is not in front: no polling to count
    assert select_where(entries.view, lambda e: e.name == name)
    qtbot.waitUntil(lambda: panel.kit is not None, timeout=10_000)
    cold = stats(info)["http_requests"]
    assert cold <= 1  # cold: one request for kit and status (0 if the window opened it)
    assert select_where(entries.view, lambda e: e.kind is EntryKind.ROOM)
    assert select_where(entries.view, lambda e: e.name == name)
    qtbot.waitUntil(lambda: panel.kit is not None, timeout=10_000)
    assert stats(info)["http_requests"] == cold  # warm: none more


def test_save_writes_an_owner_only_file_and_regenerate_asks_first(window, qtbot, unique, info,
                                                                  tmp_path, monkeypatch):
    _entry, panel = new_live(window, qtbot, unique)
    target = tmp_path / "encoder.txt"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(target), "")))
    panel.encoder.save.click()
    qtbot.waitUntil(lambda: target.exists(), timeout=10_000)
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert panel.kit.stream_key in target.read_text()
    assert panel.kit.stream_key not in window.status.text()

    asked = Asked(False)
    monkeypatch.setattr(live_panel, "confirm", asked)
    old_key = panel.kit.stream_key
    reset_stats(info)
    panel.encoder.regenerate.click()
    _title, _text, action, detail = asked.questions[0]
    assert action == "Regenerate" and "cut off" in detail
    assert calls(info, "livestream.regeneratestreamtoken") == 0
    asked.answer = True
    panel.encoder.regenerate.click()
    qtbot.waitUntil(lambda: panel.kit.stream_key != old_key, timeout=10_000)
    assert calls(info, "livestream.regeneratestreamtoken") == 1
    assert panel.encoder.values[3].echoMode() == QLineEdit.EchoMode.Password


def test_the_badge_polls_only_while_the_entries_tab_is_seen(window, qtbot, unique, info,
                                                          monkeypatch):
    monkeypatch.setattr(LivePoller, "INTERVALS", (0.05, 0.1, 0.3))
    entry, panel = new_live(window, qtbot, unique)
    entries, poller = window.entries, window.entries.poller
    qtbot.waitUntil(lambda: entry.id in poller.live, timeout=10_000)
    row = next(n for n in range(entries.model.rowCount())
               if entries.model.row(n).id == entry.id)
    column = next(n for n, c in enumerate(entries.model.columns) if c.title == "On air")
    assert entries.model.index(row, column).data() == OFFLINE

    window.tabs.setCurrentWidget(window.events)
    qtbot.waitUntil(lambda: not window.worker.jobs, timeout=10_000)
    reset_stats(info)
    qtbot.wait(600)  # several intervals
    assert calls(info, "livestream.islive") == 0  # hidden: never asked

    encoder(info, entry.id, True)
    window.tabs.setCurrentWidget(entries)
    qtbot.waitUntil(lambda: poller.live.get(entry.id) is True, timeout=10_000)
    assert entries.model.index(row, column).data() == LIVE
    assert LIVE in window.status.live.text() and entry.name in window.status.live.text()
    assert "an encoder is pushing" in panel.status.text()
    # one request per refresh, however many live sessions the list has
    qtbot.waitUntil(lambda: not window.worker.jobs, timeout=10_000)
    reset_stats(info)
    with qtbot.waitSignal(poller.polled, timeout=10_000):
        pass
    live_rows = sum(1 for e in entries.model.rows if e.kind is EntryKind.LIVE)
    assert live_rows >= 2
    assert stats(info)["http_requests"] == 1
    assert stats(info)["by_action"] == {"livestream.islive": live_rows}

    window.showMinimized()
    qtbot.waitUntil(lambda: window.isMinimized(), timeout=5_000)
    qtbot.waitUntil(lambda: not window.worker.jobs, timeout=10_000)
    reset_stats(info)
    qtbot.wait(600)
    assert calls(info, "livestream.islive") == 0  # minimised: never asked
    window.showNormal()


def test_the_poller_backs_off_while_nothing_changes(window, qtbot, unique, info, monkeypatch):
    monkeypatch.setattr(LivePoller, "INTERVALS", (0.05, 0.1, 0.3))
    entry, _panel = new_live(window, qtbot, unique)
    poller = window.entries.poller
    seen = []
    poller.polled.connect(lambda: seen.append(poller.interval))
    qtbot.waitUntil(lambda: len(seen) >= 4, timeout=10_000)
    assert seen[-2:] == [0.3, 0.3]  # 5 s → 10 s → 30 s, as it were, then it stays
    assert 0.1 in seen and seen.index(0.1) < seen.index(0.3)
    encoder(info, entry.id, True)
    count = len(seen)
    qtbot.waitUntil(lambda: poller.live.get(entry.id) is True, timeout=10_000)
    assert seen[count:][-1] == 0.05  # a change starts again at the shortest
    encoder(info, entry.id, False)


def test_the_switches_say_what_attendees_see_and_change_the_entry(window, qtbot, unique,
                                                                  admin):
    entry, panel = new_live(window, qtbot, unique)
    switches = panel.switches
    assert switches.live.isChecked()  # a new session: attendees see it once it broadcasts
    switches.live.click()  # back to preview
    qtbot.waitUntil(lambda: not switches.live.isChecked() and switches.live.isEnabled(),
                    timeout=10_000)
    assert "preview" in switches.live_note.text()
    assert admin.liveStream.get(entry.id).viewMode.value == 0  # PREVIEW
    switches.live.click()  # go live
    qtbot.waitUntil(lambda: switches.live.isChecked() and switches.live.isEnabled(),
                    timeout=10_000)
    assert admin.liveStream.get(entry.id).viewMode.value == 1  # ALLOW_ALL
    was = switches.record.isChecked()
    switches.record.click()
    qtbot.waitUntil(lambda: switches.record.isChecked() is not was
                    and switches.record.isEnabled(), timeout=10_000)
    assert ("not recorded" in switches.record_note.text()) is was
    assert (admin.liveStream.get(entry.id).recordStatus.value != 0) is not was


def test_a_long_status_sentence_never_makes_the_window_wider_than_1024(window, qtbot):
    """The narrow screen of the brief: a sentence is cut (whole in its tooltip) instead."""
    sentence = "Copied the primary RTMP URL of “" + "a very long session name " * 20 + "”."
    window.status.say(sentence)
    qtbot.wait(50)
    assert window.minimumSizeHint().width() <= 1024
    window.resize(1024, 700)
    qtbot.waitUntil(lambda: window.width() == 1024, timeout=2000)
    assert sentence in window.status.message.toolTip()
