"""Sessions scheduled the Kaltura way and edited: request counts, repairs, lost answers.

Every test drives its own sandbox (exact counts from ``/_sandbox/stats``) with the real
client, and checks what a second admin client (KMC, in effect) sees on the server.
"""

from __future__ import annotations

import time

import pytest
from conftest import make_client, reset_stats, set_faults, stats
from KalturaClient.exceptions import KalturaException
from KalturaClient.Plugins.Core import KalturaBaseEntry
from KalturaClient.Plugins.Schedule import (
    KalturaLiveStreamScheduleEvent,
    KalturaMeetingScheduleEvent,
)
from sessions_support import HOUR, close, open_account, schedule_events, seed_first_hit_only

from kproducer.kaltura.errors import InvalidInput, NotFound, ServiceUnavailable
from kproducer.services import entries, events, schedule, sessions, tokens
from kproducer.services.models import EntryKind, ScheduleSource


@pytest.fixture
def sb(fresh_sandbox):
    return fresh_sandbox.info


@pytest.fixture
def account(sb):
    acct = open_account(sb)
    yield acct
    close(acct)


def slot(hours_ahead: float = 24, length: float = 1) -> tuple[int, int]:
    start = int(time.time() + hours_ahead * HOUR)
    return start, start + int(length * HOUR)


def test_create_with_schedule_is_one_request_and_kmc_sees_the_schedule_event(account, sb):
    event = events.create(account, "Summit")
    start, end = slot()
    reset_stats(sb)
    entry = entries.create(account, EntryKind.LIVE, "Keynote", event.id, start, end)
    counts = stats(sb)
    assert counts["http_requests"] == 1
    assert counts["by_action"] == {"livestream.add": 1, "group_group.add": 1,
                                   "schedule_scheduleevent.add": 1}
    assert entry.schedule is not None and entry.schedule.source is ScheduleSource.SCHEDULE_EVENT
    assert (entry.schedule.start, entry.schedule.end) == (start, end)
    [found] = schedule_events(sb, entry.id)
    assert isinstance(found, KalturaLiveStreamScheduleEvent)
    assert (found.summary, found.startDate, found.endDate) == ("Keynote", start, end)
    assert int(found.id) == entry.schedule.schedule_event_id
    raw = make_client(sb).baseEntry.get(entry.id)
    assert raw.startDate in (None, 0, NotImplemented) and raw.endDate in (None, 0, NotImplemented)


def test_a_room_gets_a_meeting_schedule_event(account, sb):
    start, end = slot()
    room = entries.create(account, EntryKind.ROOM, "Breakout", None, start, end)
    [found] = schedule_events(sb, room.id)
    assert type(found).__name__ == "KalturaMeetingScheduleEvent"
    assert found.templateEntryId == room.id


def test_get_reads_the_schedule_event_in_the_same_request_then_nothing(account, sb):
    start, end = slot()
    entry = entries.create(account, EntryKind.LIVE, "Panel", None, start, end)
    entries.forget(account, entry.id)
    reset_stats(sb)
    cold = entries.get(account, entry.id)
    assert stats(sb)["http_requests"] == 1
    assert cold.schedule == entry.schedule
    reset_stats(sb)
    other = open_account(sb)  # a new process: the cache file answers
    try:
        assert entries.get(other, entry.id).schedule == entry.schedule
    finally:
        close(other)
    assert stats(sb)["http_requests"] == 0


def test_token_expiry_reads_the_schedule_event(account):
    start, end = slot(hours_ahead=1, length=2)
    entry = entries.create(account, EntryKind.LIVE, "Late show", None, start, end)
    now = int(time.time())
    assert tokens.ks_expiry(entry, now, tokens.ExpiryPolicy()) == end + tokens.LIVE_MARGIN


def test_a_schedule_in_entry_dates_is_read_and_moved_in_one_request(account, sb):
    start, end = slot()
    legacy = entries.create(account, EntryKind.LIVE, "Old style")
    make_client(sb).baseEntry.update(legacy.id, KalturaBaseEntry(startDate=start, endDate=end))
    entries.forget(account, legacy.id)
    read = entries.get(account, legacy.id)
    assert read.schedule is not None and read.schedule.source is ScheduleSource.ENTRY_DATES
    reset_stats(sb)
    moved = schedule.move_to_schedule_event(account, legacy.id)
    assert stats(sb)["http_requests"] == 1
    assert moved.schedule is not None and moved.schedule.source is ScheduleSource.SCHEDULE_EVENT
    assert (moved.schedule.start, moved.schedule.end) == (start, end)
    raw = make_client(sb).baseEntry.get(legacy.id)
    assert raw.startDate in (None, 0, NotImplemented)
    reset_stats(sb)
    again = schedule.move_to_schedule_event(account, legacy.id)  # repeat: nothing to do
    assert again.schedule == moved.schedule and stats(sb)["http_requests"] == 0
    assert len(schedule_events(sb, legacy.id)) == 1


