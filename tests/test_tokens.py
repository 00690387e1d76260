"""Attendee/moderator tokens and the expiry policy (DESIGN §3)."""

from __future__ import annotations

import time

import jwt
import pytest

from kproducer.kaltura.ks import KsUnreadable, inspect_ks
from kproducer.sandbox import ks as sandbox_ks
from kproducer.services import tokens
from kproducer.services.models import Entry, EntryKind, Role

SECRET = "0123456789abcdef0123456789abcdef"
APP_TOKEN = "fedcba9876543210fedcba9876543210"
PID = 1000001


def vod(duration=3600):
    return Entry("0_vod12345", "Keynote", EntryKind.VOD, "2", duration=duration)


def live(start, end):
    return Entry("0_live1234", "Panel", EntryKind.LIVE, "7", start_date=start, end_date=end)


def issue(entry, role=Role.ATTENDEE, event_id=42, policy=None):
    return tokens.issue(
        admin_secret=SECRET,
        cnc_app_token=APP_TOKEN,
        partner_id=PID,
        user_id="ann@example.com",
        role=role,
        entry=entry,
        event_id=event_id,
        policy=policy,
    )


def test_user_ks_verified_by_the_sandbox_validator():
    issued = issue(vod())
    session = sandbox_ks.decode(issued.ks, lambda pid: [SECRET] if pid == PID else [])
    assert session.type == 0 and not session.is_admin
    assert session.user_id == "ann@example.com"
    assert session.privileges == {
        "sview": ["0_vod12345"],
        "setrole": ["PLAYBACK_BASE_ROLE"],
        "disableentitlementforentry": ["0_vod12345"],
        "sessionid": [issued.link_id],
        "virtualeventid": ["42"],
    }
    assert len(issued.link_id) == 20
    assert abs(session.expiry - issued.ks_expires_at) <= 2


def test_privileges_without_event():
    issued = issue(vod(), event_id=None)
    info = inspect_ks(issued.ks, SECRET)
    assert info.privileges == ("sview:0_vod12345,setrole:PLAYBACK_BASE_ROLE,"
                               f"disableentitlementforentry:0_vod12345,sessionid:{issued.link_id}")


def test_every_issue_makes_a_new_link_id():
    assert issue(vod()).link_id != issue(vod()).link_id


@pytest.mark.parametrize(
    "role, groups", [(Role.ATTENDEE, []), (Role.MODERATOR, ["0_vod12345_moderators"])]
)
def test_cnc_jwt_claims_and_header(role, groups):
    issued = issue(vod(), role=role)
    assert jwt.get_unverified_header(issued.jwt) == {"alg": "HS256", "kid": str(PID), "typ": "JWT"}
    claims = jwt.decode(issued.jwt, APP_TOKEN, algorithms=["HS256"])
    assert claims == {
        "partnerId": PID,
        "uid": "ann@example.com",
        "contextId": "0_vod12345",
        "groups": groups,
        "exp": issued.jwt_expires_at,
        "isAdmin": False,
        "isScopedUser": True,
        "virtualEventId": 42,
    }
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(issued.jwt, "another-token-another-token-1234", algorithms=["HS256"])


def test_vod_expiry_is_duration_plus_margin():
    now = int(time.time())
    assert tokens.ks_expiry(vod(3600), now, tokens.ExpiryPolicy()) == now + 3600 + 1800
    assert tokens.ks_expiry(vod(4 * 3600), now, tokens.ExpiryPolicy()) == now + 6 * 3600
    issued = issue(vod(3600))
    assert issued.warnings == ()


def test_live_expiry_is_end_plus_ten_minutes():
    now = int(time.time())
    entry = live(now + 3600, now + 7200)
    assert tokens.ks_expiry(entry, now, tokens.ExpiryPolicy()) == now + 7200 + 600
    assert issue(entry).session_ends_at == now + 7200


def test_per_page_jwt_is_short_and_fixed_policy_warns():
    now = int(time.time())
    entry = live(now, now + 7200)
    per_page = issue(entry, policy=tokens.ExpiryPolicy(embed_style=tokens.EmbedStyle.PER_PAGE))
    assert per_page.jwt_expires_at <= now + tokens.PER_PAGE_JWT_LIFETIME + 2
    assert per_page.warnings == ()  # a short JWT is expected when every page load re-issues it
    short = issue(entry, policy=tokens.ExpiryPolicy(fixed_seconds=600))
    assert "The player token (KS) expires before the session ends." in short.warnings
    assert "The chat token (JWT) expires before the session ends." in short.warnings


def test_unknown_length_session_warns():
    entry = Entry("0_room1234", "Room", EntryKind.ROOM, "7")
    issued = issue(entry)
    assert issued.session_ends_at is None
    assert issued.warnings and "no duration or schedule" in issued.warnings[0]


def test_inspect_ks_without_secret_and_with_wrong_one():
    ks = issue(vod()).ks
    assert inspect_ks(ks).partner_id == PID and inspect_ks(ks).user_id is None
    with pytest.raises(KsUnreadable, match="not signed with this account"):
        inspect_ks(ks, "wrong-secret")
    with pytest.raises(KsUnreadable):
        inspect_ks("%%% not base64 %%%")
