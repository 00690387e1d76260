"""The Moderators tab against the sandbox: add, remove, import (and cancel), drop a CSV."""

from __future__ import annotations

import csv
import threading

from conftest import set_faults
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent

from kproducer.activity import ActivityLog
from kproducer.services import facts, moderators
from kproducer.services.models import EntryKind
from kproducer.ui import moderator_actions, moderators_tab, session


def new_session(window, qtbot, unique):
    """A fresh live session, picked on the Moderators tab (which is in front)."""
    entries = window.entries
    with qtbot.waitSignal(entries.entriesLoaded, timeout=10_000):
        entries.create_session(EntryKind.LIVE, unique("Panel"), window.events.selected().id)
    entry = entries.selected()
    tab = window.moderators
    window.tabs.setCurrentWidget(tab)
    with qtbot.waitSignal(tab.loaded, timeout=10_000):
        tab.show_entry(entry)
    assert tab.entry_id() == entry.id
    return entry


def write_people(path, count, start=0, extra=()):
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["user_id", "first_name", "last_name", "email"])
        for n in range(start, start + count):
            writer.writerow([f"person{n}@example.com", f"First{n}", "Last", f"person{n}@example.com"])
        for row in extra:
            writer.writerow(row)
    return path


def server_moderators(window, entry_id):
    account = window.account()
    return {m.user_id for m in moderators.list_moderators(account, entry_id)}


def test_add_and_remove_a_moderator(window, qtbot, unique, monkeypatch):
    entry = new_session(window, qtbot, unique)
    tab = window.moderators
    user = unique("host") + "@example.com"
    with qtbot.waitSignal(tab.loaded, timeout=10_000):
        tab.add(facts.Person(user, "Hana", "Host", user))
    assert [m.user_id for m in tab.model.rows] == [user]
    assert tab.model.rows[0].display_name == "Hana Host"
    assert user in window.status.text()

    tab.view.selectRow(0)
    assert tab.remove_button.isEnabled()
    monkeypatch.setattr(moderator_actions, "confirm", lambda *a, **k: True)
    with qtbot.waitSignal(tab.loaded, timeout=10_000):
        tab.delete_item()
    assert tab.model.rowCount() == 0
    assert server_moderators(window, entry.id) == set()
    window.dock.drain()
    assert ("groupUser.delete", "deleted") in [(r.action, r.outcome) for r in window.dock.model.rows]


def test_import_a_csv_with_a_per_row_report(window, qtbot, unique, tmp_path):
    entry = new_session(window, qtbot, unique)
    tab = window.moderators
    path = write_people(tmp_path / "people.csv", 120,
                        extra=[["bad id", "", "", ""], ["person1@example.com", "", "", ""],
                               ["someone@example.com", "A", "B", "", ]])
    with qtbot.waitSignal(tab.importer.imported, timeout=60_000) as blocker:
        assert tab.import_csv(path)
        assert not tab.import_button.isEnabled()
    report = blocker.args[0]
    assert report.count("added") == 121
    assert report.count("failed") == 2  # the invalid ID and the duplicate line
    panel = tab.importer
    assert panel.model.rowCount() == 123
    assert "121 added" in panel.summary.text()
    qtbot.waitUntil(lambda: tab.model.rowCount() == 121, timeout=10_000)
    qtbot.waitUntil(tab.import_button.isEnabled, timeout=10_000)
    assert server_moderators(window, entry.id) == {m.user_id for m in tab.model.rows}

    out = tmp_path / "results.csv"
    with qtbot.waitSignal(panel.save_to(out).settled, timeout=10_000):
        pass
    with out.open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 123 and {r["status"] for r in rows} == {"added", "failed"}

    # "failed rows only" shows just those
    panel.failed_only.setChecked(True)
    assert panel.model.rowCount() == 2


