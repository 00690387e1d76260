"""services.uploads and services.recordings against the sandbox, with the real client:
a recording uploaded in chunks becomes a session of its event, resumes after a stop,
survives network faults without a second entry, and is followed to ready.
"""

from __future__ import annotations

import errno
import json
import os
import stat

import pytest
import requests
from conftest import make_client, reset_stats, set_faults, stats
from KalturaClient.Plugins.Core import KalturaBaseEntryFilter
from sessions_support import close, open_account, seed_hits
from upload_support import conversion_seconds, make_mp4

from kproducer.kaltura.errors import InvalidInput
from kproducer.local import atomic, upload_state
from kproducer.services import events, recordings, uploads
from kproducer.services.models import EntryKind

MB = 1024 * 1024


@pytest.fixture
def sb(fresh_sandbox):
    conversion_seconds(fresh_sandbox.info, 0)
    return fresh_sandbox.info


@pytest.fixture
def account(sb):
    opened = open_account(sb, max_retries=0)
    yield opened
    close(opened)


def _entries_named(sb, name: str) -> list:
    flt = KalturaBaseEntryFilter(nameEqual=name, statusIn="-2,-1,0,1,2,4,5,6,7")
    return list(make_client(sb).baseEntry.list(flt).objects or [])


def _uploads(sb) -> int:
    return int(stats(sb)["by_action"].get("uploadtoken.upload", 0))


def test_a_recording_becomes_a_session_of_its_event_with_its_moderators_group(
        account, sb, tmp_path):
    event = events.create(account, "Upload day")
    video = make_mp4(tmp_path / "Opening talk.mp4", 125.0, 5 * MB + 17)
    seen: list[uploads.Progress] = []
    reset_stats(sb)
    entry = uploads.upload(account, video, event_id=event.id, progress=seen.append,
                           chunk_bytes=MB)
    assert entry.kind is EntryKind.VOD and entry.name == "Opening talk"
    assert entry.event_id == event.id
    counts = stats(sb)["by_action"]
    assert counts["uploadtoken.add"] == 1 and counts["uploadtoken.upload"] == 6
    assert counts["media.add"] == counts["media.addcontent"] == 1
    assert stats(sb)["http_requests"] == 1 + 6 + 1  # token, chunks, ONE multirequest
    dones = [p.done for p in seen]
    assert dones == sorted(dones) and dones[-1] == video.stat().st_size
    client = make_client(sb)
    assert client.group.group.get(f"{entry.id}_moderators").id == f"{entry.id}_moderators"
    done = recordings.follow_until_ready(account, entry.id, poll_s=0.1)
    assert (done.word, done.duration) == ("ready", 125)
    got = requests.get(client.baseEntry.get(entry.id).downloadUrl, timeout=30)
    assert got.content == video.read_bytes()
    assert upload_state.all_records() == []  # done: nothing left to resume


def test_a_stopped_upload_resumes_from_the_last_confirmed_chunk(account, sb, tmp_path):
    video = make_mp4(tmp_path / "long.mp4", 3600.0, 8 * MB)
    polls = {"n": 0}

    def stop_after_three() -> bool:
        polls["n"] += 1
        return polls["n"] > 3

    with pytest.raises(uploads.UploadCancelled) as stopped:
        uploads.upload(account, video, cancel_check=stop_after_three, chunk_bytes=MB,
                       in_flight=1)
    assert "upload the same file again" in str(stopped.value)
    [record] = upload_state.all_records()
    token = make_client(sb).uploadToken.get(record.token_id)
    assert int(token.status.value) == uploads.PARTIAL_UPLOAD
    assert record.confirmed == int(token.uploadedFileSize) > 0
    # the state file: owner-only, schema-versioned, no secret in it
    path = upload_state.state_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert json.loads(text)["version"] == upload_state.SCHEMA_VERSION
    assert sb.admin_secret not in text and "ks" not in json.loads(text)["uploads"][0]

    reset_stats(sb)
    again = open_account(sb)  # a new run
    try:
        seen: list[uploads.Progress] = []
        entry = uploads.upload(again, video, progress=seen.append, chunk_bytes=MB)
    finally:
        close(again)
    remaining = 8 - record.confirmed // MB
    assert _uploads(sb) == remaining  # nothing the server had is sent again
    assert seen[0].resumed_from == record.confirmed
    assert stats(sb)["by_action"].get("uploadtoken.add", 0) == 0  # the same token
    assert recordings.follow_until_ready(account, entry.id, poll_s=0.1).word == "ready"
    assert requests.get(make_client(sb).baseEntry.get(entry.id).downloadUrl,
                        timeout=30).content == video.read_bytes()


