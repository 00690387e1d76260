"""The window on a faulty network (issue 7): latency, HTTP 500s, dropped connections and
unreadable answers, injected on a sandbox of the test's own while a real MainWindow works.

For every fault and producer action (refresh the events, open an event's sessions, load a
session's moderators, add a moderator, import a CSV, export links, cancel a slow job):

(a) the GUI thread keeps ticking while the call is slow or failing (a 20 ms QTimer; the
    longest gap between two ticks is measured), and the tabs can be switched meanwhile;
(b) the producer reads ONE sentence (status bar, the tab's own text, the dialog) that says
    what failed and that Kaltura could not be reached or answered badly, never a traceback;
(c) once the network is back the same action, through the same buttons, works and shows
    what the server holds;
(d) nothing done is lost or done twice, checked on the server itself (its database).

Run with ``-s`` to see the figures of each case (``FAULT|`` lines).
"""

from __future__ import annotations

import csv
import gc
import random
import re
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from conftest import make_client, reset_stats, set_faults, stats
from KalturaClient.Plugins.Core import KalturaFilterPager, KalturaGroupUserFilter
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox

from kproducer.sandbox import Sandbox
from kproducer.services.facts import Person
from kproducer.services.models import EntryKind
from kproducer.ui import dialogs
from kproducer.ui.export_dialog import ExportDialog
from kproducer.ui.main_window import freeze_heap
from kproducer.ui.table import select_where

#: Connection settings of the window under test: one quick retry for reads, short timeouts.
FAST = {"max_retries": 1, "retry_backoff": 0.05, "retry_window": 2.0, "connect_timeout": 2.0,
        "read_timeout": 5.0}
#: The heartbeat's interval, and the longest gap between two ticks the GUI may show.
TICK_MS = 20
MAX_GAP_MS = 250.0
SETTLE_MS = 15_000

#: What the producer must never read: tracebacks and Python/requests exception names.
TECHNICAL = re.compile(
    r"Traceback|File \"|\bline \d+|\w*(Error|Exception)\b|\w+Timeout\b|ServiceUnavailable|"
    r"ConnectionFailed|RequestTimedOut|MalformedResponse|HTTPConnectionPool|urllib3|"
    r"Max retries|errno|object at 0x")


# --- measuring the GUI thread ------------------------------------------------------------------


class Heartbeat:
    """Ticks every :data:`TICK_MS` on the GUI thread while a job runs; gaps in ms."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.times: list[float] = []
        self.started = self.stopped = 0.0

    def __enter__(self) -> Heartbeat:
        self.started = time.perf_counter()
        self.times = [self.started]
        self.timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.timer.stop()
        self.stopped = time.perf_counter()
        self.times.append(self.stopped)

    def _tick(self) -> None:
        self.times.append(time.perf_counter())

    @property
    def ticks(self) -> int:
        return len(self.times) - 2

    @property
    def elapsed_ms(self) -> float:
        return (self.stopped - self.started) * 1000

    @property
    def max_gap_ms(self) -> float:
        return max((b - a) * 1000 for a, b in zip(self.times, self.times[1:], strict=False))

    def check(self) -> str:
        """Assert the GUI thread kept ticking; the figures, for the report."""
        expected = self.elapsed_ms / TICK_MS
        assert self.max_gap_ms < MAX_GAP_MS, self.figures()
        # Over a short job one gap well under MAX_GAP_MS (a worker thread holding the GIL
        # for ~100 ms) skews the count; the longest gap is the measure there.
        if self.elapsed_ms >= 500:
            assert self.ticks >= expected * 0.5 - 2, self.figures()
        return self.figures()

    def figures(self) -> str:
        return (f"{self.ticks} ticks in {self.elapsed_ms:.0f} ms, longest gap "
                f"{self.max_gap_ms:.0f} ms")


def report(fault: str, action: str, shown: str, beat: Heartbeat | None, after: str) -> None:
    """One line of the fault table (``pytest -s`` prints it)."""
    figures = beat.figures() if beat is not None else "-"
    print(f"\nFAULT| {fault} | {action} | {shown} | {figures} | {after}")


# --- what the producer reads -------------------------------------------------------------------


def one_sentence(text: str, *, kaltura: bool = True) -> str:
    """``text`` is one readable sentence (no traceback, no exception names) about Kaltura."""
    assert text and "\n" not in text.strip(), text
    assert not TECHNICAL.search(text), text
    assert text.rstrip().endswith((".", "…")), text
    if kaltura:
        assert "Kaltura" in text, text
    return text


def status_sentence(window: Any, doing: str) -> str:
    """The status bar's failure sentence, which names what failed."""
    text = window.status.text()
    assert text.startswith(f"⚠ {doing} failed: "), text
    assert window.status.details.isVisible()
    return one_sentence(text)


