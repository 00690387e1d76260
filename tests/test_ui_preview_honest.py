"""Issue 16 items 1-3 in the window: a preview that changes nothing, opens on the session
selected elsewhere under its current event, and says what happened when nothing could open.

Real window on the shared sandbox, real QtWebEngine with the stand-in player and CnC.
"""

from __future__ import annotations

import json
from pathlib import Path

import preview_qt  # noqa: F401  (QtWebEngine set up before the QApplication exists)
from cli_support import Runner
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox, QPushButton

from kproducer.sandbox import SandboxInfo
from kproducer.services import moderators, preview_user, sessions
from kproducer.services.facts import Person
from kproducer.services.models import EntryKind, Role
from kproducer.ui import desktop_open
from kproducer.ui.preview_chooser import PREVIEW_USER_LABEL
from kproducer.ui.qr_dialog import QrDialog

SETTLE_MS = 20_000


def new_session(window, qtbot, unique, event_id=None):
    """A fresh live session of the selected event, selected on the Entries tab."""
    entries = window.entries
    window.tabs.setCurrentWidget(entries)
    with qtbot.waitSignal(entries.entriesLoaded, timeout=10_000):
        entries.create_session(EntryKind.LIVE, unique("Honest"),
                               event_id or window.events.selected().id)
    entry = entries.selected()
    assert entry is not None
    return entry


def settle(qtbot, tab, action):
    with qtbot.waitSignal(tab.previewSettled, timeout=SETTLE_MS) as blocker:
        action()
    return blocker.args[0]


def standin(qtbot, tab):
    box: list[object] = []
    tab.browser.evaluate("JSON.stringify(window.kpStandin || {})", box.append)
    qtbot.waitUntil(lambda: bool(box), timeout=5_000)
    return json.loads(str(box[0]))


def to_preview(window, qtbot):
    """Bring the Preview tab to the front and wait for the page it opens on."""
    return settle(qtbot, window.preview, lambda: window.tabs.setCurrentWidget(window.preview))


# --- item 1: the preview changes nothing -------------------------------------------------------


def test_a_moderator_preview_adds_nobody_to_the_moderators(window, qtbot, unique, kp: Runner,
                                                           account_env: SandboxInfo):
    account = window.account()
    entry = new_session(window, qtbot, unique)
    moderators.add(account, entry.id, Person("mia@example.com", "Mia", "Moderator"))
    tab = window.preview
    to_preview(window, qtbot)
    result = settle(qtbot, tab, lambda: tab.chooser.moderator.setChecked(True))
    assert result["ok"] is True and result["role"] == "moderator"
    assert result["entry_id"] == entry.id and result["user_id"] == preview_user.USER_ID
    cnc = standin(qtbot, tab)["cnc"]  # still the moderator view: the JWT's groups claim
    assert cnc["role"] == "moderator" and cnc["groups"] == [f"{entry.id}_moderators"]
    assert cnc["groupMember"] is False
    # what stays on the account is named and explained
    assert tab.chooser.user_combo.currentText() == PREVIEW_USER_LABEL
    panel = "\n".join(label.text() for label in tab.panel.body.findChildren(type(tab.status)))
    assert "in no moderators group" in panel and preview_user.USER_ID in panel
    assert "adds nobody to the session's moderators group" in panel

    assert {m.user_id for m in moderators.list_moderators(account, entry.id)} == {
        "mia@example.com"}
    listed = kp("moderators", "list", "--entry", entry.id, "--json").json()["moderators"]
    assert [m["user_id"] for m in listed] == ["mia@example.com"]
    assert preview_user.USER_ID not in kp("moderators", "list", "--entry", entry.id).out
    mods = window.moderators
    window.tabs.setCurrentWidget(mods)
    with qtbot.waitSignal(mods.loaded, timeout=10_000):
        mods.show_entry(entry)
    assert [m.user_id for m in mods.model.rows] == ["mia@example.com"]


# --- item 2: the preview opens on the selected session, under its current event ------------------


