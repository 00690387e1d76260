"""Account data is never rendered as Qt rich text (issue 15 item 6)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox

from kproducer.ui import plain_text
from kproducer.ui.table import select_where

HOSTILE = ('<font size=7 color=red>YOUR ACCOUNT IS SUSPENDED</font>'
           '<img src="file:///etc/passwd">')


def test_an_event_named_with_markup_shows_as_plain_text(window, qtbot, unique):
    tab = window.events
    name = unique("ev") + HOSTILE
    with qtbot.waitSignal(tab.eventsLoaded, timeout=10_000):
        tab.create_event(name, HOSTILE)
    select_where(tab.view, lambda e: e.name == name)
    qtbot.waitUntil(lambda: tab.title.text() == name, timeout=10_000)
    shown = [label for label in window.findChildren(QLabel)
             if HOSTILE in label.text() and label.isVisible()]
    assert {tab.title, tab.d_description} <= set(shown)
    assert all(label.textFormat() == Qt.TextFormat.PlainText for label in shown)


def test_confirmations_and_failures_with_account_data_are_plain(window, qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from kproducer.ui import common
    from kproducer.ui.failure import Failure

    seen: list[QMessageBox] = []

    def shown(box: QMessageBox) -> int:
        seen.append(box)
        return 0

    monkeypatch.setattr(QMessageBox, "exec", shown)
    common.confirm(window, "Delete", f"Delete “{HOSTILE}”?", "Delete", HOSTILE)
    failure = common.failure_box(window, Failure("Load", f"“{HOSTILE}” failed.", HOSTILE, ValueError()))
    qtbot.addWidget(failure)
    for box in (seen[0], failure):
        labels = [label for label in box.findChildren(QLabel) if HOSTILE in label.text()]
        assert labels
        assert all(label.textFormat() == Qt.TextFormat.PlainText for label in labels)


def test_the_room_camera_prompt_is_plain(window):
    assert window.preview.media_text.textFormat() == Qt.TextFormat.PlainText


def test_our_own_html_may_opt_in(window, qtbot):
    box = plain_text.allow_rich(QMessageBox(QMessageBox.Icon.NoIcon, "About", "<b>kproducer</b>",
                                            QMessageBox.StandardButton.Ok, window))
    qtbot.addWidget(box)
    plain_text.make_plain(box).show()
    label = next(label for label in box.findChildren(QLabel) if "kproducer" in label.text())
    assert label.textFormat() != Qt.TextFormat.PlainText


def test_separate_dialogs_show_account_data_as_plain_text(qtbot, no_account_env):
    """The QR, Accounts, Export and Add-moderator dialogs: every label is plain text."""
    from kproducer.activity import ActivityLog
    from kproducer.services.models import Entry, EntryKind
    from kproducer.ui.accounts_dialog import AccountsDialog
    from kproducer.ui.common import Deps
    from kproducer.ui.dialogs import ModeratorDialog
    from kproducer.ui.export_dialog import ExportDialog
    from kproducer.ui.qr_dialog import QrDialog
    from kproducer.ui.worker import Worker

    worker = Worker()
    try:
        deps = Deps(worker, lambda text: None, lambda: None)
        entry = Entry(id="0_plain", name=HOSTILE, kind=EntryKind.LIVE, status="ready")
        host = QrDialog("x")
        qtbot.addWidget(host)
        dialogs = [QrDialog(HOSTILE * 200), AccountsDialog(deps, ActivityLog(), None),
                   ExportDialog(deps, [entry], [], entry.id), ModeratorDialog(host, entry)]
        for dialog in dialogs:
            qtbot.addWidget(dialog)
        _, _, export, moderator = dialogs
        assert any(HOSTILE in label.text() for label in moderator.findChildren(QLabel))
        export.status.setText(HOSTILE)  # a label keeps its format across setText
        for dialog in dialogs:
            labels = dialog.findChildren(QLabel)
            assert labels
            assert all(label.textFormat() == Qt.TextFormat.PlainText for label in labels), dialog
    finally:
        worker.shutdown(10_000)


def test_tooltips_with_account_or_csv_data_show_it_literally(window, qtbot):
    from kproducer.ui.import_panel import COLUMNS
    from kproducer.ui.table import RowsModel

    tip = plain_text.tooltip(HOSTILE)
    from PySide6.QtGui import QTextDocument

    shown = QTextDocument()
    shown.setHtml(tip)  # as the tooltip renders it: the very text, no markup, no image
    assert shown.toPlainText() == HOSTILE and "<img" not in tip
    assert plain_text.tooltip("") == ""  # no tooltip at all
    window.status.set_connection("Connected", HOSTILE)
    assert window.status.connection.toolTip() == tip
    from kproducer.services.moderators import RowResult

    model = RowsModel(COLUMNS)
    model.set_rows([RowResult(2, "u", "failed", HOSTILE)])
    error = next(n for n, c in enumerate(COLUMNS) if c.title == "Error")
    assert model.data(model.index(0, error), Qt.ItemDataRole.ToolTipRole) == tip
