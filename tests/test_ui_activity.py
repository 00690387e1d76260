"""The Activity dock: the producer's operations first, honest totals, the filter, the export.

The totals are checked against what the sandbox itself counted (``/_sandbox/stats``).
"""

from __future__ import annotations

import csv

from conftest import reset_stats, stats
from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtWidgets import QApplication

from kproducer.activity import ActivityLog
from kproducer.services.activity_export import HEADER
from kproducer.services.models import EntryKind
from kproducer.ui.activity_dock import ActivityDock
from kproducer.ui.common import Deps
from kproducer.ui.worker import Worker


def settled(window):
    """No job of the window (the background checks included) is still running."""
    window.dock.drain()
    return all(op.ending != "running" for op in window.activity.operations())


def top_rows(dock):
    """(what, outcome, details, calls, took) of every operation row."""
    dock.drain()
    model = dock.model
    return [model.cells(model.index(row, 0))[1:6:1] for row in range(model.rowCount())]


def write_people(path, count):
    with path.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["user_id", "first_name", "last_name"])
        for n in range(count):
            out.writerow([f"guest{n}@example.com", f"Guest{n}", "Test"])
    return path


def test_operations_in_words_and_totals_the_server_agrees_with(open_window, fresh_sandbox,
                                                               qtbot, unique, tmp_path):
    info = fresh_sandbox.info
    window = open_window(info)
    entries = window.entries
    with qtbot.waitSignal(entries.entriesLoaded, timeout=10_000):
        entries.create_session(EntryKind.LIVE, unique("Launch keynote"),
                               window.events.selected().id)
    entry = entries.selected()
    tab = window.moderators
    window.tabs.setCurrentWidget(tab)  # the live badge polls only while Sessions is seen
    with qtbot.waitSignal(tab.loaded, timeout=10_000):
        tab.show_entry(entry)
    qtbot.waitUntil(lambda: settled(window), timeout=10_000)
    window.dock.clear()
    reset_stats(info)

    people = write_people(tmp_path / "people.csv", 30)
    for _ in range(2):  # the second time, the cache knows every membership
        with qtbot.waitSignal(tab.importer.imported, timeout=60_000):
            assert tab.import_csv(people)
        qtbot.waitUntil(lambda: settled(window), timeout=10_000)

    counters = window.activity.counters()
    server = stats(info)
    assert counters.api_calls == server["api_calls"] > 0
    assert counters.requests == server["http_requests"] < counters.api_calls  # multirequests
    cached = counters.by_outcome["cached"]
    assert cached >= 30
    assert counters.cache_hit_rate == cached / (cached + server["api_calls"])
    window.dock.update_counts()
    line = window.dock.counts.text()
    assert f"{server['api_calls']} calls sent in {server['http_requests']} requests" in line
    assert f"{cached} answered here ({counters.cache_hit_rate:.0%})" in line

    rows = top_rows(window.dock)
    imports = [r for r in rows if r[0].startswith("Importing moderators into “")]
    assert len(imports) == 2 and all(r[1] == "Done" for r in imports)
    assert all("30" in r[2] for r in imports)  # what the status bar said of it
    assert not any("." in r[0] and r[0].split(".")[0].isidentifier() and " " not in r[0]
                   for r in rows)  # no API name stands for an operation
    model = window.dock.model
    first = next(row for row in range(model.rowCount())
                 if model.cells(model.index(row, 0))[1].startswith("Importing moderators"))
    parent = model.index(first, 0)
    calls = {model.cells(model.index(n, 0, parent))[1] for n in range(model.rowCount(parent))}
    assert "groupUser.add" in calls  # opened, an operation shows its calls
    assert window.dock.view.isExpanded(parent) is False
    window.dock.view.expand(parent)
    assert window.dock.view.isExpanded(parent)


