"""Live day services against the sandbox: the encoder kit, isLive for an event, switches.

The stream key is a credential: the tests check it never reaches the activity record, the
cache file or a log line, while the kit itself is exactly what ``liveStream.get`` returns.
"""

from __future__ import annotations

import logging

import pytest
from conftest import make_client, reset_stats, set_faults, stats
from sessions_support import close, open_account, set_live

from kproducer.kaltura.errors import InvalidInput, ServiceUnavailable
from kproducer.paths import cache_dir
from kproducer.services import entries, events, live
from kproducer.services.models import EntryKind


@pytest.fixture
def sb(fresh_sandbox):
    return fresh_sandbox.info


@pytest.fixture
def account(sb):
    acct = open_account(sb)
    yield acct
    close(acct)


def test_the_kit_is_exactly_what_livestream_get_gives(account, sb):
    entry = entries.create(account, EntryKind.LIVE, "Keynote")
    raw = make_client(sb).liveStream.get(entry.id)
    kit = live.kit(account, entry.id, reveal=True)
    assert kit.rtmp_url == raw.primaryBroadcastingUrl and "t=" in kit.rtmp_url
    assert kit.rtmps_url == raw.primarySecuredBroadcastingUrl and kit.rtmps_url
    assert kit.srt_url == raw.primarySrtBroadcastingUrl and kit.srt_url
    assert kit.backup_rtmp_url == raw.secondaryBroadcastingUrl and kit.backup_rtmp_url
    assert kit.backup_rtmps_url == raw.secondarySecuredBroadcastingUrl
    assert kit.backup_srt_url == raw.secondarySrtBroadcastingUrl
    assert kit.stream_name == raw.streamName
    assert kit.stream_key == raw.streamPassword and kit.stream_key
    assert kit.srt_stream_id == raw.primarySrtStreamId


def test_masked_hides_the_key_everywhere_in_the_kit(account):
    entry = entries.create(account, EntryKind.LIVE, "Masked")
    kit = live.kit(account, entry.id, reveal=True)
    masked = live.kit(account, entry.id)
    assert masked.stream_key is None and masked.srt_passphrase is None and not masked.revealed
    assert kit.stream_key is not None
    text = repr(masked) + str(masked.as_json(None))
    assert kit.stream_key not in text
    assert live.MASK in masked.rtmp_url


def test_details_are_one_request_cold_and_none_warm(account, sb):
    entry = entries.create(account, EntryKind.LIVE, "Details")
    account.memory.clear()
    reset_stats(sb)
    details = live.details(account, entry.id)
    counts = stats(sb)
    assert counts["http_requests"] == 1
    assert counts["by_action"] == {"baseentry.get": 1, "livestream.get": 1,
                                   "schedule_scheduleevent.list": 1, "livestream.islive": 1}
    assert details.state.broadcasting is False and details.entry.id == entry.id
    reset_stats(sb)
    again = live.details(account, entry.id)
    assert again.kit == details.kit and stats(sb)["http_requests"] == 0


def test_open_session_of_an_unknown_kind_is_one_request(account, sb):
    live_entry = entries.create(account, EntryKind.LIVE, "Live one")
    room = entries.create(account, EntryKind.ROOM, "Room one")
    for entry_id in (live_entry.id, room.id):
        entries.forget(account, entry_id)
    account.memory.clear()
    reset_stats(sb)
    opened, details = live.open_session(account, live_entry.id)
    assert details is not None and details.kit.stream_key and opened.kind is EntryKind.LIVE
    room_entry, none = live.open_session(account, room.id)
    assert none is None and room_entry.kind is EntryKind.ROOM
    assert stats(sb)["http_requests"] == 2


def test_a_room_has_no_encoder(account):
    room = entries.create(account, EntryKind.ROOM, "Room")
    with pytest.raises(InvalidInput, match="not a live session"):
        live.details(account, room.id)


def test_live_status_of_every_session_of_an_event_is_one_request(account, sb):
    event = events.create(account, "Live day")
    made = [entries.create(account, EntryKind.LIVE, f"Stage {n}", event.id) for n in range(5)]
    set_live(sb, made[1].id, True)
    set_live(sb, made[3].id, True)
    reset_stats(sb)
    states = live.live_status(account, [e.id for e in made])
    counts = stats(sb)
    assert counts["http_requests"] == 1 and counts["by_action"] == {"livestream.islive": 5}
    assert [states[e.id].broadcasting for e in made] == [False, True, False, True, False]
    set_live(sb, made[1].id, False)
    assert live.live_status(account, [made[1].id])[made[1].id].broadcasting is False
    assert live.live_status(account, []) == {}


