"""The Moderators tab's list and import panel (issue 16 item 5), against the sandbox.

Several moderators removed with one confirmation, the count, the list exported as CSV, emails
checked as emails, Retry that says which rows it can help, "Import the file again", and an
import panel that belongs to its session.
"""

from __future__ import annotations

import csv
import stat

from conftest import reset_stats, set_faults, stats
from PySide6.QtCore import Qt
from test_ui_moderators import new_session, server_moderators, write_people

from kproducer.services import moderators
from kproducer.services.facts import Person
from kproducer.ui import moderator_actions
from kproducer.ui.dialogs import ModeratorDialog

SETTLE_MS = 60_000


def seed_moderators(window, qtbot, entry, count, prefix):
    """``count`` moderators added through the service, then the tab reloaded."""
    people = [(n + 2, Person(f"{prefix}{n}@example.com", f"First{n}", "Last",
                             f"{prefix}{n}@example.com")) for n in range(count)]
    results = moderators.import_people(window.account(), entry.id, people)
    assert {r.status for r in results} == {"added"}
    tab = window.moderators
    with qtbot.waitSignal(tab.loaded, timeout=SETTLE_MS):
        tab.refresh()
    return [p.user_id for _, p in people]


def click_row(qtbot, view, row, modifier=Qt.KeyboardModifier.NoModifier):
    rect = view.visualRect(view.model().index(row, 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())


def test_three_moderators_are_removed_with_one_question_and_one_request(
        window, info, qtbot, unique, monkeypatch):
    entry = new_session(window, qtbot, unique)
    tab = window.moderators
    ids = seed_moderators(window, qtbot, entry, 5, unique("rm"))
    assert tab.count.text() == "5 moderators"

    click_row(qtbot, tab.view, 0)
    click_row(qtbot, tab.view, 2, Qt.KeyboardModifier.ControlModifier)
    click_row(qtbot, tab.view, 4, Qt.KeyboardModifier.ControlModifier)
    chosen = [m.user_id for m in tab.selected_moderators()]
    names = [m.display_name for m in tab.selected_moderators()]
    assert len(chosen) == 3 and tab.remove_button.isEnabled()
    asked = []
    monkeypatch.setattr(moderator_actions, "confirm",
                        lambda parent, *question: asked.append(question) or True)
    reset_stats(info)
    with qtbot.waitSignal(tab.loaded, timeout=SETTLE_MS):
        tab.remove_button.click()
    (title, question, button, detail), = asked  # one confirmation for the three
    assert title == "Remove moderators"
    assert question == f"Remove 3 moderators from “{entry.name}”?"
    assert button == "Remove 3"
    assert detail.startswith(", ".join(names) + ".\n")
    assert server_moderators(window, entry.id) == set(ids) - set(chosen)
    assert stats(info)["by_action"]["groupuser.delete"] == 3
    assert window.status.text() == f"Removed 3 moderators from “{entry.name}”."
    assert tab.count.text() == "2 moderators"
    assert {m.user_id for m in tab.model.rows} == set(ids) - set(chosen)

    # Shift-click selects a range: both that are left, gone in one go too.
    click_row(qtbot, tab.view, 0)
    click_row(qtbot, tab.view, 1, Qt.KeyboardModifier.ShiftModifier)
    assert len(tab.selected_moderators()) == 2
    with qtbot.waitSignal(tab.loaded, timeout=SETTLE_MS):
        tab.delete_item()
    assert server_moderators(window, entry.id) == set()


def test_remove_many_sends_fifty_removals_a_request_and_tolerates_non_members(
        window, info, qtbot, unique):
    entry = new_session(window, qtbot, unique)
    ids = seed_moderators(window, qtbot, entry, 120, unique("bulk"))
    stranger = unique("nobody") + "@example.com"
    reset_stats(info)
    done = moderators.remove_many(window.account(), entry.id, [*ids, stranger])
    counted = stats(info)
    assert counted["http_requests"] == 3 and counted["by_action"]["groupuser.delete"] == 121
    assert [r.status for r in done] == ["removed"] * 120 + ["not_moderator"]
    assert server_moderators(window, entry.id) == set()
    assert moderator_actions.removal_sentence(done, "S") == (
        "Removed 120 moderators from “S”; 1 was not a moderator any more.")


def test_the_count_follows_the_filter_and_the_session(window, qtbot, unique):
    entry = new_session(window, qtbot, unique)
    tab = window.moderators
    prefix = unique("cnt")
    seed_moderators(window, qtbot, entry, 12, prefix)
    assert tab.count.text() == "12 moderators"
    tab.search.setText(f"{prefix}1")  # 1, 10, 11
    assert tab.count.text() == "3 of 12 moderators"
    tab.search.clear()
    assert tab.count.text() == "12 moderators"
    other = new_session(window, qtbot, unique)
    assert tab.entry_id() == other.id and tab.count.text() == "0 moderators"
    seed_moderators(window, qtbot, other, 1, unique("one"))
    assert tab.count.text() == "1 moderator"


def test_the_list_is_exported_as_a_csv_that_imports_back(window, qtbot, unique, tmp_path):
    entry = new_session(window, qtbot, unique)
    tab = window.moderators
    ids = seed_moderators(window, qtbot, entry, 30, unique("exp"))
    tab.search.setText("nothing matches this")  # the export is the whole list all the same
    out = tmp_path / "moderators.csv"
    with qtbot.waitSignal(window.worker.jobSettled, timeout=SETTLE_MS):
        tab.export_to(out)
    assert window.status.text() == f"Saved the 30 moderators of “{entry.name}” to {out}."
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    with out.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["user_id", "first_name", "last_name", "email"]
    assert {r["user_id"] for r in rows} == set(ids) == server_moderators(window, entry.id)
    assert all(r["email"] == r["user_id"] and r["last_name"] == "Last" for r in rows)

    other = new_session(window, qtbot, unique)
    with qtbot.waitSignal(tab.importer.imported, timeout=SETTLE_MS) as blocker:
        assert tab.import_csv(out)
    assert blocker.args[0].count("added") == 30
    assert server_moderators(window, other.id) == set(ids)


def test_the_add_dialog_names_an_email_that_is_not_one(window, qtbot, unique):
    entry = new_session(window, qtbot, unique)
    dialog = ModeratorDialog(window, entry)
    qtbot.addWidget(dialog)
    dialog.show()
    placeholder = dialog.user_id.placeholderText()
    assert "empty" in placeholder
    assert dialog.user_id.width() >= dialog.user_id.fontMetrics().horizontalAdvance(placeholder)
    for bad in ("bob.kumar@example", "not-an-email"):
        dialog.email.clear()
        qtbot.keyClicks(dialog.email, bad)
        assert not dialog.ok.isEnabled()
        assert dialog.email_problem.isVisible()
        assert dialog.email_problem.text().startswith("This is not an email address: ")
    assert "period" in dialog.email_problem.text() or "@-sign" in dialog.email_problem.text()
    dialog.email.setText("bob.kumar@example.com")
    assert dialog.ok.isEnabled() and not dialog.email_problem.isVisible()
    assert dialog.person().user_id == "bob.kumar@example.com"  # the email is the ID


def test_retry_says_which_rows_it_can_help_and_the_fixed_file_is_imported_again(
        open_window, fresh_sandbox, qtbot, unique, tmp_path):
    window = open_window(fresh_sandbox.info)
    entry = new_session(window, qtbot, unique)
    tab = window.moderators
    path = tmp_path / "people.csv"
    good = [f"{unique('ok')}@example.com" for _ in range(3)]
    bad_email, bad_id = unique("be") + "@example.com", "has space"

    def write(fixed):
        with path.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["user_id", "email"])
            writer.writerows([uid, uid] for uid in good)
            writer.writerow([bad_email, bad_email if fixed else "bob.kumar@example"])
            writer.writerow([bad_email.replace("be", "id") if fixed else bad_id, ""])

    write(fixed=False)
    set_faults(fresh_sandbox.info, http_500_rate=1.0)  # Kaltura fails the three good rows
    try:
        with qtbot.waitSignal(tab.importer.imported, timeout=SETTLE_MS) as first:
            assert tab.import_csv(path)
    finally:
        set_faults(fresh_sandbox.info)
    panel = tab.importer
    report = first.args[0]
    assert report.count("failed") == 5 and report.invalid == 2
    assert panel.summary.text() == (
        "Import finished: 0 added, 0 already moderators, 5 failed (2 invalid in the file, "
        "3 at Kaltura).\n"
        "2 rows are invalid in the file: fix them in people.csv and Import the file again. "
        "3 rows are not done yet: Retry tries them again.")
    qtbot.waitUntil(panel.retry_button.isEnabled, timeout=SETTLE_MS)
    assert panel.retry_button.text() == "Re&try 3 failed rows"
    assert panel.again_button.isEnabled()

    with qtbot.waitSignal(panel.imported, timeout=SETTLE_MS) as retried:
        panel.retry_button.click()
        assert panel.source.text().endswith(
            "The 2 rows invalid in the file stay as they are: fix the file and import it again.")
    second = retried.args[0]
    assert second.count("added") == 3 and second.invalid == 2
    assert "3 added" in panel.summary.text()
    assert panel.summary.text().endswith(
        "2 rows are invalid in the file: fix them in people.csv and Import the file again.")
    qtbot.waitUntil(lambda: not panel.running, timeout=SETTLE_MS)
    assert not panel.retry_button.isEnabled()  # nothing a retry could help
    assert server_moderators(window, entry.id) == set(good)

    write(fixed=True)
    with qtbot.waitSignal(panel.imported, timeout=SETTLE_MS) as again:
        panel.again_button.click()
    third = again.args[0]
    assert (third.count("added"), third.count("already"), third.count("failed")) == (2, 3, 0)
    assert panel.summary.text() == "Import finished: 2 added, 3 already moderators."
    assert len(server_moderators(window, entry.id)) == 5


