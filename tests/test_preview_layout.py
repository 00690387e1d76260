"""The Preview tab at 1024 px: its combos and the token panel's expiries read whole."""

from __future__ import annotations

import preview_qt  # noqa: F401  (QtWebEngine set up before the QApplication exists)
import pytest
from preview_support import close_account, open_account, seeded
from PySide6.QtWidgets import QApplication, QStyle, QStyleOptionComboBox

from kproducer.services.models import EntryKind, Role
from kproducer.ui.common import Deps
from kproducer.ui.preview_tab import PreviewTab
from kproducer.ui.worker import Worker


@pytest.fixture
def account(info):
    acct = open_account(info)
    yield acct
    close_account(acct)


def text_room(combo):
    """The width a combo gives its text (without its frame and arrow)."""
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    rect = combo.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                        QStyle.SubControl.SC_ComboBoxEditField, combo)
    return rect.width()


def test_combos_and_expiries_read_whole_at_1024(qtbot, account):
    live = seeded(account, EntryKind.LIVE)
    worker = Worker()
    tab = PreviewTab(Deps(worker, lambda text: None, lambda: account))
    tab.resize(1010, 420)  # the tab inside a 1024×700 window with the Activity dock
    qtbot.addWidget(tab)
    tab.show()
    try:
        # Listed, and the tab's own first preview settled (the settle below is for live).
        qtbot.waitUntil(lambda: not worker.jobs and (
            tab.browser is None or tab.browser.result is not None), timeout=20_000)
        with qtbot.waitSignal(tab.previewSettled, timeout=20_000):
            tab.show_entry(live, Role.ATTENDEE)
        QApplication.processEvents()
        chooser = tab.chooser
        for combo in (chooser.event_combo, chooser.entry_combo, chooser.user_combo):
            shown = combo.currentText()
            assert shown and combo.fontMetrics().horizontalAdvance(shown) <= text_room(combo), \
                shown
        panel = tab.panel
        for section in ("Player session (KS)", "Chat token (CnC JWT)"):
            field = panel.values[(section, "Expires")]
            day = field.text().split(" (in ")[0]  # "Wed 02 Dec 2026, 21:04 UTC" on one line
            assert field.fontMetrics().horizontalAdvance(day) <= field.width(), day
        privileges = panel.values[("Player session (KS)", "Privileges")]
        for line in privileges.text().splitlines():
            assert privileges.fontMetrics().horizontalAdvance(line) <= privileges.width(), line
    finally:
        tab.shutdown()
        worker.shutdown(20_000)