def test_the_preview_follows_the_session_selected_on_entries_and_moderators(window, qtbot,
                                                                            unique):
    first = new_session(window, qtbot, unique)
    result = to_preview(window, qtbot)
    chooser = window.preview.chooser
    assert result["entry_id"] == first.id
    assert chooser.event_id() == first.event_id and chooser.event_combo.currentData() is not None
    assert chooser.event_combo.currentText() != "All sessions"

    second = new_session(window, qtbot, unique)  # selected on the Entries tab now
    assert to_preview(window, qtbot)["entry_id"] == second.id

    mods = window.moderators
    window.tabs.setCurrentWidget(mods)
    with qtbot.waitSignal(mods.loaded, timeout=10_000):
        mods.show_entry(first)
    assert to_preview(window, qtbot)["entry_id"] == first.id  # from the Moderators tab

    # coming back without selecting anything else keeps what was chosen on the Preview tab
    index = chooser.entry_combo.findData(second.id)
    settle(qtbot, window.preview, lambda: chooser.entry_combo.setCurrentIndex(index))
    window.tabs.setCurrentWidget(window.events)
    window.tabs.setCurrentWidget(window.preview)
    assert chooser.current_entry().id == second.id


def test_a_moved_recording_previews_under_its_new_event(window, qtbot, unique):
    account = window.account()
    entry = new_session(window, qtbot, unique)
    old_event = entry.event_id
    to_preview(window, qtbot)  # the chooser has listed the old event's sessions
    from kproducer.services import events as event_service

    other = event_service.create(account, unique("Other event"))
    sessions.update(account, entry.id, event_id=other.id)  # moved (as the CLI or KMC would)
    entries = window.entries
    window.tabs.setCurrentWidget(entries)
    index = entries.event_picker.findData(other.id)
    if index < 0:
        with qtbot.waitSignal(window.events.eventsLoaded, timeout=10_000):
            window.events.refresh()
        index = entries.event_picker.findData(other.id)
    with qtbot.waitSignal(entries.entriesLoaded, timeout=10_000):
        entries.event_picker.setCurrentIndex(index)
    assert entries.selected().id == entry.id and entries.selected().event_id == other.id

    result = to_preview(window, qtbot)
    chooser = window.preview.chooser
    assert result["entry_id"] == entry.id
    assert chooser.event_id() == other.id
    assert window.preview.page.tokens.event_id == other.id  # the tokens name the new event
    assert entry.id not in [e.id for e in chooser.entries.get(old_event, [])]


# --- item 3: saying what happened when nothing could open ---------------------------------------


def test_no_browser_is_said_and_the_path_can_be_copied(window, qtbot, unique):
    new_session(window, qtbot, unique)
    to_preview(window, qtbot)
    tab = window.preview
    asked: list[str] = []
    tab.open_url = lambda url: asked.append(url.toLocalFile()) and False  # no launcher
    tab.open_button.click()
    box = next(w for w in tab.findChildren(QMessageBox) if w.isVisible())
    assert "no application kproducer could launch" in box.text()
    assert asked[0] in box.informativeText()
    assert "opened in your browser" not in window.status.text()
    assert "Could not open the preview page" in window.status.text()
    copy = next(b for b in box.findChildren(QPushButton) if b.text() == "Copy file path")
    copy.click()
    assert QGuiApplication.clipboard().text() == asked[0]
    assert Path(asked[0]).read_text(encoding="utf-8") == tab.page.html

    tab.open_url = lambda url: True  # a browser opened
    tab.open_button.click()
    assert "opened in your browser" in window.status.text()


def test_the_qr_code_of_a_sandbox_link_says_a_phone_cannot_reach_it(qtbot):
    local = QrDialog("http://127.0.0.1:8123/p/1/embedPlaykitJs/uiconf_id/2?entry_id=0_a&ks=x")
    qtbot.addWidget(local)
    local.show()
    assert local.unreachable.isVisible()
    assert "phone cannot open this link" in local.unreachable.text()
    real = QrDialog("https://cdnapisec.kaltura.com/p/1/embedPlaykitJs/uiconf_id/2?ks=x")
    qtbot.addWidget(real)
    real.show()
    assert not real.unreachable.isVisible()
    assert desktop_open.is_loopback("http://localhost:1/") and \
        not desktop_open.is_loopback("https://www.kaltura.com/")


def test_a_moderator_link_still_makes_the_membership(window, qtbot, unique):
    """Only previews skip the membership: a link given to a moderator makes them one."""
    from kproducer.services import people

    account = window.account()
    entry = new_session(window, qtbot, unique)
    people.prepare(account, entry.id, Person("lin@example.com"), Role.MODERATOR)
    assert {m.user_id for m in moderators.list_moderators(account, entry.id)} == {
        "lin@example.com"}
