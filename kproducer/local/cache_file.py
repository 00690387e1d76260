"""The cache's SQLite file: opening and checking it, its schema, setting a bad one aside.

:func:`open_database` also opens the link ledger. The cache file is a cache, so a damaged one
or one of another schema version is renamed ``cache.sqlite3.<reason>-<UTC time>`` (the
newest few are kept) and a new one is made.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

SCHEMA_VERSION = 1
#: Files moved aside that are kept (the oldest beyond this are deleted).
KEEP_ASIDE = 3
#: What the person is told when the cache file was set aside, by reason.
MOVED_ASIDE = {
    "corrupt": "The cache file was damaged, so it was set aside as {name} and rebuilt; "
               "nothing but cached facts was lost.",
    "schema": "The cache file was made by another version of kproducer, so it was set aside "
              "as {name} and rebuilt.",
}

SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    account TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
    stored_at REAL NOT NULL, expires_at REAL NOT NULL,
    PRIMARY KEY (account, kind, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS counters (
    account TEXT NOT NULL, kind TEXT NOT NULL,
    hits INTEGER NOT NULL DEFAULT 0, misses INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (account, kind)
) WITHOUT ROWID;
"""
TABLES = {"entries", "counters"}
BUSY_CODES = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}
CORRUPT_CODES = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}


class Rebuild(Exception):
    """The file must be moved aside (label) and rebuilt."""


def connect(path: Path, busy_timeout: float, now: float) -> sqlite3.Connection:
    """Open the cache database, creating its tables, checking it and purging expired items.

    Raises:
        Rebuild: The file is damaged or of another schema version: set it aside.
        OSError, sqlite3.Error: It cannot be opened (locked, unreadable folder...).
    """
    conn = open_database(path, busy_timeout, SCHEMA, SCHEMA_VERSION, TABLES)
    with contextlib.suppress(sqlite3.OperationalError):
        conn.execute("DELETE FROM entries WHERE expires_at<=?", (now,))
    return conn


def open_database(path: Path, busy_timeout: float, schema: str, version: int,
                  tables: set[str]) -> sqlite3.Connection:
    """Open an owner-only SQLite file of this machine (cache, link ledger) and check it.

    Creates it 0600 (and its WAL and shared-memory files), checks it with ``quick_check``,
    switches to WAL, and makes ``schema`` in an empty file, marked ``user_version=version``.

    Raises:
        Rebuild: The file is damaged, or of another schema version or table set.
        OSError, sqlite3.Error: It cannot be opened (locked, unreadable folder...).
    """
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        with contextlib.suppress(FileNotFoundError):
            os.chmod(name, 0o600)
    conn = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None,
                           check_same_thread=False)
    try:
        conn.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        try:
            check = conn.execute("PRAGMA quick_check").fetchone()
        except sqlite3.DatabaseError as exc:
            if getattr(exc, "sqlite_errorcode", None) in CORRUPT_CODES:
                raise Rebuild("corrupt") from exc
            raise
        if not check or check[0] != "ok":
            raise Rebuild("corrupt")
        _switch_to_wal(conn, busy_timeout)
        conn.execute("PRAGMA synchronous=NORMAL")
        with transaction(conn):
            found = conn.execute("PRAGMA user_version").fetchone()[0]
            present = {
                row[0]
                for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            if found == 0 and not present:
                for statement in schema.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(f"PRAGMA user_version={version}")
            elif found != version or not present >= tables:
                raise Rebuild(f"schema{found}")
    except BaseException:
        conn.close()
        raise
    return conn


#: Pause between tries of the switch to WAL while another connection holds the file.
WAL_RETRY_PAUSE = 0.01


def _switch_to_wal(conn: sqlite3.Connection, busy_timeout: float) -> None:
    """``PRAGMA journal_mode=WAL``, tried again until ``busy_timeout`` while the file is busy.

    SQLite answers the switch SQLITE_BUSY at once, without its busy handler, while another
    connection is opening the same new file (measured: 7 of 300 simultaneous first opens of
    a fresh ledger failed "locked" before this); the switch is persistent, so a file already
    in WAL answers at once.
    """
    deadline = time.monotonic() + busy_timeout
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            busy = getattr(exc, "sqlite_errorcode", None) in BUSY_CODES
            if not busy or time.monotonic() >= deadline:
                raise
        time.sleep(WAL_RETRY_PAUSE)


def move_aside(path: Path, label: str) -> Path | None:
    """Rename the file (and its WAL) to ``<name>.<label>-<UTC time>``; drop the oldest.

    Returns:
        Where the file went, or None when there was no file.
    """
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    target = path.with_name(f"{path.name}.{label}-{stamp}")
    counter = 1
    while target.exists():
        counter += 1
        target = path.with_name(f"{path.name}.{label}-{stamp}-{counter}")
    moved: Path | None = None
    with contextlib.suppress(FileNotFoundError):
        os.replace(path, target)
        os.utime(target)  # its time of moving aside, for pruning the oldest
        moved = target
    with contextlib.suppress(FileNotFoundError):
        os.replace(f"{path}-wal", f"{target}-wal")
    with contextlib.suppress(FileNotFoundError):
        os.remove(f"{path}-shm")
    aside = sorted(
        (p for p in path.parent.glob(f"{path.name}.*-*") if not p.name.endswith("-wal")),
        key=lambda p: p.stat().st_mtime,
    )
    for old in aside[:-KEEP_ASIDE]:
        for name in (old, Path(f"{old}-wal")):
            with contextlib.suppress(FileNotFoundError):
                name.unlink()
    return moved


def aside_note(label: str, target: Path) -> str:
    """What the person is told about a file set aside for ``label``."""
    return MOVED_ASIDE.get(label.rstrip("0123456789"), MOVED_ASIDE["corrupt"]).format(
        name=target.name)


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """``BEGIN IMMEDIATE`` … ``COMMIT`` (rollback on error) on an autocommit connection."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
