"""The sandbox's baseEntry, media, liveStream and room services through the real KalturaClient."""

from __future__ import annotations

import re
import time

import pytest
from KalturaClient.exceptions import KalturaException
from KalturaClient.Plugins.Core import (
    KalturaBaseEntry,
    KalturaBaseEntryFilter,
    KalturaFilterPager,
    KalturaLiveStreamAdminEntry,
    KalturaLiveStreamEntry,
    KalturaMediaEntry,
)
from KalturaClient.Plugins.Room import KalturaRoomEntry, KalturaRoomEntryFilter
from KalturaClient.Plugins.VirtualEvent import KalturaVirtualEventFilter

from kproducer.sandbox.seed import EVENT_TAG_PREFIX

NO_CONTENT, READY, DELETED = "7", "2", "3"


def error_of(call, *args, **kwargs):
    """The (code, message) of a call that must fail."""
    with pytest.raises(KalturaException) as err:
        call(*args, **kwargs)
    return err.value.code, err.value.message


def not_found(entry_id):
    return ("ENTRY_ID_NOT_FOUND", f'Entry id "{entry_id}" not found')


def add_media(client, **fields):
    return client.media.add(KalturaMediaEntry(mediaType=1, **fields))


def add_live(client, **fields):
    return client.liveStream.add(KalturaLiveStreamEntry(mediaType=201, **fields))


def add_room(client, **fields):
    return client.room.room.add(KalturaRoomEntry(**{"roomType": 1, **fields}))


def all_statuses(**fields):
    return KalturaBaseEntryFilter(statusIn="-2,-1,0,1,2,4,5,6,7", **fields)


# --- add and get ---------------------------------------------------------------------------------


def test_base_add_has_no_content_and_server_defaults(admin, info):
    before = int(time.time())
    entry = admin.baseEntry.add(KalturaMediaEntry(name="Clip", mediaType=1))
    assert type(entry) is KalturaMediaEntry
    assert re.fullmatch(r"0_[0-9a-z]{8}", entry.id)
    assert entry.status.getValue() == NO_CONTENT
    assert entry.type.getValue() == "1"
    assert (entry.userId, entry.creatorId, entry.partnerId) == (
        info.admin_user_id, info.admin_user_id, info.partner_id,
    )
    assert entry.moderationStatus.getValue() == 6 and entry.createdAt >= before
    unnamed = admin.baseEntry.add(KalturaBaseEntry())
    assert re.fullmatch(rf"{info.partner_id}_\d{{10}}", unnamed.name)  # {partnerId}_{time}
    assert type(unnamed) is KalturaBaseEntry and unnamed.type.getValue() == "-1"
    typed = admin.baseEntry.add(KalturaBaseEntry(name="typed"), "1")
    assert type(admin.baseEntry.get(typed.id)) is KalturaMediaEntry


def test_get_returns_the_concrete_class(admin, client_for):
    media, live, room = add_media(admin, name="m"), add_live(admin, name="l"), add_room(admin, name="r")
    assert type(admin.baseEntry.get(media.id)) is KalturaMediaEntry
    assert type(admin.baseEntry.get(room.id)) is KalturaRoomEntry
    # KalturaEntryFactory gives admins the (deprecated) admin subclass of the live entry
    assert type(admin.baseEntry.get(live.id)) is KalturaLiveStreamAdminEntry
    assert type(admin.liveStream.add(KalturaLiveStreamEntry(mediaType=201))) is KalturaLiveStreamEntry
    user = client_for(user_id="bob@example.com", session_type=0)
    assert type(user.baseEntry.get(live.id)) is KalturaLiveStreamEntry
    assert type(admin.media.get(live.id)) is KalturaLiveStreamAdminEntry  # live is media too


def test_media_add_and_user_id_limit(admin, unique):
    entry = add_media(admin, name="Video", tags="a,b", description="d")
    assert (entry.status.getValue(), entry.sourceType.getValue(), entry.mediaType.getValue()) == (
        NO_CONTENT, "1", 1,
    )
    assert admin.media.get(entry.id).tags == "a,b"
    owner = unique("owner")
    assert add_media(admin, userId=owner).userId == owner
    assert admin.user.get(owner).id == owner  # createKuserForPartner
    code, message = error_of(add_media, admin, userId="u" * 101)
    assert (code, message) == (
        "PROPERTY_VALIDATION_MAX_LENGTH", 'The property "userId" cannot have more than 100 characters',
    )
    code, message = error_of(add_media, admin, displayInSearch=2)
    assert (code, message) == (
        "ENTRY_DISPLAY_IN_SEARCH_VALUE_NOT_ALLOWED", 'Cannot set the value of DISPLAY_IN_SEARCH to ["2"]',
    )
    code, message = error_of(add_media, admin, startDate=2000, endDate=1000)
    assert (code, message) == ("INVALID_ENTRY_SCHEDULE_DATES", "Invalid entry schedule dates")


