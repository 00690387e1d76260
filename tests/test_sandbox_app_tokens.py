"""The sandbox's appToken service through the real KalturaClient."""

from __future__ import annotations

import hashlib
import re
import time

import pytest
from conftest import make_client, make_ks
from KalturaClient.exceptions import KalturaException
from KalturaClient.Plugins.Core import (
    KalturaAppToken,
    KalturaAppTokenFilter,
    KalturaAppTokenHashType,
    KalturaUser,
)


def _error(call, *args, **kwargs):
    with pytest.raises(KalturaException) as err:
        call(*args, **kwargs)
    return err.value.code, err.value.message


def _not_found(token_id):
    return ("APP_TOKEN_ID_NOT_FOUND", f'Application token id "{token_id}" not found')


def _widget(info):
    """A client with a widget session, as an app-token holder starts from."""
    return make_client(info, make_ks(info, user_id="", session_type=0, privileges="view:*,widget:1"))


def _start(client, token, algorithm="sha1", **kwargs):
    digest = hashlib.new(algorithm, (client.getKs() + token.token).encode()).hexdigest()
    return client.appToken.startSession(token.id, digest, **kwargs)


def test_add_applies_server_defaults(admin):
    token = admin.appToken.add(KalturaAppToken(description="d"))
    assert re.fullmatch(r"[0-9]_[0-9a-z]{8}", token.id)
    assert re.fullmatch(r"[0-9a-f]{32}", token.token)
    assert token.status.getValue() == 2
    assert token.sessionDuration == 86400
    assert token.hashType.getValue() == "SHA1"  # null reads as SHA1
    assert token.sessionType is None  # no default: the caller of startSession chooses
    assert token.createdAt > 0 and token.description == "d"


def test_add_creates_missing_session_user(admin, unique):
    uid = unique("token-user")
    admin.appToken.add(KalturaAppToken(sessionUserId=uid))
    assert admin.user.get(uid).screenName == uid
    code, message = _error(admin.appToken.add, KalturaAppToken(sessionUserId="has space"))
    assert (code, message) == ("INVALID_FIELD_VALUE", "value in field [sessionUserId] is not valid")


def test_get_update_delete(admin):
    token = admin.appToken.add(KalturaAppToken(sessionType=0, sessionPrivileges="a:1"))
    assert admin.appToken.get(token.id).token == token.token
    updated = admin.appToken.update(token.id, KalturaAppToken(sessionPrivileges="b:2", sessionDuration=60))
    assert (updated.sessionPrivileges, updated.sessionDuration) == ("b:2", 60)
    assert updated.sessionType.getValue() == 0
    assert admin.appToken.delete(token.id) is None
    for call in (admin.appToken.get, admin.appToken.delete):
        assert _error(call, token.id) == _not_found(token.id)
    assert _error(admin.appToken.update, token.id, KalturaAppToken(description="x")) == _not_found(token.id)
    assert _error(admin.appToken.get, "0_missing1") == _not_found("0_missing1")


def test_list_excludes_deleted_and_filters_by_session_user(admin, unique):
    uid = unique("lister")
    admin.user.add(KalturaUser(id=uid))
    kept = admin.appToken.add(KalturaAppToken(sessionUserId=uid))
    gone = admin.appToken.add(KalturaAppToken(sessionUserId=uid))
    admin.appToken.delete(gone.id)
    mine = admin.appToken.list(KalturaAppTokenFilter(sessionUserIdEqual=uid))
    assert [t.id for t in mine.objects] == [kept.id] and mine.totalCount == 1
    assert admin.appToken.list(KalturaAppTokenFilter(idEqual=gone.id, statusEqual=3)).totalCount == 0
    unknown = admin.appToken.list(KalturaAppTokenFilter(sessionUserIdEqual=unique("nobody")))
    assert unknown.totalCount == 0 and not unknown.objects


def test_management_is_admin_only(client_for):
    user = client_for(user_id="bob@example.com", session_type=0)
    assert _error(user.appToken.list) == (
        "SERVICE_FORBIDDEN", "The access to service [apptoken->list] is forbidden"
    )
    assert _error(user.appToken.add, KalturaAppToken())[0] == "SERVICE_FORBIDDEN"


