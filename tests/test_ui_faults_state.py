"""The window when what it remembers goes wrong: a CnC token deleted on the server, the disk
full during an export, the cache file damaged while the window is open."""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import preview_qt  # noqa: F401  (QtWebEngine set up before the QApplication exists)
import pytest
from conftest import make_client, reset_stats, set_faults, stats
from KalturaClient.Plugins.Core import KalturaAppToken
from links_support import read_out
from preview_support import close_account, open_account, seeded
from test_faults import free_port
from test_faults_state import locked_by_another_program
from test_ui_export_dialog import make_dialog
from test_ui_export_dialog import write_people as write_roles
from test_ui_faults import (
    FAST,
    Heartbeat,
    frozen_heap,  # noqa: F401  (a fixture: the heap frozen as the app does)
    import_through_button,
    memberships,
    new_session,
    one_sentence,
    users,
    wait_idle,
    write_people,
)

from kproducer import paths
from kproducer.local import atomic
from kproducer.sandbox import Sandbox
from kproducer.services.models import EntryKind, Role
from kproducer.ui.common import Deps
from kproducer.ui.preview_tab import PreviewTab
from kproducer.ui.worker import Worker

SETTLE_MS = 20_000


@pytest.fixture
def account(fresh_sandbox):
    acct = open_account(fresh_sandbox.info)
    yield acct
    close_account(acct)


@pytest.fixture
def deps(qtbot, account):
    worker = Worker()
    said: list[str] = []
    yield Deps(worker, said.append, lambda: account)
    worker.shutdown(20_000)


# --- preview: the chat refuses the remembered CnC token ------------------------------------------


def test_preview_fetches_the_current_cnc_token_when_the_chat_refuses_the_remembered_one(
    qtbot, deps, account, fresh_sandbox
):
    info = fresh_sandbox.info
    tab = PreviewTab(deps)
    tab.resize(1280, 760)
    qtbot.addWidget(tab)
    tab.show()
    qtbot.waitUntil(lambda: not deps.worker.jobs, timeout=SETTLE_MS)
    live = seeded(account, EntryKind.LIVE)
    settled: list[dict[str, Any]] = []
    tab.previewSettled.connect(settled.append)
    tab.show_entry(live, Role.MODERATOR)
    qtbot.waitUntil(lambda: len(settled) == 1, timeout=SETTLE_MS)
    assert settled[0]["ok"] is True
    remembered = account.vault.get_cnc_token()
    assert remembered

    # Replaced on the server (KMC, another tool) while this window remembers the old one.
    admin = make_client(info)
    for token in admin.appToken.list().objects:
        if token.sessionPrivileges == "cncAuth:true":
            admin.appToken.delete(token.id)
    new = admin.appToken.add(KalturaAppToken(sessionPrivileges="cncAuth:true"))
    reset_stats(info)
    tab.refresh()
    qtbot.waitUntil(lambda: len(settled) == 3, timeout=2 * SETTLE_MS)
    refused, recovered = settled[1], settled[2]
    assert refused["problems"] == [
        "Chat: rejected: bad signature: the JWT was not signed with the CnC app token"]
    assert recovered["ok"] is True and recovered["role"] == "moderator"
    assert account.vault.get_cnc_token() == new.token
    assert stats(info)["by_action"] == {"apptoken.list": 1}  # one request to repair it
    assert tab.status.text().startswith("Ready in")

    # Gone for good: said once, no loop.
    admin.appToken.delete(new.id)
    reset_stats(info)
    tab.refresh()
    qtbot.waitUntil(lambda: len(settled) == 4, timeout=SETTLE_MS)
    qtbot.waitUntil(lambda: not deps.worker.jobs, timeout=SETTLE_MS)
    assert settled[3]["ok"] is False
    assert "exactly one active app token" in tab.status.text()
    assert "0 were found" in tab.status.text()
    assert stats(info)["by_action"] == {"apptoken.list": 1}
    tab.shutdown()


