"""Simulive: a ready video scheduled to play as a live session, as Kaltura does it.

A live entry is the template; its ``KalturaLiveStreamScheduleEvent`` names the video in
``sourceEntryId`` (``plugins/schedule/base/lib/api/KalturaLiveStreamScheduleEvent.php``), and
the server gives the live entry ``simulive_capability``. Driven against a sandbox of the
test's own with the real client, from the service and the command line.
"""

from __future__ import annotations

import time

import pytest
import requests
from cli_support import Runner, set_account_env
from conftest import make_client, reset_stats, set_faults, stats
from KalturaClient.Plugins.Core import KalturaBaseEntryFilter, KalturaMediaEntry
from KalturaClient.Plugins.Schedule import KalturaLiveStreamScheduleEvent
from sessions_support import HOUR, close, open_account, schedule_events, seed_hits

from kproducer.kaltura.errors import InvalidInput, NotFound
from kproducer.services import entries, simulive
from kproducer.services.models import EntryKind


@pytest.fixture
def sb(fresh_sandbox):
    return fresh_sandbox.info


@pytest.fixture
def account(sb):
    acct = open_account(sb)
    yield acct
    close(acct)


def seeded_video(sb) -> tuple[str, int]:
    """The sandbox's ready recording: (entry ID, duration)."""
    flt = KalturaBaseEntryFilter(typeEqual="1")
    video = make_client(sb).baseEntry.list(flt).objects[0]
    assert video.status.getValue() == "2"
    return video.id, int(video.duration)


def test_simulive_is_a_live_entry_whose_schedule_event_plays_the_video(account, sb):
    video, length = seeded_video(sb)
    start = int(time.time()) + 24 * HOUR
    reset_stats(sb)
    entry = simulive.create(account, video, "Keynote replay", start)
    # one request to read the video (fresh), one to make entry + group + schedule event
    assert stats(sb)["http_requests"] == 2
    assert entry.kind is EntryKind.LIVE and entry.is_simulive
    assert entry.schedule is not None
    assert (entry.schedule.start, entry.schedule.end) == (start, start + length)
    assert entry.schedule.source_entry_id == video
    # What KMC sees: the schedule event with the source, the live entry's capability.
    (event,) = schedule_events(sb, entry.id)
    assert isinstance(event, KalturaLiveStreamScheduleEvent)
    assert (event.templateEntryId, event.sourceEntryId) == (entry.id, video)
    live = make_client(sb).baseEntry.get(entry.id)
    assert "simulive_capability" in live.capabilities.split(",")
    assert "live_schedule_capability" in live.capabilities.split(",")
    # Listed again (another process): still simulive, from its schedule event.
    entries.forget(account, entry.id)
    listed = {e.id: e for e in entries.list_entries(account)}
    assert listed[entry.id].is_simulive
    assert listed[entry.id].schedule.source_entry_id == video


def _move_clock(sb, to: int) -> None:
    """The sandbox's clock reads ``to`` (unix seconds) now."""
    offset = to - int(time.time())
    answer = requests.post(f"{sb.service_url}/_sandbox/clock", json={"offset_s": offset},
                           timeout=5)
    assert answer.status_code == 200, answer.text


def test_a_simulive_session_is_on_air_in_its_slot_without_an_encoder(account, sb):
    """``SchedulePlugin::getter``: the current simulive event makes ``isLive`` true from 18 s
    after its start (``kSimuliveUtils::MINIMUM_TIME_TO_PLAYABLE_SEC``) to its end; the app's
    on-air poll (``live.live_status``) and Kaltura's own client both see it."""
    from kproducer.services import live

    video, length = seeded_video(sb)
    start = int(time.time()) + 600  # near: the tokens outlive the clock's move
    entry = simulive.create(account, video, "Replay on air", start)
    admin = make_client(sb)
    seen = {}
    try:
        for label, at in (("before", start - 60), ("first seconds", start + 5),
                          ("playing", start + 30), ("after", start + length + 5)):
            _move_clock(sb, at)
            seen[label] = (admin.liveStream.isLive(entry.id),
                           live.live_status(account, [entry.id])[entry.id].broadcasting)
    finally:
        _move_clock(sb, int(time.time()))
    assert seen == {"before": (False, False), "first seconds": (False, False),
                    "playing": (True, True), "after": (False, False)}


def test_in_its_slot_a_simulive_entry_is_playable_everywhere_getlivestatus_is_read(account, sb):
    """The server's ``getLiveStatus`` (schedule plugin first) is behind the entry's
    ``liveStatus`` field and the fields frozen while broadcasting, not only ``isLive``."""
    from KalturaClient.exceptions import KalturaException
    from KalturaClient.Plugins.Core import KalturaLiveStreamEntry, KalturaRecordStatus

    video, _ = seeded_video(sb)
    start = int(time.time()) + 600
    entry = simulive.create(account, video, "Replay frozen", start)
    admin = make_client(sb)
    assert admin.baseEntry.get(entry.id).liveStatus.getValue() == 0  # STOPPED before
    try:
        _move_clock(sb, start + 30)
        assert admin.baseEntry.get(entry.id).liveStatus.getValue() == 1  # PLAYABLE
        change = KalturaLiveStreamEntry(recordStatus=KalturaRecordStatus.APPENDED)
        with pytest.raises(KalturaException) as refused:
            admin.liveStream.update(entry.id, change)
        assert refused.value.code == "CANNOT_UPDATE_FIELDS_WHILE_ENTRY_BROADCASTING"
    finally:
        _move_clock(sb, int(time.time()))