def test_live_add(admin, client_for):
    live = add_live(admin, name="Panel")
    assert (live.status.getValue(), live.type.getValue(), live.sourceType.getValue()) == (READY, "7", "32")
    assert re.fullmatch(r"[0-9a-f]{8}", live.streamPassword)
    assert live.streamName == f"{live.id}_%i" and live.primaryBroadcastingUrl
    manual = admin.liveStream.add(KalturaLiveStreamEntry(mediaType=201), "30")
    assert manual.sourceType.getValue() == "30"
    code, message = error_of(admin.liveStream.add, KalturaLiveStreamEntry(name="no media type"))
    assert (code, message) == (
        "PROPERTY_VALIDATION_CANNOT_BE_NULL",
        'The property "KalturaLiveStreamEntry::mediaType" cannot be null',
    )
    code, message = error_of(admin.liveStream.add, KalturaLiveStreamEntry(mediaType=201), "31")
    assert (code, message) == ("ENTRY_SOURCE_TYPE_NOT_SUPPORTED", 'Entry source type "31" not supported')
    code, message = error_of(admin.liveStream.add, KalturaLiveStreamEntry(mediaType=201), "29")
    assert message == 'The property "KalturaLiveStreamEntry::encodingIP1" cannot be null'
    user = client_for(user_id="bob@example.com", session_type=0)
    code, message = error_of(add_live, user)
    assert (code, message) == ("SERVICE_FORBIDDEN", "The access to service [livestream->add] is forbidden")


def test_get_of_missing_or_wrong_type_is_not_found(admin):
    media, live, room = add_media(admin), add_live(admin), add_room(admin)
    missing = "0_zzzzzzzz"
    for call in (admin.baseEntry.get, admin.media.get, admin.liveStream.get, admin.room.room.get):
        assert error_of(call, missing) == not_found(missing)
    assert error_of(admin.media.get, room.id) == not_found(room.id)
    assert error_of(admin.liveStream.get, media.id) == not_found(media.id)
    assert error_of(admin.room.room.get, live.id) == not_found(live.id)
    assert error_of(admin.baseEntry.update, missing, KalturaBaseEntry(name="x")) == not_found(missing)
    assert error_of(admin.baseEntry.delete, missing) == not_found(missing)


# --- update and delete -----------------------------------------------------------------------------


def test_update(admin):
    entry = add_media(admin, name="Before", startDate=1000, endDate=2000)
    updated = admin.baseEntry.update(entry.id, KalturaMediaEntry(name="After", adminTags="x"))
    assert type(updated) is KalturaMediaEntry
    assert (updated.name, updated.adminTags, updated.startDate) == ("After", "x", 1000)
    assert updated.updatedAt >= entry.updatedAt
    as_base = admin.baseEntry.update(entry.id, KalturaBaseEntry(type="7", description="d"))
    assert type(as_base) is KalturaBaseEntry and as_base.type.getValue() == "1"  # type is ignored
    assert admin.baseEntry.update(entry.id, KalturaMediaEntry(mediaType=1)).mediaType.getValue() == 1
    code, message = error_of(admin.baseEntry.update, entry.id, KalturaMediaEntry(mediaType=5))
    assert (code, message) == (
        "PROPERTY_VALIDATION_NOT_UPDATABLE", 'The property "KalturaMediaEntry::mediaType" cannot be updated',
    )
    code, message = error_of(admin.baseEntry.update, entry.id, KalturaMediaEntry(endDate=500))
    assert (code, message) == ("INVALID_ENTRY_SCHEDULE_DATES", "Invalid entry schedule dates")


def test_soft_delete(admin):
    entry = add_media(admin, name="doomed")
    assert admin.baseEntry.delete(entry.id) is None
    assert error_of(admin.baseEntry.get, entry.id) == not_found(entry.id)
    assert error_of(admin.baseEntry.update, entry.id, KalturaBaseEntry(name="x")) == not_found(entry.id)
    assert error_of(admin.baseEntry.delete, entry.id) == not_found(entry.id)
    assert admin.baseEntry.list(all_statuses(idIn=entry.id)).totalCount == 0
    deleted = admin.baseEntry.list(KalturaBaseEntryFilter(idIn=entry.id, statusEqual=DELETED))
    assert [e.status.getValue() for e in deleted.objects] == [DELETED]


