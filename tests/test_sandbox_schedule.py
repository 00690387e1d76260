"""The sandbox's scheduleEvent service through the real KalturaClient."""

from __future__ import annotations

import pytest
from conftest import reset_stats, stats
from KalturaClient.exceptions import KalturaException
from KalturaClient.Plugins.Core import KalturaFilterPager, KalturaLiveStreamEntry
from KalturaClient.Plugins.Schedule import (
    KalturaEntryScheduleEventFilter,
    KalturaLiveStreamScheduleEvent,
    KalturaLiveStreamScheduleEventFilter,
    KalturaMeetingScheduleEvent,
    KalturaMeetingScheduleEventFilter,
    KalturaRecordScheduleEvent,
    KalturaScheduleEventFilter,
)

CANCELLED, ACTIVE, DELETED = 1, 2, 3
DAY = 86400
T0 = 2_000_000_000  # far from any other test's events


def error_of(call, *args):
    """The (code, message) of a call that must fail."""
    with pytest.raises(KalturaException) as err:
        call(*args)
    return err.value.code, err.value.message


@pytest.fixture
def events(admin):
    return admin.schedule.scheduleEvent


@pytest.fixture
def live_entry(admin, unique):
    entry = KalturaLiveStreamEntry(name=unique("live"), mediaType=201)
    return admin.liveStream.add(entry).id


@pytest.fixture
def vod_entry(admin, unique):
    from KalturaClient.Plugins.Core import KalturaMediaEntry

    return admin.media.add(KalturaMediaEntry(name=unique("vod"), mediaType=1)).id


def live_event(template, start=T0, end=T0 + 3600, **kw):
    kw.setdefault("recurrenceType", 0)
    return KalturaLiveStreamScheduleEvent(
        templateEntryId=template, summary="Keynote", startDate=start, endDate=end, **kw
    )


def test_add_get_and_defaults(events, live_entry, info):
    event = events.add(live_event(live_entry))
    assert isinstance(event, KalturaLiveStreamScheduleEvent)
    assert isinstance(event.id, int) and event.id > 0
    assert (event.status.getValue(), event.partnerId, event.templateEntryId) == (
        ACTIVE, info.partner_id, live_entry,
    )
    assert (event.summary, event.startDate, event.endDate, event.sequence) == (
        "Keynote", T0, T0 + 3600, 1,
    )
    assert event.createdAt > 0 and event.updatedAt == event.createdAt
    got = events.get(event.id)
    assert (got.id, got.summary, got.templateEntryId) == (event.id, "Keynote", live_entry)


def test_meeting_and_simulive_source(events, live_entry, vod_entry, admin, unique):
    meeting = events.add(
        KalturaMeetingScheduleEvent(
            templateEntryId=live_entry, summary="Room", startDate=T0 + 10 * DAY,
            endDate=T0 + 10 * DAY + 2 * DAY, recurrenceType=0,
        )
    )
    assert isinstance(meeting, KalturaMeetingScheduleEvent)  # a meeting may last 3 days
    simulive = events.add(live_event(live_entry, T0 + 20 * DAY, T0 + 20 * DAY + 60,
                                     sourceEntryId=vod_entry))
    assert events.get(simulive.id).sourceEntryId == vod_entry


def test_required_fields_and_dates(events, live_entry):
    no_summary = live_event(live_entry)
    no_summary.summary = None
    assert error_of(events.add, no_summary) == (
        "PROPERTY_VALIDATION_CANNOT_BE_NULL",
        'The property "KalturaLiveStreamScheduleEvent::summary" cannot be null',
    )
    no_recurrence = live_event(live_entry)
    no_recurrence.recurrenceType = None
    assert error_of(events.add, no_recurrence)[1] == (
        'The property "KalturaLiveStreamScheduleEvent::recurrenceType" cannot be null'
    )
    assert error_of(events.add, live_event(live_entry, start=None)) == (
        "START_TIME_AND_LINKED_TO_NOT_SET",
        "Event must have either fields StartTime or LinkedTo set",
    )
    assert error_of(events.add, live_event(live_entry, end=None))[0] == (
        "PROPERTY_VALIDATION_CANNOT_BE_NULL"
    )
    assert error_of(events.add, live_event(live_entry, T0 + 100, T0 + 50)) == (
        "INVALID_SCHEDULE_END_BEFORE_START",
        f"End time [{T0 + 50}] must be after start time [{T0 + 100}]",
    )
    assert error_of(events.add, live_event(live_entry, T0, T0 + DAY + 1)) == (
        "MAX_SCHEDULE_DURATION_REACHED", f"Maximum schedule duration [{DAY}] reached",
    )
    assert error_of(events.add, live_event(live_entry, recurrenceType=2))[0] == (
        "INVALID_ENUM_VALUE"
    )


