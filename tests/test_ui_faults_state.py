"""The window when what it remembers goes wrong: a CnC token deleted on the server, the disk
full during an export, the cache file damaged while the window is open."""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import preview_qt  # noqa: F401  (QtWebEngine set up before the QApplication exists)
import pytest
from conftest import make_client, reset_stats, stats
from KalturaClient.Plugins.Core import KalturaAppToken
from links_support import read_out
from preview_support import close_account, open_account, seeded
from test_ui_export_dialog import make_dialog, write_people

from kproducer import atomic, paths
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
    source = write_people(folder / "people.csv", people[:30])
    dialog = make_dialog(qtbot, deps, account, live.id)
    dialog.source.setText(str(source))
    dialog.source.editingFinished.emit()
    out = Path(dialog.output.text())
    with qtbot.waitSignal(dialog.exported, timeout=60_000):
        dialog.start()
    first = out.read_bytes()
    qtbot.waitUntil(lambda: dialog.export_button.isEnabled())

    write_people(source, people)  # the list grew; the disk is nearly full
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
