"""The Events and Entries tabs against the sandbox: create, edit, delete, sessions and groups."""

from __future__ import annotations

from PySide6.QtWidgets import QSplitter

from kproducer.services.models import EntryKind
from kproducer.ui import dialogs, events_tab
from kproducer.ui.table import select_where, selected_row


def activity_rows(window):
    window.dock.drain()
    return [(r.action, r.outcome) for r in window.dock.model.rows]


def test_window_connects_and_shows_the_seeded_event(window, qtbot):
    assert window.connection is not None and window.connection.sandbox
    names = [e.name for e in window.events.model.rows]
    assert "Sandbox Summit 2026" in names
    assert window.welcome.isHidden()
    assert "Sandbox" in window.status.connection.text()
    select_where(window.events.view, lambda e: e.name == "Sandbox Summit 2026")
    qtbot.waitUntil(lambda: window.entries.model.rowCount() >= 3, timeout=10_000)
    # the menus a desktop user expects
    titles = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert titles == ["File", "Edit", "View", "Help"]
    assert not window.menu_actions.quit.shortcut().isEmpty()
    assert window.menu_actions.about.text().replace("&", "") == "About kproducer"


def test_create_edit_and_delete_an_event(window, qtbot, unique, monkeypatch):
    tab = window.events
    name = unique("Launch")
    with qtbot.waitSignal(tab.eventsLoaded, timeout=10_000):
        tab.create_event(name, "A test event")
    event = tab.selected()
    assert event is not None and event.name == name
    assert ("virtualEvent.add", "created") in activity_rows(window)
    assert name in window.status.text()

    monkeypatch.setattr(dialogs.EventDialog, "exec", lambda self: 1)
    monkeypatch.setattr(dialogs.EventDialog, "values",
                        lambda self: (name + " renamed", "Changed"))
    with qtbot.waitSignal(tab.eventsLoaded, timeout=10_000):
        tab.edit_item()
    assert tab.selected().name == name + " renamed"

    monkeypatch.setattr(events_tab, "confirm", lambda *a, **k: True)
    with qtbot.waitSignal(tab.eventsLoaded, timeout=10_000):
        tab.delete_item()
    assert all(e.id != event.id for e in tab.model.rows)
    assert tab.refresh_button.isEnabled()


def test_selecting_an_event_filters_the_entries(window, qtbot, unique):
    events = window.events
    with qtbot.waitSignal(events.eventsLoaded, timeout=10_000):
        events.create_event(unique("Empty event"))
    qtbot.waitUntil(lambda: window.entries.event_id() == events.selected().id, timeout=10_000)
    qtbot.waitUntil(lambda: window.entries.model.rowCount() == 0
                    and "no sessions" in window.entries.empty.text(), timeout=10_000)
    with qtbot.waitSignal(window.entries.entriesLoaded, timeout=10_000):
        assert select_where(events.view, lambda e: e.name == "Sandbox Summit 2026")
    assert {e.kind for e in window.entries.model.rows} >= {EntryKind.VOD, EntryKind.LIVE,
                                                           EntryKind.ROOM}


def test_create_a_live_session_creates_its_moderators_group(window, qtbot, unique):
    entries = window.entries
    event = window.events.selected()
    name = unique("Keynote")
    with qtbot.waitSignal(entries.entriesLoaded, timeout=10_000):
        entries.create_session(EntryKind.LIVE, name, event.id, 2_000_000_000, 2_000_003_600)
    entry = entries.selected()
    assert entry.name == name and entry.kind is EntryKind.LIVE and entry.event_id == event.id
    calls = activity_rows(window)
    assert ("liveStream.add", "created") in calls
    assert ("group.add", "created") in calls  # the group came with the entry
    assert f"{entry.id}_moderators" in window.status.text()
    assert entries.fields["Moderators group"].text() == f"{entry.id}_moderators"


def test_create_a_room_and_attach_an_entry_to_another_event(window, qtbot, unique,
                                                            monkeypatch):
    from kproducer.ui import session_actions

    asked = []
    monkeypatch.setattr(session_actions, "confirm", lambda *a, **k: asked.append(a) or True)
    entries, events = window.entries, window.events
    with qtbot.waitSignal(entries.entriesLoaded, timeout=10_000):
        entries.create_session(EntryKind.ROOM, unique("Green room"), events.selected().id)
    room = entries.selected()
    assert room.kind is EntryKind.ROOM

    with qtbot.waitSignal(events.eventsLoaded, timeout=10_000):
        events.create_event(unique("Other event"))
    other = events.selected()
    qtbot.waitUntil(lambda: entries.event_id() == other.id, timeout=10_000)
    with qtbot.waitSignal(entries.entriesLoaded, timeout=10_000):
        entries.attach(room.id, other.id)
    qtbot.waitUntil(lambda: any(e.id == room.id for e in entries.model.rows), timeout=10_000)
    assert selected_row(entries.view).event_id == other.id
    assert len(asked) == 1  # it left its event: the producer was asked first


def test_layout_is_restored(open_window, info, qtbot):
    first = open_window(info)
    splitter = first.events.findChild(QSplitter, "events.splitter")
    splitter.setSizes([250, 480])
    first.events.view.horizontalHeader().resizeSection(3, 222)
    first.save_state()
    sizes = splitter.sizes()

    from kproducer.ui.settings import gui_settings

    assert not gui_settings().value("window/geometry").isEmpty()
    second = open_window(info)  # (the offscreen screen clamps window sizes: not compared)
    again = second.events.findChild(QSplitter, "events.splitter")
    left, right = again.sizes()
    assert abs(left / (left + right) - sizes[0] / sum(sizes)) < 0.03
    assert second.events.view.horizontalHeader().sectionSize(3) == 222


def test_the_event_dialog_says_when_the_name_is_taken_already(window, qtbot):
    """Kaltura allows two events of one name (the CLI warns); the dialog says so as the
    producer types, from the events listed (no request), and not for the event's own name."""
    tab = window.events
    qtbot.waitUntil(lambda: tab.model.rowCount() > 0, timeout=10_000)
    summit = next(e for e in tab.model.rows if e.name == "Sandbox Summit 2026")
    new = dialogs.EventDialog(tab, others=tab.model.rows)
    qtbot.addWidget(new)
    new.show()
    new.name.setText("  sandbox   SUMMIT 2026 ")
    assert new.clash.isVisible() and new.ok.isEnabled()
    assert f"already exists (ID {summit.id})" in new.clash.text()
    assert "Create makes another event" in new.clash.text()
    new.name.setText("Sandbox Summit 2027")
    assert not new.clash.isVisible()
    edit = dialogs.EventDialog(tab, summit, others=tab.model.rows)
    qtbot.addWidget(edit)
    edit.show()
    assert not edit.clash.isVisible()  # its own name is no clash
