"""Every Alt+letter reaches one thing: on each tab (with the menu bar) and in each dialog, no
two visible captions share a mnemonic (Qt cycles the focus between clashing ones instead of
acting, so Alt+M that should pick Moderators only moved the focus)."""

from __future__ import annotations

from collections import defaultdict

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QTabBar, QWidget

from kproducer.ui import plain_text
from kproducer.ui.table import select_where


def _caption_widgets(root: QWidget) -> list[tuple[str, str]]:
    """(mnemonic key, caption) of every visible caption under ``root``."""
    found: list[tuple[str, str]] = []
    for widget in root.findChildren(QWidget):
        if not widget.isVisibleTo(root):
            continue
        texts: list[str] = []
        if isinstance(widget, QAbstractButton | QLabel):
            texts = [widget.text()]
        elif isinstance(widget, QGroupBox):
            texts = [widget.title()]
        elif isinstance(widget, QTabBar):
            texts = [widget.tabText(i) for i in range(widget.count()) if widget.isTabVisible(i)]
        for text in texts:
            if plain_text.has_mnemonic(text):
                found.append((QKeySequence.mnemonic(text).toString(), text))
    return found


def clashes(captions: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Keys that more than one caption claims."""
    by_key: dict[str, list[str]] = defaultdict(list)
    for key, text in captions:
        by_key[key].append(text)
    return {k: v for k, v in by_key.items() if len(v) > 1}


def test_each_tab_s_mnemonics_are_distinct_with_the_menus_and_the_dock(window, qtbot):
    menus = [(QKeySequence.mnemonic(a.text()).toString(), a.text())
             for a in window.menuBar().actions() if plain_text.has_mnemonic(a.text())]
    menus += _caption_widgets(window.dock)  # the Activity dock is on screen with every tab
    assert clashes(menus) == {}
    found = {}
    # The seeded event's sessions (in the shared sandbox a test's own event may be newest).
    assert select_where(window.events.view, lambda e: e.name == "Sandbox Summit 2026")
    summit = window.events.selected()
    qtbot.waitUntil(lambda: window.entries.event_id() == summit.id and any(
        e.kind.value == "live" for e in window.entries.model.rows), timeout=10_000)
    live = next(e for e in window.entries.model.rows if e.kind.value == "live")
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        page = window.tabs.widget(index)
        qtbot.waitUntil(page.isVisible, timeout=5_000)
        if page is window.entries:  # a live session's details: its switches and kit too
            assert select_where(page.view, lambda e: e.id == live.id)
            qtbot.waitUntil(page.details.live.isVisible, timeout=5_000)
            reveal = page.details.live.encoder.reveal
            qtbot.waitUntil(reveal.isEnabled, timeout=5_000)
            reveal.click()  # "Hide" keeps Alt+L
            assert reveal.text() == "Hide" and reveal.shortcut().toString() == "Alt+L"
            reveal.click()
            assert reveal.text() == "Revea&l" and reveal.shortcut().toString() == "Alt+L"
        captions = menus + _caption_widgets(page) + [
            (QKeySequence.mnemonic(t).toString(), t)
            for t in (window.tabs.tabText(i) for i in range(window.tabs.count()))
            if plain_text.has_mnemonic(t)]
        if clashes(captions):
            found[window.tabs.tabText(index)] = clashes(captions)
    assert found == {}, "\n".join(f"{k}: {v}" for k, v in found.items())


def test_each_dialog_s_mnemonics_are_distinct(qtbot, window, no_account_env):
    from kproducer.activity import ActivityLog
    from kproducer.services.models import Entry, EntryKind
    from kproducer.ui.accounts_dialog import AccountsDialog
    from kproducer.ui.attach_dialog import AttachDialog
    from kproducer.ui.dialogs import EntryDialog, EventDialog, ModeratorDialog
    from kproducer.ui.export_dialog import ExportDialog
    from kproducer.ui.session_editor import EditSessionDialog
    from kproducer.ui.simulive_dialog import SimuliveDialog

    deps = window.deps
    entry = Entry(id="0_mnemo", name="Mnemonics", kind=EntryKind.LIVE, status="ready")
    video = Entry(id="0_video", name="Video", kind=EntryKind.VOD, status="2", duration=60)
    found = {}
    for dialog in (ExportDialog(deps, [entry], [], entry.id),
                   AccountsDialog(deps, ActivityLog(), None), ModeratorDialog(window, entry),
                   EntryDialog(window, [], None), AttachDialog(window, deps, [], None),
                   EventDialog(window), EditSessionDialog(window, entry, [], {}),
                   SimuliveDialog(window, video, [], None)):
        qtbot.addWidget(dialog)
        dialog.show()
        if clashes(_caption_widgets(dialog)):
            found[type(dialog).__name__] = clashes(_caption_widgets(dialog))
        dialog.close()
    assert found == {}, "\n".join(f"{k}: {v}" for k, v in found.items())