def test_cancel_an_import_midway_leaves_a_consistent_state(open_window, fresh_sandbox, qtbot,
                                                            unique, tmp_path):
    window = open_window(fresh_sandbox.info)
    entry = new_session(window, qtbot, unique)
    tab = window.moderators
    path = write_people(tmp_path / "many.csv", 600)
    set_faults(fresh_sandbox.info, latency_ms=150)
    try:
        with qtbot.waitSignal(tab.importer.imported, timeout=120_000) as blocker:
            tab.import_csv(path)
            qtbot.waitUntil(lambda: tab.importer.progress.value() > 0, timeout=60_000)
            tab.importer.cancel_button.click()
    finally:
        set_faults(fresh_sandbox.info)
    report = blocker.args[0]
    assert report.cancelled
    assert 0 < report.not_started < 600
    done = {r.user_id for r in report.results if r.status in ("added", "already")}
    assert len(done) + report.not_started == 600
    assert "cancelled" in tab.importer.summary.text().lower()
    # the server, the table and the report agree
    assert server_moderators(window, entry.id) == done
    qtbot.waitUntil(lambda: {m.user_id for m in tab.model.rows} == done, timeout=10_000)
    qtbot.waitUntil(tab.import_button.isEnabled, timeout=10_000)
    assert tab.importer.retry_button.isEnabled()

    # "Retry failed rows" finishes the rest
    with qtbot.waitSignal(tab.importer.imported, timeout=120_000) as retried:
        tab.importer.retry_button.click()
    assert retried.args[0].count("added") == 600
    assert len(server_moderators(window, entry.id)) == 600


def test_a_failed_call_is_a_sentence_and_the_controls_work_again(open_window, fresh_sandbox,
                                                                  qtbot):
    window = open_window(fresh_sandbox.info)
    tab = window.events
    set_faults(fresh_sandbox.info, http_500_rate=1.0)
    try:
        with qtbot.waitSignal(window.worker.jobFailed, timeout=60_000) as blocker:
            tab.refresh_button.click()
            assert not tab.refresh_button.isEnabled()
    finally:
        set_faults(fresh_sandbox.info)
    failure = blocker.args[1]
    shown = window.status.text()
    assert shown == f"⚠ Loading events failed: {failure.message}"
    assert "Traceback" not in shown and "\n" not in shown
    assert window.status.details.isVisible()
    qtbot.waitUntil(tab.refresh_button.isEnabled, timeout=10_000)
    assert tab.model.rowCount() > 0  # what was shown stays
    with qtbot.waitSignal(tab.eventsLoaded, timeout=10_000):
        tab.refresh_button.click()  # and it works again


def test_a_dropped_connection_while_adding_shows_a_dialog(open_window, fresh_sandbox, qtbot,
                                                          unique):
    window = open_window(fresh_sandbox.info)
    new_session(window, qtbot, unique)
    tab = window.moderators
    set_faults(fresh_sandbox.info, drop_rate=1.0)
    try:
        with qtbot.waitSignal(window.worker.jobFailed, timeout=60_000) as blocker:
            tab.add(facts.Person(unique("x") + "@example.com"))
    finally:
        set_faults(fresh_sandbox.info)
    assert "Kaltura" in blocker.args[1].message
    boxes = [w for w in window.findChildren(moderators_tab.QWidget)
             if w.inherits("QMessageBox") and w.isVisible()]
    assert boxes and boxes[0].text() == blocker.args[1].message
    assert boxes[0].detailedText()
    boxes[0].close()
    qtbot.waitUntil(tab.add_button.isEnabled, timeout=10_000)


def test_dropping_a_csv_file_starts_an_import(window, qtbot, unique, tmp_path):
    new_session(window, qtbot, unique)
    tab = window.moderators
    path = write_people(tmp_path / "dropped.csv", 3, start=1000)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime,
                       Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(tab.importer.imported, timeout=60_000) as blocker:
        tab.dropEvent(event)
    assert blocker.args[0].count("added") == 3
    assert tab.importer.isVisible()


def test_sandbox_connection_is_shared_by_the_embedded_helper(sandbox):
    activity = ActivityLog()
    connection = session.open_sandbox_account(activity, sandbox.info)
    try:
        assert connection.sandbox and connection.name == "Sandbox"
        assert {r.action for r in activity.records()} >= {"user.get", "appToken.list"}
    finally:
        connection.close()
    assert threading.active_count() >= 1