def tab_failure(text: str, what: str) -> str:
    """A tab's own text for a list that could not be loaded: what, why (one sentence), and
    what to do."""
    lines = text.split("\n")
    assert len(lines) == 3, text
    assert lines[0] == f"The {what} could not be loaded.", text
    assert lines[2] == "Try Refresh (F5).", text
    one_sentence(lines[1])
    return " / ".join(lines)


def open_boxes(window: Any) -> list[QMessageBox]:
    return [w for w in window.findChildren(QMessageBox) if w.isVisible()]


def close_boxes(window: Any) -> None:
    for box in open_boxes(window):
        box.close()


def idle(window: Any) -> bool:
    return not window.worker.jobs and not window.status.jobs.isVisible()


def wait_idle(window: Any, qtbot: Any, timeout: int = SETTLE_MS) -> None:
    qtbot.waitUntil(lambda: idle(window), timeout=timeout)


# --- the server's truth -------------------------------------------------------------------------


def memberships(sb: Sandbox, entry_id: str) -> Counter[str]:
    """Active memberships of the entry's moderators group, per user ID (the sandbox's DB)."""
    assert sb.db is not None
    return Counter(uid for (uid,) in sb.db.execute(
        "SELECT user_id FROM group_users WHERE group_id=? AND status=0",
        (f"{entry_id}_moderators",)).fetchall())


def users(sb: Sandbox, ids: list[str]) -> Counter[str]:
    """Live users per ID, of these IDs."""
    assert sb.db is not None
    rows = sb.db.execute("SELECT id FROM kusers WHERE status != 2").fetchall()
    wanted = set(ids)
    return Counter(uid for (uid,) in rows if uid in wanted)


def listed_members(sb: Sandbox, entry_id: str) -> set[str]:
    """The moderators group as a real KalturaClient lists it."""
    listed = make_client(sb.info).groupUser.list(
        KalturaGroupUserFilter(groupIdEqual=f"{entry_id}_moderators"),
        KalturaFilterPager(pageSize=500))
    return {m.userId for m in listed.objects}


def server_event_ids(sb: Sandbox) -> set[int]:
    assert sb.db is not None
    return {int(i) for (i,) in sb.db.execute(
        "SELECT id FROM virtual_events WHERE status != 3").fetchall()}


def seed_dice(sb: Sandbox, rate: float, draws: int, hits: range, spare: int = 0,
              first_hit: bool = False) -> None:
    """Seed the sandbox's fault dice: the next ``spare`` requests get through, then of the
    ``draws`` after them a number in ``hits`` fail (the first of them, with ``first_hit``).
    A run where all or none failed would prove nothing."""
    for seed in range(10_000):
        dice = random.Random(seed)
        if any(dice.random() < rate for _ in range(spare)):
            continue
        rolls = [dice.random() < rate for _ in range(draws)]
        if sum(rolls) in hits and (rolls[0] or not first_hit):
            sb.server.random.seed(seed)
            return
    raise AssertionError("no seed found")


# --- driving the window --------------------------------------------------------------------------


@pytest.fixture
def sb(fresh_sandbox: Sandbox) -> Any:
    yield fresh_sandbox
    set_faults(fresh_sandbox.info)


@pytest.fixture
def frozen_heap() -> Any:
    """The heap frozen as the app does once its window shows (``MainWindow.warm_up``):
    otherwise a full garbage collection of the whole test process stalls the GUI thread."""
    freeze_heap()
    yield
    gc.unfreeze()


@pytest.fixture
def win(open_window: Any, sb: Sandbox, frozen_heap: None) -> Any:
    """A window on the test's own sandbox, with :data:`FAST` connection settings."""
    return open_window(sb.info, **FAST)


def new_session(window: Any, qtbot: Any, name: str) -> Any:
    """A live session created through the Entries tab, shown on the Moderators tab."""
    entries = window.entries
    with qtbot.waitSignal(entries.entriesLoaded, timeout=SETTLE_MS):
        entries.create_session(EntryKind.LIVE, name, window.events.selected().id)
    entry = entries.selected()
    assert entry.name == name
    tab = window.moderators
    with qtbot.waitSignal(tab.loaded, timeout=SETTLE_MS):
        window.tabs.setCurrentWidget(window.entries)
        entries.moderators_button.click()
    assert window.tabs.currentWidget() is tab and tab.entry_id() == entry.id
    wait_idle(window, qtbot)
    return entry


