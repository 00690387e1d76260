"""The Export links dialog and the QR dialog (pytest-qt, real worker, real sandbox)."""

from __future__ import annotations

import csv

import pytest
from conftest import set_faults
from preview_support import close_account, open_account, seeded
from PySide6.QtGui import QGuiApplication

from kproducer.services import entries as entry_service
from kproducer.services.models import EntryKind
from kproducer.ui import desktop_open, export_dialog, qr_dialog
from kproducer.ui.common import Deps
from kproducer.ui.worker import Worker


@pytest.fixture
def sb(fresh_sandbox):
    """A sandbox of the test's own (the shared one may hold extra CnC app tokens)."""
    return fresh_sandbox.info


@pytest.fixture
def account(sb):
    acct = open_account(sb)
    yield acct
    close_account(acct)


@pytest.fixture
def deps(qtbot, account):
    worker = Worker()
    said: list[str] = []
    yield Deps(worker, said.append, lambda: account)
    worker.shutdown(20_000)


def write_people(path, users, roles=None):
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["user_id", "first_name", "role"])
        for n, user in enumerate(users):
            writer.writerow([user, f"P{n}", (roles or {}).get(user, "")])
    return path


def make_dialog(qtbot, deps, account, entry_id=None):
    listed = entry_service.list_entries(account)
    dialog = export_dialog.ExportDialog(deps, listed, [], entry_id)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_export_shows_progress_a_summary_and_opens_the_output(
    qtbot, deps, account, unique, tmp_path, monkeypatch
):
    live = seeded(account, EntryKind.LIVE)
    users = [unique("ui") + "@example.com" for _ in range(70)]
    source = write_people(tmp_path / "people.csv", [*users, "bad id", users[0]],
                          roles={users[1]: "moderator"})
    dialog = make_dialog(qtbot, deps, account, live.id)
    assert dialog.entry_id() == live.id
    dialog.source.setText(str(source))
    dialog.source.editingFinished.emit()
    assert dialog.output.text() == str(tmp_path / "people-links.csv")
    dialog.role.setCurrentIndex(2)  # the CSV's role column
    progress: list[int] = []
    with qtbot.waitSignal(dialog.exported, timeout=60_000) as blocker:
        job = dialog.start()
        assert job is not None
        job.progressed.connect(lambda done, total, _: progress.append(done))
        assert not dialog.export_button.isEnabled() and dialog.cancel_button.isVisible()
    summary = blocker.args[0]
    assert (summary.ok, summary.failed) == (70, 2)
    qtbot.waitUntil(lambda: dialog.export_button.isEnabled())
    text = dialog.status.text()
    assert "Export finished: 70 ok, 2 failed." in text and "Why rows failed" in text
    assert "line 73: duplicate of line 2" in text  # the whole reason, not "line …"
    assert dialog.failures.isVisible() and dialog.model.rowCount() == 2
    # Five rows' room under the summary (the dialog grows; it showed about two).
    row = dialog.failures.verticalHeader().defaultSectionSize()
    qtbot.waitUntil(lambda: dialog.failures.viewport().height() >= 5 * row, timeout=5_000)
    assert progress and dialog.progress.value() == 72
    opened = []
    monkeypatch.setattr(desktop_open.QDesktopServices, "openUrl",
                        lambda url: opened.append(url.toLocalFile()) or True)
    assert dialog.open_button.isEnabled()
    dialog.open_button.click()
    assert opened == [str(tmp_path / "people-links.csv")]
    assert f"Output: Opened {tmp_path / 'people-links.csv'}." in dialog.status.text()


def test_the_summary_tells_each_reason_and_what_to_do(qtbot, deps, account, unique, tmp_path):
    live = seeded(account, EntryKind.LIVE)
    users = [unique("rs") + "@example.com" for _ in range(3)]
    source = write_people(tmp_path / "people.csv", [*users, "bad id", "also bad", users[0]],
                          roles={users[1]: "boss"})
    dialog = make_dialog(qtbot, deps, account, live.id)
    dialog.source.setText(str(source))
    dialog.source.editingFinished.emit()
    dialog.role.setCurrentIndex(2)  # the CSV's role column
    with qtbot.waitSignal(dialog.exported, timeout=60_000) as blocker:
        dialog.start()
    summary = blocker.args[0]
    assert (summary.ok, summary.failed, summary.invalid) == (2, 4, 4)
    text = dialog.status.text()
    # each reason is told by its first row in full, never as a bare "…"
    assert '• line 5: "bad id" is not a valid Kaltura user ID (and 1 more row like it)' in text
    assert "• line 7: duplicate of line 2" in text
    assert '• line 3: role "boss" is not attendee or moderator' in text
    assert "“…”" not in text and "line …" not in text
    # invalid rows: fix the file; no "export again to finish" advice for them
    assert "4 rows are wrong in people.csv: fix them in the file, then export again" in text
    assert "to finish only" not in text