def test_source_entry_must_exist_and_not_be_negative(events, live_entry):
    assert error_of(events.add, live_event(live_entry, sourceEntryId="0_missing")) == (
        "ENTRY_ID_NOT_FOUND", 'Entry id "0_missing" not found',
    )
    assert error_of(events.add, live_event(live_entry, preStartTime=-1)) == (
        "INVALID_FIELD_VALUE", "value in field [preStartTime] is not valid",
    )


def test_overlap_on_one_template_is_refused(events, live_entry):
    first = events.add(live_event(live_entry, T0 + 5 * DAY, T0 + 5 * DAY + 3600))
    assert error_of(events.add, live_event(live_entry, T0 + 5 * DAY + 60, T0 + 5 * DAY + 120)) == (
        "SCHEDULE_TIME_IN_USE", "Another event is already scheduled during this time",
    )
    # back to back is fine, and an update of the event itself does not clash with itself
    events.add(live_event(live_entry, T0 + 5 * DAY + 3600, T0 + 5 * DAY + 7200))
    moved = events.update(first.id, KalturaLiveStreamScheduleEvent(endDate=T0 + 5 * DAY + 1800))
    assert (moved.endDate, moved.sequence) == (T0 + 5 * DAY + 1800, 2)


def test_update_validates_and_refuses_read_only(events, live_entry):
    event = events.add(live_event(live_entry))
    updated = events.update(event.id, KalturaLiveStreamScheduleEvent(summary="Renamed"))
    assert (updated.summary, updated.startDate, events.get(event.id).summary) == (
        "Renamed", T0, "Renamed",
    )
    assert error_of(
        events.update, event.id, KalturaLiveStreamScheduleEvent(startDate=T0 + 7200)
    )[0] == "INVALID_SCHEDULE_END_BEFORE_START"
    assert error_of(events.update, 999_999_999, KalturaLiveStreamScheduleEvent(summary="x")) == (
        "INVALID_OBJECT_ID", "Invalid object id [999999999]",
    )


def test_delete_is_soft_and_cancel_keeps_the_event(events, live_entry):
    event = events.add(live_event(live_entry, T0 + 30 * DAY, T0 + 30 * DAY + 60))
    deleted = events.delete(event.id)
    assert deleted.status.getValue() == DELETED
    assert error_of(events.get, event.id)[0] == "INVALID_OBJECT_ID"
    assert error_of(events.delete, event.id)[0] == "INVALID_OBJECT_ID"
    listed = events.list(KalturaScheduleEventFilter(idEqual=event.id))
    assert listed.totalCount == 0
    other = events.add(live_event(live_entry, T0 + 30 * DAY, T0 + 30 * DAY + 60))  # time freed
    assert events.cancel(other.id).status.getValue() == CANCELLED
    assert events.get(other.id).status.getValue() == CANCELLED


def test_list_filters(events, live_entry, admin, unique):
    second = admin.liveStream.add(KalturaLiveStreamEntry(name=unique("l2"), mediaType=201)).id
    a = events.add(live_event(live_entry, T0 + 40 * DAY, T0 + 40 * DAY + 60))
    b = events.add(live_event(live_entry, T0 + 41 * DAY, T0 + 41 * DAY + 60))
    c = events.add(
        KalturaMeetingScheduleEvent(templateEntryId=second, summary="m", recurrenceType=0,
                                    startDate=T0 + 42 * DAY, endDate=T0 + 42 * DAY + 60)
    )
    events.cancel(b.id)

    def ids(filt):
        return [e.id for e in events.list(filt, KalturaFilterPager(pageSize=500)).objects]

    assert ids(KalturaEntryScheduleEventFilter(templateEntryIdEqual=live_entry)) == [a.id, b.id]
    assert ids(KalturaScheduleEventFilter(idIn=f"{a.id},{c.id}")) == [a.id, c.id]
    assert ids(KalturaEntryScheduleEventFilter(
        templateEntryIdEqual=live_entry, statusEqual=ACTIVE)) == [a.id]
    assert ids(KalturaScheduleEventFilter(idIn=f"{a.id},{b.id}", statusIn="1")) == [b.id]
    window = KalturaScheduleEventFilter(
        startDateGreaterThanOrEqual=T0 + 41 * DAY, endDateLessThanOrEqual=T0 + 43 * DAY,
    )
    assert ids(window) == [b.id, c.id]
    assert ids(KalturaMeetingScheduleEventFilter(idIn=f"{a.id},{c.id}")) == [c.id]
    assert ids(KalturaLiveStreamScheduleEventFilter(idIn=f"{a.id},{c.id}")) == [a.id]
    listed = events.list(KalturaScheduleEventFilter(idEqual=a.id))
    assert listed.totalCount == 1 and isinstance(listed.objects[0], KalturaLiveStreamScheduleEvent)