def test_a_plain_live_session_is_not_simulive(account, sb):
    start = int(time.time()) + 24 * HOUR
    entry = entries.create(account, EntryKind.LIVE, "Panel", None, start, start + HOUR)
    assert not entry.is_simulive
    capabilities = make_client(sb).baseEntry.get(entry.id).capabilities.split(",")
    assert "simulive_capability" not in capabilities
    assert "live_schedule_capability" in capabilities


def test_the_source_must_be_a_ready_video_before_anything_is_made(account, sb):
    admin = make_client(sb)
    waiting = admin.media.add(KalturaMediaEntry(name="Still uploading", mediaType=1))
    start = int(time.time()) + 24 * HOUR
    every = KalturaBaseEntryFilter(statusIn="-2,-1,0,1,2,4,5,6,7")
    before = admin.baseEntry.list(every).totalCount
    with pytest.raises(InvalidInput, match=r"not ready \(waiting for its file\)") as caught:
        simulive.create(account, waiting.id, "Too early", start, start + HOUR)
    assert caught.value.code == "NOT_READY"
    live = next(e for e in entries.list_entries(account) if e.kind is EntryKind.LIVE)
    with pytest.raises(InvalidInput, match="is not a video"):
        simulive.create(account, live.id, "Live of live", start, start + HOUR)
    with pytest.raises(NotFound):
        simulive.create(account, "0_zzzzzzzz", "Nothing", start, start + HOUR)
    with pytest.raises(InvalidInput, match="not a Kaltura entry ID"):
        simulive.create(account, "nope", "Nothing", start, start + HOUR)
    video, _ = seeded_video(sb)
    with pytest.raises(InvalidInput, match="at most 24 hours"):
        simulive.create(account, video, "Too long", start, start + 25 * HOUR)
    assert admin.baseEntry.list(every).totalCount == before  # no refusal created anything


def test_the_sandbox_refuses_a_source_that_does_not_exist_as_the_server_does(sb):
    admin = make_client(sb)
    start = int(time.time()) + 24 * HOUR
    live = admin.baseEntry.list(KalturaBaseEntryFilter(typeEqual="7")).objects[0]
    event = KalturaLiveStreamScheduleEvent(
        templateEntryId=live.id, sourceEntryId="0_missing1", summary="x", recurrenceType=0,
        startDate=start, endDate=start + 60)
    from KalturaClient.exceptions import KalturaException

    with pytest.raises(KalturaException) as caught:
        admin.schedule.scheduleEvent.add(event)
    assert caught.value.code == "ENTRY_ID_NOT_FOUND"
    assert "simulive_capability" not in admin.baseEntry.get(live.id).capabilities


def test_a_lost_answer_makes_one_simulive_not_two(account, sb, fresh_sandbox):
    video, _ = seeded_video(sb)
    start = int(time.time()) + 48 * HOUR
    # The video's read answers; the create's answer is lost (made anyway), the looks answer.
    seed_hits(fresh_sandbox, 0.5, [False, True] + [False] * 12)
    set_faults(sb, malformed_rate=0.5)
    try:
        made = simulive.create(account, video, "Replay once", start)
    finally:
        set_faults(sb)
    assert made.is_simulive and made.schedule.source_entry_id == video
    (event,) = schedule_events(sb, made.id)
    assert event.sourceEntryId == video
    named = [e for e in entries.list_entries(account) if e.name == "Replay once"]
    assert [e.id for e in named] == [made.id]


@pytest.fixture
def cli(fresh_sandbox, monkeypatch, no_account_env):
    set_account_env(monkeypatch, fresh_sandbox.info)
    return fresh_sandbox.info


def test_cli_creates_lists_and_shows_a_simulive_session(kp: Runner, cli) -> None:
    video, length = seeded_video(cli)
    result = kp("entries", "create", "--type", "simulive", "--source", video,
                "--name", "Replay", "--start", "2027-03-15T17:00Z", "--json")
    assert result.code == 0, result.err
    entry = result.json()["entry"]
    assert entry["kind"] == "simulive" and entry["source_entry_id"] == video
    assert entry["schedule"]["start"] == "2027-03-15T17:00:00Z"
    assert entry["schedule"]["end"] == time.strftime(
        "%Y-%m-%dT%H:%M:%SZ", time.gmtime(1805130000 + length))
    listed = kp("entries", "list", "--json").json()["entries"]
    assert [e["kind"] for e in listed if e["id"] == entry["id"]] == ["simulive"]
    shown = kp("entries", "show", entry["id"])
    assert shown.code == 0, shown.err
    assert "simulive" in shown.out and f"Plays video:    {video}" in shown.out
    text = kp("entries", "list")
    assert "simulive" in text.out


def test_cli_simulive_bad_input_is_one_sentence_and_exit_2(kp: Runner, cli) -> None:
    no_source = kp("entries", "create", "--type", "simulive", "--name", "R",
                   "--start", "2027-03-15T17:00Z")
    assert no_source.code == 2
    assert no_source.sentence == ("A simulive session needs --source (the ready video) "
                                    "and --start.")
    stray = kp("entries", "create", "--type", "live", "--name", "R", "--source", "0_abcdefgh")
    assert stray.code == 2 and "--source is for --type simulive only" in stray.err
    live = kp("entries", "list", "--json").json()["entries"]
    live_id = next(e["id"] for e in live if e["kind"] == "live")
    not_video = kp("entries", "create", "--type", "simulive", "--name", "R", "--source",
                   live_id, "--start", "2027-03-15T17:00Z")
    assert not_video.code == 2 and "is not a video" in not_video.err
    assert "Traceback" not in not_video.err
    count = len(kp("entries", "list", "--json").json()["entries"])
    assert count == len(live)
