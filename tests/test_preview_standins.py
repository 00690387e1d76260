"""The sandbox's stand-in embeds over plain HTTP: scripts at Kaltura's CDN paths, and the
KS, CnC JWT and KME LTI checks they rely on (what the real services check)."""

from __future__ import annotations

import time

import jwt
import pytest
import requests
from conftest import make_ks, reset_stats, stats
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA1, SIGNATURE_TYPE_BODY, Client
from preview_support import close_account, open_account, seeded

from kproducer.services import kme, preview, tokens
from kproducer.services.models import EntryKind, Role


@pytest.fixture
def account(info):
    acct = open_account(info)
    yield acct
    close_account(acct)


@pytest.fixture
def live(account):
    return seeded(account, EntryKind.LIVE)


@pytest.fixture
def cnc_token(account):
    from kproducer.services.people import prepare
    from kproducer.services.preview import PREVIEW_USER

    return prepare(account, seeded(account, EntryKind.VOD).id, PREVIEW_USER, Role.ATTENDEE).cnc_token


def embed_url(info, uiconf, suffix=""):
    return f"{info.service_url}/p/{info.partner_id}/embedPlaykitJs/uiconf_id/{uiconf}{suffix}"


def verify(info, kind, **body):
    response = requests.post(f"{info.service_url}/_standin/verify/{kind}", json=body, timeout=10)
    assert response.status_code == 200
    return response.json()


# --- scripts -----------------------------------------------------------------------------------


def test_player_and_cnc_scripts_are_served_at_the_cdn_paths(info):
    player = requests.get(embed_url(info, info.player_uiconf_id), timeout=10)
    assert player.status_code == 200 and player.headers["Content-Type"].startswith("text/javascript")
    assert "window.KalturaPlayer" in player.text and "loadMedia" in player.text
    cnc = requests.get(embed_url(info, info.cnc_uiconf_id, "/kaltura-player.js"), timeout=10)
    assert cnc.status_code == 200
    assert "KalturaEventsPlatform" in cnc.text and "renderCncContainer" in cnc.text
    assert player.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", [
    "/p/{pid}/embedPlaykitJs/uiconf_id/123",
    "/p/999/embedPlaykitJs/uiconf_id/{player}",
    "/p/{pid}/embedPlaykitJs",
])
def test_unknown_uiconf_or_partner_is_404_with_a_console_error(info, path):
    url = info.service_url + path.format(pid=info.partner_id, player=info.player_uiconf_id)
    response = requests.get(url, timeout=10)
    assert response.status_code == 404
    assert "console.error" in response.text


def test_share_url_serves_the_iframe_embed_with_safe_config(info, account, live):
    page = preview.build(account, live.id, preview.PREVIEW_USER, Role.ATTENDEE)
    assert page.share_url is not None
    assert page.share_url.startswith(
        f"{info.service_url}/p/{info.partner_id}/embedPlaykitJs/uiconf_id/{info.player_uiconf_id}"
        f"?iframeembed=true&entry_id={live.id}&ks=")
    response = requests.get(page.share_url, timeout=10)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
    assert page.tokens.ks in response.text and f'"entryId":"{live.id}"' in response.text
    evil = requests.get(embed_url(info, info.player_uiconf_id),
                        params={"iframeembed": "true", "entry_id": "</script><b>x", "ks": "a"},
                        timeout=10)
    assert "</script><b>" not in evil.text and "\\u003c/script\\u003e\\u003cb\\u003ex" in evil.text


def test_stand_in_traffic_is_not_counted_as_api_calls(info, live):
    reset_stats(info)
    requests.get(embed_url(info, info.player_uiconf_id), timeout=10)
    verify(info, "ks", ks=make_ks(info, "bob@example.com", 0), entryId=live.id,
           partnerId=info.partner_id)
    assert stats(info)["http_requests"] == 0


# --- KS ----------------------------------------------------------------------------------------


def user_ks(info, entry_id, expiry=3600, secret=None, user="bob@example.com"):
    return make_ks(info, user, 0, expiry, f"sview:{entry_id},setrole:PLAYBACK_BASE_ROLE",
                   secret=secret)


def test_valid_user_ks_shows_who_watches_what_until_when(info, live):
    result = verify(info, "ks", ks=user_ks(info, live.id), entryId=live.id,
                    partnerId=info.partner_id)
    assert result["ok"] is True
    assert result["userId"] == "bob@example.com" and result["userName"] == "Bob Attendee"
    assert result["entryName"] == live.name and result["sessionType"] == "USER"
    assert result["playbackOnly"] is True
    assert abs(result["expiry"] - (time.time() + 3600)) < 30
    assert result["expiryText"].endswith("UTC")


