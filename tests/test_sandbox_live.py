"""The sandbox's liveStream service and its encoder, through the real KalturaClient."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from conftest import make_client, reset_stats, stats
from KalturaClient.exceptions import KalturaException
from KalturaClient.Plugins.Core import (
    KalturaFilterPager,
    KalturaLiveStreamEntry,
    KalturaLiveStreamEntryFilter,
    KalturaMediaEntry,
)

STOPPED, PLAYABLE = 0, 1
PREVIEW, ALLOW_ALL = 0, 1


def error_of(call, *args):
    """The (code, message) of a call that must fail."""
    with pytest.raises(KalturaException) as err:
        call(*args)
    return err.value.code, err.value.message


def encoder(info, entry_id, broadcasting):
    """Start or stop the sandbox's encoder for an entry; returns the HTTP response."""
    return requests.post(
        f"{info.service_url}/_sandbox/live",
        json={"entry_id": entry_id, "broadcasting": broadcasting}, timeout=5,
    )


@pytest.fixture
def live(admin, unique):
    return admin.liveStream.add(KalturaLiveStreamEntry(name=unique("live"), mediaType=201))


def test_get_returns_every_broadcast_field(admin, live):
    got = admin.liveStream.get(live.id)
    token = got.streamPassword
    assert len(token) == 8 and int(token, 16) >= 0
    host = live.id.replace("1_", "", 1).replace("_", "-")
    assert got.primaryBroadcastingUrl == f"rtmp://{host}.p.kpublish.sandbox.invalid:1935/kLive?t={token}"
    assert got.secondaryBroadcastingUrl == f"rtmp://{host}.b.kpublish.sandbox.invalid:1935/kLive?t={token}"
    assert got.primarySecuredBroadcastingUrl.startswith(f"rtmps://{host}.p.")
    assert got.primarySecuredBroadcastingUrl.endswith(f":443/kLive?t={token}")
    assert got.secondarySecuredBroadcastingUrl.startswith(f"rtmps://{host}.b.")
    assert got.primarySrtBroadcastingUrl == f"srt://{host}.p.kpublish.sandbox.invalid:7045"
    assert got.secondarySrtBroadcastingUrl == f"srt://{host}.b.kpublish.sandbox.invalid:7045"
    assert got.primarySrtStreamId == f"#:::e={live.id},st=0,p={token}"
    assert got.secondarySrtStreamId == f"#:::e={live.id},st=1,p={token}"
    assert got.streamName == f"{live.id}_%i"
    assert parse_qs(urlsplit(got.primaryBroadcastingUrl).query) == {"t": [token]}
    assert got.liveStatus.getValue() == STOPPED and got.viewMode.getValue() == ALLOW_ALL
    assert got.explicitLive.getValue() == 0 and got.recordStatus.getValue() == 0


def test_srt_pass_gives_an_encrypted_stream_id(admin, unique):
    entry = admin.liveStream.add(
        KalturaLiveStreamEntry(name=unique("srt"), mediaType=201, srtPass="0123456789abc")
    )
    assert entry.srtPass == "0123456789abc"
    assert entry.primarySrtStreamId.startswith(f"#:::e={entry.id},st=0,ep=")
    assert entry.streamPassword not in entry.primarySrtStreamId


def test_regenerate_stream_token_changes_key_and_urls(admin, live):
    fresh = admin.liveStream.regenerateStreamToken(live.id)
    assert fresh.streamPassword != live.streamPassword
    assert fresh.primaryBroadcastingUrl.endswith(f"?t={fresh.streamPassword}")
    assert fresh.primarySrtStreamId.endswith(f",p={fresh.streamPassword}")
    again = admin.liveStream.get(live.id)
    assert again.streamPassword == fresh.streamPassword
    assert live.streamPassword not in again.primaryBroadcastingUrl