def test_regenerate_makes_a_new_key_and_the_old_one_stops_working(account, sb):
    entry = entries.create(account, EntryKind.LIVE, "Regenerate")
    old = live.kit(account, entry.id, reveal=True)
    reset_stats(sb)
    new = live.regenerate_key(account, entry.id)
    assert stats(sb)["by_action"] == {"livestream.regeneratestreamtoken": 1}
    assert new.stream_key and new.stream_key != old.stream_key
    assert make_client(sb).liveStream.get(entry.id).streamPassword == new.stream_key
    assert live.kit(account, entry.id, reveal=True) == new  # the run's memory follows


def test_preview_and_go_live_say_what_attendees_see(account, sb):
    entry = entries.create(account, EntryKind.LIVE, "Switches")
    reset_stats(sb)
    state = live.set_preview(account, entry.id, True)
    assert stats(sb)["http_requests"] == 1
    assert state.preview and "preview" in state.attendees_see
    raw = make_client(sb).liveStream.get(entry.id)
    assert int(raw.explicitLive.value if hasattr(raw.explicitLive, "value") else raw.explicitLive) == 1
    assert int(raw.viewMode.value if hasattr(raw.viewMode, "value") else raw.viewMode) == 0
    set_live(sb, entry.id, True)
    live.live_status(account, [entry.id])
    state = live.set_preview(account, entry.id, False)
    assert not state.preview and state.attendees_see == "Attendees see the live stream now."
    raw = make_client(sb).liveStream.get(entry.id)
    assert int(getattr(raw.viewMode, "value", raw.viewMode)) == 1


def test_recording_switch(account, sb):
    entry = entries.create(account, EntryKind.LIVE, "Recorded")
    state = live.set_recording(account, entry.id, True)
    assert state.recording and "recorded" in state.recording_says
    assert int(getattr(make_client(sb).liveStream.get(entry.id).recordStatus, "value",
                       make_client(sb).liveStream.get(entry.id).recordStatus)) != 0
    state = live.set_recording(account, entry.id, False)
    assert not state.recording and "not recorded" in state.recording_says


def test_the_stream_key_reaches_no_log_activity_or_cache_file(sb, caplog, request):
    account = open_account(sb, wire_log=True)  # the request/response dumps too
    request.addfinalizer(lambda: close(account))
    entry = entries.create(account, EntryKind.LIVE, "Secret key")
    caplog.set_level(logging.DEBUG, logger="kproducer")
    kit = live.kit(account, entry.id, reveal=True)
    live.regenerate_key(account, entry.id)
    new = live.kit(account, entry.id, reveal=True)
    assert kit.stream_key and new.stream_key
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "liveStream" in logged or "livestream" in logged.lower()
    activity = "\n".join(f"{r.action} {r.detail}" for r in account.activity.records())
    for key in (kit.stream_key, new.stream_key):
        assert key not in logged and key not in activity
        for path in cache_dir().rglob("*"):
            if path.is_file():
                assert key.encode() not in path.read_bytes()


@pytest.mark.parametrize("fault", ["http_500_rate", "malformed_rate"])
def test_lost_switches_and_regenerations_say_they_may_be_done(account, sb, fault):
    entry = entries.create(account, EntryKind.LIVE, f"Faulty {fault}")
    old = live.kit(account, entry.id, reveal=True)
    set_faults(sb, **{fault: 1.0})
    try:
        with pytest.raises(ServiceUnavailable, match="may have been made anyway"):
            live.regenerate_key(account, entry.id)
        with pytest.raises(ServiceUnavailable, match="may have been made anyway"):
            live.set_preview(account, entry.id, True)
        with pytest.raises(ServiceUnavailable):
            live.live_status(account, [entry.id])
    finally:
        set_faults(sb)
    reset_stats(sb)
    now = live.kit(account, entry.id, reveal=True)  # asked again, not the remembered kit
    assert stats(sb)["http_requests"] == 1
    assert (now.stream_key != old.stream_key) is (fault == "malformed_rate")
    assert live.set_preview(account, entry.id, True).preview  # again: safe


def test_live_status_with_a_slow_network_is_still_one_request(account, sb):
    made = [entries.create(account, EntryKind.LIVE, f"Slow {n}").id for n in range(3)]
    set_faults(sb, latency_ms=200)
    try:
        reset_stats(sb)
        states = live.live_status(account, made)
    finally:
        set_faults(sb)
    assert stats(sb)["http_requests"] == 1 and len(states) == 3
