"""The sandbox's user service through the real KalturaClient."""

from __future__ import annotations

import pytest
from KalturaClient.exceptions import KalturaException
from KalturaClient.Plugins.Core import KalturaFilterPager, KalturaUser, KalturaUserFilter


def test_add_applies_server_defaults(admin, unique):
    uid = unique("user") + "@example.com"
    user = admin.user.add(KalturaUser(id=uid, email=uid))
    assert user.id == uid
    assert user.screenName == uid  # screenName defaults to the id
    assert not user.firstName and user.fullName == ""  # no name given, none made up
    assert user.status.getValue() == 1
    assert user.createdAt > 0


def test_add_duplicate_gives_exact_error(admin, unique):
    uid = unique("dup")
    admin.user.add(KalturaUser(id=uid))
    with pytest.raises(KalturaException) as err:
        admin.user.add(KalturaUser(id=uid))
    assert err.value.code == "DUPLICATE_USER_BY_ID"
    assert err.value.message == f"User with id [{uid}] already exists in system"


@pytest.mark.parametrize("bad", ["", "has space", "x" * 321, "slash/no"])
def test_add_invalid_id(admin, bad):
    with pytest.raises(KalturaException) as err:
        admin.user.add(KalturaUser(id=bad))
    assert err.value.code == "INVALID_FIELD_VALUE"
    assert err.value.message == "value in field [id] is not valid"


def test_get_missing(admin):
    with pytest.raises(KalturaException) as err:
        admin.user.get("no-such-user")
    assert (err.value.code, err.value.message) == ("INVALID_USER_ID", "Invalid user id")


def test_soft_delete_then_add_again(admin, unique):
    uid = unique("gone")
    admin.user.add(KalturaUser(id=uid, firstName="First"))
    deleted = admin.user.delete(uid)
    assert deleted.status.getValue() == 2
    with pytest.raises(KalturaException) as err:
        admin.user.get(uid)
    assert err.value.code == "INVALID_USER_ID"
    again = admin.user.add(KalturaUser(id=uid, firstName="Second"))
    assert again.firstName == "Second"
    assert admin.user.get(uid).firstName == "Second"


def test_update_and_readonly(admin, unique):
    uid = unique("upd")
    admin.user.add(KalturaUser(id=uid, firstName="A", lastName="B"))
    updated = admin.user.update(uid, KalturaUser(firstName="C"))
    assert (updated.firstName, updated.lastName, updated.fullName) == ("C", "B", "C B")
    with pytest.raises(KalturaException) as err:
        admin.user.update("no-such-user", KalturaUser(firstName="C"))
    assert err.value.code == "INVALID_USER_ID"
    with pytest.raises(KalturaException) as err:
        admin.user.update(uid, KalturaUser(loginEnabled=True))  # insert-only
    assert err.value.code == "PROPERTY_VALIDATION_NOT_UPDATABLE"
    assert err.value.message == 'The property "KalturaUser::loginEnabled" cannot be updated'


def test_user_session_reads_only_itself(client_for, info):
    own = client_for(user_id="bob@example.com", session_type=0)
    assert own.user.get("bob@example.com").id == "bob@example.com"
    with pytest.raises(KalturaException) as err:
        own.user.get("alice@example.com")
    assert err.value.code == "CANNOT_RETRIEVE_ANOTHER_USER_USING_NON_ADMIN_SESSION"
    assert (
        err.value.message
        == 'cannot retrieve another user "alice@example.com" using non-admin session'
    )
    with pytest.raises(KalturaException) as err:
        own.user.add(KalturaUser(id="nope"))
    assert err.value.code == "SERVICE_FORBIDDEN"
    assert err.value.message == "The access to service [user->add] is forbidden"


def test_list_filters_and_pager_cap(admin, unique):
    prefix = unique("lst")
    for i in range(3):
        admin.user.add(KalturaUser(id=f"{prefix}-{i}", firstName=f"N{i}"))
    result = admin.user.list(KalturaUserFilter(idIn=f"{prefix}-0,{prefix}-2"))
    assert result.totalCount == 2
    assert sorted(u.id for u in result.objects) == [f"{prefix}-0", f"{prefix}-2"]
    page = admin.user.list(
        KalturaUserFilter(firstNameStartsWith="N", idIn=f"{prefix}-0,{prefix}-1,{prefix}-2"),
        KalturaFilterPager(pageSize=2, pageIndex=2),
    )
    assert page.totalCount == 3 and len(page.objects) == 1
    capped = admin.user.list(KalturaUserFilter(), KalturaFilterPager(pageSize=100000))
    assert len(capped.objects) <= 500
