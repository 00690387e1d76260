"""The KME stand-in accepts Kaltura's own sample launch, and refuses others for true reasons.

``launch_like_the_sample`` signs exactly as kaltura/integrated-events-demo's
``lib/kaltura-integration/kme.model.ts`` does: no ``lti_message_type``, an 8-character
base-36 nonce, ``oauth_callback=about:blank``, parameters sorted by name and each value
passed through JavaScript's ``encodeURIComponent`` in the base string.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from urllib.parse import quote

import pytest
import requests
from KalturaClient.Plugins.Room import KalturaRoomEntryFilter


def _encode_uri_component(text: str) -> str:
    return quote(text, safe="-_.!~*'()")


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while number:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
    return out or "0"


def launch_like_the_sample(info, room_id: str, secret: str | None = None, **changes: str):
    now_ms = int(time.time() * 1000)
    data = {
        "tool_consumer_info_product_family_code": "kaltura",
        "user_id": "sample.user@example.com",
        "roles": "Instructor",
        "lis_person_contact_email_primary": "sample.user@example.com",
        "lis_person_name_given": "Sam",
        "lis_person_name_family": "Ple",
        "context_id": room_id,
        "context_title": "Sample room",
        "custom_kaltura_room_type": "channel",
        "custom_rs_user_lang": "en-VE",
        "lti_version": "LTI-1p0",
        "integration_type": "kaltura",
        "oauth_callback": "about:blank",
        "oauth_consumer_key": info.kme_key,
        "oauth_version": "1.0",
        "oauth_nonce": _base36(now_ms),
        "oauth_timestamp": str(now_ms // 1000),
        "oauth_signature_method": "HMAC-SHA1",
    }
    data.update(changes)
    data = {k: v for k, v in data.items() if v is not None}
    params = "&".join(f"{k}={_encode_uri_component(data[k])}" for k in sorted(data))
    base = f"POST&{_encode_uri_component(info.kme_launch_url)}&{_encode_uri_component(params)}"
    key = _encode_uri_component(secret or info.kme_secret) + "&"
    digest = hmac.new(key.encode(), base.encode(), hashlib.sha1).digest()
    return dict(data, oauth_signature=base64.b64encode(digest).decode())


@pytest.fixture
def room_id(admin):
    return admin.room.room.list(KalturaRoomEntryFilter(statusIn="-1,0,1,2,4,7")).objects[0].id


def _post(info, form):
    return requests.post(info.kme_launch_url, data=form, timeout=10)


def test_the_sample_launch_opens_the_room(info, room_id):
    form = launch_like_the_sample(info, room_id)
    assert len(form["oauth_nonce"]) == 8 and "lti_message_type" not in form
    response = _post(info, form)
    assert response.status_code == 200, response.text
    assert '<span class="badge moderator">' in response.text


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"lti_message_type": "ContentItemSelectionRequest"},
         "not an LTI basic launch (lti_message_type &#x27;ContentItemSelectionRequest&#x27;)"),
        ({"oauth_nonce": "no-dash"}, "the OAuth nonce must be 1 to 128 letters and digits"),
        ({"oauth_version": "2.0"}, "unsupported oauth_version &#x27;2.0&#x27; (only 1.0)"),
        ({"oauth_timestamp": "12345"},
         "the OAuth timestamp is not a 10-digit number of seconds"),
        ({"oauth_nonce": None}, "missing OAuth parameters: oauth_nonce"),
    ],
)
def test_refusals_give_their_true_reason(info, room_id, changes, reason):
    response = _post(info, launch_like_the_sample(info, room_id, **changes))
    assert response.status_code == 401
    assert f"rejected: {reason}" in response.text
    assert "bad signature" not in response.text


def test_a_wrong_secret_is_still_a_bad_signature(info, room_id):
    response = _post(info, launch_like_the_sample(info, room_id, secret="not-the-secret"))
    assert response.status_code == 401 and "rejected: bad signature" in response.text
