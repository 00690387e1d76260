"""``kproducer entries show|update|delete|encoder`` and ``create --start --end`` for real.

In-process through ``kproducer.cli.main`` against a sandbox of the test's own (exact
request counts); bad input is one sentence and exit 2 with nothing created, faults exit 3
and say whether the change may have been made, and repeating the command is safe.
"""

from __future__ import annotations

import json
import stat
from datetime import datetime, timedelta

import pytest
from cli_support import Runner, set_account_env
from conftest import make_client, reset_stats, set_faults, stats
from KalturaClient.Plugins.Core import KalturaBaseEntryFilter
from sessions_support import schedule_events, seed_hits

from kproducer.sandbox import Sandbox

ISO = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"


@pytest.fixture
def sb(fresh_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, no_account_env: None):
    set_account_env(monkeypatch, fresh_sandbox.info)
    return fresh_sandbox.info


def local(days: float = 1, hour: int = 17) -> datetime:
    return (datetime.now() + timedelta(days=days)).replace(hour=hour, minute=0, second=0,
                                                           microsecond=0)


def text(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


def create(kp: Runner, name: str, *extra: str, kind: str = "live") -> dict:
    result = kp("entries", "create", "--type", kind, "--name", name, *extra, "--json")
    assert result.code == 0, result.err
    return result.json()["entry"]


def live_count(sb) -> int:
    flt = KalturaBaseEntryFilter(statusIn="-2,-1,0,1,2,4,5,6,7")
    return int(make_client(sb).baseEntry.list(flt).totalCount or 0)


def test_create_with_a_local_schedule_is_one_request_and_kept_in_utc(kp: Runner, sb) -> None:
    start, end = local(), local(hour=18)
    reset_stats(sb)
    entry = create(kp, "Keynote", "--start", text(start), "--end", text(end))
    assert stats(sb)["http_requests"] == 1
    slot = entry["schedule"]
    assert slot["source"] == "schedule_event"
    assert datetime.fromisoformat(slot["start"]) == start.astimezone()
    assert datetime.fromisoformat(slot["end"]) == end.astimezone()
    assert slot["start"].endswith("Z")
    [event] = schedule_events(sb, entry["id"])
    assert event.startDate == int(start.timestamp())


def test_times_with_z_or_an_offset_are_taken_as_given(kp: Runner, sb) -> None:
    entry = create(kp, "Zoned", "--start", "2031-03-15T16:00Z", "--end", "2031-03-15T17:30+01:00")
    assert entry["schedule"]["start"] == "2031-03-15T16:00:00Z"
    assert entry["schedule"]["end"] == "2031-03-15T16:30:00Z"


@pytest.mark.parametrize(("args", "said"), [
    (["--start", "2031-03-15T18:00", "--end", "2031-03-15T17:00"], "must end after it starts"),
    (["--start", "2031-03-15T18:00", "--end", "2031-03-15T18:00"], "must end after it starts"),
    (["--start", "next tuesday", "--end", "2031-03-15T17:00"], "is not an ISO 8601 time"),
    (["--start", "2031-03-15T18:00"], "needs both a start and an end"),
    (["--start", "2031-02-30T18:00", "--end", "2031-03-01T18:00"], "is not an ISO 8601 time"),
])
def test_bad_times_are_one_sentence_exit_2_and_nothing_is_created(kp: Runner, sb, args, said):
    before = live_count(sb)
    reset_stats(sb)
    result = kp("entries", "create", "--type", "live", "--name", "Never", *args)
    assert result.code == 2 and said in result.sentence
    assert stats(sb)["http_requests"] == 0 and live_count(sb) == before


def test_a_name_over_the_servers_limit_is_refused(kp: Runner, sb) -> None:
    reset_stats(sb)
    result = kp("entries", "create", "--type", "room", "--name", "n" * 257)
    assert result.code == 2 and "at most 256 characters" in result.sentence
    assert stats(sb)["http_requests"] == 0


def test_a_start_in_the_past_warns_and_creates(kp: Runner, sb) -> None:
    start = local(days=-1)
    result = kp("entries", "create", "--type", "live", "--name", "Yesterday",
                "--start", text(start), "--end", text(start + timedelta(hours=1)), "--json")
    assert result.code == 0
    assert "start time has passed" in result.err
    assert result.json()["entry"]["schedule"] is not None


def test_show_json_carries_schedule_and_a_masked_encoder(kp: Runner, sb) -> None:
    entry = create(kp, "Shown", "--start", text(local()), "--end", text(local(hour=19)))
    raw = make_client(sb).liveStream.get(entry["id"])
    reset_stats(sb)
    shown = kp("entries", "show", entry["id"], "--json")
    assert shown.code == 0 and stats(sb)["http_requests"] == 1
    document = shown.json()
    assert document["schedule"]["start"] == entry["schedule"]["start"]
    encoder = document["encoder"]
    assert set(encoder) == {"rtmp_url", "rtmps_url", "srt_url", "backup_rtmp_url",
                            "backup_rtmps_url", "backup_srt_url", "stream_name", "stream_key",
                            "srt_stream_id", "srt_passphrase", "broadcasting"}
    assert encoder["stream_key"] is None and encoder["srt_passphrase"] is None
    assert encoder["broadcasting"] is False
    assert raw.streamPassword not in shown.out
    revealed = kp("entries", "show", entry["id"], "--json", "--reveal").json()["encoder"]
    assert revealed["stream_key"] == raw.streamPassword
    assert revealed["rtmp_url"] == raw.primaryBroadcastingUrl


def test_show_of_a_room_has_no_encoder_and_text_names_the_zone(kp: Runner, sb) -> None:
    room = create(kp, "Room", "--start", text(local()), "--end", text(local(hour=18)),
                  kind="room")
    document = kp("entries", "show", room["id"], "--json").json()
    assert "encoder" not in document and document["kind"] == "room"
    shown = kp("entries", "show", room["id"])
    zone = local().astimezone().strftime("%Z")
    assert shown.code == 0 and zone in shown.out


def test_update_renames_reschedules_and_moves_saying_which_event_it_left(kp: Runner, sb):
    first = kp("events", "create", "--name", "Day 1", "--json").json()["event"]["id"]
    second = kp("events", "create", "--name", "Day 2", "--json").json()["event"]["id"]
    entry = create(kp, "Panel", "--event", str(first))
    start, end = local(days=2), local(days=2, hour=19)
    reset_stats(sb)
    updated = kp("entries", "update", entry["id"], "--name", "Panel (final)",
                 "--start", text(start), "--end", text(end))
    assert updated.code == 0 and stats(sb)["http_requests"] == 1
    assert "Updated session" in updated.out
    [event] = schedule_events(sb, entry["id"])
    assert (event.summary, event.startDate) == ("Panel (final)", int(start.timestamp()))
    moved = kp("entries", "update", entry["id"], "--event", str(second))
    assert moved.code == 0 and f"left event {first}" in moved.out
    detached = kp("entries", "update", entry["id"], "--no-event", "--json").json()
    assert detached["left_event_id"] == second and detached["entry"]["event_id"] is None


def test_a_duplicate_name_in_the_event_is_allowed_with_a_warning(kp: Runner, sb) -> None:
    event = kp("events", "create", "--name", "Dup", "--json").json()["event"]["id"]
    create(kp, "Opening", "--event", str(event))
    again = kp("entries", "create", "--type", "live", "--name", "Opening", "--event", str(event))
    assert again.code == 0 and "already has a session named" in again.err


@pytest.mark.parametrize(("args", "said"), [
    ([], "Nothing to change"),
    (["--end", "2031-03-15T17:00"], "needs both a start and an end"),
    (["--name", "  "], "needs a name"),
    (["--event", "nope"], "event"),
])
def test_update_bad_input_is_exit_2_with_no_request(kp: Runner, sb, args, said) -> None:
    entry = create(kp, "Stable")
    reset_stats(sb)
    result = kp("entries", "update", entry["id"], *args)
    assert result.code == 2 and said in result.sentence
    assert stats(sb)["http_requests"] == 0


def test_update_and_delete_of_a_missing_session_are_exit_2(kp: Runner, sb) -> None:
    for args in (["update", "0_zzzzzzzz", "--name", "x"], ["delete", "0_zzzzzzzz"],
                 ["show", "0_zzzzzzzz"], ["encoder", "0_zzzzzzzz"]):
        result = kp("entries", *args)
        assert result.code == 2 and "not found" in result.sentence, args
    assert kp("entries", "show", "not-an-id").code == 2


def test_delete_is_one_request_and_takes_group_and_schedule(kp: Runner, sb) -> None:
    entry = create(kp, "Doomed", "--start", text(local()), "--end", text(local(hour=18)))
    reset_stats(sb)
    deleted = kp("entries", "delete", entry["id"])
    assert deleted.code == 0 and stats(sb)["http_requests"] == 1
    assert "Deleted session" in deleted.out
    assert schedule_events(sb, entry["id"]) == []
    assert kp("entries", "show", entry["id"]).code == 2


def test_list_has_a_schedule_column(kp: Runner, sb) -> None:
    create(kp, "Listed", "--start", "2031-03-15T16:00Z", "--end", "2031-03-15T17:00Z")
    listed = kp("entries", "list")
    assert listed.code == 0 and "SCHEDULE" in listed.out.splitlines()[0]
    assert "2031-03-15" in listed.out
    rows = kp("entries", "list", "--json").json()["entries"]
    assert any(r["schedule"] and r["schedule"]["start"] == "2031-03-15T16:00:00Z" for r in rows)


def test_encoder_masks_until_revealed_and_saves_private_files(kp: Runner, sb, tmp_path) -> None:
    entry = create(kp, "Encoder")
    raw = make_client(sb).liveStream.get(entry["id"])
    masked = kp("entries", "encoder", entry["id"])
    assert masked.code == 0 and raw.streamPassword not in masked.out
    assert "RTMPS" in masked.out and "--reveal" in masked.out
    sheet, obs = tmp_path / "kit.txt", tmp_path / "service.json"
    saved = kp("entries", "encoder", entry["id"], "--save", str(sheet), "--obs", str(obs))
    assert saved.code == 0 and raw.streamPassword not in saved.out
    for path in (sheet, obs):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert raw.streamPassword in sheet.read_text() and raw.primaryBroadcastingUrl in sheet.read_text()
    service = json.loads(obs.read_text())
    assert service["type"] == "rtmp_custom"
    assert service["settings"]["server"] == raw.primarySecuredBroadcastingUrl
    assert service["settings"]["key"] == raw.streamName.replace("%i", "1")
    bad = kp("entries", "encoder", entry["id"], "--save", str(tmp_path / "no" / "dir.txt"))
    assert bad.code == 2 and "Could not write" in bad.sentence


def test_regenerate_asks_first_and_refuses_without_yes_off_a_terminal(kp: Runner, sb) -> None:
    entry = create(kp, "Regenerated")
    old = make_client(sb).liveStream.get(entry["id"]).streamPassword
    refused = kp("entries", "encoder", entry["id"], "--regenerate")
    assert refused.code == 2 and "--yes" in refused.sentence
    assert make_client(sb).liveStream.get(entry["id"]).streamPassword == old
    done = kp("entries", "encoder", entry["id"], "--regenerate", "--yes", "--json")
    assert done.code == 0 and "new stream key" in done.err
    new = make_client(sb).liveStream.get(entry["id"]).streamPassword
    assert new != old and done.json()["encoder"]["stream_key"] is None


def test_regenerate_on_a_terminal_needs_a_yes(kp: Runner, sb, monkeypatch) -> None:
    import io

    from kproducer.commands import encoder

    entry = create(kp, "Asked")
    old = make_client(sb).liveStream.get(entry["id"]).streamPassword
    monkeypatch.setattr(encoder, "stdin_is_terminal", lambda: True)
    monkeypatch.setattr("sys.stdin", io.StringIO("no\n"))
    result = kp("entries", "encoder", entry["id"], "--regenerate")
    assert result.code == 2 and "will be cut off" in result.err
    assert make_client(sb).liveStream.get(entry["id"]).streamPassword == old
    monkeypatch.setattr("sys.stdin", io.StringIO("yes\n"))
    assert kp("entries", "encoder", entry["id"], "--regenerate").code == 0
    assert make_client(sb).liveStream.get(entry["id"]).streamPassword != old


@pytest.mark.parametrize("fault", ["malformed_rate", "http_500_rate"])
def test_a_lost_update_or_delete_says_so_and_repeating_it_is_safe(kp: Runner, sb, fault):
    entry = create(kp, "Flaky", "--start", text(local()), "--end", text(local(hour=18)))
    set_faults(sb, **{fault: 1.0})
    try:
        update = kp("entries", "update", entry["id"], "--name", "Flaky 2")
    finally:
        set_faults(sb)
    assert update.code == 3 and "may have been saved anyway" in update.sentence
    assert kp("entries", "update", entry["id"], "--name", "Flaky 2").code == 0
    assert make_client(sb).baseEntry.get(entry["id"]).name == "Flaky 2"
    assert schedule_events(sb, entry["id"])[0].summary == "Flaky 2"
    set_faults(sb, **{fault: 1.0})
    try:
        delete = kp("entries", "delete", entry["id"])
    finally:
        set_faults(sb)
    assert delete.code == 3 and "may have been deleted anyway" in delete.sentence
    again = kp("entries", "delete", entry["id"])
    assert again.code == 0, again.err
    assert schedule_events(sb, entry["id"]) == []


def test_a_dropped_show_is_exit_3_and_one_sentence(kp: Runner, sb) -> None:
    entry = create(kp, "Dropped")
    set_faults(sb, drop_rate=1.0)
    try:
        result = kp("entries", "show", entry["id"])
    finally:
        set_faults(sb)
    assert result.code == 3 and "Could not reach Kaltura" in result.sentence


def test_a_lost_regeneration_says_a_new_key_may_exist(kp: Runner, sb, fresh_sandbox) -> None:
    entry = create(kp, "Lost key")
    old = make_client(sb).liveStream.get(entry["id"]).streamPassword
    seed_hits(fresh_sandbox, 0.5, [False, True])  # the kit is read, the regeneration is lost
    set_faults(sb, malformed_rate=0.5)
    try:
        result = kp("entries", "encoder", entry["id"], "--regenerate", "--yes")
    finally:
        set_faults(sb)
    assert result.code == 3 and "a new stream key may have been made anyway" in result.sentence
    assert make_client(sb).liveStream.get(entry["id"]).streamPassword != old  # it ran
    again = kp("entries", "encoder", entry["id"], "--json")
    assert again.code == 0 and again.json()["encoder"]["stream_key"] is None
