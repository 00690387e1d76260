"""The Accounts dialog's form as a producer meets it (issue 16 item 8).

Letters in an ID are refused with a sentence (never cut to the digits), a profile without a
player uiconf ID saves with a warning, the dialog says where the uiconf IDs are found, the
three groups' fields line up, no placeholder is cut off, every mnemonic is unique (Alt+S is
Save), and a failed Connect keeps the dialog open with the reason.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QLabel,
    QLineEdit,
    QStyle,
    QStyleOptionFrame,
    QToolButton,
)

from kproducer.local.profiles import ProfileNotFoundError, ProfileStore
from kproducer.local.secret_store import SecretKind
from kproducer.ui.accounts_dialog import AccountsDialog
from kproducer.ui.common import Deps
from kproducer.ui.worker import Worker


@pytest.fixture
def dialog(qtbot, no_account_env):
    from kproducer.activity import ActivityLog

    worker = Worker()
    box = AccountsDialog(Deps(worker, lambda text: None, lambda: None), ActivityLog(), None)
    qtbot.addWidget(box)
    box.show()
    qtbot.waitUntil(lambda: box.keyring_checked, timeout=10_000)
    yield box
    worker.shutdown(10_000)


def type_into(qtbot, edit: QLineEdit, text: str) -> None:
    """Type as a producer does (key by key, so textEdited fires and no validator is skipped)."""
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)
    qtbot.keyClicks(edit, text)


def fill(qtbot, box, info, name, secret=None, player_uiconf=True):
    box.add_profile()
    form = box.form
    type_into(qtbot, form.name, name)
    type_into(qtbot, form.service_url, info.service_url)
    type_into(qtbot, form.partner_id, str(info.partner_id))
    type_into(qtbot, form.admin_user_id, info.admin_user_id)
    type_into(qtbot, form.secret_edits[SecretKind.ADMIN_SECRET], secret or info.admin_secret)
    if player_uiconf:
        type_into(qtbot, form.player_uiconf_id, str(info.player_uiconf_id))


def test_letters_in_the_partner_id_are_kept_and_refused(dialog, qtbot, info, dict_keyring):
    fill(qtbot, dialog, info, name="Letters")
    type_into(qtbot, dialog.form.partner_id, "abc123")
    assert dialog.form.partner_id.text() == "abc123"  # not silently 123
    sentence = "⚠ The partner ID is a number (digits only, e.g. 1234567), not “abc123”."
    assert dialog.outcome.text() == sentence
    assert not dialog.save()
    assert dialog.outcome.text() == sentence
    with pytest.raises(ProfileNotFoundError):
        ProfileStore().get("Letters")
    type_into(qtbot, dialog.form.player_uiconf_id, "12x")
    assert dialog.outcome.text() == sentence  # the first problem is named first
    type_into(qtbot, dialog.form.partner_id, str(info.partner_id))
    assert dialog.outcome.text() == "⚠ The player uiconf ID is a number (digits only, e.g. " \
                                    "1234567), not “12x”."
    type_into(qtbot, dialog.form.player_uiconf_id, str(info.player_uiconf_id))
    assert dialog.outcome.text() == ""  # fixed: the warning goes


def test_saving_without_a_player_uiconf_id_warns(dialog, qtbot, info, dict_keyring):
    fill(qtbot, dialog, info, name="No player", player_uiconf=False)
    assert dialog.save()
    qtbot.waitUntil(lambda: dialog.outcome.text().startswith("Saved"), timeout=10_000)
    assert "⚠ It has no player uiconf ID: shared links and the preview need one" \
        in dialog.outcome.text()
    assert ProfileStore().get("No player").player_uiconf_id is None  # saved all the same

    fill(qtbot, dialog, info, name="With player")
    assert dialog.save()
    qtbot.waitUntil(lambda: dialog.outcome.text().startswith("Saved"), timeout=10_000)
    assert "uiconf" not in dialog.outcome.text()


def test_the_dialog_says_where_the_uiconf_ids_are_found(dialog):
    dialog.add_profile()
    where = dialog.form.where
    assert where.isVisible() and where.textFormat() == Qt.TextFormat.PlainText
    assert "KMC › Studio" in where.text()
    assert "Chat and Collaboration" in where.text() and "uiConfId" in where.text()
    assert "Studio" in dialog.form.player_uiconf_id.toolTip()
    assert "Chat and Collaboration" in dialog.form.cnc_uiconf_id.toolTip()


def edits(box) -> list[QLineEdit]:
    return [e for e in box.form.findChildren(QLineEdit) if e.isVisible()]


def test_the_fields_of_the_three_groups_line_up(dialog, qtbot):
    dialog.add_profile()
    qtbot.waitUntil(lambda: len(edits(dialog)) == 12)
    lefts = {e.mapTo(dialog, e.rect().topLeft()).x() for e in edits(dialog)}
    rights = {e.mapTo(dialog, e.rect().topRight()).x() for e in edits(dialog)}
    assert len(lefts) == 1, lefts
    assert len(rights) == 1, rights


def text_room(edit: QLineEdit) -> int:
    """The width the edit gives its text: contents, less margins and the clear button."""
    option = QStyleOptionFrame()
    edit.initStyleOption(option)
    rect = edit.style().subElementRect(QStyle.SubElement.SE_LineEditContents, option, edit)
    margins = edit.textMargins()
    buttons = sum(b.width() for b in edit.findChildren(QToolButton) if b.isVisibleTo(edit))
    # Qt keeps 2 px each side of the text (QLineEditPrivate::horizontalMargin).
    return rect.width() - margins.left() - margins.right() - buttons - 4


@pytest.mark.parametrize("size", [None, (1024, 700)], ids=["default", "1024x700"])
def test_no_placeholder_is_cut_off(dialog, qtbot, size):
    if size is not None:  # as large as a 1024x700 screen allows, at least its default
        dialog.resize(min(dialog.width(), size[0]), min(dialog.height(), size[1]))
    for selected in ("new", "saved-like"):
        dialog.add_profile()
        if selected == "saved-like":  # the placeholders a saved profile's secrets get
            from kproducer.local.secret_store import SecretSource

            dialog.form.show_sources(dict.fromkeys(SecretKind, SecretSource.KEYRING))
        qtbot.wait(10)
        for edit in edits(dialog):
            needed = edit.fontMetrics().horizontalAdvance(edit.placeholderText())
            assert needed <= text_room(edit), (edit.placeholderText(), needed, text_room(edit))


def mnemonic(text: str) -> str:
    return QKeySequence.mnemonic(text).toString()


def test_every_mnemonic_is_unique_and_alt_s_saves(dialog, qtbot, info, dict_keyring):
    fill(qtbot, dialog, info, name="Shortcut")
    texts = [b.text() for b in dialog.findChildren(QAbstractButton) if b.isVisible()]
    texts += [label.text() for label in dialog.findChildren(QLabel)
              if label.isVisible() and label.buddy() is not None]
    keys = [mnemonic(t) for t in texts if mnemonic(t)]
    assert len(keys) == len(set(keys)), sorted(keys)
    assert mnemonic(dialog.save_button.text()) == "Alt+S"
    assert "Alt+S" in keys and len(keys) >= 15

    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    qtbot.keyClick(dialog.form.kme_key, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: dialog.outcome.text().startswith("Saved"), timeout=10_000)
    assert ProfileStore().get("Shortcut").partner_id == info.partner_id
    assert dialog.form.kme_key.text() == ""  # the keystroke went to Save, not into a field


def test_a_failed_connect_keeps_the_dialog_open_with_the_reason(qtbot, info, dict_keyring,
                                                                no_account_env):
    from kproducer.activity import ActivityLog
    from kproducer.ui.main_window import MainWindow

    window = MainWindow(ActivityLog())
    window.confirm_quit = False
    window.persist = False
    qtbot.addWidget(window)
    window.show()
    try:
        box = window.show_accounts()
        qtbot.waitUntil(lambda: box.keyring_checked, timeout=10_000)
        fill(qtbot, box, info, name="Wrong", secret="0" * 32)
        with qtbot.waitSignal(window.connectFailed, timeout=20_000):
            box.connect_button.click()
        assert box.isVisible()
        assert box.outcome.text().startswith("⚠ Could not connect to “Wrong”: ")
        assert "admin secret was rejected" in box.outcome.text()
        assert box.connect_button.isEnabled()
        assert window.connection is None

        type_into(qtbot, box.form.secret_edits[SecretKind.ADMIN_SECRET], info.admin_secret)
        with qtbot.waitSignal(window.connected, timeout=20_000):
            box.connect_button.click()
        qtbot.waitUntil(lambda: not box.isVisible())
        assert window.connection is not None and window.connection.name == "Wrong"
    finally:
        window.worker.shutdown(20_000)