def test_the_import_panel_is_reset_when_another_session_is_picked(window, qtbot, unique,
                                                                  tmp_path):
    first = new_session(window, qtbot, unique)
    tab = window.moderators
    path = write_people(tmp_path / "people.csv", 4, start=5000,
                        extra=[["bad id", "", "", ""]])
    with qtbot.waitSignal(tab.importer.imported, timeout=SETTLE_MS):
        tab.import_csv(path)
    panel = tab.importer
    qtbot.waitUntil(lambda: not panel.running, timeout=SETTLE_MS)
    assert panel.isVisible() and panel.target is not None and panel.target[0] == first.id
    assert first.name in panel.source.text()

    second = new_session(window, qtbot, unique)  # picked on the tab
    assert tab.entry_id() == second.id
    assert not panel.isVisible()
    assert panel.report is None and panel.target is None and panel.model.rowCount() == 0
    assert not panel.retry_button.isEnabled() and not panel.again_button.isEnabled()
    assert server_moderators(window, second.id) == set()


def test_the_results_have_room_at_1024_by_700(window, qtbot, unique, tmp_path):
    window.resize(1024, 700)
    new_session(window, qtbot, unique)
    tab = window.moderators
    assert window.dock.isVisible()
    path = write_people(tmp_path / "people.csv", 40, start=7000)
    with qtbot.waitSignal(tab.importer.imported, timeout=SETTLE_MS):
        tab.import_csv(path)
    view = tab.importer.view
    qtbot.waitUntil(lambda: view.viewport().height() > 0, timeout=5_000)
    rows = view.viewport().height() / view.verticalHeader().defaultSectionSize()
    assert rows >= 5, rows
    qtbot.waitUntil(lambda: tab.model.rowCount() == 40, timeout=SETTLE_MS)
    # the list stays in sight above it (two rows at least)
    assert tab.view.viewport().height() >= 2 * tab.view.verticalHeader().defaultSectionSize()


def test_a_preview_membership_an_older_build_left_is_named_for_what_it_is(window, qtbot, unique):
    """Earlier builds added kproducer-preview to the group for a moderator preview; the list
    says what that row is and that it can go (previews no longer need it)."""
    from kproducer.services import preview
    from kproducer.ui.moderator_actions import PREVIEW_MEMBER

    entry = new_session(window, qtbot, unique)
    moderators.import_people(window.account(), entry.id, [(2, preview.PREVIEW_USER)])
    tab = window.moderators
    with qtbot.waitSignal(tab.loaded, timeout=SETTLE_MS):
        tab.refresh()
    names = {tab.model.row(r).user_id: tab.model.index(r, 1).data()
             for r in range(tab.model.rowCount())}
    assert names == {"kproducer-preview": PREVIEW_MEMBER}