def add_through_dialog(window: Any, monkeypatch: pytest.MonkeyPatch, person: Person) -> None:
    """Click "Add moderator…" and accept the dialog with ``person``."""
    monkeypatch.setattr(dialogs.ModeratorDialog, "exec",
                        lambda self: QDialog.DialogCode.Accepted)
    monkeypatch.setattr(dialogs.ModeratorDialog, "person", lambda self: person)
    assert window.moderators.add_button.isEnabled()
    window.moderators.add_button.click()


def import_through_button(window: Any, monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    """Click "Import CSV…" and pick ``path`` in the file dialog."""
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (str(path), "")))
    assert window.moderators.import_button.isEnabled()
    window.moderators.import_button.click()


def write_people(path: Path, ids: list[str]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["user_id", "first_name", "last_name"])
        for n, uid in enumerate(ids):
            writer.writerow([uid, f"First{n}", "Faulty"])
    return path


# --- (1) latency --------------------------------------------------------------------------------


def test_latency_spikes_on_a_refresh_and_an_add_keep_the_window_responsive(
    win, sb, qtbot, monkeypatch
):
    entry = new_session(win, qtbot, "Slow but fine")
    tab = win.events
    win.tabs.setCurrentWidget(tab)
    set_faults(sb.info, latency_ms=1500)
    with Heartbeat() as beat, qtbot.waitSignal(tab.eventsLoaded, timeout=SETTLE_MS):
        tab.refresh_button.click()
        assert not tab.refresh_button.isEnabled()
        qtbot.waitUntil(win.status.jobs.isVisible, timeout=1000)
        assert win.status.jobs.label.text() == "Loading events…"
        # The producer goes on working meanwhile: other tabs, and back.
        win.tabs.setCurrentWidget(win.entries)
        assert win.tabs.currentWidget() is win.entries
        qtbot.wait(100)
        win.tabs.setCurrentWidget(tab)
        assert win.tabs.currentWidget() is tab
    beat.check()
    assert beat.elapsed_ms >= 1400  # it really was slow
    wait_idle(win, qtbot)
    assert tab.refresh_button.isEnabled()
    assert {e.id for e in tab.model.rows} == server_event_ids(sb)
    report("latency 1500 ms", "refresh events", "(no error: the list came after 1.5 s)", beat,
           "")

    # A write on the same slow network just takes longer (then the list is read again).
    mods = win.moderators
    win.tabs.setCurrentWidget(mods)
    person = Person("patient@example.com", "Pat", "Ient")
    with Heartbeat() as add_beat, qtbot.waitSignal(mods.loaded, timeout=SETTLE_MS):
        add_through_dialog(win, monkeypatch, person)
        assert not mods.add_button.isEnabled()
        win.tabs.setCurrentWidget(win.entries)
        qtbot.wait(100)
        win.tabs.setCurrentWidget(mods)
    add_beat.check()
    assert add_beat.elapsed_ms >= 2900  # the add, then the list
    shown = one_sentence(win.status.text(), kaltura=False)
    assert shown == f"{person.user_id} is now a moderator of “{entry.name}”."
    wait_idle(win, qtbot)
    assert mods.add_button.isEnabled()
    assert [m.user_id for m in mods.model.rows] == [person.user_id]
    assert memberships(sb, entry.id) == Counter({person.user_id: 1})
    report("latency 1500 ms", "add a moderator", shown, add_beat,
           "listed, 1 membership on the server")