def test_start_session_applies_token_limits(admin, info, unique):
    uid = unique("token-session")
    token = admin.appToken.add(KalturaAppToken(
        sessionType=2, sessionUserId=uid, sessionDuration=600, sessionPrivileges="cncAuth:true,sview:*",
    ))
    widget = _widget(info)
    started = _start(widget, token, userId="ignored", type=0, expiry=99999,
                     sessionPrivileges="sview:entry1,setrole:1,cncAuth:false,custom:1")
    assert (started.userId, started.sessionType.getValue(), started.partnerId) == (uid, 2, info.partner_id)
    assert started.privileges == (
        f"sessionid:{token.id},apptoken:{token.id},cncAuth:true,sview:entry1,custom:1"
    )
    assert abs(started.expiry - (time.time() + 600)) < 5
    read = admin.session.get(started.ks)
    assert (read.userId, read.expiry, read.privileges) == (uid, started.expiry, started.privileges)


def test_start_session_uses_caller_choices_when_token_has_none(admin, info):
    token = admin.appToken.add(KalturaAppToken(hashType=KalturaAppTokenHashType.SHA256))
    started = _start(_widget(info), token, "sha256", userId="caller", type=2, expiry=120)
    assert (started.userId, started.sessionType.getValue()) == ("caller", 2)
    assert abs(started.expiry - (time.time() + 120)) < 5
    assert started.privileges == f"sessionid:{token.id},apptoken:{token.id}"


def test_start_session_errors(sandbox, admin, info):
    widget = _widget(info)
    token = admin.appToken.add(KalturaAppToken())
    code, message = _error(widget.appToken.startSession, token.id, "0" * 40)
    assert (code, message) == ("INVALID_APP_TOKEN_HASH", "Invalid application token hash")
    assert _error(widget.appToken.startSession, "0_nothere", "x") == _not_found("0_nothere")

    expired = admin.appToken.add(KalturaAppToken(expiry=int(time.time()) - 10))
    code, message = _error(_start, widget, expired)
    assert (code, message) == ("APP_TOKEN_EXPIRED", f'Application token id "{expired.id}" expired')

    disabled = admin.appToken.add(KalturaAppToken())
    sandbox.db.execute("UPDATE app_tokens SET status=1, data=json_set(data, '$.status', 1) WHERE id=?",
                       (disabled.id,))
    code, message = _error(_start, widget, disabled)
    assert (code, message) == ("APP_TOKEN_NOT_ACTIVE", f'Application token id "{disabled.id}" not active')

    anonymous = make_client(info, ks="")
    assert _error(anonymous.appToken.startSession, token.id, "x") == (
        "SERVICE_FORBIDDEN", "The access to service [apptoken->startsession] is forbidden"
    )


def test_deleting_a_token_ends_its_sessions(admin, info):
    token = admin.appToken.add(KalturaAppToken(sessionType=2))
    started = make_client(info, _start(_widget(info), token).ks)
    assert started.appToken.get(token.id).id == token.id
    admin.appToken.delete(token.id)
    code, message = _error(started.session.get)
    assert (code, message) == ("INVALID_KS", 'Invalid KS "LOGOUT", Error "-1,INVALID_STR"')


def test_a_deleted_token_s_invalidation_lasts_until_its_expiry(fresh_sandbox):
    """``AppTokenService::deleteAction`` invalidates the token's session ID until the
    token's expiry (for good without one): a KS naming that session ID is refused, then,
    once the expiry passed, no longer (the row lapsed, ``invalidSessionPeer``)."""
    import requests

    info = fresh_sandbox.info
    admin = make_client(info)
    expiring = admin.appToken.add(KalturaAppToken(sessionType=2,
                                                  expiry=int(time.time()) + 3600))
    forever = admin.appToken.add(KalturaAppToken(sessionType=2))
    for token in (expiring, forever):
        admin.appToken.delete(token.id)

    def answer(token):
        ks = make_ks(info, expiry=3 * 86400, privileges=f"sessionid:{token.id}")
        try:
            make_client(info, ks).session.get()
            return "accepted"
        except KalturaException as exc:
            return exc.code

    def move_clock(seconds):
        requests.post(f"{info.service_url}/_sandbox/clock", json={"offset_s": seconds},
                      timeout=5).raise_for_status()

    assert (answer(expiring), answer(forever)) == ("INVALID_KS", "INVALID_KS")
    move_clock(2 * 3600)
    try:
        assert (answer(expiring), answer(forever)) == ("accepted", "INVALID_KS")
    finally:
        move_clock(0)
