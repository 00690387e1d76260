"""The sandbox's group and groupUser services through the real KalturaClient."""

from __future__ import annotations

import time

import pytest
from conftest import make_client
from KalturaClient.exceptions import KalturaException
from KalturaClient.Plugins.Core import (
    KalturaGroupType,
    KalturaGroupUser,
    KalturaGroupUserFilter,
    KalturaGroupUserRole,
    KalturaUser,
)
from KalturaClient.Plugins.Group import KalturaGroup, KalturaGroupFilter

from kproducer.sandbox.services import objects

NO_GROUP = ("INVALID_GROUP_ID", "Invalid group id - N/A")
LIST_NEEDS_IDS = (
    "PROPERTY_VALIDATION_CANNOT_BE_NULL",
    'The property "KalturaGroupUserFilter::userIdEqual/KalturaGroupUserFilter::userIdIn/'
    'KalturaGroupUserFilter::groupIdEqual/KalturaGroupUserFilter::groupIdIn" cannot be null',
)


def _error(call, *args):
    with pytest.raises(KalturaException) as err:
        call(*args)
    return err.value.code, err.value.message


def _forbidden(name):
    return ("SERVICE_FORBIDDEN", f"The access to service [{name}] is forbidden")


@pytest.fixture
def member(admin, unique):
    """A new user and a new group: ``(user_id, group_id)``."""
    uid, gid = unique("member"), unique("group")
    admin.user.add(KalturaUser(id=uid))
    admin.group.group.add(KalturaGroup(id=gid))
    return uid, gid


# --- group_group ------------------------------------------------------------------------------


def test_group_add_defaults_and_unmapped_names(admin, unique):
    gid = unique("grp")
    group = admin.group.group.add(KalturaGroup(id=gid, fullName="Not Mapped", tags="t"))
    assert (group.id, group.screenName, group.tags) == (gid, gid, "t")
    assert group.groupType.getValue() == 1 and group.status.getValue() == 1
    assert group.membersCount == 0
    assert not group.fullName  # KalturaGroup does not map fullName
    applicative = admin.group.group.add(
        KalturaGroup(id=unique("app"), groupType=KalturaGroupType.APPLICATIVE_GROUP)
    )
    assert applicative.groupType.getValue() == 2
    assert admin.user.get(gid).type.getValue() == 1  # groups are kusers


def test_group_add_refusals(admin, unique):
    gid = unique("grp")
    admin.group.group.add(KalturaGroup(id=gid))
    assert _error(admin.group.group.add, KalturaGroup(id=gid)) == (
        "DUPLICATE_USER_BY_ID", f"User with id [{gid}] already exists in system"
    )
    assert _error(admin.group.group.add, KalturaGroup(id="bob@example.com"))[0] == "DUPLICATE_USER_BY_ID"
    assert _error(admin.group.group.add, KalturaGroup(id="no spaces")) == (
        "INVALID_FIELD_VALUE", "value in field [id] is not valid"
    )
    assert _error(admin.group.group.add, KalturaGroup(id=unique("g"), screenName="http://x")) == (
        "INVALID_FIELD_VALUE", "value in field [screenName] is not valid"
    )


def test_group_missing_or_not_a_group(admin):
    for missing in ("no-such-group", "bob@example.com"):
        assert _error(admin.group.group.get, missing) == NO_GROUP
        assert _error(admin.group.group.update, missing, KalturaGroup(tags="x")) == NO_GROUP
        assert _error(admin.group.group.delete, missing) == NO_GROUP


def test_group_update_and_soft_delete(admin, unique):
    gid = unique("grp")
    admin.group.group.add(KalturaGroup(id=gid))
    updated = admin.group.group.update(
        gid, KalturaGroup(screenName="Renamed", groupType=KalturaGroupType.APPLICATIVE_GROUP)
    )
    assert (updated.screenName, updated.groupType.getValue()) == ("Renamed", 2)
    assert admin.group.group.get(gid).groupType.getValue() == 2
    deleted = admin.group.group.delete(gid)
    assert deleted.status.getValue() == 2 and deleted.id == gid
    assert _error(admin.group.group.get, gid) == NO_GROUP
    assert admin.group.group.list(KalturaGroupFilter(idEqual=gid)).totalCount == 0
    assert admin.group.group.add(KalturaGroup(id=gid)).status.getValue() == 1  # id free again


