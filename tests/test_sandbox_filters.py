"""Filters: what the sandbox cannot apply it refuses by name; the kuser prefix filters work.

A filter property no list implements must never come back as an unfiltered or empty list.
"""

from __future__ import annotations

import pytest
from conftest import make_client
from KalturaClient.exceptions import KalturaException
from KalturaClient.Plugins.Core import (
    KalturaBaseEntryFilter,
    KalturaGroupUserFilter,
    KalturaSearchCondition,
    KalturaSearchOperator,
    KalturaUser,
    KalturaUserFilter,
)
from KalturaClient.Plugins.Group import KalturaGroup, KalturaGroupFilter


def _refused(call) -> KalturaException:
    with pytest.raises(KalturaException) as raised:
        call()
    return raised.value


@pytest.mark.parametrize(
    ("list_name", "make_filter", "prop", "filter_type"),
    [
        ("user", lambda: KalturaUserFilter(roleIdEqual="3"), "roleIdEqual", "KalturaUserFilter"),
        ("user", lambda: KalturaUserFilter(permissionNamesMultiLikeOr="X"),
         "permissionNamesMultiLikeOr", "KalturaUserFilter"),
        ("baseEntry", lambda: KalturaBaseEntryFilter(categoriesIdsEmpty=1),
         "categoriesIdsEmpty", "KalturaBaseEntryFilter"),
        ("baseEntry", lambda: KalturaBaseEntryFilter(advancedSearch=KalturaSearchOperator(
            items=[KalturaSearchCondition(field="x", value="y")])),
         "advancedSearch", "KalturaBaseEntryFilter"),
    ],
)
def test_a_filter_property_the_sandbox_cannot_apply_is_refused_by_name(
    admin, list_name, make_filter, prop, filter_type
):
    error = _refused(lambda: getattr(admin, list_name).list(make_filter()))
    assert error.code == "SANDBOX_FILTER_NOT_IMPLEMENTED"
    assert error.message == (
        f'The sandbox does not implement the filter property "{prop}" of {filter_type}'
    )


def test_group_user_lists_refuse_what_they_cannot_apply_too(admin, unique):
    gid = unique("gu-filter")
    admin.group.group.add(KalturaGroup(id=gid))
    flt = KalturaGroupUserFilter(groupIdEqual=gid, createdAtGreaterThanOrEqual=1)
    assert admin.groupUser.list(flt).totalCount == 0  # properties they do apply
    flt.advancedSearch = KalturaSearchOperator(items=[KalturaSearchCondition(field="a")])
    error = _refused(lambda: admin.groupUser.list(flt))
    assert error.code == "SANDBOX_FILTER_NOT_IMPLEMENTED" and '"advancedSearch"' in error.message


@pytest.fixture
def people(fresh_sandbox):
    client = make_client(fresh_sandbox.info)
    users = [
        KalturaUser(id="xav-77", screenName="Zed Quill", firstName="Maria", lastName="Lopez"),
        KalturaUser(id="yorick", screenName="Yoyo", firstName="Ann", lastName="Marie-Claire"),
        KalturaUser(id="zoe", screenName="z", firstName="Rian", lastName="Oak"),
    ]
    for user in users:
        client.user.add(user)
    return client


def _ids(client, **props) -> list[str]:
    return sorted(u.id for u in client.user.list(KalturaUserFilter(**props)).objects)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("xa", ["xav-77"]),         # the id starts with it
        ("zed", ["xav-77"]),       # the screen name starts with it
        ("quill", ["xav-77"]),     # a whole word of the screen name
        ("77", ["xav-77"]),        # a whole word of the id
        ("yor,zo", ["yorick", "zoe"]),  # alternatives
        ("uill", []),                # inside a word: no match, as in Sphinx
    ],
)
def test_id_or_screen_name_starts_with(people, value, expected):
    assert _ids(people, idOrScreenNameStartsWith=value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("mar", ["xav-77", "yorick"]),  # Maria's full name; Marie-Claire's last name
        ("lop", ["xav-77"]),         # the last name starts with it
        ("claire", ["yorick"]),           # a whole word of the last name
        ("ian", []),                   # inside a word
        ("ann,oak", ["yorick", "zoe"]),
    ],
)
def test_first_name_or_last_name_starts_with(people, value, expected):
    assert _ids(people, firstNameOrLastNameStartsWith=value) == expected


def test_group_lists_take_the_prefix_filters_too(fresh_sandbox):
    client = make_client(fresh_sandbox.info)
    client.group.group.add(KalturaGroup(id="speakers-2026", screenName="Speakers"))
    client.group.group.add(KalturaGroup(id="crew", screenName="Crew"))
    flt = KalturaGroupFilter()
    flt.idOrScreenNameStartsWith = "speak"
    assert [g.id for g in client.group.group.list(flt).objects] == ["speakers-2026"]