def test_dropped_chunks_are_sent_again_and_make_one_session(account, fresh_sandbox, sb,
                                                            tmp_path):
    video = make_mp4(tmp_path / "wifi.mp4", 20.0, 4 * MB)
    # requests: token.add, chunk 0 (dropped), chunk 0, chunk 1 (dropped), chunk 1, chunk 2,
    # final (dropped), final, the multirequest
    seed_hits(fresh_sandbox, 0.5, [False, True, False, True, False, False, True, False, False]
              + [False] * 3)
    set_faults(sb, drop_rate=0.5)
    reset_stats(sb)
    try:
        entry = uploads.upload(account, video, name="Hotel wifi", chunk_bytes=MB, in_flight=1)
    finally:
        set_faults(sb)
    assert _uploads(sb) == 4  # the dropped ones never reached the API
    assert [e.id for e in _entries_named(sb, "Hotel wifi")] == [entry.id]
    assert recordings.follow_until_ready(account, entry.id, poll_s=0.1).word == "ready"


def test_chunks_whose_answer_was_lost_are_harmless_to_send_again(account, fresh_sandbox, sb,
                                                                  tmp_path):
    video = make_mp4(tmp_path / "lost.mp4", 33.0, 4 * MB)
    # malformed answers: the chunk DID land; sending it again must not corrupt the file
    seed_hits(fresh_sandbox, 0.5, [False, False, True, False, True, False, False, True]
              + [False] * 6)
    set_faults(sb, malformed_rate=0.5)
    try:
        entry = uploads.upload(account, video, name="Lost answers", chunk_bytes=MB,
                               in_flight=1)
    finally:
        set_faults(sb)
    assert [e.id for e in _entries_named(sb, "Lost answers")] == [entry.id]
    assert recordings.follow_until_ready(account, entry.id, poll_s=0.1).word == "ready"
    assert requests.get(make_client(sb).baseEntry.get(entry.id).downloadUrl,
                        timeout=30).content == video.read_bytes()


