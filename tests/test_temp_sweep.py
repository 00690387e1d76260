"""Temporary files a crash leaves behind are swept at the next start, and only ours (15.11)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_support import ACCOUNT_VARS, run_process, sandbox_env
from conftest import set_faults
from links_support import people_csv

from kproducer.local import atomic, temp_files
from kproducer.sandbox import SandboxInfo


def _env(info: SandboxInfo) -> dict[str, str]:
    return sandbox_env(info, KALTURA_PLAYER_UICONF_ID=str(info.player_uiconf_id),
                       KALTURA_CNC_UICONF_ID=str(info.cnc_uiconf_id))


def _live_entry(info: SandboxInfo) -> str:
    listed = run_process("entries", "list", "--json", env=_env(info))
    assert listed.code == 0, listed.err
    return str(next(e["id"] for e in listed.json()["entries"] if e["kind"] == "live"))


def _leftovers(folder: Path, name: str) -> list[Path]:
    return sorted(folder.glob(f".{name}.*.tmp"))


def test_a_sigkilled_export_leaves_a_tmp_that_the_next_run_removes(
    fresh_sandbox, tmp_path: Path
) -> None:
    info = fresh_sandbox.info
    entry = _live_entry(info)
    source = people_csv(tmp_path / "people.csv", [f"kill-{n}@example.com" for n in range(400)])
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "links.csv"
    set_faults(info, latency_ms=150)  # every request slow: the export is caught mid-way
    env = {k: v for k, v in os.environ.items() if k not in ACCOUNT_VARS}
    env.update({"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring", **_env(info)})
    with subprocess.Popen(
        [sys.executable, "-m", "kproducer", "links", "export", "--entry", entry, "--csv",
         str(source), "--out", str(out)],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    ) as proc:
        deadline = time.monotonic() + 60
        while not _leftovers(out_dir, "links.csv") and time.monotonic() < deadline:
            assert proc.poll() is None, "the export ended before it could be killed"
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    set_faults(info)
    left = _leftovers(out_dir, "links.csv")
    assert len(left) == 1 and not out.exists()
    assert temp_files.ATOMIC_PATTERN.match(left[0].name)
    assert left[0].name.startswith(f".links.csv.kproducer-{proc.pid}-")
    # files that are not ours, or of a writer still alive, stay
    foreign = out_dir / ".links.csv.abcdef.tmp"
    foreign.write_text("someone else's")
    alive = out_dir / f".links.csv.kproducer-{os.getpid()}-zzzz1234.tmp"
    alive.write_text("a concurrent export")

    again = run_process("links", "export", "--entry", entry, "--csv", str(source),
                        "--out", str(out), env=_env(info), timeout=120)
    assert again.code == 0, again.err
    assert _leftovers(out_dir, "links.csv") == sorted([foreign, alive])
    assert out.exists()


def test_a_browser_page_of_a_killed_process_is_swept_at_the_next_start(tmp_path: Path) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp)}
    writer = (
        "import os, sys, tempfile, time\n"
        "from kproducer.local import temp_files\n"
        "fd, name = tempfile.mkstemp(prefix=temp_files.page_prefix(), suffix='.html')\n"
        "os.write(fd, b'<html>ks=djJ8secret</html>'); os.close(fd)\n"
        "print(name, flush=True); time.sleep(600)\n"
    )
    with subprocess.Popen([sys.executable, "-c", writer], env=env, stdout=subprocess.PIPE,
                          text=True) as proc:
        assert proc.stdout is not None
        page = Path(proc.stdout.readline().strip())
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    assert page.exists() and page.parent == tmp
    assert temp_files.PAGE_PATTERN.match(page.name)
    mine_alive = tmp / f"kproducer-preview-{os.getpid()}-abc123.html"
    mine_alive.write_text("a page of a running kproducer")
    other = tmp / "kproducer-preview-notes.html"
    other.write_text("not ours by name")
    started = run_process("--version", env={"TMPDIR": str(tmp)})
    assert started.code == 0
    assert not page.exists()
    assert mine_alive.exists() and other.exists()


def test_only_regular_files_of_this_user_that_are_stale_are_swept(tmp_path: Path) -> None:
    gone = 2**22 + 12345  # above the default pid_max: no such process
    stale = tmp_path / f".out.csv.kproducer-{gone}-aaaa.tmp"
    stale.write_text("x")
    old_alive = tmp_path / f".out.csv.kproducer-{os.getpid()}-bbbb.tmp"
    old_alive.write_text("x")
    day_ago = time.time() - temp_files.STALE_AFTER_S - 60
    os.utime(old_alive, (day_ago, day_ago))  # a pid can be reused: old is stale anyway
    fresh_alive = tmp_path / f".out.csv.kproducer-{os.getpid()}-cccc.tmp"
    fresh_alive.write_text("x")
    target = tmp_path / "elsewhere.txt"
    target.write_text("keep me")
    link = tmp_path / f".out.csv.kproducer-{gone}-dddd.tmp"
    link.symlink_to(target)
    folder = tmp_path / f".out.csv.kproducer-{gone}-eeee.tmp"
    folder.mkdir()
    removed = temp_files.sweep(tmp_path, temp_files.ATOMIC_PATTERN)
    assert sorted(removed) == sorted([stale, old_alive])
    assert fresh_alive.exists() and link.is_symlink() and target.exists() and folder.is_dir()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="needs root to make a file of another user")
def test_another_users_file_is_left_alone(tmp_path: Path) -> None:
    theirs = tmp_path / f".out.csv.kproducer-{2**22 + 1}-ffff.tmp"
    theirs.write_text("x")
    os.chown(theirs, 12345, 12345)
    assert temp_files.sweep(tmp_path, temp_files.ATOMIC_PATTERN) == []
    assert theirs.exists()


def test_atomic_writes_name_their_temporary_file_for_the_sweep(tmp_path: Path) -> None:
    seen: list[str] = []
    with atomic.atomic_writer(tmp_path / "a.csv") as handle:
        handle.write("x")
        seen = [p.name for p in tmp_path.iterdir() if p.name != "a.csv"]
    assert len(seen) == 1 and temp_files.ATOMIC_PATTERN.match(seen[0])
    assert seen[0].startswith(f".a.csv.kproducer-{os.getpid()}-")
