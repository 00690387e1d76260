"""The Entries tab's session actions: Edit…/Delete… buttons, F2/Del, the context menu, and
the confirmations that say what a move or a delete takes with it."""

from __future__ import annotations

import pytest
from conftest import reset_stats, stats
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from kproducer.services.models import EntryKind
from kproducer.ui import session_actions, session_editor
from kproducer.ui.table import select_where


def make_live(window, qtbot, name, event_id):
    entries = window.entries
    entries.create_session(EntryKind.LIVE, name, event_id, 2_000_000_000, 2_000_003_600)
    qtbot.waitUntil(lambda: getattr(entries.selected(), "name", None) == name, timeout=10_000)
    return entries.selected()


def make_event(window, qtbot, name):
    with qtbot.waitSignal(window.events.eventsLoaded, timeout=10_000):
        window.events.create_event(name)
    event = window.events.selected()
    qtbot.waitUntil(lambda: window.entries.event_id() == event.id
                    and not window.worker.jobs, timeout=10_000)
    return event


class Asked:
    """Records the confirmations asked, answering with ``answer``."""

    def __init__(self, answer):
        self.answer = answer
        self.questions = []

    def __call__(self, parent, title, text, action, detail=""):
        self.questions.append((title, text, action, detail))
        return self.answer


@pytest.fixture
def info(fresh_sandbox):
    """A sandbox of its own: the shared one's newest event may hold no session by now."""
    return fresh_sandbox.info


@pytest.fixture
def window(open_window, info):
    """The window on that sandbox, its demo event and three sessions loaded."""
    return open_window(info)


def show_entries(window, qtbot):
    window.tabs.setCurrentWidget(window.entries)
    qtbot.waitUntil(lambda: window.entries.isVisible(), timeout=5_000)


def test_edit_and_delete_follow_the_selection_in_buttons_and_menu(window, qtbot):
    show_entries(window, qtbot)
    entries, acts = window.entries, window.menu_actions
    entries.view.clearSelection()
    window.update_actions()
    assert not entries.edit_button.isEnabled() and not acts.edit.isEnabled()
    assert not acts.delete.isEnabled()
    entries.view.selectRow(0)
    window.update_actions()
    assert entries.edit_button.isEnabled() and entries.delete_button.isEnabled()
    assert acts.edit.isEnabled() and acts.delete.isEnabled()
    assert acts.edit.shortcut().toString() == "F2"


def test_f2_opens_the_editor_and_del_asks_before_deleting(window, qtbot, info, monkeypatch):
    show_entries(window, qtbot)
    entries = window.entries
    entries.view.selectRow(0)
    entry = entries.selected()
    opened = []

    def cancel(dialog):
        opened.append(dialog.entry.id)
        return QDialog.DialogCode.Rejected

    monkeypatch.setattr(session_editor.EditSessionDialog, "exec", cancel)
    asked = Asked(False)
    monkeypatch.setattr(session_actions, "confirm", asked)
    entries.view.setFocus()
    reset_stats(info)
    qtbot.keyClick(entries.view, Qt.Key.Key_F2)
    assert opened == [entry.id]
    qtbot.keyClick(entries.view, Qt.Key.Key_Delete)
    assert len(asked.questions) == 1
    title, text, action, detail = asked.questions[0]
    assert (title, action) == ("Delete session", "Delete")
    assert entry.name in text and entry.id in text
    assert f"{entry.id}_moderators" in detail and "schedule" in detail
    # cancelled twice: nothing was changed (the details pane and the live badge may read)
    sent = stats(info)["by_action"]
    assert [a for a in sent if not a.endswith((".get", ".list", ".islive"))] == [], sent


def test_the_context_menu_offers_the_same_actions(window, qtbot, monkeypatch):
    show_entries(window, qtbot)
    entries = window.entries
    entries.view.selectRow(0)
    menu = entries.context_menu()
    texts = [a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()]
    assert texts == ["Edit…", "Delete…", "Moderators of this session", "Copy ID",
                     "Upload recording…", "Set thumbnail…", "Schedule as simulive…"]
    opened = []
    monkeypatch.setattr(session_editor.EditSessionDialog, "exec",
                        lambda dialog: opened.append(dialog.entry.id) or 0)
    menu.actions()[0].trigger()
    assert opened == [entries.selected().id]
    entries.view.clearSelection()
    assert not entries.context_menu().actions()[0].isEnabled()


def test_attach_says_which_event_a_session_leaves_and_asks(window, qtbot, unique, info,
                                                           monkeypatch):
    home = make_event(window, qtbot, unique("Home event"))
    live = make_live(window, qtbot, unique("Keynote"), home.id)
    other = make_event(window, qtbot, unique("Other event"))
    entries = window.entries

    asked = Asked(False)
    monkeypatch.setattr(session_actions, "confirm", asked)
    reset_stats(info)
    entries.attach(live.id, other.id)
    qtbot.waitUntil(lambda: bool(asked.questions), timeout=10_000)
    title, text, action, detail = asked.questions[0]
    assert (title, action) == ("Move session", "Move")
    assert f"“{home.name}” (ID {home.id})" in text and f"“{other.name}” (ID {other.id})" in text
    assert "no longer be listed" in detail
    qtbot.waitUntil(lambda: not window.worker.jobs, timeout=10_000)
    assert "baseentry.update" not in stats(info)["by_action"]  # declined: nothing moved

    asked.answer = True
    with qtbot.waitSignal(entries.entriesLoaded, timeout=10_000):
        entries.attach(live.id, other.id)
    assert select_where(entries.view, lambda e: e.id == live.id)
    assert entries.selected().event_id == other.id
    assert stats(info)["by_action"]["baseentry.update"] == 1
    assert f"“{other.name}”" in window.status.text()


def test_attaching_an_entry_of_no_event_does_not_ask(window, qtbot, unique, monkeypatch):
    entries = window.entries
    free = make_live(window, qtbot, unique("Loose stream"), None)
    event = make_event(window, qtbot, unique("Event"))
    asked = Asked(False)
    monkeypatch.setattr(session_actions, "confirm", asked)
    with qtbot.waitSignal(entries.entriesLoaded, timeout=10_000):
        entries.attach(free.id, event.id)
    assert asked.questions == []
    assert [e.id for e in entries.model.rows] == [free.id]


def test_the_editor_names_the_event_left_and_warns_of_a_duplicate_name(window, qtbot, unique):
    home = make_event(window, qtbot, unique("Home"))
    first = make_live(window, qtbot, unique("Panel"), home.id)
    second = make_live(window, qtbot, unique("Q&A"), home.id)
    entries = window.entries
    dialog = session_editor.EditSessionDialog(None, second, entries._events, entries.siblings())
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.ok.isEnabled()  # nothing changed yet
    dialog.name.setText(first.name.upper())
    assert dialog.warning.isVisible() and first.id in dialog.warning.text()
    assert dialog.ok.isEnabled()  # allowed, only warned about
    dialog.event_picker.setCurrentIndex(dialog.event_picker.findData(None))
    assert dialog.move_note.text() == (f"It leaves “{home.name}” (ID {home.id}) and is "
                                       "listed under no event instead.")
    changes = dialog.changes()
    assert changes.moved and changes.event_id is None and changes.name == first.name.upper()
    assert changes.start is None and changes.end is None  # the slot was not touched
