"""The Accounts dialog: built-in Sandbox, save to profiles + keyring, test, no-keyring note."""

from __future__ import annotations

import keyring
import pytest
from keyring.backends import fail

from kproducer.local.profiles import ProfileStore
from kproducer.local.secret_store import SecretKind
from kproducer.services import connect
from kproducer.ui.accounts_dialog import AccountsDialog
from kproducer.ui.common import Deps
from kproducer.ui.worker import Worker


@pytest.fixture
def dialog(qtbot, no_account_env):
    worker = Worker()
    from kproducer.activity import ActivityLog

    deps = Deps(worker, lambda text: None, lambda: None)
    box = AccountsDialog(deps, ActivityLog(), None)
    qtbot.addWidget(box)
    box.show()
    qtbot.waitUntil(lambda: box.keyring_checked, timeout=10_000)
    yield box
    worker.shutdown(10_000)


def fill(box, info, name="Production"):
    box.add_profile()
    form = box.form
    for edit, value in ((form.name, name), (form.service_url, info.service_url),
                        (form.partner_id, str(info.partner_id)),
                        (form.admin_user_id, info.admin_user_id),
                        (form.secret_edits[SecretKind.ADMIN_SECRET], info.admin_secret)):
        edit.setText(value)
        edit.textEdited.emit(value)


def test_sandbox_is_listed_first(dialog):
    assert dialog.list.item(0).text() == "Sandbox (built-in demo)"
    assert dialog.current_name() == "Sandbox"
    assert not dialog.remove_button.isEnabled()


def test_save_puts_settings_in_profiles_and_the_secret_in_the_keyring(dict_keyring, dialog,
                                                                       qtbot, info):
    fill(dialog, info)
    assert dialog.save_button.isEnabled()
    dialog.save()
    qtbot.waitUntil(lambda: dialog.outcome.text() != "", timeout=10_000)
    assert dialog.outcome.text().startswith("Saved"), dialog.outcome.text()
    assert "system keyring" in dialog.outcome.text()
    saved = ProfileStore().get("Production")
    assert saved.partner_id == info.partner_id
    assert "admin_secret" not in ProfileStore().path.read_text()
    assert info.admin_secret not in ProfileStore().path.read_text()
    assert dict_keyring.items[("kproducer", "Production:admin_secret")] == info.admin_secret
    assert dialog.current_name() == "Production"


def test_test_connection_with_unsaved_values(dialog, qtbot, info):
    fill(dialog, info, "Unsaved")
    dialog.test_button.click()
    qtbot.waitUntil(lambda: dialog.outcome.text().startswith(("✓", "⚠")), timeout=20_000)
    assert dialog.outcome.text().startswith("✓ Connected"), dialog.outcome.text()
    assert dialog.test_button.isEnabled()


def test_a_wrong_secret_is_one_sentence(dialog, qtbot, info):
    fill(dialog, info, "Wrong")
    dialog.form.secret_edits[SecretKind.ADMIN_SECRET].setText("0" * 32)
    dialog.test_button.click()
    qtbot.waitUntil(lambda: dialog.outcome.text().startswith("⚠"), timeout=20_000)
    assert "admin secret was rejected" in dialog.outcome.text()


def test_without_a_keyring_the_dialog_says_so(qtbot, no_account_env):
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    connect.default_secret_store.cache_clear()
    try:
        from kproducer.activity import ActivityLog

        worker = Worker()
        box = AccountsDialog(Deps(worker, lambda t: None, lambda: None), ActivityLog(), None)
        qtbot.addWidget(box)
        qtbot.waitUntil(lambda: box.keyring_checked, timeout=10_000)
        assert "No system keyring is available" in box.keyring.text()
        assert "this session only" in box.keyring.text()
        worker.shutdown(10_000)
    finally:
        keyring.set_keyring(previous)
        connect.default_secret_store.cache_clear()


def test_invalid_values_are_explained_before_saving(dialog):
    dialog.add_profile()
    dialog.form.name.setText("Broken")
    dialog.form.partner_id.setText("")
    dialog.save()
    assert dialog.outcome.text().startswith("⚠ The partner ID")