@pytest.mark.parametrize(("case", "code", "words"), [
    ("expired", "EXPIRED", "expired: the KS ended at"),
    ("bad signature", "INVALID_KS", "bad signature"),
    ("wrong entry", "WRONG_ENTRY", "wrong entry"),
    ("wrong partner", "INVALID_KS", "wrong partner"),
    ("missing entry", "ENTRY_ID_NOT_FOUND", "entry not found"),
    ("garbage", "INVALID_KS", "not a valid KS"),
    ("empty", "MISSING_KS", "no KS"),
])
def test_bad_ks_is_rejected_with_the_reason(info, live, case, code, words):
    ks = user_ks(info, live.id)
    entry_id, partner_id = live.id, info.partner_id
    if case == "expired":
        ks = user_ks(info, live.id, expiry=-60)
    elif case == "bad signature":
        ks = user_ks(info, live.id, secret="0" * 32)
    elif case == "wrong entry":
        ks = user_ks(info, "0_zzzzzzzz")
    elif case == "wrong partner":
        partner_id = 1234
    elif case == "missing entry":
        ks, entry_id = user_ks(info, "0_zzzzzzzz"), "0_zzzzzzzz"
    elif case == "garbage":
        ks = "not-a-ks"
    elif case == "empty":
        ks = ""
    result = verify(info, "ks", ks=ks, entryId=entry_id, partnerId=partner_id)
    assert result["ok"] is False and result["code"] == code
    assert words in result["reason"]


def test_revoked_ks_is_rejected(info, live, client_for):
    ks = user_ks(info, live.id)
    from conftest import make_client

    make_client(info, ks).session.end()
    result = verify(info, "ks", ks=ks, entryId=live.id, partnerId=info.partner_id)
    assert result["ok"] is False and result["reason"].startswith("revoked")


def test_admin_ks_plays_but_is_flagged(info, live):
    result = verify(info, "ks", ks=make_ks(info), entryId=live.id, partnerId=info.partner_id)
    assert result["ok"] is True and result["sessionType"] == "ADMIN"
    assert any("never put an admin KS" in w for w in result["warnings"])


def test_verify_endpoints_refuse_get_and_bad_bodies(info):
    assert requests.get(f"{info.service_url}/_standin/verify/ks", timeout=10).status_code == 405
    bad = requests.post(f"{info.service_url}/_standin/verify/jwt", data=b"[1]", timeout=10)
    assert bad.status_code == 400
    assert requests.post(f"{info.service_url}/_standin/nope", timeout=10).status_code == 404


# --- CnC JWT -----------------------------------------------------------------------------------


def cnc_jwt(info, live, token, role=Role.ATTENDEE, exp_in=3600, uid="bob@example.com", **change):
    claims = tokens.cnc_claims(info.partner_id, uid, live.id, 1, role, int(time.time()) + exp_in)
    claims.update(change)
    return tokens.sign_cnc_jwt(claims, token)


def test_attendee_and_moderator_jwts(info, live, cnc_token):
    attendee = verify(info, "jwt", jwt=cnc_jwt(info, live, cnc_token), entryId=live.id,
                      partnerId=info.partner_id)
    assert attendee["ok"] is True and attendee["role"] == "attendee" and attendee["groups"] == []
    assert attendee["uid"] == "bob@example.com" and attendee["entryName"] == live.name
    moderator = verify(info, "jwt", jwt=cnc_jwt(info, live, cnc_token, Role.MODERATOR,
                                                uid="alice@example.com"),
                       entryId=live.id, partnerId=info.partner_id)
    assert moderator["role"] == "moderator" and moderator["groupMember"] is True
    assert moderator["groups"] == [f"{live.id}_moderators"]
    outsider = verify(info, "jwt", jwt=cnc_jwt(info, live, cnc_token, Role.MODERATOR),
                      entryId=live.id, partnerId=info.partner_id)
    assert outsider["role"] == "moderator" and outsider["groupMember"] is False


