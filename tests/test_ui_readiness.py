"""The Go-live tab in the window (pytest-qt, real widgets, the sandbox over HTTP): traffic
lights per session, Check now, last checked, each finding with its fix button; the check
runs on the worker, and the fixes create the group or open the right place."""

from __future__ import annotations

import pytest
from conftest import reset_stats, stats
from PySide6.QtWidgets import QLabel, QPushButton

from kproducer.services.readiness_model import Fix
from kproducer.ui.readiness_tab import GREEN, WHOLE_EVENT


@pytest.fixture
def info(fresh_sandbox):
    """A sandbox of its own: its seeded event (a VOD, a live session, a room) as seeded."""
    return fresh_sandbox.info


@pytest.fixture
def window(open_window, info):
    return open_window(info)


def checked(window, qtbot):
    """Bring the Go-live tab in front and wait for its check."""
    tab = window.readiness
    with qtbot.waitSignal(tab.checked, timeout=20_000):
        window.tabs.setCurrentWidget(tab)
    return tab


def row_named(tab, name):
    return next(r for r in tab.model.rows if r.name == name)


def texts(tab):
    return [label.text() for label in tab.list_holder.findChildren(QLabel)]


def test_the_tab_checks_the_event_when_shown_and_lights_each_session(window, qtbot, info):
    reset_stats(info)
    tab = checked(window, qtbot)
    assert stats(info)["http_requests"] <= 3
    names = [r.name for r in tab.model.rows]
    assert names[0] == WHOLE_EVENT
    assert set(names[1:]) == {"Opening keynote (recording)", "Live panel: the future of events",
                              "Speaker green room"}
    assert row_named(tab, "Live panel: the future of events").light == GREEN
    keynote = row_named(tab, "Opening keynote (recording)")
    assert keynote.light == "● 1 to fix"
    assert "not ready" in tab.verdict.text() and "Sandbox Summit 2026" in tab.verdict.text()
    assert tab.last_checked.text().startswith("Last checked ")


def test_a_finding_shows_its_sentence_fix_and_button(window, qtbot):
    tab = checked(window, qtbot)
    from kproducer.ui.table import select_where

    assert select_where(tab.view, lambda r: r.name == "Opening keynote (recording)")
    shown = texts(tab)
    assert any(t.startswith("✗  The session's moderators group") for t in shown)
    assert any(t.startswith("Fix: Create the group") for t in shown)
    assert any(t.startswith("✓  The recording is ready to play.") for t in shown)
    button = tab.list_holder.findChild(QPushButton, f"fix.{Fix.CREATE_GROUP.value}")
    assert button is not None and button.text() == "Create the moderators group"


def test_create_the_group_fixes_it_and_checks_again(window, qtbot, info):
    tab = checked(window, qtbot)
    from kproducer.ui.table import select_where

    select_where(tab.view, lambda r: r.name == "Opening keynote (recording)")
    button = tab.list_holder.findChild(QPushButton, f"fix.{Fix.CREATE_GROUP.value}")
    reset_stats(info)
    with qtbot.waitSignal(tab.checked, timeout=20_000):
        button.click()
    assert stats(info)["by_action"]["group_group.add"] == 1
    keynote = row_named(tab, "Opening keynote (recording)")
    moderators = next(f for f in keynote.findings if f.check == "moderators")
    assert not moderators.ok and moderators.action is Fix.ADD_MODERATORS  # now: add some
    assert "Created the moderators group" in window.status.text()


def test_add_moderators_opens_the_moderators_tab_on_the_session(window, qtbot):
    tab = checked(window, qtbot)
    keynote = row_named(tab, "Opening keynote (recording)")
    tab.fixRequested.emit(Fix.ADD_MODERATORS, keynote.entry)
    assert window.tabs.currentWidget() is window.moderators
    assert window.moderators.entry_id() == keynote.entry.id


def test_open_encoder_selects_the_live_session_on_entries(window, qtbot):
    tab = checked(window, qtbot)
    live = row_named(tab, "Live panel: the future of events").entry
    tab.fixRequested.emit(Fix.OPEN_ENCODER, live)
    assert window.tabs.currentWidget() is window.entries
    qtbot.waitUntil(lambda: getattr(window.entries.selected(), "id", None) == live.id,
                    timeout=10_000)


def test_check_now_checks_again_warm_in_one_request(window, qtbot, info):
    tab = checked(window, qtbot)
    reset_stats(info)
    with qtbot.waitSignal(tab.checked, timeout=20_000):
        tab.check_button.click()
    assert stats(info)["http_requests"] == 1
    assert tab.check_button.isEnabled()


def test_choosing_another_event_checks_that_one(window, qtbot, info):
    tab = checked(window, qtbot)
    window.events.create_event("An empty event")
    qtbot.waitUntil(lambda: getattr(window.events.selected(), "name", "") == "An empty event",
                    timeout=10_000)
    window.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.report is not None and tab.report.event.name == "An empty event",
                    timeout=20_000)
    assert "no sessions" in " ".join(f.message for f in tab.report.findings)


def test_finding_texts_are_plain_text(window, qtbot):
    from PySide6.QtCore import Qt

    tab = checked(window, qtbot)
    labels = tab.list_holder.findChildren(QLabel)
    assert labels and all(label.textFormat() == Qt.TextFormat.PlainText for label in labels)


def test_edit_refresh_checks_again_when_the_tab_is_in_front(window, qtbot):
    tab = checked(window, qtbot)
    window.update_actions()
    assert window.menu_actions.refresh.isEnabled()
    with qtbot.waitSignal(tab.checked, timeout=20_000):
        window.menu_actions.refresh.trigger()
