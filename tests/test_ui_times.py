"""Times in the window: local with the zone named, UTC on hover, and typed dates that stick."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from kproducer.services.models import EntryKind
from kproducer.ui import dialogs, times
from kproducer.ui.table import select_where

#: 2027-03-15 16:00 UTC, which is 17:00 in Paris (CET, before the March change).
MARCH_15_17H_PARIS = 1805126400


@pytest.fixture
def paris() -> Iterator[None]:
    """The process runs in Europe/Paris for the test."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "Europe/Paris"
    time.tzset()
    yield
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


def test_times_are_local_with_the_zone_named_and_utc_on_request(paris):
    assert times.local_time(MARCH_15_17H_PARIS) == "Mon 15 Mar 2027, 17:00 CET"
    assert times.utc_time(MARCH_15_17H_PARIS) == "2027-03-15 16:00 UTC"
    assert times.slot(MARCH_15_17H_PARIS, MARCH_15_17H_PARIS + 3600) == \
        "Mon 15 Mar 2027, 17:00 – 18:00 CET"
    summer = MARCH_15_17H_PARIS + 30 * 86400
    assert times.local_time(summer).endswith("18:00 CEST")  # the zone follows the date


@pytest.mark.parametrize("typed", ["2027-03-15 17:00", "2027-03-15T17:00", "2027/3/15 17.00",
                                   "15 Mar 2027 17:00", "Mon 15 Mar 2027, 17:00 CET",
                                   "  2027-03-15   17:00 "])
def test_the_parser_reads_what_producers_type(paris, typed):
    assert times.parse_local(typed) == MARCH_15_17H_PARIS


@pytest.mark.parametrize(("typed", "says"), [
    ("", "Enter a date and time"),
    ("tomorrow at five", "is not a date and time kproducer can read"),
    ("2027-02-30 10:00", "is not a real date and time"),
    ("2027-03-15 25:00", "is not a real date and time"),
])
def test_the_parser_refuses_with_one_sentence(paris, typed, says):
    with pytest.raises(ValueError, match=says) as caught:
        times.parse_local(typed)
    assert str(caught.value).endswith(f"write it as {times.EXAMPLE}.") or typed == ""


def type_over(qtbot, field, text):
    """Select everything in the field and type over it, key by key."""
    field.edit.setFocus()
    field.edit.selectAll()
    qtbot.keyClicks(field.edit, text)


def test_the_date_trap_typing_over_a_selected_date_keeps_the_year(paris, qtbot):
    dialog = dialogs.EntryDialog(None, [], None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.name, "Keynote")
    type_over(qtbot, dialog.slot.start, "2027-03-15 17:00")
    type_over(qtbot, dialog.slot.end, "2027-03-15 18:30")
    assert dialog.slot.start.echo.text() == "= Mon 15 Mar 2027, 17:00 CET"
    assert dialog.slot.start.echo.toolTip() == "= 2027-03-15 16:00 UTC"
    assert dialog.ok.isEnabled()
    kind, name, event_id, start, end = dialog.values()
    assert (kind, name, event_id) == (EntryKind.LIVE, "Keynote", None)
    assert (start, end) == (MARCH_15_17H_PARIS, MARCH_15_17H_PARIS + 5400)


def test_a_half_typed_or_backwards_slot_cannot_be_saved(paris, qtbot):
    dialog = dialogs.EntryDialog(None, [], None)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.name, "Keynote")
    type_over(qtbot, dialog.slot.start, "2027-03-15 17")
    assert not dialog.ok.isEnabled()
    assert "write it as 2027-03-15 17:00" in dialog.slot.start.echo.text()
    assert dialog.problem.text().startswith("Start: ")
    type_over(qtbot, dialog.slot.start, "2027-03-15 17:00")
    type_over(qtbot, dialog.slot.end, "2027-03-15 16:00")
    assert dialog.problem.text() == "The session must end after it starts."
    assert not dialog.ok.isEnabled()


def test_a_start_in_the_past_is_warned_about_but_allowed(paris, qtbot):
    dialog = dialogs.EntryDialog(None, [], None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.name, "Yesterday's keynote")
    type_over(qtbot, dialog.slot.start, "2020-01-01 10:00")
    type_over(qtbot, dialog.slot.end, "2020-01-01 11:00")
    assert dialog.ok.isEnabled() and dialog.warning.isVisible()
    assert "in the past" in dialog.warning.text()


def test_the_typed_schedule_is_what_the_server_saves(paris, window, qtbot, unique,
                                                    monkeypatch):
    """The whole trap, end to end: New session…, type over the dates, Create, read it back."""
    name = unique("Trap keynote")

    def fill_in(dialog):
        qtbot.keyClicks(dialog.name, name)
        type_over(qtbot, dialog.slot.start, "2027-03-15 17:00")
        type_over(qtbot, dialog.slot.end, "2027-03-15 18:00")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(dialogs.EntryDialog, "exec", fill_in)
    with qtbot.waitSignal(window.entries.entriesLoaded, timeout=10_000):
        window.entries.new_item()
    created = window.entries.selected()
    assert created.name == name
    from kproducer.services import entries as entries_service

    entries_service.forget(window.account(), created.id)  # what the server holds
    saved = entries_service.get(window.account(), created.id).schedule
    assert (saved.start, saved.end) == (MARCH_15_17H_PARIS, MARCH_15_17H_PARIS + 3600)
    # the table says it in local time with the zone, and in UTC on hover
    assert select_where(window.entries.view, lambda e: e.id == created.id)
    row = window.entries.view.currentIndex().row()
    column = next(n for n, c in enumerate(window.entries.model.columns)
                  if c.title == "Duration / schedule")
    cell = window.entries.model.index(row, column)
    assert cell.data() == "Mon 15 Mar 2027, 17:00 – 18:00 CET"
    from PySide6.QtGui import QTextDocument

    shown = QTextDocument()  # a cell tooltip is escaped into rich text (issue 15.6)
    shown.setHtml(cell.data(Qt.ItemDataRole.ToolTipRole))
    assert shown.toPlainText() == "2027-03-15 16:00 UTC – 2027-03-15 17:00 UTC"
