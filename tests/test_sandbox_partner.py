"""Partner options: an admin role without some permissions, a plugin switched off."""

from __future__ import annotations

import pytest
import requests
from conftest import make_client
from KalturaClient.exceptions import KalturaException
from KalturaClient.Plugins.Core import KalturaLiveStreamEntry, KalturaMediaEntry, KalturaMediaType
from KalturaClient.Plugins.VirtualEvent import KalturaVirtualEventFilter

from kproducer.sandbox import Sandbox


def _set(info, body, status=200):
    response = requests.post(f"{info.service_url}/_sandbox/partner", json=body, timeout=5)
    assert response.status_code == status
    return response.json()


def _media(name="opt", **props):
    return KalturaMediaEntry(name=name, mediaType=KalturaMediaType.VIDEO, **props)


def test_without_reference_modify_the_reference_id_is_dropped_silently(fresh_sandbox):
    info = fresh_sandbox.info
    client = make_client(info)
    _set(info, {"admin_role_without": ["CONTENT_INGEST_REFERENCE_MODIFY"]})
    entry = client.media.add(_media(referenceId="ref-1", startDate=2_000_000_000))
    assert entry.referenceId is None or entry.referenceId == ""
    # no error, only the header KalturaObject::validateForInsert sends
    assert client.responseHeaders["KalturaBaseEntry-referenceId-error"] == (
        'Current user does not have permission to insert property '
        '"KalturaMediaEntry::referenceId"'
    )
    assert entry.startDate == 2_000_000_000  # other permissions are still there
    updated = client.baseEntry.update(entry.id, KalturaMediaEntry(referenceId="ref-2", name="renamed"))
    assert updated.name == "renamed" and updated.referenceId in (None, "")
    assert "update property" in client.responseHeaders["KalturaBaseEntry-referenceId-error"]
    client.baseEntry.update(entry.id, KalturaMediaEntry(name="again"))
    assert "KalturaBaseEntry-referenceId-error" not in client.responseHeaders
    assert client.baseEntry.get(entry.id).referenceId in (None, "")


def test_without_manage_schedule_the_dates_are_dropped_silently(fresh_sandbox):
    info = fresh_sandbox.info
    client = make_client(info)
    _set(info, {"admin_role_without": ["CONTENT_MANAGE_SCHEDULE"]})
    live = client.liveStream.add(
        KalturaLiveStreamEntry(name="live", mediaType=KalturaMediaType.LIVE_STREAM_FLASH,
                               startDate=2_000_000_000, endDate=2_000_003_600,
                               referenceId="kept"),
        1,
    )
    assert live.startDate in (None, 0) and live.endDate in (None, 0)
    assert live.referenceId == "kept"
    _set(info, {})
    entry = client.media.add(_media(startDate=2_000_000_000))
    assert entry.startDate == 2_000_000_000


def test_a_disabled_virtual_event_plugin_answers_service_forbidden(fresh_sandbox):
    info = fresh_sandbox.info
    client = make_client(info)
    assert client.virtualEvent.virtualEvent.list(KalturaVirtualEventFilter()).totalCount >= 1
    _set(info, {"plugins_disabled": ["virtualEvent"]})
    with pytest.raises(KalturaException) as raised:
        client.virtualEvent.virtualEvent.list(KalturaVirtualEventFilter())
    assert raised.value.code == "SERVICE_FORBIDDEN"
    assert raised.value.message == (
        "The access to service [virtualevent_virtualevent->list] is forbidden"
    )
    assert client.media.add(_media()).id  # the rest of the account works


def test_partner_options_survive_a_restart_and_reset_with_an_empty_body(tmp_path):
    with Sandbox(tmp_path) as first:
        _set(first.info, {"plugins_disabled": ["virtualEvent"]})
    with Sandbox(tmp_path) as again:
        shown = requests.get(f"{again.info.service_url}/_sandbox/partner", timeout=5).json()
        assert shown == {"admin_role_without": [], "plugins_disabled": ["virtualEvent"]}
        assert _set(again.info, {}) == {"admin_role_without": [], "plugins_disabled": []}


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"admin_role_without": ["NOPE"]}, "unknown NOPE"),
        ({"plugins_disabled": "virtualEvent"}, "must be a list"),
        ({"colour": 1}, "unknown partner option: colour"),
        ([1], "JSON object"),
    ],
)
def test_bad_partner_options_are_refused(fresh_sandbox, body, fragment):
    assert fragment in _set(fresh_sandbox.info, body, status=400)["error"]