def test_latency_past_the_read_timeout_on_an_add_then_one_retry_makes_one_membership(
    open_window, sb, frozen_heap, qtbot, monkeypatch
):
    window = open_window(sb.info, **{**FAST, "read_timeout": 1.0})
    entry = new_session(window, qtbot, "Slow hotel Wi-Fi")
    tab = window.moderators
    person = Person("slow.host@example.com", "Slow", "Host", "slow.host@example.com")
    set_faults(sb.info, latency_ms=1500)
    with Heartbeat() as beat, qtbot.waitSignal(window.worker.jobFailed,
                                               timeout=SETTLE_MS) as failed:
        add_through_dialog(window, monkeypatch, person)
        assert not tab.add_button.isEnabled()
        window.tabs.setCurrentWidget(window.events)  # the producer looks elsewhere meanwhile
        assert window.tabs.currentWidget() is window.events
    beat.check()
    failure = failed.args[1]
    shown = status_sentence(window, "Adding the moderator")
    boxes = open_boxes(window)
    assert len(boxes) == 1 and boxes[0].text() == failure.message
    assert boxes[0].windowTitle() == "Adding the moderator failed"
    one_sentence(boxes[0].text())
    close_boxes(window)
    wait_idle(window, qtbot)
    assert tab.add_button.isEnabled()

    assert memberships(sb, entry.id) == Counter()  # still asleep on the server

    # The producer adds them again at once, while the first request is still on its way; the
    # server then runs that one too. Still exactly one user and one membership.
    set_faults(sb.info)
    reset_stats(sb.info)
    window.tabs.setCurrentWidget(tab)
    with qtbot.waitSignal(tab.loaded, timeout=SETTLE_MS):
        add_through_dialog(window, monkeypatch, person)
    assert one_sentence(window.status.text(), kaltura=False) == (
        f"{person.user_id} is now a moderator of “{entry.name}”.")
    qtbot.waitUntil(lambda: stats(sb.info)["by_action"].get("groupuser.add") == 2,
                    timeout=SETTLE_MS)  # the late one has run as well
    assert memberships(sb, entry.id) == Counter({person.user_id: 1})
    assert users(sb, [person.user_id]) == Counter({person.user_id: 1})
    with qtbot.waitSignal(tab.loaded, timeout=SETTLE_MS):
        tab.refresh_button.click()
    assert [m.user_id for m in tab.model.rows] == [person.user_id]
    report("latency 1500 ms > read timeout 1 s", "add a moderator", shown, beat,
           "added again at once ('is now a moderator'); the late request ran too; "
           "1 user, 1 membership on the server")


# --- (2) HTTP 500 -------------------------------------------------------------------------------


def test_http_500s_on_every_read_say_so_and_the_same_clicks_work_afterwards(win, sb, qtbot):
    events, entries, moderators = win.events, win.entries, win.moderators
    # A second event with a session of its own (made while the network is fine).
    with qtbot.waitSignal(events.eventsLoaded, timeout=SETTLE_MS):
        events.create_event("Faulty Friday")
    other = events.selected()
    qtbot.waitUntil(lambda: entries.event_id() == other.id, timeout=SETTLE_MS)
    wait_idle(win, qtbot)
    with qtbot.waitSignal(entries.entriesLoaded, timeout=SETTLE_MS):
        entries.create_session(EntryKind.LIVE, "Friday panel", other.id)
    panel = entries.selected()
    wait_idle(win, qtbot)
    summit = next(e for e in events.model.rows if e.name == "Sandbox Summit 2026")
    before = {e.id for e in events.model.rows}

    set_faults(sb.info, http_500_rate=1.0)
    # Refresh the events.
    with Heartbeat() as beat, qtbot.waitSignal(win.worker.jobFailed, timeout=SETTLE_MS):
        events.refresh_button.click()
    beat.check()
    shown = status_sentence(win, "Loading events")
    assert "HTTP 500" in shown
    wait_idle(win, qtbot)
    assert events.refresh_button.isEnabled()
    assert {e.id for e in events.model.rows} == before  # what was shown stays
    report("HTTP 500 (rate 1.0)", "refresh events", shown, beat, "")

    # Open the other event's sessions: the Entries tab must not keep showing Friday's.
    with Heartbeat() as beat, qtbot.waitSignal(win.worker.jobFailed, timeout=SETTLE_MS):
        assert select_where(events.view, lambda e: e.id == summit.id)
        events.sessions_button.click()
        assert win.tabs.currentWidget() is entries
    beat.check()
    status_sentence(win, "Loading sessions")
    wait_idle(win, qtbot)
    assert entries.event_id() == summit.id
    assert panel.id not in {e.id for e in entries.model.rows}
    assert entries.stack.currentWidget() is entries.empty
    tab_text = tab_failure(entries.empty.text(), "sessions")
    assert "HTTP 500" in tab_text
    assert entries.refresh_button.isEnabled()
    report("HTTP 500 (rate 1.0)", "open an event's sessions", tab_text, beat, "")

    # Load a session's moderators.
    with Heartbeat() as beat, qtbot.waitSignal(win.worker.jobFailed, timeout=SETTLE_MS):
        win.tabs.setCurrentWidget(moderators)
        moderators.show_entry(panel)
    beat.check()
    status_sentence(win, "Loading moderators")
    wait_idle(win, qtbot)
    assert moderators.stack.currentWidget() is moderators.empty
    mods_text = tab_failure(moderators.empty.text(), "moderators")
    assert moderators.refresh_button.isEnabled()
    report("HTTP 500 (rate 1.0)", "load moderators", mods_text, beat, "")

    # Half the requests fail: a list is read again once, and the producer sees no error.
    # (The first request fails, the second gets through.)
    seed_dice(sb, 0.5, draws=2, hits=range(1, 2), first_hit=True)
    set_faults(sb.info, http_500_rate=0.5)
    win.tabs.setCurrentWidget(events)
    with Heartbeat() as beat, qtbot.waitSignal(events.eventsLoaded, timeout=SETTLE_MS):
        events.refresh_button.click()
    beat.check()
    assert not win.status.text().startswith("⚠ Loading events")
    win.dock.drain()
    last = [r for r in win.dock.model.rows if r.action == "virtualEvent.list"][-1]
    assert (last.outcome, last.detail) == ("fetched", "2 attempts.")
    report("HTTP 500 (rate 0.5)", "refresh events", "(no error: read again once)", beat,
           "Activity: virtualEvent.list fetched, 2 attempts")
    wait_idle(win, qtbot)

    # The network is back: the same buttons work, and show what the server holds.
    set_faults(sb.info)
    win.tabs.setCurrentWidget(moderators)
    with qtbot.waitSignal(moderators.loaded, timeout=SETTLE_MS):
        moderators.refresh_button.click()
    assert moderators.model.rowCount() == 0
    assert "no moderators yet" in moderators.empty.text()
    win.tabs.setCurrentWidget(entries)
    with qtbot.waitSignal(entries.entriesLoaded, timeout=SETTLE_MS) as loaded:
        entries.refresh_button.click()
    assert len(loaded.args[0]) == 3 and panel.id not in {e.id for e in loaded.args[0]}
    assert entries.stack.currentWidget() is entries.view
    win.tabs.setCurrentWidget(events)
    with qtbot.waitSignal(events.eventsLoaded, timeout=SETTLE_MS):
        events.refresh_button.click()
    assert {e.id for e in events.model.rows} == server_event_ids(sb)