# --- export: the disk fills up while the links file is written -----------------------------------


class _FillingDisk:
    """A file handle on a disk with ``room`` characters left (then ENOSPC, as the OS says)."""

    def __init__(self, handle: IO[Any], room: int) -> None:
        self._handle = handle
        self._room = room

    def write(self, data: Any) -> int:
        self._room -= len(data)
        if self._room < 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return int(self._handle.write(data))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handle, name)


@pytest.fixture
def full_disk(monkeypatch):
    """Atomic writes get ``room[0]`` characters before the disk is full (None: unlimited)."""
    room: list[int | None] = [None]
    real = atomic.atomic_writer

    @contextlib.contextmanager
    def writer(path: Any, **options: Any) -> Iterator[Any]:
        with real(path, **options) as handle:
            yield handle if room[0] is None else _FillingDisk(handle, room[0])

    monkeypatch.setattr(atomic, "atomic_writer", writer)
    return room


def test_a_full_disk_mid_export_says_so_keeps_the_last_file_and_the_retry_finishes(
    qtbot, deps, account, tmp_path, full_disk, fresh_sandbox
):
    live = seeded(account, EntryKind.LIVE)
    people = [f"disk{n}@example.com" for n in range(300)]
    folder = tmp_path / "exports"
    folder.mkdir()
    source = write_roles(folder / "people.csv", people[:30])
    dialog = make_dialog(qtbot, deps, account, live.id)
    dialog.source.setText(str(source))
    dialog.source.editingFinished.emit()
    out = Path(dialog.output.text())
    with qtbot.waitSignal(dialog.exported, timeout=60_000):
        dialog.start()
    first = out.read_bytes()
    qtbot.waitUntil(lambda: dialog.export_button.isEnabled())

    write_roles(source, people)  # the list grew; the disk is nearly full
    full_disk[0] = 40_000
    with qtbot.waitSignal(deps.worker.jobSettled, timeout=60_000):
        dialog.start()
    text = dialog.status.text()
    assert text.startswith(f"The links could not be written to {out}: No space left on device.")
    assert "untouched" in text and "Nothing was exported" not in text
    assert "Traceback" not in text and "OSError" not in text
    assert out.read_bytes() == first  # the last good file, whole
    assert sorted(p.name for p in folder.iterdir()) == ["people-links.csv", "people.csv"]
    assert dialog.export_button.isEnabled() and dialog.source.text() == str(source)

    full_disk[0] = None  # space freed: the same dialog, Export again
    with qtbot.waitSignal(dialog.exported, timeout=60_000) as blocker:
        dialog.start()
    summary = blocker.args[0]
    assert (summary.ok, summary.failed, summary.kept) == (300, 0, 30)
    assert len(read_out(out)) == 300
    users = [uid for (uid,) in fresh_sandbox.db.execute(
        "SELECT id FROM kusers WHERE status != 2 AND id LIKE 'disk%'")]
    assert sorted(users) == sorted(people)  # no one twice


# --- the cache file damaged while the window is open -----------------------------------------------


def test_a_cache_damaged_under_the_open_window_is_rebuilt_and_said(
    qtbot, open_window, fresh_sandbox
):
    window = open_window(fresh_sandbox.info)
    cache_file = paths.cache_dir() / "cache.sqlite3"
    account = window.account()
    assert account is not None
    for n in range(2000):  # enough pages that damage lands on data, not only the header
        account.cache.put("entry", f"filler{n}", {"name": "x" * 100})
    account.cache._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = cache_file.stat().st_size
    with cache_file.open("r+b") as handle:  # another program (or a bad disk) wrecks it...
        handle.seek(8192)
        handle.write(os.urandom(size - 3 * 4096))
    with sqlite3.connect(cache_file) as other:  # ...and writes, so the window's pages are stale
        other.execute("PRAGMA user_version=1")
    entries_before = window.entries.model.rows
    with qtbot.waitSignal(window.entries.entriesLoaded, timeout=20_000):
        window.entries.refresh()  # lists the sessions and caches each one
    qtbot.waitUntil(lambda: "cache file was damaged" in window.status.text(), timeout=10_000)
    assert "set aside as cache.sqlite3.corrupt-" in window.status.text()
    assert window.entries.model.rows == entries_before  # the list is whole
    assert list(cache_file.parent.glob("cache.sqlite3.corrupt-*"))
    # The rebuilt cache works: what the next refresh stores is read back.
    with qtbot.waitSignal(window.entries.entriesLoaded, timeout=20_000):
        window.entries.refresh()
    assert account.cache.get("entry", entries_before[0].id) is not None