def test_group_list_only_groups(admin, unique):
    plain, applicative = unique("plain"), unique("applicative")
    admin.group.group.add(KalturaGroup(id=plain))
    admin.group.group.add(KalturaGroup(id=applicative, groupType=KalturaGroupType.APPLICATIVE_GROUP))
    ids = f"{plain},{applicative},bob@example.com"
    both = admin.group.group.list(KalturaGroupFilter(idIn=ids))
    assert sorted(g.id for g in both.objects) == sorted([plain, applicative]) and both.totalCount == 2
    only = admin.group.group.list(
        KalturaGroupFilter(idIn=ids, groupType=KalturaGroupType.APPLICATIVE_GROUP)
    )
    assert [g.id for g in only.objects] == [applicative]


def test_group_with_user_session(admin, client_for, member):
    _, gid = member
    bob = client_for(user_id="bob@example.com", session_type=0)
    assert _error(bob.group.group.get, gid) == (
        "CANNOT_RETRIEVE_ANOTHER_USER_USING_NON_ADMIN_SESSION",
        f'cannot retrieve another user "{gid}" using non-admin session',
    )
    assert _error(bob.group.group.get, "no-such-group") == NO_GROUP  # the missing check runs first
    assert bob.group.group.list(KalturaGroupFilter(idEqual=gid)).objects[0].id == gid
    assert _error(bob.group.group.add, KalturaGroup(id="x")) == _forbidden("group_group->add")
    assert _error(bob.group.group.delete, gid) == _forbidden("group_group->delete")
    ghost = client_for(user_id="ghost-user", session_type=0)
    assert _error(ghost.group.group.list) == (
        "USER_ID_NOT_PROVIDED_OR_EMPTY", "User ID not found neither on the object or KS"
    )


# --- groupUser --------------------------------------------------------------------------------


def test_group_user_add_defaults_and_count(admin, member):
    uid, gid = member
    added = admin.groupUser.add(KalturaGroupUser(userId=uid, groupId=gid))
    assert (added.userId, added.groupId, added.status.getValue()) == (uid, gid, 0)
    assert (added.creationMode.getValue(), added.userRole.getValue(), added.groupType.getValue()) == (1, 1, 1)
    assert added.id.isdigit() and added.partnerId == admin.session.get().partnerId
    assert admin.group.group.get(gid).membersCount == 1
    assert _error(admin.groupUser.add, KalturaGroupUser(userId=uid, groupId=gid)) == (
        "GROUP_USER_ALREADY_EXISTS", "GroupUser already exists"
    )


def test_group_user_add_refusals(admin, member):
    uid, gid = member
    for user_id in ("no-such-user", gid):  # missing, or a group
        assert _error(admin.groupUser.add, KalturaGroupUser(userId=user_id, groupId=gid)) == (
            "USER_NOT_FOUND", "User was not found"
        )
    for group_id in ("no-such-group", "bob@example.com"):  # missing, or a user
        assert _error(admin.groupUser.add, KalturaGroupUser(userId=uid, groupId=group_id)) == (
            "GROUP_NOT_FOUND", "Group was not found"
        )


