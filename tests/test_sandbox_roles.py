"""``setrole`` limits a KS to its role's permissions, as kaltura/server's permission files say."""

from __future__ import annotations

import pytest
from conftest import make_client, make_ks
from KalturaClient.exceptions import KalturaException
from KalturaClient.Plugins.Core import (
    KalturaBaseEntryFilter,
    KalturaGroupUser,
    KalturaMediaEntry,
    KalturaMediaType,
    KalturaSessionType,
    KalturaUser,
)

PLAYBACK = "setrole:PLAYBACK_BASE_ROLE"


@pytest.fixture
def entry(admin):
    return admin.media.add(KalturaMediaEntry(name="role test", mediaType=KalturaMediaType.VIDEO))


def _refused(call) -> KalturaException:
    with pytest.raises(KalturaException) as raised:
        call()
    return raised.value


@pytest.mark.parametrize("session_type", [0, 2])
def test_playback_role_may_get_and_list_entries(info, entry, session_type):
    viewer = make_client(info, make_ks(info, "viewer", session_type, privileges=PLAYBACK))
    assert viewer.baseEntry.get(entry.id).id == entry.id
    flt = KalturaBaseEntryFilter()
    flt.idEqual = entry.id
    flt.statusIn = "7"  # no content yet
    assert [e.id for e in viewer.baseEntry.list(flt).objects] == [entry.id]


@pytest.mark.parametrize(
    ("label", "call"),
    [
        ("media->add", lambda c, u: c.media.add(
            KalturaMediaEntry(name="no", mediaType=KalturaMediaType.VIDEO))),
        ("user->add", lambda c, u: c.user.add(KalturaUser(id=u))),
        ("groupuser->add", lambda c, u: c.groupUser.add(KalturaGroupUser(userId=u, groupId=u))),
        ("session->get", lambda c, u: c.session.get()),
        ("user->list", lambda c, u: c.user.list()),
    ],
)
def test_playback_role_is_refused_everything_else(info, unique, label, call):
    # an ADMIN KS too: the role replaces what the session type would allow
    viewer = make_client(info, make_ks(info, "viewer", 2, privileges=PLAYBACK))
    error = _refused(lambda: call(viewer, unique("r")))
    assert error.code == "SERVICE_FORBIDDEN"
    assert error.message == f"The access to service [{label}] is forbidden"


def test_numeric_role_id_names_the_global_role(info, entry):
    viewer = make_client(info, make_ks(info, "viewer", 2, privileges="setrole:7"))
    assert viewer.baseEntry.get(entry.id).id == entry.id
    assert _refused(lambda: viewer.user.add(KalturaUser(id="x"))).code == "SERVICE_FORBIDDEN"


def test_other_roles_keep_the_session_types_access(info, unique):
    producer = make_client(info, make_ks(info, privileges="setrole:PARTNER_ADMIN_ROLE"))
    uid = unique("admin-role")
    assert producer.user.add(KalturaUser(id=uid)).id == uid


def test_a_call_with_an_unknown_role_fails(info, entry):
    client = make_client(info, make_ks(info, privileges="setrole:NO_SUCH_ROLE"))
    error = _refused(lambda: client.baseEntry.get(entry.id))
    assert (error.code, error.message) == ("INVALID_OBJECT_ID", "Invalid object id [N/A]")


def test_negative_role_id_is_an_invalid_set_role(info, entry):
    client = make_client(info, make_ks(info, privileges="setrole:-3"))
    error = _refused(lambda: client.baseEntry.get(entry.id))
    assert (error.code, error.message) == ("INVALID_SET_ROLE", "Invalid set role id")


def test_session_start_refuses_an_unknown_role(info):
    client = make_client(info, "")
    error = _refused(lambda: client.session.start(
        info.admin_secret, "someone", KalturaSessionType.USER, info.partner_id, 600,
        "setrole:NO_SUCH_ROLE",
    ))
    assert (error.code, error.message) == ("UNKNOWN_ROLE_ID", "Unknown role id")
    ks = client.session.start(
        info.admin_secret, "someone", KalturaSessionType.USER, info.partner_id, 600, PLAYBACK
    )
    assert ks
