"""Issue 16 item 6: captions show their mnemonic (never a literal "&"), and the window's
commands work while a text field has the keyboard focus (pytest-qt, real widgets)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QWidget

from kproducer.ui import plain_text


def literal_ampersands(root: QWidget) -> list[str]:
    """Captions with a mnemonic but no buddy: Qt draws their "&" as text."""
    return [label.text() for label in root.findChildren(QLabel)
            if plain_text.has_mnemonic(label.text()) and label.buddy() is None]


def test_has_mnemonic():
    assert plain_text.has_mnemonic("&Input CSV:") and plain_text.has_mnemonic("O&utput:")
    assert not plain_text.has_mnemonic("Q && A") and not plain_text.has_mnemonic("Format:")


def test_every_caption_with_a_mnemonic_has_its_buddy(qtbot, window, no_account_env):
    from kproducer.activity import ActivityLog
    from kproducer.services.models import Entry, EntryKind
    from kproducer.ui.accounts_dialog import AccountsDialog
    from kproducer.ui.attach_dialog import AttachDialog
    from kproducer.ui.dialogs import EntryDialog, EventDialog, ModeratorDialog
    from kproducer.ui.export_dialog import ExportDialog
    from kproducer.ui.qr_dialog import QrDialog
    from kproducer.ui.session_editor import EditSessionDialog

    deps = window.deps
    entry = Entry(id="0_mnemo", name="Mnemonics", kind=EntryKind.LIVE, status="ready")
    dialogs = [ExportDialog(deps, [entry], [], entry.id), AccountsDialog(deps, ActivityLog(), None),
               ModeratorDialog(window, entry), EntryDialog(window, [], None),
               AttachDialog(window, deps, [], None), EventDialog(window),
               EditSessionDialog(window, entry, [], {}), QrDialog("https://example.com/")]
    window.moderators.importer  # noqa: B018  (the import panel is made when first used)
    for root in (window, *dialogs):
        if root is not window:
            qtbot.addWidget(root)
        assert literal_ampersands(root) == [], type(root).__name__
    export = dialogs[0]
    assert export.source.parentWidget() is export
    buddies = {label.text(): label.buddy() for label in export.findChildren(QLabel)}
    assert buddies["&Input CSV:"] is export.source and buddies["O&utput:"] is export.output


def test_the_export_dialog_s_mnemonics_are_distinct(qtbot, window):
    from kproducer.ui.export_dialog import ExportDialog

    dialog = ExportDialog(window.deps)
    qtbot.addWidget(dialog)
    keys = [QKeySequence.mnemonic(w.text()).toString()
            for w in dialog.findChildren(QWidget) if hasattr(w, "text")
            and isinstance(w.text(), str) and plain_text.has_mnemonic(w.text())]
    assert len(keys) == len(set(keys)), sorted(keys)


class EditingKeys(QObject):
    """What a line edit does with Ctrl+E under X11 (end of line): it claims the key.

    The offscreen platform has no X11 key bindings, so the test's line edit claims Ctrl+E
    the way Qt's does on a Linux desktop (``QKeySequence::MoveToEndOfLine``).
    """

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and \
                QKeySequence(event.keyCombination()) == QKeySequence("Ctrl+E"):
            event.accept()
        return False


def test_ctrl_e_opens_the_export_dialog_while_a_text_field_has_the_focus(window, qtbot):
    from kproducer.ui.export_dialog import ExportDialog

    window.activateWindow()
    window.tabs.setCurrentWidget(window.moderators)
    search = window.moderators.search
    assert isinstance(search, QLineEdit)
    claims = EditingKeys(search)
    search.installEventFilter(claims)  # before the window's own filter sees the field
    search.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is search, timeout=5_000)
    search.setText("some text")
    qtbot.keyClick(search, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(ExportDialog)),
                    timeout=5_000)
    dialog = next(d for d in window.findChildren(ExportDialog) if d.isVisible())
    dialog.close()
    # the field keeps its own editing keys (Ctrl+A selects all its text)
    search.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is search, timeout=5_000)
    qtbot.keyClick(search, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert search.selectedText() == "some text"