def test_group_user_delete_is_soft_and_void(admin, member):
    uid, gid = member
    admin.groupUser.add(KalturaGroupUser(userId=uid, groupId=gid))
    assert admin.groupUser.delete(uid, gid) is None
    assert admin.group.group.get(gid).membersCount == 0
    assert admin.groupUser.list(KalturaGroupUserFilter(groupIdEqual=gid)).totalCount == 0
    assert _error(admin.groupUser.delete, uid, gid) == (
        "GROUP_USER_DOES_NOT_EXISTS", f'Invalid GroupUser for group ["{gid}"] and for user ["{uid}"]'
    )
    assert _error(admin.groupUser.delete, "no-such-user", gid) == ("INVALID_USER_ID", "Invalid user id")
    assert _error(admin.groupUser.delete, uid, "no-such-group") == ("GROUP_NOT_FOUND", "Group was not found")
    again = admin.groupUser.add(KalturaGroupUser(userId=uid, groupId=gid))
    assert again.status.getValue() == 0 and admin.group.group.get(gid).membersCount == 1


def test_group_user_list(admin, unique, member):
    uid, gid = member
    other = unique("other")
    admin.user.add(KalturaUser(id=other))
    for user_id in (uid, other):
        admin.groupUser.add(KalturaGroupUser(userId=user_id, groupId=gid))
    by_group = admin.groupUser.list(KalturaGroupUserFilter(groupIdEqual=gid))
    assert [m.userId for m in by_group.objects] == [uid, other] and by_group.totalCount == 2
    by_users = admin.groupUser.list(KalturaGroupUserFilter(userIdIn=f"{other},no-such-user"))
    assert [(m.userId, m.groupId) for m in by_users.objects] == [(other, gid)]
    assert admin.groupUser.list(KalturaGroupUserFilter(userIdEqual=uid)).objects[0].groupId == gid
    for unknown in (KalturaGroupUserFilter(groupIdEqual="no-such-group"),
                    KalturaGroupUserFilter(userIdEqual=gid),  # a group is not a user
                    KalturaGroupUserFilter(groupIdIn="a,b")):
        assert admin.groupUser.list(unknown).totalCount == 0
    assert _error(admin.groupUser.list) == LIST_NEEDS_IDS
    assert _error(admin.groupUser.list, KalturaGroupUserFilter(statusEqual=0)) == LIST_NEEDS_IDS


def test_group_user_update(admin, member):
    uid, gid = member
    added = admin.groupUser.add(KalturaGroupUser(userId=uid, groupId=gid))
    updated = admin.groupUser.update(added.id, KalturaGroupUser(userRole=KalturaGroupUserRole.MANAGER))
    assert updated.userRole.getValue() == 2 and updated.id == added.id
    assert _error(admin.groupUser.update, added.id, KalturaGroupUser(userId="someone-else")) == (
        "PROPERTY_VALIDATION_NOT_UPDATABLE", 'The property "KalturaGroupUser::userId" cannot be updated'
    )
    assert _error(admin.groupUser.update, "999999999", KalturaGroupUser(userRole=1)) == (
        "GROUP_USER_NOT_FOUND", "Group user was not found"
    )


def test_group_user_with_user_sessions(admin, client_for, unique, member):
    manager_id, gid = member
    admin.groupUser.add(KalturaGroupUser(userId=manager_id, groupId=gid, userRole=KalturaGroupUserRole.MANAGER))
    manager = client_for(user_id=manager_id, session_type=0)
    outsider_id, newcomer = unique("outsider"), unique("newcomer")
    for user_id in (outsider_id, newcomer):
        admin.user.add(KalturaUser(id=user_id))
    outsider = client_for(user_id=outsider_id, session_type=0)

    assert _error(outsider.groupUser.add, KalturaGroupUser(userId=newcomer, groupId=gid)) == _forbidden("groupuser->add")
    assert manager.groupUser.add(KalturaGroupUser(userId=newcomer, groupId=gid)).userId == newcomer
    assert _error(outsider.groupUser.delete, newcomer, gid) == _forbidden("groupuser->delete")
    assert manager.groupUser.delete(newcomer, gid) is None

    assert _error(outsider.groupUser.list) == (
        "PROPERTY_VALIDATION_CANNOT_BE_NULL",
        'The property "KalturaGroupUserFilter::userIdEqual/KalturaGroupUserFilter::groupIdEqual" cannot be null',
    )
    assert outsider.groupUser.list(KalturaGroupUserFilter(userIdEqual=outsider_id)).totalCount == 0
    assert _error(outsider.groupUser.list, KalturaGroupUserFilter(userIdEqual=manager_id)) == _forbidden("groupuser->list")
    assert _error(outsider.groupUser.list, KalturaGroupUserFilter(groupIdEqual=gid)) == _forbidden("groupuser->list")
    assert manager.groupUser.list(KalturaGroupUserFilter(groupIdEqual=gid)).totalCount == 1
    # The server calls a method on the missing kuser: a PHP Error, reported as internal.
    assert _error(outsider.groupUser.list, KalturaGroupUserFilter(userIdEqual="no-such-user")) == (
        "INTERNAL_SERVERL_ERROR", "Internal server error occurred"
    )