@pytest.mark.parametrize(("case", "code", "words"), [
    ("wrong token", "BAD_SIGNATURE", "bad signature"),
    ("expired", "EXPIRED", "expired: the JWT ended at"),
    ("wrong entry", "WRONG_ENTRY", "wrong entry"),
    ("wrong kid", "WRONG_PARTNER", "wrong partner"),
    ("unknown user", "USER_NOT_FOUND", "user not found"),
    ("alg none", "INVALID_JWT", "unsupported algorithm"),
    ("garbage", "INVALID_JWT", "not a JWT"),
])
def test_bad_jwt_is_rejected_with_the_reason(info, live, cnc_token, case, code, words):
    token, expected = cnc_jwt(info, live, cnc_token), live.id
    if case == "wrong token":
        token = cnc_jwt(info, live, "f" * 32)
    elif case == "expired":
        token = cnc_jwt(info, live, cnc_token, exp_in=-5)
    elif case == "wrong entry":
        expected = "0_otherent"
    elif case == "wrong kid":
        claims = jwt.decode(token, options={"verify_signature": False})
        token = jwt.encode(claims, cnc_token, algorithm="HS256", headers={"kid": "42"})
    elif case == "unknown user":
        token = cnc_jwt(info, live, cnc_token, uid="nobody@example.com")
    elif case == "alg none":
        claims = jwt.decode(token, options={"verify_signature": False})
        token = jwt.encode(claims, None, algorithm="none", headers={"kid": str(info.partner_id)})
    elif case == "garbage":
        token = "nope"
    result = verify(info, "jwt", jwt=token, entryId=expected, partnerId=info.partner_id)
    assert result["ok"] is False and result["code"] == code
    assert words in result["reason"]


# --- KME LTI launch ----------------------------------------------------------------------------


@pytest.fixture
def room(account):
    return seeded(account, EntryKind.ROOM)


def launch(info, room, role=Role.MODERATOR, url=None, key=None, secret=None):
    settings = kme.KmeSettings(url or info.kme_launch_url, key or info.kme_key,
                               secret or info.kme_secret)
    return kme.launch(settings, room, "carol@example.com", role, "Carol", "O'Brien")


def post(info, params):
    return requests.post(info.kme_launch_url, data=params, timeout=10)


@pytest.mark.parametrize(("role", "lti", "badge"), [
    (Role.MODERATOR, "Instructor", "moderator"), (Role.ATTENDEE, "Student", "attendee")])
def test_signed_launch_opens_the_room_with_the_lti_role(info, room, role, lti, badge):
    response = post(info, launch(info, room, role).params)
    assert response.status_code == 200
    assert f'<span class="badge {badge}">' in response.text
    assert room.name in response.text and "Carol O&#x27;Brien" in response.text
    assert f"LTI roles {lti}" in response.text and "valid OAuth 1.0 HMAC-SHA1" in response.text


def test_replayed_tampered_unknown_key_and_stale_launches_are_rejected(info, room):
    params = launch(info, room).params
    assert post(info, params).status_code == 200
    replay = post(info, params)
    assert replay.status_code == 401 and "rejected: replayed launch" in replay.text
    tampered = dict(launch(info, room, Role.ATTENDEE).params, roles="Instructor")
    assert "rejected: bad signature" in post(info, tampered).text
    stranger = launch(info, room, key="someone-else")
    assert "rejected: unknown consumer key" in post(info, stranger.params).text
    client = Client(info.kme_key, client_secret=info.kme_secret,
                    signature_method=SIGNATURE_HMAC_SHA1, signature_type=SIGNATURE_TYPE_BODY,
                    timestamp=str(int(time.time()) - 3600))
    body = {"lti_message_type": "basic-lti-launch-request", "lti_version": "LTI-1p0",
            "user_id": "x", "roles": "Student", "context_id": room.id}
    from urllib.parse import parse_qsl, urlencode

    _, _, signed = client.sign(info.kme_launch_url, "POST", urlencode(body),
                               {"Content-Type": "application/x-www-form-urlencoded"})
    stale = post(info, dict(parse_qsl(signed)))
    assert "rejected: stale launch" in stale.text


def test_launch_of_something_that_is_not_a_room_is_rejected(info, account, room):
    vod = seeded(account, EntryKind.VOD)
    response = post(info, launch(info, vod).params)
    assert response.status_code == 401 and "is not a meeting room" in response.text


def test_kme_launch_needs_post(info):
    assert requests.get(info.kme_launch_url, timeout=10).status_code == 405


def test_player_check_says_whether_a_live_entry_is_live(info, live, account):
    vod = seeded(account, EntryKind.VOD)
    vod_result = verify(info, "ks", ks=user_ks(info, vod.id), entryId=vod.id,
                        partnerId=info.partner_id)
    assert vod_result["ok"] is True and vod_result["live"] is None
    encoder = f"{info.service_url}/_sandbox/live"
    try:
        for broadcasting in (False, True, False):
            requests.post(encoder, json={"entry_id": live.id, "broadcasting": broadcasting},
                          timeout=10).raise_for_status()
            result = verify(info, "ks", ks=user_ks(info, live.id), entryId=live.id,
                            partnerId=info.partner_id)
            assert (result["ok"], result["live"]) == (True, broadcasting)
    finally:
        requests.post(encoder, json={"entry_id": live.id, "broadcasting": False}, timeout=10)
