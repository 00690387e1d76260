"""``kproducer entries upload FILE``: prints the session, refuses bad files with exit 2
before anything is made, follows to ready with --wait, and continues after a kill.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from cli_support import ACCOUNT_VARS, sandbox_env
from conftest import make_client, reset_stats, set_faults, stats
from KalturaClient.Plugins.Core import KalturaBaseEntryFilter
from upload_support import conversion_seconds, make_mp4

MB = 1024 * 1024


@pytest.fixture
def quick(info):
    conversion_seconds(info, 0)
    yield
    conversion_seconds(info, 3)


def test_upload_prints_the_new_session(kp, account_env, quick, tmp_path):
    video = make_mp4(tmp_path / "Closing remarks.mp4", 300.0, 2 * MB)
    made = kp("entries", "upload", str(video), "--json")
    assert made.code == 0, made.err
    document = made.json()
    assert document["name"] == "Closing remarks" and document["event_id"] is None
    assert document["status"] in ("converting", "ready")
    assert document["thumbnail_url"].startswith("http://")
    plain = kp("entries", "upload", str(make_mp4(tmp_path / "b.mp4", 5.0, MB)),
               "--name", "Sponsor reel")
    assert plain.code == 0 and plain.err == ""  # no progress when stderr is no terminal
    entry_id = plain.out.strip()
    shown = kp("entries", "show", entry_id, "--json").json()
    assert shown["name"] == "Sponsor reel" and shown["kind"] == "vod"
    assert shown["thumbnail_url"].startswith("http://")
    assert requests.get(shown["thumbnail_url"], timeout=5).headers["Content-Type"] == "image/png"


def test_upload_to_an_event_and_wait_until_ready(kp, account_env, quick, tmp_path):
    event = kp("events", "create", "--name", "Recorded day", "--json").json()
    event_id = str(event.get("id") or event["event"]["id"])
    video = make_mp4(tmp_path / "Panel.mp4", 1800.0, MB)
    done = kp("entries", "upload", str(video), "--event", event_id, "--wait", "--json")
    assert done.code == 0, done.err
    document = done.json()
    assert (document["status"], document["duration"]) == ("ready", 1800)
    assert str(document["event_id"]) == event_id


def test_wait_on_a_file_that_is_not_a_video_exits_1_with_the_reason(kp, account_env, quick,
                                                                     tmp_path):
    notes = tmp_path / "agenda.mov"
    notes.write_text("09:00 welcome\n" * 500)
    failed = kp("entries", "upload", str(notes), "--wait")
    assert failed.code == 1
    assert "could not convert the file" in failed.err


@pytest.mark.parametrize("make", [
    lambda p: p,  # missing
    lambda p: (p.mkdir(), p)[1],  # a folder
    lambda p: (p.write_bytes(b""), p)[1],  # empty
])
def test_a_bad_file_is_exit_2_and_nothing_is_created(kp, account_env, tmp_path, make):
    target = make(tmp_path / "recording.mp4")
    reset_stats(account_env)
    refused = kp("entries", "upload", str(target))
    assert refused.code == 2
    assert target.name in refused.sentence
    assert stats(account_env)["api_calls"] == 0


def test_an_unknown_event_is_refused_before_uploading(kp, account_env, tmp_path):
    video = make_mp4(tmp_path / "x.mp4", 5.0, MB)
    reset_stats(account_env)
    refused = kp("entries", "upload", str(video), "--event", "987654")
    assert refused.code == 2
    assert "uploadtoken.add" not in stats(account_env)["by_action"]


def _confirmed(home: Path) -> int:
    try:
        data = json.loads((home / "data" / "uploads.json").read_text())
    except (OSError, ValueError):
        return 0
    return max((u["confirmed"] for u in data.get("uploads", [])), default=0)


def test_killed_mid_upload_the_same_command_continues(fresh_sandbox, tmp_path):
    info = fresh_sandbox.info
    conversion_seconds(info, 0)
    video = make_mp4(tmp_path / "keynote.mp4", 2700.0, 64 * MB, sparse=True)
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if k not in ACCOUNT_VARS}
    env.update(sandbox_env(info), KPRODUCER_HOME=str(home),
               PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    command = [sys.executable, "-m", "kproducer", "entries", "upload", str(video), "--json"]
    set_faults(info, latency_ms=400)  # slow enough to be killed in the middle
    first = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while _confirmed(home) < 20 * MB and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _confirmed(home) >= 20 * MB
        first.send_signal(signal.SIGKILL)
    finally:
        first.wait(timeout=30)
        set_faults(info)
    sent_before = stats(info)["by_action"]["uploadtoken.upload"]
    second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120,
                            stdin=subprocess.DEVNULL)
    assert second.returncode == 0, second.stderr
    assert "Traceback" not in second.stderr
    entry_id = json.loads(second.stdout)["entry_id"]
    counts = stats(info)["by_action"]
    chunks = -(-video.stat().st_size // (10 * MB))
    assert counts["uploadtoken.add"] == 1  # the same token, continued
    resent = counts["uploadtoken.upload"] - chunks
    assert 0 <= resent <= 1, (sent_before, counts)
    flt = KalturaBaseEntryFilter(nameEqual="keynote", statusIn="-2,-1,0,1,2,4,5,6,7")
    assert [e.id for e in make_client(info).baseEntry.list(flt).objects] == [entry_id]


def test_ctrl_c_says_how_to_continue_and_the_rerun_finishes(fresh_sandbox, tmp_path):
    info = fresh_sandbox.info
    conversion_seconds(info, 0)
    video = make_mp4(tmp_path / "interview.mp4", 900.0, 48 * MB, sparse=True)
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if k not in ACCOUNT_VARS}
    env.update(sandbox_env(info), KPRODUCER_HOME=str(home),
               PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    command = [sys.executable, "-m", "kproducer", "entries", "upload", str(video)]
    set_faults(info, latency_ms=400)
    first = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while _confirmed(home) < 10 * MB and time.monotonic() < deadline:
            time.sleep(0.05)
        first.send_signal(signal.SIGINT)
        _out, err = first.communicate(timeout=60)
    finally:
        set_faults(info)
    assert first.returncode == 130
    assert "Traceback" not in err
    assert "run the same command again to continue the upload of interview.mp4" in err
    second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120,
                            stdin=subprocess.DEVNULL)
    assert second.returncode == 0, second.stderr
    assert stats(info)["by_action"]["uploadtoken.add"] == 1