def test_a_500_on_an_add_changes_nothing_and_the_retry_adds_once(win, sb, qtbot, monkeypatch):
    entry = new_session(win, qtbot, "Five hundred")
    tab = win.moderators
    person = Person("fivehundred@example.com")
    set_faults(sb.info, http_500_rate=1.0)
    with Heartbeat() as beat, qtbot.waitSignal(win.worker.jobFailed, timeout=SETTLE_MS):
        add_through_dialog(win, monkeypatch, person)
    beat.check()
    shown = status_sentence(win, "Adding the moderator")
    assert [b.text() for b in open_boxes(win)] == [shown.split(": ", 1)[1]]
    close_boxes(win)
    wait_idle(win, qtbot)
    assert memberships(sb, entry.id) == Counter()  # a 500 comes before anything runs
    set_faults(sb.info)
    with qtbot.waitSignal(tab.loaded, timeout=SETTLE_MS):
        add_through_dialog(win, monkeypatch, person)
    assert [m.user_id for m in tab.model.rows] == [person.user_id]
    assert memberships(sb, entry.id) == Counter({person.user_id: 1})
    report("HTTP 500 (rate 1.0)", "add a moderator", shown, beat,
           "added on the next click, 1 membership")


def test_an_import_under_20_percent_500s_then_retry_failed_rows_has_everyone_once(
    win, sb, qtbot, monkeypatch, tmp_path
):
    entry = new_session(win, qtbot, "Partial outage")
    tab = win.moderators
    ids = [f"partial{n}@example.com" for n in range(300)]  # 6 requests of 50 people
    path = write_people(tmp_path / "people.csv", ids)
    # The group is known (made with the session): 6 requests of 50 people, 1 to 3 fail.
    seed_dice(sb, 0.2, draws=6, hits=range(1, 4), spare=1)
    set_faults(sb.info, http_500_rate=0.2)
    with Heartbeat() as beat, qtbot.waitSignal(tab.importer.imported,
                                               timeout=SETTLE_MS) as done:
        import_through_button(win, monkeypatch, path)
        assert not tab.import_button.isEnabled()
        win.tabs.setCurrentWidget(win.events)
        win.tabs.setCurrentWidget(tab)

    beat.check()
    first = done.args[0]
    failed = [r for r in first.results if r.status == "failed"]
    added = [r for r in first.results if r.status == "added"]
    assert failed and added and len(failed) + len(added) == 300
    assert len(failed) % 50 == 0  # whole requests failed, each row says why
    reasons = {r.error for r in failed}
    assert len(reasons) == 1
    reason = one_sentence(reasons.pop())
    assert "HTTP 500" in reason
    summary = tab.importer.summary.text()
    assert summary == (f"Import finished: {len(added)} added, 0 already moderators, "
                       f"{len(failed)} failed ({len(failed)} at Kaltura).\n"
                       f"{len(failed)} rows are not done yet: Retry tries them again.")
    assert tab.importer.retry_button.text() == f"Re&try {len(failed)} failed rows"
    qtbot.waitUntil(tab.importer.retry_button.isEnabled, timeout=SETTLE_MS)
    wait_idle(win, qtbot)
    assert memberships(sb, entry.id) == Counter({r.user_id: 1 for r in added})

    set_faults(sb.info)
    with qtbot.waitSignal(tab.importer.imported, timeout=SETTLE_MS) as again:
        tab.importer.retry_button.click()
    second = again.args[0]
    assert second.count("added") == 300 and second.count("failed") == 0
    qtbot.waitUntil(lambda: tab.model.rowCount() == 300, timeout=SETTLE_MS)
    assert memberships(sb, entry.id) == Counter({uid: 1 for uid in ids})
    assert users(sb, ids) == Counter({uid: 1 for uid in ids})
    assert listed_members(sb, entry.id) == set(ids)
    assert {m.user_id for m in tab.model.rows} == set(ids)
    # Importing the whole file again finds everyone there and changes nothing.
    with qtbot.waitSignal(tab.importer.imported, timeout=SETTLE_MS) as rerun:
        import_through_button(win, monkeypatch, path)
    assert rerun.args[0].count("already") == 300
    assert memberships(sb, entry.id) == Counter({uid: 1 for uid in ids})
    report("HTTP 500 (rate 0.2)", "import 300 moderators", f"{summary} Row error: {reason}",
           beat, "Retry failed rows: 300 added in total, each once on the server")