def test_move_refuses_a_session_with_nothing_to_move(account):
    plain = entries.create(account, EntryKind.LIVE, "Unscheduled")
    with pytest.raises(InvalidInput, match="no schedule"):
        schedule.move_to_schedule_event(account, plain.id)


def test_rename_and_reschedule_is_one_request(account, sb):
    entry = entries.create(account, EntryKind.LIVE, "Draft", None, *slot())
    start, end = slot(hours_ahead=48, length=2)
    reset_stats(sb)
    result = sessions.update(account, entry.id, name="Final", start=start, end=end)
    assert stats(sb)["http_requests"] == 1
    assert result.changed and result.entry.name == "Final"
    assert result.entry.schedule is not None
    assert (result.entry.schedule.start, result.entry.schedule.end) == (start, end)
    [found] = schedule_events(sb, entry.id)
    assert (found.summary, found.startDate, found.endDate) == ("Final", start, end)
    assert make_client(sb).baseEntry.get(entry.id).name == "Final"
    reset_stats(sb)
    same = sessions.update(account, entry.id, name="Final")
    assert not same.changed and stats(sb)["http_requests"] == 0


def test_a_schedule_event_changed_in_kmc_is_put_back_by_the_next_reschedule(account, sb):
    start, end = slot()
    entry = entries.create(account, EntryKind.LIVE, "Moved in KMC", None, start, end)
    assert entry.schedule is not None
    kmc = KalturaLiveStreamScheduleEvent(startDate=start + 7200, endDate=end + 7200)
    make_client(sb).schedule.scheduleEvent.update(entry.schedule.schedule_event_id, kmc)
    reset_stats(sb)
    result = sessions.update(account, entry.id, start=start, end=end)  # same as cached
    assert stats(sb)["http_requests"] == 1
    [found] = schedule_events(sb, entry.id)
    assert (found.startDate, found.endDate) == (start, end)
    assert result.entry.schedule is not None and result.entry.schedule.start == start


def test_a_schedule_event_added_in_kmc_while_cached_as_none_is_not_duplicated(account, sb):
    entry = entries.create(account, EntryKind.LIVE, "Scheduled in KMC")
    start, end = slot()
    kmc = KalturaLiveStreamScheduleEvent(templateEntryId=entry.id, summary="KMC", startDate=start,
                                         endDate=end, recurrenceType=0)
    theirs = make_client(sb).schedule.scheduleEvent.add(kmc)
    later = slot(hours_ahead=72)
    result = sessions.update(account, entry.id, start=later[0], end=later[1])
    [found] = schedule_events(sb, entry.id)
    assert int(found.id) == int(theirs.id) and found.startDate == later[0]
    assert result.entry.schedule is not None
    assert result.entry.schedule.schedule_event_id == int(theirs.id)


def test_delete_also_takes_a_schedule_event_added_in_kmc(account, sb):
    entry = entries.create(account, EntryKind.ROOM, "Room scheduled in KMC")
    start, end = slot()
    kmc = KalturaMeetingScheduleEvent(templateEntryId=entry.id, summary="KMC", startDate=start,
                                      endDate=end, recurrenceType=0)
    make_client(sb).schedule.scheduleEvent.add(kmc)
    reset_stats(sb)
    sessions.delete(account, entry.id)
    assert stats(sb)["http_requests"] == 1
    assert schedule_events(sb, entry.id) == []


def test_reschedule_adds_the_schedule_event_an_unscheduled_session_lacks(account, sb):
    entry = entries.create(account, EntryKind.ROOM, "Room")
    start, end = slot()
    reset_stats(sb)
    result = sessions.update(account, entry.id, start=start, end=end)
    assert stats(sb)["http_requests"] == 1
    assert result.entry.schedule is not None
    assert len(schedule_events(sb, entry.id)) == 1


def test_a_schedule_event_deleted_in_kmc_is_repaired_not_duplicated(account, sb):
    entry = entries.create(account, EntryKind.LIVE, "Fragile", None, *slot())
    assert entry.schedule is not None
    make_client(sb).schedule.scheduleEvent.delete(entry.schedule.schedule_event_id)
    start, end = slot(hours_ahead=30)
    result = sessions.update(account, entry.id, start=start, end=end)
    events_now = schedule_events(sb, entry.id)
    assert len(events_now) == 1
    assert (events_now[0].startDate, events_now[0].endDate) == (start, end)
    assert result.entry.schedule is not None
    assert result.entry.schedule.schedule_event_id == int(events_now[0].id)
    # and a second update goes to the new event, in one request
    reset_stats(sb)
    sessions.update(account, entry.id, name="Sturdy")
    assert stats(sb)["http_requests"] == 1
    assert schedule_events(sb, entry.id)[0].summary == "Sturdy"