def test_user_session_rules(admin, client_for, info):
    bob = client_for(user_id="bob@example.com", session_type=0)
    own = add_media(bob, name="bob's")
    assert own.userId == "bob@example.com"
    assert bob.baseEntry.update(own.id, KalturaBaseEntry(name="renamed")).name == "renamed"
    code, message = error_of(add_media, bob, adminTags="t")
    assert (code, message) == (
        "PROPERTY_VALIDATION_ADMIN_PROPERTY", 'The property "adminTags" is updatable with admin session only',
    )
    code, message = error_of(bob.baseEntry.update, own.id, KalturaBaseEntry(startDate=10))
    assert message == 'The property "startDate" is updatable with admin session only'
    assert add_media(bob, startDate=10).startDate is None  # dropped on insert: no permission
    invalid_ks = ("INVALID_KS", 'Invalid KS "", Error "-4,INVALID_TYPE"')
    assert error_of(add_media, bob, userId="alice@example.com") == invalid_ks
    others = add_media(admin)
    assert error_of(bob.baseEntry.update, others.id, KalturaBaseEntry(name="x")) == invalid_ks
    assert error_of(bob.baseEntry.delete, others.id) == invalid_ks
    edit = client_for(user_id="bob@example.com", session_type=0, privileges=f"edit:{others.id}")
    assert edit.baseEntry.update(others.id, KalturaBaseEntry(name="x")).name == "x"
    bob.baseEntry.delete(own.id)
    live = add_live(admin)
    seen = bob.liveStream.get(live.id)
    assert (seen.streamPassword, seen.primaryBroadcastingUrl) == ("", "")  # sent as null
    assert admin.liveStream.get(live.id).streamPassword == live.streamPassword


# --- list ----------------------------------------------------------------------------------------------


def test_list_shows_ready_entries_unless_a_status_is_given(admin, unique):
    tag = unique("tag").replace("-", "")
    media, live, room = (add(admin, tags=tag) for add in (add_media, add_live, add_room))
    ready = admin.baseEntry.list(KalturaBaseEntryFilter(tagsLike=tag))
    assert [e.id for e in ready.objects] == [live.id]
    every = admin.baseEntry.list(all_statuses(tagsLike=tag))
    assert [e.id for e in every.objects] == [media.id, live.id, room.id]
    assert [type(e) for e in every.objects] == [KalturaMediaEntry, KalturaLiveStreamAdminEntry, KalturaRoomEntry]
    assert every.totalCount == 3
    by_id = admin.baseEntry.list(KalturaBaseEntryFilter(idEqual=room.id))  # idEqual: any status
    assert [e.id for e in by_id.objects] == [room.id]


def test_list_matches_admin_tags_as_words(admin, unique):
    event = int(time.time() * 1000) % 10**9
    first = add_live(admin, adminTags=f"{EVENT_TAG_PREFIX}{event}")
    second = add_live(admin, adminTags=f"other, {EVENT_TAG_PREFIX}{event}1")
    found = admin.baseEntry.list(KalturaBaseEntryFilter(adminTagsLike=f"{EVENT_TAG_PREFIX}{event}"))
    assert [e.id for e in found.objects] == [first.id]  # not virtualevent_{N}1
    both = admin.baseEntry.list(KalturaBaseEntryFilter(
        adminTagsMultiLikeOr=f"{EVENT_TAG_PREFIX}{event},{EVENT_TAG_PREFIX}{event}1"))
    assert [e.id for e in both.objects] == [first.id, second.id]
    none = admin.baseEntry.list(KalturaBaseEntryFilter(
        adminTagsMultiLikeAnd=f"{EVENT_TAG_PREFIX}{event},{EVENT_TAG_PREFIX}{event}1"))
    assert none.totalCount == 0


def test_seeded_sessions_are_tied_to_the_seeded_event(admin):
    event = admin.virtualEvent.virtualEvent.list(KalturaVirtualEventFilter()).objects[0]
    assert event.name == "Sandbox Summit 2026"
    found = admin.baseEntry.list(all_statuses(adminTagsLike=f"{EVENT_TAG_PREFIX}{event.id}"))
    assert sorted(e.type.getValue() for e in found.objects) == ["1", "7", "room.room"]


def test_list_filters_and_order(admin, unique):
    word = unique("w").replace("-", "")
    a = add_media(admin, name=f"Alpha {word}", description="first")
    b = add_live(admin, name=f"Beta {word}", tags="special")
    c = add_room(admin, name=f"Gamma {word}")
    ids = [a.id, b.id, c.id]

    def listed(**fields):
        return [e.id for e in admin.baseEntry.list(all_statuses(**fields)).objects]

    assert listed(nameLike=word) == ids
    assert listed(nameLike=word, orderBy="-name") == ids[::-1]
    assert listed(idIn=f"{a.id},{c.id}") == [a.id, c.id]
    assert listed(nameLike=word, typeIn="7,room.room") == [b.id, c.id]
    assert listed(nameLike=word, typeEqual="1") == [a.id]
    assert listed(freeText=f"{word} special") == [b.id]
    assert listed(freeText=f"first,{b.id}") == [a.id, b.id]
    assert listed(nameLike=word, statusEqual=NO_CONTENT) == [a.id, c.id]
    assert listed(nameLike=word, createdAtGreaterThanOrEqual=b.createdAt) == [
        i for i, e in zip(ids, (a, b, c), strict=True) if e.createdAt >= b.createdAt
    ]
    assert listed(nameLike=word, userIdEqual="nobody") == []