# --- (3) dropped connections ----------------------------------------------------------------------


def test_dropped_connections_on_a_load_and_an_export_then_both_work(win, sb, qtbot, tmp_path):
    entry = new_session(win, qtbot, "Dropped calls")
    tab = win.moderators
    other = next(e for e in win.entries.model.rows if e.id != entry.id and
                 e.kind is EntryKind.LIVE)
    set_faults(sb.info, drop_rate=1.0)
    with Heartbeat() as beat, qtbot.waitSignal(win.worker.jobFailed, timeout=SETTLE_MS):
        tab.show_entry(other)
    beat.check()
    shown = status_sentence(win, "Loading moderators")
    assert "Could not reach Kaltura" in shown
    wait_idle(win, qtbot)
    tab_failure(tab.empty.text(), "moderators")
    assert tab.refresh_button.isEnabled()
    report("dropped (rate 1.0)", "load moderators", shown, beat, "")

    # Export moderator links for the new session (File › Export signed links…).
    ids = [f"dropped{n}@example.com" for n in range(120)]
    source = write_people(tmp_path / "people.csv", ids)
    win.tabs.setCurrentWidget(win.entries)
    assert select_where(win.entries.view, lambda e: e.id == entry.id)
    win.menu_actions.export_links.trigger()
    dialog = win.findChild(ExportDialog)
    assert dialog is not None and dialog.entry_id() == entry.id
    dialog.role.setCurrentIndex(1)  # Moderator (everyone)
    dialog.source.setText(str(source))
    dialog.source.editingFinished.emit()
    out = Path(dialog.output.text())
    with Heartbeat() as export_beat, qtbot.waitSignal(win.worker.jobSettled, timeout=SETTLE_MS):
        dialog.export_button.click()
        assert not dialog.export_button.isEnabled() and dialog.cancel_button.isVisible()
    export_beat.check()
    said = dialog.status.text()
    wait_idle(win, qtbot)
    assert dialog.export_button.isEnabled() and dialog.close_button.isEnabled()
    # The group is known (made with the session), so every batch was sent and dropped: each
    # row failed with the reason, which says the re-run is safe.
    assert said.startswith("Export finished: 0 ok, 120 failed."), said
    assert ("Why rows failed:" in said and "line 2: Could not reach Kaltura" in said
            and "running it again is safe. (and 119 more rows like it)" in said), said
    assert "Export again with the same output to finish only the other 120 rows" in said
    assert "Traceback" not in said
    with out.open() as handle:
        assert {r["status"] for r in csv.DictReader(handle)} == {"failed"}
    assert memberships(sb, entry.id) == Counter()  # a dropped request never ran
    report("dropped (rate 1.0)", "export 120 moderator links", said.replace("\n", " / "),
           export_beat, "")

    set_faults(sb.info)
    with qtbot.waitSignal(dialog.exported, timeout=SETTLE_MS) as exported:
        dialog.export_button.click()
    summary = exported.args[0]
    assert (summary.ok, summary.failed) == (120, 0)
    assert dialog.status.text().startswith("Export finished: 120 ok, 0 failed")
    with out.open() as handle:
        rows = list(csv.DictReader(handle))
    assert [r["user_id"] for r in rows] == ids and {r["status"] for r in rows} == {"ok"}
    assert users(sb, ids) == Counter({uid: 1 for uid in ids})
    assert memberships(sb, entry.id) == Counter({uid: 1 for uid in ids})
    dialog.close()
    win.tabs.setCurrentWidget(tab)
    with qtbot.waitSignal(tab.loaded, timeout=SETTLE_MS):
        tab.refresh_button.click()  # the other session's list loads now
    assert {m.user_id for m in tab.model.rows} == listed_members(sb, other.id)
    with qtbot.waitSignal(tab.loaded, timeout=SETTLE_MS):
        tab.show_entry(entry)
    assert {m.user_id for m in tab.model.rows} == set(ids) == listed_members(sb, entry.id)