def test_advice_for_rows_that_failed_on_the_way(tmp_path):
    from kproducer.services.link_models import ExportRequest, ExportSummary

    summary = ExportSummary(ExportRequest("0_abc", tmp_path / "in.csv", tmp_path / "out.csv"))
    summary.count_failure(4, "u4", 'Kaltura refused user.add: "u4" (USER_BLOCKED).')
    summary.count_failure(5, "u5", "The Kaltura server could not be reached.")
    assert summary.advice() == [
        "Export again with the same output to finish only the other 2 rows: they failed on "
        "the way (Kaltura refused or could not be reached, or the export was cancelled) and "
        "may pass now."]
    summary.count_failure(6, "", "no user_id or email", invalid=True)
    assert summary.advice("Run the same command again")[0] == (
        "1 row is wrong in in.csv: fix it in the file, then run the same command again "
        "(the links already made are kept).")


def test_open_output_says_why_when_it_cannot(qtbot, deps, account, unique, tmp_path,
                                             monkeypatch):
    from PySide6.QtWidgets import QMessageBox, QPushButton

    source = write_people(tmp_path / "people.csv", [unique("oo") + "@example.com"])
    dialog = make_dialog(qtbot, deps, account, seeded(account, EntryKind.VOD).id)
    dialog.page_format.setChecked(True)
    dialog.source.setText(str(source))
    dialog.source.editingFinished.emit()
    with qtbot.waitSignal(dialog.exported, timeout=30_000):
        dialog.start()
    qtbot.waitUntil(dialog.open_button.isEnabled)
    monkeypatch.setattr(desktop_open.QDesktopServices, "openUrl", lambda url: False)
    dialog.open_button.click()  # no file manager on this desktop
    box = next(w for w in dialog.findChildren(QMessageBox) if w.isVisible())
    assert "no application kproducer could launch to open the pages' folder" in box.text()
    assert "Output: Could not open the pages' folder" in dialog.status.text()
    next(b for b in box.findChildren(QPushButton) if b.text() == "Copy folder path").click()
    assert QGuiApplication.clipboard().text() == str(tmp_path / "people-links")
    box.close()
    for page in (tmp_path / "people-links").iterdir():
        page.unlink()
    (tmp_path / "people-links").rmdir()
    dialog.open_button.click()  # moved or deleted since
    assert f"is no longer at {tmp_path / 'people-links'}" in dialog.status.text()
    assert dialog.status.text().count("Output: ") == 1  # the latest word, not a pile


def test_the_page_format_goes_to_a_folder(qtbot, deps, account, unique, tmp_path):
    vod = seeded(account, EntryKind.VOD)
    source = write_people(tmp_path / "list.csv", [unique("pg") + "@example.com"])
    dialog = make_dialog(qtbot, deps, account, vod.id)
    dialog.page_format.setChecked(True)
    dialog.source.setText(str(source))
    dialog.source.editingFinished.emit()
    assert dialog.output.text() == str(tmp_path / "list-links")
    dialog.fixed.setChecked(True)
    dialog.hours.setValue(2)
    request = dialog.request()
    assert request.policy.fixed_seconds == 7200 and request.folder == tmp_path / "list-links"
    with qtbot.waitSignal(deps.worker.jobSettled, timeout=30_000):
        dialog.start()
    assert "Export finished: 1 ok" in dialog.status.text(), dialog.status.text()
    assert dialog.output_path() == tmp_path / "list-links"
    assert len(list((tmp_path / "list-links").glob("*.html"))) == 1


def test_an_incomplete_form_or_a_bad_file_says_why(qtbot, deps, account, tmp_path):
    dialog = make_dialog(qtbot, deps, account)
    dialog.entry.setEditText("")
    assert dialog.start() is None
    assert dialog.status.text() == "Choose the session to export links for."
    dialog.entry.setEditText("0_abcdefgh")
    assert dialog.start() is None and "CSV" in dialog.status.text()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\x00\x01binary")
    dialog.source.setText(str(bad))
    dialog.output.setText(str(tmp_path / "out.csv"))
    with qtbot.waitSignal(deps.worker.jobSettled, timeout=10_000):
        dialog.start()
    assert "Nothing was exported" in dialog.status.text()
    assert "binary file" in dialog.status.text()
    assert dialog.export_button.isEnabled() and not dialog.open_button.isEnabled()
    assert not (tmp_path / "out.csv").exists()