def test_unimplemented_filter_and_classes_are_explicit_errors(events, live_entry):
    assert error_of(events.list, KalturaScheduleEventFilter(ownerIdEqual="x")) == (
        "SANDBOX_NOT_IMPLEMENTED",
        "The sandbox does not implement the schedule event filter ownerIdEqual",
    )
    record = KalturaRecordScheduleEvent(templateEntryId=live_entry, summary="r",
                                        startDate=T0, endDate=T0 + 1, recurrenceType=0)
    assert error_of(events.add, record)[0] == "SANDBOX_NOT_IMPLEMENTED"
    assert error_of(events.add, live_event(live_entry, recurrenceType=1))[1] == (
        "The sandbox does not implement recurring schedule events"
    )


def test_user_session_is_refused(client_for, live_entry):
    user = client_for(user_id="viewer", session_type=0)
    assert error_of(user.schedule.scheduleEvent.add, live_event(live_entry))[0] == (
        "SERVICE_FORBIDDEN"
    )


def test_entry_and_its_event_in_one_multirequest(admin, info, unique):
    reset_stats(info)
    admin.startMultiRequest()
    admin.liveStream.add(KalturaLiveStreamEntry(name=unique("mr"), mediaType=201))
    admin.schedule.scheduleEvent.add(
        live_event("{1:result:id}", T0 + 50 * DAY, T0 + 50 * DAY + 60)
    )
    entry, event = admin.doMultiRequest()
    assert isinstance(event, KalturaLiveStreamScheduleEvent)
    assert event.templateEntryId == entry.id
    counts = stats(info)
    assert (counts["http_requests"], counts["api_calls"]) == (1, 2)


def test_seeded_schedule_for_the_live_session_and_room(fresh_sandbox):
    from conftest import make_client

    admin = make_client(fresh_sandbox.info)
    entries = {e.name: e for e in admin.baseEntry.list().objects}
    live = entries["Live panel: the future of events"]
    listed = admin.schedule.scheduleEvent.list().objects
    assert len(listed) == 2
    session, green_room = listed
    assert isinstance(session, KalturaLiveStreamScheduleEvent)
    assert (session.templateEntryId, session.summary) == (live.id, live.name)
    assert (session.startDate, session.endDate) == (live.startDate, live.endDate)
    assert isinstance(green_room, KalturaMeetingScheduleEvent)
    room = admin.room.room.get(green_room.templateEntryId)
    assert (room.name, green_room.summary) == ("Speaker green room", "Speaker green room")
    assert green_room.endDate == live.startDate
    assert session.status.getValue() == green_room.status.getValue() == ACTIVE
    got = admin.liveStream.get(live.id)
    assert got.primaryBroadcastingUrl.endswith(f"?t={got.streamPassword}")
    assert got.primarySrtStreamId == f"#:::e={live.id},st=0,p={got.streamPassword}"


def test_a_refused_event_leaves_the_entry_of_the_same_multirequest(admin, unique):
    name = unique("half")
    admin.startMultiRequest()
    admin.liveStream.add(KalturaLiveStreamEntry(name=name, mediaType=201))
    admin.schedule.scheduleEvent.add(live_event("{1:result:id}", T0 + 60, T0))
    entry, refused = admin.doMultiRequest()
    assert isinstance(refused, KalturaException)
    assert refused.code == "INVALID_SCHEDULE_END_BEFORE_START"
    assert admin.liveStream.get(entry.id).name == name  # each call commits on its own