def test_a_lost_answer_on_media_add_is_resolved_without_a_second_session(
        account, fresh_sandbox, sb, tmp_path):
    video = make_mp4(tmp_path / "once.mp4", 15.0, MB // 2)
    # token.add, the one chunk, then the multirequest's answer is lost (it ran)
    seed_hits(fresh_sandbox, 0.5, [False, False, True] + [False] * 8)
    set_faults(sb, malformed_rate=0.5)
    try:
        entry = uploads.upload(account, video, name="Only once")
    finally:
        set_faults(sb)
    assert [e.id for e in _entries_named(sb, "Only once")] == [entry.id]
    assert make_client(sb).group.group.get(f"{entry.id}_moderators")
    assert recordings.follow_until_ready(account, entry.id, poll_s=0.1).word == "ready"


def test_a_file_deleted_mid_upload_is_one_sentence_and_stays_resumable(account, sb, tmp_path):
    video = make_mp4(tmp_path / "gone.mp4", 10.0, 4 * MB)

    def delete_after_first(progress: uploads.Progress) -> None:
        if progress.done >= MB:
            video.unlink(missing_ok=True)

    with pytest.raises(InvalidInput) as gone:
        uploads.upload(account, video, progress=delete_after_first, chunk_bytes=MB,
                       in_flight=1)
    assert "was deleted or changed during its upload" in str(gone.value)
    [record] = upload_state.all_records()  # the local state still names the token
    token = make_client(sb).uploadToken.get(record.token_id)
    assert int(token.status.value) == uploads.PARTIAL_UPLOAD  # resumable on the server
    assert record.confirmed == int(token.uploadedFileSize)
    assert uploads.discard(account, video) is True  # giving up deletes the token
    assert int(make_client(sb).uploadToken.get(record.token_id).status.value) == 5
    assert upload_state.all_records() == []


def test_a_full_disk_leaves_the_state_as_it_was(account, sb, tmp_path, monkeypatch):
    video = make_mp4(tmp_path / "full.mp4", 10.0, 3 * MB)
    real = atomic.write_text
    writes = {"n": 0}

    def disk_fills_up(path, text, **kwargs):
        writes["n"] += 1
        if writes["n"] > 1:  # the first record is written, then the disk is full
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(path, text, **kwargs)

    monkeypatch.setattr(upload_state, "write_text", disk_fills_up)
    with pytest.raises(OSError):
        uploads.upload(account, video, chunk_bytes=MB, in_flight=1)
    monkeypatch.setattr(upload_state, "write_text", real)
    [record] = upload_state.all_records()  # the last good state, whole
    assert record.confirmed == 0
    entry = uploads.upload(account, video, chunk_bytes=MB)  # resumes (asks the server)
    assert [e.id for e in _entries_named(sb, "full")] == [entry.id]


@pytest.mark.parametrize("make, sentence", [
    (lambda p: p, "There is no file named input.mp4"),
    (lambda p: (p.mkdir(), p)[1], "is a folder"),
    (lambda p: (p.write_bytes(b""), p)[1], "is empty"),
])
def test_bad_files_are_refused_before_any_request(account, sb, tmp_path, make, sentence):
    target = make(tmp_path / "input.mp4")
    reset_stats(sb)
    with pytest.raises(InvalidInput, match=sentence):
        uploads.upload(account, target)
    assert stats(sb)["http_requests"] == 0


def test_a_file_that_is_not_a_video_ends_in_error_with_the_reason(account, sb, tmp_path):
    notes = tmp_path / "speaker notes.mp4"
    notes.write_text("Thank the sponsors. Mention the Q&A.\n" * 1000)
    entry = uploads.upload(account, notes)
    seen: list[recordings.RecordingStatus] = []
    done = recordings.follow_until_ready(account, entry.id, on_status=seen.append, poll_s=0.1)
    assert done.word == "error" and done.code == "-1"
    assert "could not convert" in done.sentence
    assert seen[-1] == done


def test_set_thumbnail_and_search(account, sb, tmp_path):
    entry = uploads.upload(account, make_mp4(tmp_path / "Sponsor reel.mp4", 40.0, MB))
    recordings.follow_until_ready(account, entry.id, poll_s=0.1)
    png = tmp_path / "poster.png"
    png.write_bytes(requests.get(recordings.thumbnail_url(entry.thumbnail_url, 64, 36),
                                 timeout=10).content)
    changed = recordings.set_thumbnail(account, entry.id, png)
    assert changed.thumbnail_url != entry.thumbnail_url
    assert requests.get(changed.thumbnail_url, timeout=10).content == png.read_bytes()
    with pytest.raises(InvalidInput, match="not a JPEG, PNG or GIF"):
        recordings.set_thumbnail(account, entry.id, tmp_path / "Sponsor reel.mp4")
    found = recordings.search_entries(account, "sponsor")
    assert [e.id for e in found.entries] == [entry.id] and found.total == 1
    assert found.entries[0].duration == 40 and found.entries[0].thumbnail_url
    everything = recordings.search_entries(account, "", page=1, page_size=2)
    assert len(everything.entries) == 2 and everything.has_more


def test_the_meter_gives_speed_and_time_left():
    now = [0.0]
    meter = recordings.Meter(clock=lambda: now[0])
    meter.add(0)
    now[0] = 2.0
    meter.add(20_000_000)
    assert meter.speed() == 10_000_000
    assert meter.seconds_left(100_000_000) == 8
    assert meter.line(100_000_000) == "20% · 20.0 of 100.0 MB · 10.0 MB/s · about 8 s left"
    assert recordings.format_duration(200) == "3 min 20 s"


def test_every_call_of_an_upload_belongs_to_its_operation(account, sb, tmp_path):
    """The chunks sent from the upload's pool threads are the upload's calls in the
    Activity dock, not "Other calls (not started from this window)" (one was, per upload)."""
    from kproducer.activity_records import OTHER_CALLS

    video = make_mp4(tmp_path / "Panel.mp4", 60.0, 5 * MB + 17)
    activity = account.activity
    operation = activity.begin("Uploading “Panel”")
    with activity.within(operation):
        uploads.upload(account, video, chunk_bytes=MB)
    chunk_calls = [r for r in activity.records() if r.action == "uploadtoken.upload"]
    assert len(chunk_calls) == 6
    assert {r.operation for r in activity.records()} == {operation}
    assert OTHER_CALLS not in {op.id for op in activity.operations()}