# --- the server dies mid-import; the cache is locked; the admin KS expires --------------------------


@pytest.mark.usefixtures("frozen_heap")
def test_the_sandbox_killed_mid_import_in_the_window_then_retry_finishes_everyone_once(
    qtbot, open_window, tmp_path, monkeypatch
):
    port = free_port()
    sandbox = Sandbox(tmp_path / "sb", port=port)
    info = sandbox.start()
    restarted = None
    try:
        win = open_window(info, **FAST)
        entry = new_session(win, qtbot, "Killed mid-import")
        tab = win.moderators
        ids = [f"killed{n}@example.com" for n in range(300)]
        path = write_people(tmp_path / "people.csv", ids)
        batches: list[int] = []
        killer = threading.Thread(target=sandbox.stop)  # off the GUI thread: it waits

        def kill_after_first_batch(done, total, _note=""):
            batches.append(done)
            if len(batches) == 1:
                killer.start()

        win.worker.jobStarted.connect(
            lambda job: job.progressed.connect(kill_after_first_batch))
        with Heartbeat() as beat, qtbot.waitSignal(tab.importer.imported,
                                                   timeout=SETTLE_MS) as done:
            import_through_button(win, monkeypatch, path)
        killer.join(10)
        beat.check()
        first = done.args[0]
        failed = [r for r in first.results if r.status == "failed"]
        added = [r for r in first.results if r.status == "added"]
        assert added and failed and len(added) + len(failed) == 300
        reasons = {r.error for r in failed}
        assert all("Could not reach Kaltura" in r for r in reasons), reasons
        one_sentence(sorted(reasons)[0])
        qtbot.waitUntil(tab.importer.retry_button.isEnabled, timeout=SETTLE_MS)
        wait_idle(win, qtbot)

        restarted = Sandbox(tmp_path / "sb", port=port)
        restarted.start()
        with qtbot.waitSignal(tab.importer.imported, timeout=SETTLE_MS) as again:
            tab.importer.retry_button.click()
        second = again.args[0]
        assert second.count("failed") == 0
        assert memberships(restarted, entry.id) == Counter({uid: 1 for uid in ids})
        assert users(restarted, ids) == Counter({uid: 1 for uid in ids})
    finally:
        for running in (sandbox, restarted):
            if running is not None and running.db is not None:
                running.stop()


@pytest.mark.usefixtures("frozen_heap")
def test_a_cache_locked_by_another_program_under_the_window_is_skipped_and_said(
    qtbot, open_window, fresh_sandbox
):
    win = open_window(fresh_sandbox.info, **FAST)
    cache_file = paths.cache_dir() / "cache.sqlite3"
    before = win.entries.model.rows
    with locked_by_another_program(cache_file):
        with Heartbeat() as beat, qtbot.waitSignal(win.entries.entriesLoaded,
                                                   timeout=SETTLE_MS):
            win.entries.refresh()
        beat.check()
        qtbot.waitUntil(lambda: "locked by another program" in win.status.text(),
                        timeout=SETTLE_MS)
        assert win.entries.model.rows == before  # the list came from Kaltura anyway
        assert "Traceback" not in win.status.text()