def test_cancel_stops_and_a_second_export_finishes(qtbot, deps, account, unique, tmp_path, sb):
    live = seeded(account, EntryKind.LIVE)
    source = write_people(tmp_path / "people.csv",
                          [unique("cn") + "@example.com" for _ in range(400)])
    dialog = make_dialog(qtbot, deps, account, live.id)
    dialog.source.setText(str(source))
    dialog.source.editingFinished.emit()
    set_faults(sb, latency_ms=100)
    with qtbot.waitSignal(dialog.exported, timeout=60_000) as blocker:
        job = dialog.start()
        job.progressed.connect(lambda *_: dialog.cancel())  # after the first batch
    set_faults(sb)
    assert not dialog.cancel_button.isVisible()
    cancelled = blocker.args[0]
    assert cancelled.cancelled and cancelled.not_started > 0
    assert "Export cancelled" in dialog.status.text()
    with qtbot.waitSignal(dialog.exported, timeout=60_000) as blocker:
        qtbot.waitUntil(lambda: dialog.export_button.isEnabled())
        dialog.start()
    assert blocker.args[0].ok == 400 and blocker.args[0].kept == cancelled.ok


def test_qr_dialog_shows_the_link_and_copies_it(qtbot):
    link = "https://cdnapisec.kaltura.com/p/1/embedPlaykitJs/uiconf_id/2?iframeembed=true" \
           "&entry_id=0_abcdefgh&ks=" + "djJ8" + "A" * 400
    dialog = qr_dialog.QrDialog(link)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.pixmap.isNull() and dialog.pixmap.width() >= 100
    assert dialog.text.text() == link
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == link
    assert qr_dialog.qr_png("hello").startswith(b"\x89PNG")
    with pytest.raises(ValueError, match="too long"):
        qr_dialog.qr_png("x" * 5000)
    too_long = qr_dialog.QrDialog("x" * 5000)
    qtbot.addWidget(too_long)
    assert "too long" in too_long.code.text()


def test_cancel_before_the_export_starts_writes_nothing(qtbot, deps, account, tmp_path):
    source = write_people(tmp_path / "people.csv", ["early@example.com"])
    dialog = make_dialog(qtbot, deps, account, seeded(account, EntryKind.LIVE).id)
    dialog.source.setText(str(source))
    dialog.source.editingFinished.emit()
    deps.worker.pool.setMaxThreadCount(1)
    blocker_job = deps.worker.run("Busy", lambda ctx: __import__("time").sleep(0.5))
    with qtbot.waitSignal(deps.worker.jobSettled, timeout=10_000,
                          check_params_cb=lambda job: job is not blocker_job):
        dialog.start()
        dialog.cancel()
    assert "cancelled before it started" in dialog.status.text()
    assert not (tmp_path / "people-links.csv").exists()
    assert dialog.export_button.isEnabled()


def test_file_menu_opens_the_export_dialog(window, qtbot):
    from kproducer.ui.export_dialog import ExportDialog

    action = window.menu_actions.export_links
    assert action.isEnabled()
    action.trigger()
    qtbot.waitUntil(lambda: any(isinstance(w, ExportDialog) and w.isVisible()
                                for w in window.findChildren(ExportDialog)), timeout=5_000)
    dialog = next(w for w in window.findChildren(ExportDialog) if w.isVisible())
    assert dialog.entry.count() >= 1  # the sessions the window already listed
    dialog.close()


def test_a_lifetime_past_24_hours_says_revocation_lasts_24_hours_before_the_export(
        qtbot, deps, account):
    dialog = make_dialog(qtbot, deps, account)
    dialog.show()
    assert not dialog.lifetime_note.isVisible()  # sized to the session: said after, if at all
    dialog.fixed.setChecked(True)
    dialog.hours.setValue(24)
    assert not dialog.lifetime_note.isVisible()
    dialog.hours.setValue(48)
    assert dialog.lifetime_note.isVisible()
    assert "24 hours" in dialog.lifetime_note.text()
    assert "shorter lifetime" in dialog.lifetime_note.text()
    dialog.automatic.setChecked(True)
    assert not dialog.lifetime_note.isVisible()