def test_the_activity_is_exported_as_a_csv(window, qtbot, unique, tmp_path):
    name = unique("=Gala")
    with qtbot.waitSignal(window.events.eventsLoaded, timeout=10_000):
        window.events.create_event(name, "exported")
    out = tmp_path / "activity.csv"
    with qtbot.waitSignal(window.dock.export_to(out).settled, timeout=10_000):
        pass
    assert f"to {out}" in window.status.text()
    text = out.read_text(encoding="utf-8")
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == HEADER
    made = [r for r in rows if r[1] == "Creating the event"]
    assert made and made[0][2] == "done" and name in made[0][3]
    assert "virtualEvent.add" in {r[7] for r in made} and "created" in {r[8] for r in made}
    assert (out.stat().st_mode & 0o777) == 0o600
    ks = window.account().conn.admin_session.current()
    assert ks not in text and window.account().conn.settings.admin_secret not in text
    # exporting again replaces our own file; a file that is not ours is never replaced
    with qtbot.waitSignal(window.dock.export_to(out).settled, timeout=10_000):
        pass
    foreign = tmp_path / "notes.csv"
    foreign.write_text("mine\n")
    with qtbot.waitSignal(window.dock.export_to(foreign).settled, timeout=10_000):
        pass
    assert foreign.read_text() == "mine\n"
    assert "is not a kproducer activity export" in window.status.text()


def filled_dock(qtbot, operations=120):
    log = ActivityLog()
    for n in range(operations):
        op = log.begin(f"Loading events {n}")
        with log.within(op):
            log.record("virtualEvent.list", "fetched", 3)
            failed = n == 77
            log.record("user.get", "error" if failed else "cached", 0,
                       "User not found." if failed else "")
        log.end(op, "done")
    worker = Worker()
    dock = ActivityDock(log, Deps(worker, lambda text: None, lambda: None))
    qtbot.addWidget(dock)
    dock.resize(900, 300)
    dock.show()
    qtbot.waitExposed(dock)
    return dock


def top_visible(dock):
    index = dock.view.indexAt(QPoint(1, 1))
    return dock.model.cells(index)[1] if index.isValid() else None


def test_the_filter_shows_operations_by_their_calls_and_clearing_keeps_the_place(qtbot):
    dock = filled_dock(qtbot)
    view, model = dock.view, dock.model
    assert model.rowCount() == 120 and len(model.rows) == 240
    view.scrollTo(model.index(60, 0), view.ScrollHint.PositionAtTop)
    QApplication.processEvents()
    before = top_visible(dock)
    assert before == "Loading events 60"

    dock.filter.setText("not found")  # only a call of operation 77 says so
    assert [op.title for op in view.visible_operations()] == ["Loading events 77"]
    parent = model.index(77, 0)
    assert [view.isRowHidden(n, parent) for n in range(2)] == [True, False]
    dock.filter.setText("")
    QApplication.processEvents()
    assert len(view.visible_operations()) == 120
    assert top_visible(dock) == before  # back where the producer was

    dock.filter.setText("events 1")  # select a row while filtered: clearing shows it
    view.setCurrentIndex(model.index(110, 0))
    dock.filter.clear()
    QApplication.processEvents()
    rect = view.visualRect(model.index(110, 0))
    assert rect.isValid() and view.viewport().rect().contains(rect.center())


def test_new_calls_respect_the_filter_and_clear_empties_the_list(qtbot):
    dock = filled_dock(qtbot, operations=3)
    dock.filter.setText("import")
    log = dock.activity
    op = log.begin("Importing moderators")
    with log.within(op):
        log.record("groupUser.add", "created", 4)
    qtbot.waitUntil(lambda: dock.model.rowCount() == 4, timeout=5_000)
    dock.drain()
    assert [o.title for o in dock.view.visible_operations()] == ["Importing moderators"]
    assert dock.model.data(dock.model.index(3, 2), Qt.ItemDataRole.DisplayRole) == "Running…"
    dock.clear()
    assert dock.model.rowCount() == 1  # the running import stays; its figures are zeroed
    assert dock.model.rowCount(QModelIndex()) == 1 and dock.model.rows == []