def test_group_user_max_groups(fresh_sandbox, unique):
    db, info = fresh_sandbox.db, fresh_sandbox.info
    now = int(time.time())
    uid = unique("joiner")
    objects.add_kuser(db, info.partner_id, {"id": uid}, now)
    for i in range(1025):
        objects.add_kuser(db, info.partner_id, {"id": f"g{i}"}, now, user_type=1)
    for i in range(1024):
        objects.add_group_user(db, info.partner_id, uid, f"g{i}", {}, now)
    admin = make_client(info)
    assert _error(admin.groupUser.add, KalturaGroupUser(userId=uid, groupId="g1024")) == (
        "USER_EXCEEDED_MAX_GROUPS", "User exceeded max number of groups"
    )


# --- multirequest -----------------------------------------------------------------------------


def test_multirequest_adds_user_group_and_membership(admin, unique):
    uid, gid = unique("mr-user"), unique("mr-group")

    def queue():
        admin.startMultiRequest()
        user = admin.user.add(KalturaUser(id=uid))
        group = admin.group.group.add(KalturaGroup(id=gid))
        admin.groupUser.add(KalturaGroupUser(userId=user.id, groupId=group.id))
        admin.groupUser.list(KalturaGroupUserFilter(groupIdEqual=gid))
        return admin.doMultiRequest()

    first = queue()
    assert (first[0].id, first[1].id, first[2].userId, first[2].groupId) == (uid, gid, uid, gid)
    assert first[3].totalCount == 1
    again = queue()  # the errors come back in the list; later calls still run
    assert [r.code for r in again[:3]] == ["DUPLICATE_USER_BY_ID", "DUPLICATE_USER_BY_ID", "USER_NOT_FOUND"]
    assert again[3].totalCount == 1

    admin.startMultiRequest()
    admin.groupUser.add(KalturaGroupUser(userId=uid, groupId=gid))
    admin.groupUser.delete(uid, gid)
    admin.group.group.get(gid)
    tolerated, deleted, group = admin.doMultiRequest()
    assert tolerated.code == "GROUP_USER_ALREADY_EXISTS" and deleted == "" and group.membersCount == 0


def test_memberships_do_not_survive_deleting_the_user_or_group(admin, unique):
    from KalturaClient.Plugins.Core import KalturaGroupUser, KalturaGroupUserFilter, KalturaUser
    from KalturaClient.Plugins.Group import KalturaGroup

    group_id, user_id = unique("grp"), unique("usr")
    admin.group.group.add(KalturaGroup(id=group_id))
    admin.user.add(KalturaUser(id=user_id))
    admin.groupUser.add(KalturaGroupUser(userId=user_id, groupId=group_id))
    admin.group.group.delete(group_id)
    admin.group.group.add(KalturaGroup(id=group_id))  # a new kuser with the same id
    assert admin.groupUser.list(KalturaGroupUserFilter(groupIdEqual=group_id)).totalCount == 0
    admin.groupUser.add(KalturaGroupUser(userId=user_id, groupId=group_id))
    admin.user.delete(user_id)
    admin.user.add(KalturaUser(id=user_id))
    assert admin.groupUser.list(KalturaGroupUserFilter(userIdEqual=user_id)).totalCount == 0
