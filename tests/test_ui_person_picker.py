"""The Preview tab's person picker with 250 and 5,000 people (issue 16 item 7).

Keyboard: type part of a name, user ID or email, the popup shows only the matches, arrows and
Enter choose. Mouse: the arrow opens a list of at most a dozen rows that scrolls, sized for the
people even when they were still loading as it opened.
"""

from __future__ import annotations

import pytest
from preview_support import close_account, open_account
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from kproducer.services import entries, moderators
from kproducer.services.facts import Person
from kproducer.services.models import EntryKind, Moderator
from kproducer.ui.common import Deps
from kproducer.ui.person_picker import LOADING, VISIBLE_ROWS, PersonPicker
from kproducer.ui.preview_chooser import PREVIEW_USER_LABEL, PreviewChooser
from kproducer.ui.worker import Worker

SETTLE_MS = 60_000
#: A popup under the offscreen platform (no window manager) cannot raise itself or grab keys.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support raise",
                                       "This plugin does not support grabbing the keyboard")
SURNAMES = ["Kumar", "Lee", "Okafor", "Schmidt", "Novak"]


def people(count):
    return [Person(f"user{n:04d}", f"First{n:04d}", SURNAMES[n % len(SURNAMES)],
                   f"first{n:04d}@example.com") for n in range(count)]


@pytest.fixture
def account(info):
    acct = open_account(info)
    yield acct
    close_account(acct)


@pytest.fixture
def chooser(qtbot, account, unique):
    """A chooser on a fresh live session with 250 moderators, moderator role chosen."""
    entry = entries.create(account, EntryKind.LIVE, unique("Big panel"))
    results = moderators.import_people(account, entry.id,
                                       [(n + 2, p) for n, p in enumerate(people(250))])
    assert {r.status for r in results} == {"added"}
    worker = Worker()
    widget = PreviewChooser(Deps(worker, lambda _: None, lambda: account))
    widget.resize(1024, 60)
    qtbot.addWidget(widget)
    widget.show()
    widget.select_entry(entry)
    qtbot.waitUntil(lambda: widget.current_entry() is not None
                    and widget.current_entry().id == entry.id, timeout=SETTLE_MS)
    widget.moderator.setChecked(True)
    yield widget, entry
    worker.shutdown(20_000)


def popup_rows(picker):
    return picker.search.completionModel().rowCount()


def test_typing_filters_250_moderators_and_enter_chooses(qtbot, chooser):
    widget, entry = chooser
    picker = widget.user_combo
    picker.setFocus()  # by keyboard: the moderators load before the first key
    qtbot.waitUntil(lambda: picker.count() == 251, timeout=SETTLE_MS)
    assert not picker.loading

    qtbot.keyClicks(picker.edit, "kumar")
    qtbot.waitUntil(picker.results.isVisible, timeout=5_000)
    assert popup_rows(picker) == 50  # every fifth person, and no one else
    shown = picker.results.model()
    assert all("Kumar" in shown.index(r, 0).data() for r in range(popup_rows(picker)))
    assert picker.results.height() < picker.window().screen().size().height() / 2

    picker.edit.selectAll()
    qtbot.keyClicks(picker.edit, "0105")  # a user ID
    qtbot.waitUntil(lambda: popup_rows(picker) == 1, timeout=5_000)
    with qtbot.waitSignal(widget.selectionChanged, timeout=5_000):
        qtbot.keyClick(picker.results, Qt.Key.Key_Down)
        qtbot.keyClick(picker.results, Qt.Key.Key_Return)
    assert picker.currentData() == "user0105"
    assert widget.person(entry.id).user_id == "user0105"
    assert picker.edit.text() == "First0105 Kumar (user0105) · first0105@example.com · moderator"

    # half a name typed, then Esc: the chosen person is shown again
    picker.edit.selectAll()
    qtbot.keyClicks(picker.edit, "okaf")
    qtbot.keyClick(picker.edit, Qt.Key.Key_Escape)
    qtbot.keyClick(picker.edit, Qt.Key.Key_Escape)
    assert picker.currentData() == "user0105"
    assert picker.edit.text().startswith("First0105 Kumar")


def test_an_email_typed_and_enter_chooses_its_one_match(qtbot, chooser):
    widget, _entry = chooser
    picker = widget.user_combo
    picker.setFocus()
    qtbot.waitUntil(lambda: picker.count() == 251, timeout=SETTLE_MS)
    picker.edit.selectAll()
    qtbot.keyClicks(picker.edit, "FIRST0042@example")
    qtbot.waitUntil(lambda: popup_rows(picker) == 1, timeout=5_000)
    picker.results.hide()
    qtbot.keyClick(picker.edit, Qt.Key.Key_Return)
    assert picker.currentData() == "user0042"


def test_the_mouse_opens_a_list_sized_for_the_people_that_load_meanwhile(qtbot, chooser):
    widget, entry = chooser
    picker = widget.user_combo
    assert entry.id not in widget.moderators  # nothing loaded yet: the list opens first
    picker.showPopup()
    view = picker.view()
    assert view.isVisible()
    assert [picker.itemText(i) for i in range(picker.count())] == [PREVIEW_USER_LABEL, LOADING]
    qtbot.waitUntil(lambda: picker.count() == 251, timeout=SETTLE_MS)
    qtbot.waitUntil(view.isVisible, timeout=5_000)  # opened again at its new size
    row = view.sizeHintForRow(0)
    assert view.height() >= row * (VISIBLE_ROWS - 1)  # not a one-line popup
    assert view.height() <= row * (VISIBLE_ROWS + 2)  # nor the height of the screen
    assert view.verticalScrollBar().maximum() > 0
    picker.hidePopup()
    QApplication.processEvents()


def test_5000_people_fill_in_one_reset_and_filter(qtbot):
    picker = PersonPicker()
    qtbot.addWidget(picker)
    picker.show()
    resets = []
    picker.people.modelReset.connect(lambda: resets.append(1))
    changes = []
    picker.currentIndexChanged.connect(changes.append)
    labels = [(f"{p.first_name} {p.last_name} ({p.user_id})", p.user_id) for p in people(5000)]
    picker.set_people([(PREVIEW_USER_LABEL, None), *labels], keep="user4321")
    assert picker.count() == 5001 and picker.currentData() == "user4321"
    assert len(resets) == 1 and len(changes) == 1
    picker.setFocus()
    picker.edit.selectAll()
    qtbot.keyClicks(picker.edit, "schmidt (user49")
    qtbot.waitUntil(lambda: picker.search.completionModel().rowCount() == 20, timeout=5_000)
    # the same list refilled (another load) keeps the person chosen
    picker.set_people([(PREVIEW_USER_LABEL, None), *labels], keep=picker.currentData())
    assert picker.currentData() == "user4321"


def test_a_moderator_without_a_name_reads_well():
    from kproducer.ui.preview_chooser import person_label

    assert person_label(Moderator("ann@example.com", email="ann@example.com")) == \
        "ann@example.com (ann@example.com) · moderator"
    assert person_label(Moderator("a1", "Ann", "Lee", "ann@example.com")) == \
        "Ann Lee (a1) · ann@example.com · moderator"
