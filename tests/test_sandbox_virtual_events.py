"""The sandbox's virtualEvent service through the real KalturaClient."""

from __future__ import annotations

import pytest
from KalturaClient.exceptions import KalturaException
from KalturaClient.Plugins.Core import (
    KalturaFilterPager,
    KalturaLiveStreamEntry,
    KalturaUserFilter,
)
from KalturaClient.Plugins.Schedule import KalturaLiveStreamScheduleEvent
from KalturaClient.Plugins.VirtualEvent import KalturaVirtualEvent, KalturaVirtualEventFilter

ACTIVE, DELETED = 2, 3


def error_of(call, *args):
    """The (code, message) of a call that must fail."""
    with pytest.raises(KalturaException) as err:
        call(*args)
    return err.value.code, err.value.message


@pytest.fixture
def events(admin):
    return admin.virtualEvent.virtualEvent


@pytest.fixture
def group_id(admin):
    """The seeded ``{liveEntryId}_moderators`` group."""
    groups = admin.user.list(KalturaUserFilter(typeEqual=1), KalturaFilterPager(pageSize=500))
    return next(g.id for g in groups.objects if g.id.endswith("_moderators"))


def test_add_get_and_defaults(events, info):
    event = events.add(KalturaVirtualEvent(name="Summit", description="d", tags="t"))
    assert isinstance(event.id, int) and event.id > 0
    assert (event.status.getValue(), event.partnerId, event.name) == (ACTIVE, info.partner_id, "Summit")
    assert event.createdAt > 0 and event.updatedAt == event.createdAt
    got = events.get(event.id)
    assert (got.id, got.description, got.tags) == (event.id, "d", "t")
    assert events.add(KalturaVirtualEvent(name="Next")).id > event.id  # autoincrement


def test_name_is_required_and_length_checked(events):
    assert error_of(events.add, KalturaVirtualEvent(description="no name")) == (
        "PROPERTY_VALIDATION_CANNOT_BE_NULL",
        'The property "KalturaVirtualEvent::name" cannot be null',
    )
    assert error_of(events.add, KalturaVirtualEvent(name="ab")) == (
        "PROPERTY_VALIDATION_MIN_LENGTH",
        'The property "name" must have a min length of 3 characters',
    )
    assert error_of(events.add, KalturaVirtualEvent(name="x" * 257)) == (
        "PROPERTY_VALIDATION_MAX_LENGTH",
        'The property "name" cannot have more than 256 characters',
    )
    assert events.add(KalturaVirtualEvent(name="x" * 256)).name == "x" * 256
    assert events.add(KalturaVirtualEvent(name="éé")).name == "éé"  # 4 bytes: PHP strlen
    event = events.add(KalturaVirtualEvent(name="Long enough"))
    assert error_of(events.update, event.id, KalturaVirtualEvent(name="ab"))[0] == (
        "PROPERTY_VALIDATION_MIN_LENGTH"
    )


@pytest.mark.parametrize("schema", ["[]", "not json", '"text"', "", "NaN"])
def test_registration_form_schema_must_be_a_json_object(events, schema):
    expected = (
        "VIRTUAL_EVENT_INVALID_REGISTRATION_FORM_SCHEMA",
        "Registration Form Schema must be a valid json string",
    )
    assert error_of(events.add, KalturaVirtualEvent(name="Form", registrationFormSchema=schema)) == expected
    event = events.add(KalturaVirtualEvent(name="Form", registrationFormSchema='{"fields": []}'))
    assert event.registrationFormSchema == '{"fields": []}'
    assert error_of(events.update, event.id, KalturaVirtualEvent(registrationFormSchema=schema)) == expected


def test_group_ids_must_be_groups(events, group_id):
    event = events.add(KalturaVirtualEvent(name="Grouped", adminsGroupIds=group_id, attendeesGroupIds="0"))
    assert (event.adminsGroupIds, event.attendeesGroupIds) == (group_id, "0")
    assert error_of(events.add, KalturaVirtualEvent(name="Bad", attendeesGroupIds=f"{group_id}, nosuch")) == (
        "INVALID_GROUP_ID", "Invalid group id - nosuch",
    )
    # a user is not a group
    assert error_of(events.update, event.id, KalturaVirtualEvent(adminsGroupIds="bob@example.com")) == (
        "INVALID_GROUP_ID", "Invalid group id - bob@example.com",
    )