# --- (4) unreadable answers ----------------------------------------------------------------------


def test_unreadable_answers_on_a_refresh_an_add_and_an_import_then_nothing_twice(
    win, sb, qtbot, monkeypatch, tmp_path
):
    entry = new_session(win, qtbot, "Garbled")
    tab = win.moderators
    earlier = Person("earlier.garbled@example.com")
    with qtbot.waitSignal(tab.loaded, timeout=SETTLE_MS):
        add_through_dialog(win, monkeypatch, earlier)  # the group is now known to exist
    set_faults(sb.info, malformed_rate=1.0)
    with Heartbeat() as beat, qtbot.waitSignal(win.worker.jobFailed, timeout=SETTLE_MS):
        win.events.refresh_button.click()
    beat.check()
    shown = status_sentence(win, "Loading events")
    assert "could not be read" in shown
    report("malformed XML (rate 1.0)", "refresh events", shown, beat, "")

    person = Person("garbled@example.com", "Gar", "Bled")
    with Heartbeat() as beat, qtbot.waitSignal(win.worker.jobFailed, timeout=SETTLE_MS):
        add_through_dialog(win, monkeypatch, person)
    beat.check()
    shown_add = status_sentence(win, "Adding the moderator")
    close_boxes(win)
    wait_idle(win, qtbot)
    # Kaltura did it; only the answer was lost.
    assert memberships(sb, entry.id) == Counter({earlier.user_id: 1, person.user_id: 1})
    report("malformed XML (rate 1.0)", "add a moderator", shown_add, beat, "")

    ids = [f"garbled{n}@example.com" for n in range(120)]
    path = write_people(tmp_path / "people.csv", ids)
    with Heartbeat() as beat, qtbot.waitSignal(tab.importer.imported,
                                               timeout=SETTLE_MS) as done:
        import_through_button(win, monkeypatch, path)
    beat.check()
    lost = done.args[0]
    assert lost.count("failed") == 120
    summary = tab.importer.summary.text()
    reason = one_sentence(lost.results[0].error)
    wait_idle(win, qtbot)
    everyone = [earlier.user_id, person.user_id, *ids]
    assert memberships(sb, entry.id) == Counter({uid: 1 for uid in everyone})
    report("malformed XML (rate 1.0)", "import 120 moderators",
           f"{summary} Row error: {reason}", beat, "")

    set_faults(sb.info)
    with qtbot.waitSignal(tab.loaded, timeout=SETTLE_MS):
        add_through_dialog(win, monkeypatch, person)
    assert win.status.text() == f"{person.user_id} is now a moderator of “{entry.name}”."
    with qtbot.waitSignal(tab.importer.imported, timeout=SETTLE_MS) as again:
        tab.importer.retry_button.click()
    assert again.args[0].count("already") == 120  # all done the first time
    qtbot.waitUntil(lambda: tab.model.rowCount() == 122, timeout=SETTLE_MS)
    assert {m.user_id for m in tab.model.rows} == set(everyone)
    assert memberships(sb, entry.id) == Counter({uid: 1 for uid in everyone})
    assert users(sb, everyone) == Counter({uid: 1 for uid in everyone})
    with qtbot.waitSignal(win.events.eventsLoaded, timeout=SETTLE_MS):
        win.events.refresh_button.click()
    assert {e.id for e in win.events.model.rows} == server_event_ids(sb)