def test_an_admin_ks_expired_under_the_window_is_renewed_without_a_word(
    qtbot, open_window, fresh_sandbox, monkeypatch
):
    from kproducer.kaltura import admin_session

    win = open_window(fresh_sandbox.info, **FAST)
    real = admin_session.generate_ks
    made: list[int] = []

    def born_expired_once(secret, partner_id, user_id, session_type, seconds, privileges=""):
        made.append(seconds)
        return real(secret, partner_id, user_id, session_type, -60 if len(made) == 1 else seconds,
                    privileges)

    monkeypatch.setattr(admin_session, "generate_ks", born_expired_once)
    account = win.account()
    account.conn.admin_session.renew()  # the laptop slept: the KS it holds has run out
    reset_stats(fresh_sandbox.info)
    with qtbot.waitSignal(win.events.eventsLoaded, timeout=SETTLE_MS):
        win.events.refresh()
    assert win.status.failure is None  # nothing to tell the producer
    assert stats(fresh_sandbox.info)["http_requests"] == 2  # refused once, then renewed
    assert len(made) == 2


def test_cancel_frees_the_preview_from_a_slow_list_at_once(qtbot, deps, account, fresh_sandbox):
    tab = PreviewTab(deps)
    qtbot.addWidget(tab)
    tab.show()
    qtbot.waitUntil(lambda: not deps.worker.jobs, timeout=SETTLE_MS)
    live = seeded(account, EntryKind.LIVE)
    tab.chooser.select_entry(live, Role.MODERATOR)
    qtbot.waitUntil(lambda: not deps.worker.jobs, timeout=SETTLE_MS)
    set_faults(fresh_sandbox.info, latency_ms=3000)
    try:
        tab.chooser.load_moderators()
        (job,) = [j for j in deps.worker.jobs if j.title == "Loading moderators for the preview"]
        started = time.perf_counter()
        job.cancel()
        assert job not in deps.worker.jobs  # settled at once, not after the 3 s answer
        assert time.perf_counter() - started < 0.5
        assert job in deps.worker.abandoned
    finally:
        set_faults(fresh_sandbox.info)
    qtbot.waitUntil(lambda: not deps.worker.abandoned, timeout=SETTLE_MS)  # its late answer
    tab.shutdown()


@pytest.mark.usefixtures("frozen_heap")
def test_a_group_deleted_on_the_server_under_the_window_is_rebuilt_on_the_next_add(
    qtbot, open_window, fresh_sandbox, monkeypatch, tmp_path
):
    from test_ui_faults import add_through_dialog, idle

    from kproducer.services.facts import Person

    win = open_window(fresh_sandbox.info, **FAST)
    entry = new_session(win, qtbot, "Group vanishes")
    tab = win.moderators
    ids = [f"g{n}@example.com" for n in range(60)]
    with qtbot.waitSignal(tab.importer.imported, timeout=SETTLE_MS):
        import_through_button(win, monkeypatch, write_people(tmp_path / "mods.csv", ids))
    wait_idle(win, qtbot)
    make_client(fresh_sandbox.info).group.group.delete(f"{entry.id}_moderators")  # elsewhere

    with Heartbeat() as beat:
        add_through_dialog(win, monkeypatch, Person("late@example.com"))
        qtbot.waitUntil(lambda: idle(win), timeout=SETTLE_MS)
    beat.check()
    assert win.status.failure is None
    assert "late@example.com is now a moderator" in win.status.text()
    assert memberships(fresh_sandbox, entry.id) == Counter({"late@example.com": 1})
    # The 60 the window remembered as moderators are not "already" any more: the import
    # really adds them back, each once.
    with qtbot.waitSignal(tab.importer.imported, timeout=SETTLE_MS) as again:
        import_through_button(win, monkeypatch, tmp_path / "mods.csv")
    assert again.args[0].count("added") == 60
    wait_idle(win, qtbot)
    assert memberships(fresh_sandbox, entry.id) == Counter(
        {uid: 1 for uid in [*ids, "late@example.com"]})
    qtbot.waitUntil(lambda: tab.model.rowCount() == 61, timeout=SETTLE_MS)