def test_schedule_event_ids_must_exist(events, admin):
    missing = 999_999_123
    assert error_of(events.add, KalturaVirtualEvent(name="Sched", agendaScheduleEventId=missing)) == (
        "INVALID_OBJECT_ID", f"Invalid object id [{missing}]",
    )
    event = events.add(KalturaVirtualEvent(name="Sched", mainEventScheduleEventId=0))  # 0 is none
    assert error_of(
        events.update, event.id, KalturaVirtualEvent(registrationScheduleEventId=missing + 1)
    ) == ("INVALID_OBJECT_ID", f"Invalid object id [{missing + 1}]")
    live = admin.liveStream.add(KalturaLiveStreamEntry(name="main stage", mediaType=201))
    main = admin.schedule.scheduleEvent.add(KalturaLiveStreamScheduleEvent(
        templateEntryId=live.id, summary="Main", startDate=2_100_000_000,
        endDate=2_100_003_600, recurrenceType=0))
    linked = events.update(event.id, KalturaVirtualEvent(mainEventScheduleEventId=main.id))
    assert linked.mainEventScheduleEventId == main.id
    admin.schedule.scheduleEvent.delete(main.id)
    assert error_of(events.add, KalturaVirtualEvent(name="Gone", agendaScheduleEventId=main.id)) == (
        "INVALID_OBJECT_ID", f"Invalid object id [{main.id}]",
    )


def test_update(events):
    event = events.add(KalturaVirtualEvent(name="Before", description="keep"))
    updated = events.update(event.id, KalturaVirtualEvent(name="After", eventUrl="https://e.example"))
    assert (updated.name, updated.description, updated.eventUrl) == ("After", "keep", "https://e.example")
    assert updated.updatedAt >= event.updatedAt
    assert events.get(event.id).name == "After"


def test_missing_and_soft_delete(events):
    missing = 987654321
    expected = ("VIRTUAL_EVENT_NOT_FOUND", f"Virtual Event [{missing}] not found")
    assert error_of(events.get, missing) == expected
    assert error_of(events.update, missing, KalturaVirtualEvent(name="Nope")) == expected
    assert error_of(events.delete, missing) == expected
    event = events.add(KalturaVirtualEvent(name="Doomed"))
    assert events.delete(event.id) is None
    gone = ("VIRTUAL_EVENT_NOT_FOUND", f"Virtual Event [{event.id}] not found")
    assert error_of(events.get, event.id) == gone
    assert error_of(events.update, event.id, KalturaVirtualEvent(name="Again")) == gone
    assert error_of(events.delete, event.id) == gone
    assert events.list(KalturaVirtualEventFilter(idEqual=event.id)).totalCount == 0
    assert events.list(KalturaVirtualEventFilter(idEqual=event.id, statusEqual=DELETED)).totalCount == 0


def test_list_filters_and_pager(admin, events):
    ids = [events.add(KalturaVirtualEvent(name=f"Listed {i}")).id for i in range(3)]
    listed = events.list(KalturaVirtualEventFilter(idIn=",".join(map(str, ids))))
    assert ([e.id for e in listed.objects], listed.totalCount) == (ids, 3)
    newest = events.list(KalturaVirtualEventFilter(idIn=",".join(map(str, ids)), orderBy="-createdAt"))
    assert [e.createdAt for e in newest.objects] == sorted((e.createdAt for e in listed.objects), reverse=True)
    assert [e.id for e in events.list(KalturaVirtualEventFilter(idEqual=ids[1])).objects] == [ids[1]]
    page = events.list(KalturaVirtualEventFilter(idIn=",".join(map(str, ids))), KalturaFilterPager(pageSize=2, pageIndex=2))
    assert [e.id for e in page.objects] == [ids[2]]
    admin.startMultiRequest()
    for i in range(505):
        admin.virtualEvent.virtualEvent.add(KalturaVirtualEvent(name=f"Bulk {i}"))
    assert len(admin.doMultiRequest()) == 505
    everything = events.list(KalturaVirtualEventFilter(), KalturaFilterPager(pageSize=100000))
    assert len(everything.objects) == 500 and everything.totalCount > 505
    assert len(events.list().objects) == 30


def test_user_session_is_forbidden(client_for):
    user = client_for(user_id="bob@example.com", session_type=0).virtualEvent.virtualEvent
    for action, call, args in (
        ("list", user.list, ()),
        ("get", user.get, (1,)),
        ("add", user.add, (KalturaVirtualEvent(name="Nope"),)),
        ("delete", user.delete, (1,)),
    ):
        assert error_of(call, *args) == (
            "SERVICE_FORBIDDEN", f"The access to service [virtualevent_virtualevent->{action}] is forbidden",
        )