# --- cancelling a job stuck on latency ------------------------------------------------------------


def test_cancel_in_the_status_bar_frees_the_window_from_a_slow_load(win, sb, qtbot):
    tab = win.events
    before = [e.id for e in tab.model.rows]
    loads: list[object] = []
    tab.eventsLoaded.connect(loads.append)
    set_faults(sb.info, latency_ms=2000)
    with Heartbeat() as beat:
        tab.refresh_button.click()
        qtbot.waitUntil(win.status.jobs.isVisible, timeout=1000)
        assert win.status.jobs.label.text() == "Loading events…"
        qtbot.wait(200)
        assert not tab.refresh_button.isEnabled()
        started = time.perf_counter()
        win.status.jobs.cancel.click()
        wait_idle(win, qtbot, timeout=1000)  # at once, not when the call comes back
        freed_ms = (time.perf_counter() - started) * 1000
    beat.check()
    assert tab.refresh_button.isEnabled()
    shown = one_sentence(win.status.text(), kaltura=False)
    assert shown == "Loading events cancelled."
    assert [e.id for e in tab.model.rows] == before

    # The network is back: Refresh works at once, beside the abandoned call still on its way.
    set_faults(sb.info)
    with qtbot.waitSignal(tab.eventsLoaded, timeout=SETTLE_MS):
        tab.refresh_button.click()
    assert len(loads) == 1 and {e.id for e in tab.model.rows} == server_event_ids(sb)
    qtbot.waitUntil(lambda: not win.worker.abandoned, timeout=SETTLE_MS)
    qtbot.wait(50)
    assert len(loads) == 1  # what the abandoned call brought back was dropped
    report("latency 2000 ms", "cancel a refresh (status bar Cancel)", shown, beat,
           f"idle {freed_ms:.0f} ms after Cancel; next Refresh loads at once, late answer dropped")


def test_cancel_in_the_status_bar_stops_a_slow_import_between_batches(
    win, sb, qtbot, monkeypatch, tmp_path
):
    entry = new_session(win, qtbot, "Slow import")
    tab = win.moderators
    earlier = Person("before.slow@example.com")
    with qtbot.waitSignal(tab.loaded, timeout=SETTLE_MS):
        add_through_dialog(win, monkeypatch, earlier)  # the group is known: no group.add
    ids = [f"slow{n}@example.com" for n in range(400)]  # 8 requests, 3 at a time
    path = write_people(tmp_path / "people.csv", ids)
    set_faults(sb.info, latency_ms=800)
    with Heartbeat() as beat, qtbot.waitSignal(tab.importer.imported,
                                               timeout=SETTLE_MS) as done:
        import_through_button(win, monkeypatch, path)
        qtbot.waitUntil(win.status.jobs.isVisible, timeout=1000)
        win.tabs.setCurrentWidget(win.events)  # the producer looks elsewhere meanwhile
        qtbot.wait(300)
        win.status.jobs.cancel.click()
        label = win.status.jobs.label.text()
        # the operation names its session, whose name keeps its capitals
        assert label == f"Cancelling: importing moderators into “Slow import” ({entry.id})…"
        assert not win.status.jobs.cancel.isEnabled()
    beat.check()
    set_faults(sb.info)
    report_ = done.args[0]
    assert report_.cancelled and 0 < report_.not_started < 400
    finished = {r.user_id for r in report_.results if r.status == "added"}
    assert len(finished) + report_.not_started == 400
    wait_idle(win, qtbot)
    assert memberships(sb, entry.id) == Counter({uid: 1 for uid in [earlier.user_id, *finished]})
    summary = tab.importer.summary.text()
    assert summary.startswith("Import cancelled: ")
    win.tabs.setCurrentWidget(tab)
    with qtbot.waitSignal(tab.importer.imported, timeout=SETTLE_MS) as again:
        tab.importer.retry_button.click()
    assert again.args[0].count("added") == 400
    assert memberships(sb, entry.id) == Counter({uid: 1 for uid in [earlier.user_id, *ids]})
    qtbot.waitUntil(lambda: tab.model.rowCount() == 401, timeout=SETTLE_MS)
    assert tab.import_button.isEnabled()
    report("latency 800 ms", "cancel an import of 400 (status bar Cancel)",
           f"{label} → {summary}", beat,
           "Retry failed rows: 400 added, each once on the server")
