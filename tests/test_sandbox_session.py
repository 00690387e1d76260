"""The sandbox's session service through the real KalturaClient."""

from __future__ import annotations

import time

import pytest
from conftest import make_client, make_ks
from KalturaClient.exceptions import KalturaException
from KalturaClient.Plugins.Core import KalturaUser


def _error(call, *args):
    with pytest.raises(KalturaException) as err:
        call(*args)
    return err.value.code, err.value.message


def _user_secret(sandbox, info) -> str:
    return str(sandbox.db.scalar("SELECT secret FROM partners WHERE id=?", (info.partner_id,)))


def test_start_admin_session_and_read_it_back(info, unique):
    anonymous = make_client(info, ks="")
    ks = anonymous.session.start(info.admin_secret, "producer", 2, info.partner_id, 600, "sview:*")
    own = make_client(info, ks=ks)
    got = own.session.get()
    assert (got.partnerId, got.userId, got.sessionType.getValue()) == (info.partner_id, "producer", 2)
    assert got.privileges == "sview:*"
    assert got.ks == ""  # session.get never returns a KS
    assert abs(got.expiry - (time.time() + 600)) < 5
    uid = unique("via-started-ks")
    assert own.user.add(KalturaUser(id=uid)).id == uid  # a working ADMIN KS


def test_start_with_user_secret_signs_with_admin_secret(sandbox, info, admin):
    ks = make_client(info, ks="").session.start(_user_secret(sandbox, info), "bob", 0, info.partner_id)
    got = admin.session.get(ks)  # decodable with the admin secret only
    assert (got.userId, got.sessionType.getValue()) == ("bob", 0)
    assert abs(got.expiry - (time.time() + 86400)) < 5  # default expiry


def test_start_caps_expiry_at_partner_maximum(info, admin):
    ks = make_client(info, ks="").session.start(info.admin_secret, "", 2, info.partner_id, 10 * 86400)
    assert admin.session.get(ks).expiry <= time.time() + 86400 + 1


@pytest.mark.parametrize("secret_kind", ["wrong", "user-secret-for-admin"])
def test_start_refuses_wrong_secret(sandbox, info, secret_kind):
    secret = "nope" if secret_kind == "wrong" else _user_secret(sandbox, info)
    client = make_client(info, ks="")
    code, message = _error(client.session.start, secret, "", 2, info.partner_id)
    assert code == "START_SESSION_ERROR"
    assert message == f"Error while starting session for partner [{info.partner_id}]"


def test_start_unknown_partner(info):
    code, message = _error(make_client(info, ks="").session.start, info.admin_secret, "", 2, 424242)
    assert (code, message) == ("START_SESSION_ERROR", "Error while starting session for partner [424242]")


def test_get_renders_privileges_as_the_server(info):
    ks = make_ks(info, privileges="sview:a/b,disableentitlement,actionslimit:50")
    got = make_client(info, ks=ks).session.get()
    assert got.privileges == "sview:a/b,disableentitlement,actionslimit:50"


def test_get_is_admin_only(client_for):
    code, message = _error(client_for(user_id="bob@example.com", session_type=0).session.get)
    assert (code, message) == ("SERVICE_FORBIDDEN", "The access to service [session->get] is forbidden")


def test_get_of_garbage_is_an_internal_error(admin):
    code, message = _error(admin.session.get, "not-a-ks")
    assert (code, message) == ("INTERNAL_SERVERL_ERROR", "Internal server error occurred")


def test_get_of_another_partners_ks(fresh_sandbox):
    info = fresh_sandbox.info
    assert fresh_sandbox.db is not None
    fresh_sandbox.db.insert("partners", {"id": 2000002}, id=2000002, admin_secret="other", secret="x")
    other = make_ks(info, secret="other", partner_id=2000002)
    code, message = _error(make_client(info).session.get, other)
    assert code == "PARTNER_ACCESS_FORBIDDEN"
    assert message == f"Partner [{info.partner_id}] cannot access partner [2000002]"


@pytest.mark.parametrize("privileges", ["", "actionslimit:10"])
def test_end_invalidates_the_ks(info, privileges):
    client = make_client(info, ks=make_ks(info, privileges=privileges))
    assert client.session.end() is None
    code, message = _error(client.session.get)
    assert (code, message) == ("INVALID_KS", 'Invalid KS "LOGOUT", Error "-1,INVALID_STR"')
    assert make_client(info).session.get().userId == info.admin_user_id  # other KSs still work


def test_end_without_ks_is_allowed(info):
    assert make_client(info, ks="").session.end() is None