def test_regenerate_refusals(admin, client_for, unique):
    media = admin.media.add(KalturaMediaEntry(name=unique("vod"), mediaType=1))
    assert error_of(admin.liveStream.regenerateStreamToken, media.id) == (
        "INVALID_ENTRY_ID", 'Invalid entry id ["N/A"]',
    )
    manual = admin.liveStream.add(KalturaLiveStreamEntry(mediaType=201), "30")
    assert error_of(admin.liveStream.regenerateStreamToken, manual.id) == (
        "CANNOT_REGENERATE_STREAM_TOKEN_FOR_EXTERNAL_LIVE_STREAMS",
        "Cannot regenerate stream token for external type [30] live stream",
    )
    user = client_for(user_id="viewer", session_type=0)
    assert error_of(user.liveStream.regenerateStreamToken, manual.id)[0] == "SERVICE_FORBIDDEN"


def test_is_live_follows_the_encoder(admin, info, live):
    assert admin.liveStream.isLive(live.id) is False
    response = encoder(info, live.id, True)
    assert response.status_code == 200
    assert response.json() == {"entry_id": live.id, "broadcasting": True}
    assert admin.liveStream.isLive(live.id) is True
    got = admin.liveStream.get(live.id)
    assert got.liveStatus.getValue() == PLAYABLE and got.firstBroadcast > 0
    assert encoder(info, live.id, False).json()["broadcasting"] is False
    assert admin.liveStream.isLive(live.id) is False
    assert admin.liveStream.get(live.id).lastBroadcastEndTime >= got.firstBroadcast


def test_is_live_refusals(admin, info, unique):
    media = admin.media.add(KalturaMediaEntry(name=unique("vod"), mediaType=1))
    assert error_of(admin.liveStream.isLive, media.id) == (
        "INVALID_ENTRY_ID", f'Invalid entry id ["{media.id}"]',
    )
    assert error_of(admin.liveStream.isLive, "0_missing")[0] == "INVALID_ENTRY_ID"
    assert error_of(make_client(info, "").liveStream.isLive, "0_missing") == (
        "INVALID_ENTRY_ID", 'Invalid entry id ["0_missing"]',
    )


def test_explicit_live_preview_is_live_for_the_producer_only(admin, client_for, info, live):
    updated = admin.liveStream.update(live.id, KalturaLiveStreamEntry(explicitLive=1))
    assert (updated.explicitLive.getValue(), updated.viewMode.getValue()) == (1, PREVIEW)
    encoder(info, live.id, True)
    viewer = client_for(user_id="viewer", session_type=0)
    assert admin.liveStream.isLive(live.id) is True
    assert viewer.liveStream.isLive(live.id) is False
    anonymous = make_client(info, "")
    assert anonymous.liveStream.isLive(live.id) is False  # no KS: the KS is optional
    shown = admin.liveStream.update(live.id, KalturaLiveStreamEntry(viewMode=ALLOW_ALL))
    assert anonymous.liveStream.isLive(live.id) is True
    assert shown.viewMode.getValue() == ALLOW_ALL
    assert viewer.liveStream.isLive(live.id) is True
    encoder(info, live.id, False)


def test_update_refuses_frozen_fields_while_broadcasting(admin, info, live):
    encoder(info, live.id, True)
    assert error_of(admin.liveStream.update, live.id, KalturaLiveStreamEntry(recordStatus=1)) == (
        "CANNOT_UPDATE_FIELDS_WHILE_ENTRY_BROADCASTING",
        "Cannot update [recordStatus] while entry is broadcasting",
    )
    assert error_of(
        admin.liveStream.update, live.id, KalturaLiveStreamEntry(explicitLive=1)
    )[0] == "CANNOT_UPDATE_FIELDS_WHILE_ENTRY_BROADCASTING"
    assert admin.liveStream.update(live.id, KalturaLiveStreamEntry(name="renamed")).name == "renamed"
    encoder(info, live.id, False)
    assert admin.liveStream.update(live.id, KalturaLiveStreamEntry(recordStatus=1)).recordStatus.getValue() == 1


def test_update_refuses_read_only_and_insert_only(admin, live):
    code, message = error_of(admin.liveStream.update, live.id, KalturaLiveStreamEntry(mediaType=1))
    assert code == "PROPERTY_VALIDATION_NOT_UPDATABLE" and "mediaType" in message
    code, message = error_of(admin.liveStream.update, live.id, KalturaLiveStreamEntry(sourceType="30"))
    assert code == "PROPERTY_VALIDATION_NOT_UPDATABLE" and "sourceType" in message