def test_moving_to_another_event_says_which_event_it_left(account, sb):
    first, second = events.create(account, "Day 1"), events.create(account, "Day 2")
    entries.create(account, EntryKind.LIVE, "Opening", second.id)
    entry = entries.create(account, EntryKind.LIVE, "Opening", first.id)
    result = sessions.update(account, entry.id, event_id=second.id)
    assert result.left_event_id == first.id and result.joined_event_id == second.id
    assert result.entry.event_id == second.id
    assert len(result.same_name) == 1  # allowed, reported
    detached = sessions.update(account, entry.id, event_id=None)
    assert detached.left_event_id == second.id and detached.entry.event_id is None


def test_delete_takes_the_group_and_schedule_event_in_one_request(account, sb):
    entry = entries.create(account, EntryKind.LIVE, "Gone soon", None, *slot())
    reset_stats(sb)
    result = sessions.delete(account, entry.id)
    counts = stats(sb)
    assert counts["http_requests"] == 1
    assert counts["by_action"] == {"baseentry.delete": 1, "group_group.delete": 1,
                                   "schedule_scheduleevent.list": 1,
                                   "schedule_scheduleevent.delete": 2}
    assert not result.already_gone
    assert schedule_events(sb, entry.id) == []
    with pytest.raises(KalturaException, match=r"ENTRY_ID_NOT_FOUND|not found"):
        make_client(sb).baseEntry.get(entry.id)
    with pytest.raises(NotFound):
        entries.get(account, entry.id)


def test_bad_input_is_refused_before_any_request(account, sb):
    entry = entries.create(account, EntryKind.LIVE, "Checked")
    start, end = slot()
    reset_stats(sb)
    with pytest.raises(InvalidInput, match="end after it starts"):
        entries.create(account, EntryKind.LIVE, "Backwards", None, end, start)
    with pytest.raises(InvalidInput, match="at most 256"):
        entries.create(account, EntryKind.LIVE, "x" * 257)
    with pytest.raises(InvalidInput, match="both a start and an end"):
        sessions.update(account, entry.id, start=start)
    assert stats(sb)["http_requests"] == 0


def test_a_lost_update_says_it_may_be_done_and_repeating_it_is_exact(account, sb):
    entry = entries.create(account, EntryKind.LIVE, "Shaky", None, *slot())
    start, end = slot(hours_ahead=50)
    set_faults(sb, malformed_rate=1.0)  # it ran; its answer could not be read
    try:
        with pytest.raises(ServiceUnavailable, match="may have been saved"):
            sessions.update(account, entry.id, name="Steady", start=start, end=end)
    finally:
        set_faults(sb)
    result = sessions.update(account, entry.id, name="Steady", start=start, end=end)
    assert result.entry.name == "Steady"
    [found] = schedule_events(sb, entry.id)
    assert (found.summary, found.startDate) == ("Steady", start)


@pytest.mark.parametrize(("fault", "ran"), [("malformed_rate", True), ("http_500_rate", False)])
def test_a_lost_delete_says_it_may_be_done_and_repeating_it_is_safe(account, sb, fault, ran):
    entry = entries.create(account, EntryKind.LIVE, "Shaky delete", None, *slot())
    set_faults(sb, **{fault: 1.0})
    try:
        with pytest.raises(ServiceUnavailable, match="may have been deleted"):
            sessions.delete(account, entry.id)
    finally:
        set_faults(sb)
    reset_stats(sb)
    result = sessions.delete(account, entry.id)
    assert stats(sb)["http_requests"] == 1
    assert result.entry_id == entry.id and result.already_gone is ran
    assert schedule_events(sb, entry.id) == []


def test_a_lost_create_with_schedule_is_found_with_one_schedule_event(account, fresh_sandbox):
    sb = fresh_sandbox.info
    start, end = slot()
    seed_first_hit_only(fresh_sandbox, 0.5)
    set_faults(sb, malformed_rate=0.5)
    try:
        made = entries.create(account, EntryKind.LIVE, "Made anyway", None, start, end)
    finally:
        set_faults(sb)
    assert made.schedule is not None
    assert len(schedule_events(sb, made.id)) == 1


def test_a_slot_longer_than_kalturas_single_event_limit_is_refused_first(account, sb):
    start = int(time.time()) + HOUR
    reset_stats(sb)
    with pytest.raises(InvalidInput, match="at most 24 hours"):
        entries.create(account, EntryKind.LIVE, "Marathon", None, start, start + 25 * HOUR)
    assert stats(sb)["http_requests"] == 0