def test_pager_default_30_and_cap_500(admin, unique):
    tag = unique("bulk").replace("-", "")
    admin.startMultiRequest()
    for i in range(505):
        admin.baseEntry.add(KalturaBaseEntry(name=f"bulk {i}", tags=tag))
    results = admin.doMultiRequest()
    assert len(results) == 505 and all(isinstance(r, KalturaBaseEntry) for r in results)
    listed = admin.baseEntry.list(KalturaBaseEntryFilter(tagsLike=tag, statusEqual=NO_CONTENT))
    assert (listed.totalCount, len(listed.objects)) == (505, 30)
    capped = admin.baseEntry.list(
        KalturaBaseEntryFilter(tagsLike=tag, statusEqual=NO_CONTENT), KalturaFilterPager(pageSize=1000)
    )
    assert len(capped.objects) == 500
    last = admin.baseEntry.list(
        KalturaBaseEntryFilter(tagsLike=tag, statusEqual=NO_CONTENT),
        KalturaFilterPager(pageSize=500, pageIndex=2),
    )
    assert [e.name for e in last.objects] == [f"bulk {i}" for i in range(500, 505)]


def test_multirequest_live_then_get(admin):
    admin.startMultiRequest()
    admin.liveStream.add(KalturaLiveStreamEntry(name="multi", mediaType=201))
    admin.baseEntry.get("{1:result:id}")
    admin.baseEntry.get("0_missing0")
    admin.media.get("{1:result:id}")
    live, fetched, missing, as_media = admin.doMultiRequest()
    assert isinstance(live, KalturaLiveStreamEntry) and fetched.id == live.id
    assert isinstance(fetched, KalturaLiveStreamAdminEntry)
    assert isinstance(missing, KalturaException) and missing.code == "ENTRY_ID_NOT_FOUND"
    assert as_media.id == live.id


# --- rooms ---------------------------------------------------------------------------------------------


def test_room_add_requires_room_type(admin):
    code, message = error_of(admin.room.room.add, KalturaRoomEntry(name="no type"))
    assert (code, message) == (
        "PROPERTY_VALIDATION_CANNOT_BE_NULL", 'The property "KalturaRoomEntry::roomType" cannot be null',
    )
    room = add_room(admin, name="Green room")
    assert (room.type.getValue(), room.status.getValue(), room.roomType.getValue()) == (
        "room.room", NO_CONTENT, 1,
    )
    assert admin.room.room.get(room.id).name == "Green room"
    code, message = error_of(add_room, admin, templateRoomEntryId="0_zzzzzzzz")
    assert (code, message) == not_found("0_zzzzzzzz")
    media = add_media(admin)
    code, message = error_of(add_room, admin, templateRoomEntryId=media.id)
    assert (code, message) == ("INVALID_FIELD_VALUE", "value in field [templateRoomEntryId] is not valid")


def test_room_list_update_delete_and_user_session(admin, client_for, unique):
    tag = unique("room").replace("-", "")
    bob = client_for(user_id="bob@example.com", session_type=0)
    rooms = [add_room(bob, tags=tag), add_room(admin, tags=tag, roomType=2)]
    add_media(admin, tags=tag)
    assert admin.room.room.list(KalturaRoomEntryFilter(tagsLike=tag)).totalCount == 0  # READY only
    listed = bob.room.room.list(KalturaRoomEntryFilter(tagsLike=tag, statusEqual=NO_CONTENT))
    assert [r.id for r in listed.objects] == [r.id for r in rooms]
    assert all(type(r) is KalturaRoomEntry for r in listed.objects)
    breakout = admin.room.room.list(KalturaRoomEntryFilter(tagsLike=tag, statusEqual=NO_CONTENT, roomTypeEqual=2))
    assert [r.id for r in breakout.objects] == [rooms[1].id]
    assert bob.room.room.update(rooms[0].id, KalturaRoomEntry(name="Renamed")).name == "Renamed"
    bob.room.room.delete(rooms[0].id)
    assert error_of(admin.room.room.get, rooms[0].id) == not_found(rooms[0].id)
    assert error_of(admin.room.room.delete, rooms[0].id) == not_found(rooms[0].id)