def test_update_and_delete_of_other_entries_and_users(admin, client_for, unique, live):
    media = admin.media.add(KalturaMediaEntry(name=unique("vod"), mediaType=1))
    assert error_of(admin.liveStream.update, media.id, KalturaLiveStreamEntry(name="x"))[0] == (
        "ENTRY_ID_NOT_FOUND"
    )
    stranger = client_for(user_id="stranger", session_type=0)
    assert error_of(stranger.liveStream.update, live.id, KalturaLiveStreamEntry(name="x"))[0] == (
        "INVALID_KS"
    )
    assert error_of(stranger.liveStream.delete, live.id)[0] == "INVALID_KS"
    assert error_of(admin.liveStream.delete, media.id)[0] == "ENTRY_ID_NOT_FOUND"
    admin.liveStream.delete(live.id)
    assert error_of(admin.liveStream.get, live.id)[0] == "ENTRY_ID_NOT_FOUND"


def test_user_sees_no_broadcast_fields_of_entries_it_cannot_edit(admin, client_for, live):
    viewer = client_for(user_id="viewer", session_type=0)
    seen = viewer.liveStream.get(live.id)
    hidden = ("primaryBroadcastingUrl", "secondarySecuredBroadcastingUrl", "primarySrtStreamId",
              "secondarySrtBroadcastingUrl", "streamPassword", "srtPass")
    assert {name: getattr(seen, name) for name in hidden} == dict.fromkeys(hidden, "")  # null
    assert seen.name == live.name


def test_list_is_live_entries_only(admin, unique):
    name = unique("listed")
    a = admin.liveStream.add(KalturaLiveStreamEntry(name=name, mediaType=201))
    admin.media.add(KalturaMediaEntry(name=name, mediaType=1))
    listed = admin.liveStream.list(KalturaLiveStreamEntryFilter(nameLike=name), KalturaFilterPager())
    assert [e.id for e in listed.objects] == [a.id] and listed.totalCount == 1
    assert listed.objects[0].primaryBroadcastingUrl.endswith(f"?t={a.streamPassword}")


def test_encoder_endpoint_refusals(info, admin, unique):
    media = admin.media.add(KalturaMediaEntry(name=unique("vod"), mediaType=1))
    reset_stats(info)
    cases = [
        ({"entry_id": "0_missing", "broadcasting": True}, "no entry 0_missing on this server"),
        ({"entry_id": media.id, "broadcasting": True},
         f"entry {media.id} is not a live stream entry"),
        ({"entry_id": media.id}, "broadcasting must be true or false"),
        ({"broadcasting": True}, "entry_id must be a non-empty string"),
        ({"entry_id": media.id, "broadcasting": True, "x": 1}, "unknown field: x"),
    ]
    for body, message in cases:
        response = requests.post(f"{info.service_url}/_sandbox/live", json=body, timeout=5)
        assert (response.status_code, response.json()) == (400, {"error": message})
    bad = requests.post(f"{info.service_url}/_sandbox/live", data=b"[1]", timeout=5)
    assert bad.status_code == 400 and bad.json() == {"error": "the body must be a JSON object"}
    assert requests.get(f"{info.service_url}/_sandbox/live", timeout=5).status_code == 405
    assert stats(info)["api_calls"] == 0  # control requests are not API calls


def test_a_stored_url_wins_and_the_old_sandbox_url_is_replaced(admin, unique):
    custom = admin.liveStream.add(KalturaLiveStreamEntry(
        name=unique("custom"), mediaType=201, primaryBroadcastingUrl="rtmp://encoder.example/app"))
    assert custom.primaryBroadcastingUrl == "rtmp://encoder.example/app"  # getDynamicBroadcastUrl
    assert custom.secondaryBroadcastingUrl.endswith(f"?t={custom.streamPassword}")
    legacy = admin.liveStream.add(KalturaLiveStreamEntry(
        name=unique("legacy"), mediaType=201,
        primaryBroadcastingUrl="rtmp://1.entrypoint.sandbox.invalid:1935/kLive/?p=1&e=x"))
    assert legacy.primaryBroadcastingUrl.endswith(f":1935/kLive?t={legacy.streamPassword}")
