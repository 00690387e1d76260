"""The sandbox's state: one SQLite file, objects stored as their API dictionaries.

Every table keeps the full object (as the API returns it) in ``data`` and copies the
columns that calls look things up by. Filters on any other property use
``json_extract``. One connection is shared under a lock: the sandbox runs API calls one
at a time, which is what keeps multirequests atomic per call and the counts exact.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS partners (
    id INTEGER PRIMARY KEY, admin_secret TEXT NOT NULL, secret TEXT NOT NULL, data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS kusers (
    rowid INTEGER PRIMARY KEY AUTOINCREMENT, partner_id INTEGER NOT NULL, id TEXT NOT NULL,
    type INTEGER NOT NULL, status INTEGER NOT NULL, data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS kusers_id ON kusers (partner_id, id, status);
CREATE TABLE IF NOT EXISTS group_users (
    rowid INTEGER PRIMARY KEY AUTOINCREMENT, partner_id INTEGER NOT NULL, user_id TEXT NOT NULL,
    group_id TEXT NOT NULL, status INTEGER NOT NULL, data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS group_users_group ON group_users (partner_id, group_id, status);
CREATE INDEX IF NOT EXISTS group_users_user ON group_users (partner_id, user_id, status);
CREATE TABLE IF NOT EXISTS entries (
    rowid INTEGER PRIMARY KEY AUTOINCREMENT, partner_id INTEGER NOT NULL, id TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL, data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS app_tokens (
    rowid INTEGER PRIMARY KEY AUTOINCREMENT, partner_id INTEGER NOT NULL, id TEXT NOT NULL UNIQUE,
    status INTEGER NOT NULL, data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS virtual_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT, partner_id INTEGER NOT NULL, status INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS schedule_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT, partner_id INTEGER NOT NULL, status INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS invalid_sessions (
    ks_hash TEXT PRIMARY KEY, actions_limit INTEGER
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

Row = dict[str, Any]


class Store:
    """The SQLite state of one sandbox.

    Args:
        path: Database file; created with owner-only permissions when missing.
    """

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            path.touch(mode=0o600)
        self.path = path
        self.lock = threading.RLock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        self._savepoints = 0
        #: Seconds the sandbox's clock runs ahead of the machine's (``/_sandbox/clock``).
        self.clock_offset = 0

    def now(self) -> int:
        """The sandbox's time: the machine's, moved by :attr:`clock_offset`."""
        return int(time.time()) + self.clock_offset

    def close(self) -> None:
        """Close the database."""
        with self.lock:
            self._db.close()

    # --- transactions -----------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Hold the lock and run the block in one transaction (one HTTP request)."""
        with self.lock:
            self._db.execute("BEGIN")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Run one API call so that a failure undoes only that call's writes."""
        with self.lock:
            self._savepoints += 1
            name = f"call{self._savepoints}"
            self._db.execute(f"SAVEPOINT {name}")
            try:
                yield
            except BaseException:
                self._db.execute(f"ROLLBACK TO {name}")
                self._db.execute(f"RELEASE {name}")
                raise
            finally:
                self._savepoints -= 1
            self._db.execute(f"RELEASE {name}")

    # --- rows -------------------------------------------------------------------------------

    def execute(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> sqlite3.Cursor:
        """Run one statement."""
        with self.lock:
            return self._db.execute(sql, params)

    def objects(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> list[Row]:
        """Run a query whose first column is ``data`` and decode the objects."""
        return [json.loads(r[0]) for r in self.execute(sql, params).fetchall()]

    def first(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> Row | None:
        """The first object of a query, or None."""
        row = self.execute(sql, params).fetchone()
        return json.loads(row[0]) if row else None

    def scalar(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> Any:
        """The first column of the first row, or None."""
        row = self.execute(sql, params).fetchone()
        return row[0] if row else None

    def insert(self, table: str, obj: Row, **columns: Any) -> int:
        """Insert an object with its lookup columns; returns the new rowid."""
        names = [*columns, "data"]
        values = [*columns.values(), json.dumps(obj)]
        marks = ",".join("?" * len(names))
        cur = self.execute(f"INSERT INTO {table} ({','.join(names)}) VALUES ({marks})", values)
        return int(cur.lastrowid or 0)

    def update(self, table: str, key: str, key_value: Any, obj: Row, **columns: Any) -> None:
        """Rewrite an object (and its lookup columns) by one key column."""
        sets = ",".join(f"{c}=?" for c in [*columns, "data"])
        values = [*columns.values(), json.dumps(obj), key_value]
        self.execute(f"UPDATE {table} SET {sets} WHERE {key}=?", values)

    # --- meta -------------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        """A value of the meta table."""
        value = self.scalar("SELECT value FROM meta WHERE key=?", (key,))
        return None if value is None else str(value)

    def set_meta(self, key: str, value: str) -> None:
        """Set a value of the meta table."""
        self.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))


def default_db_path(data_dir: Path) -> Path:
    """The database file inside a sandbox data folder."""
    return data_dir / "sandbox.sqlite3"


def ensure_private_dir(path: Path) -> None:
    """Create a folder readable by its owner only."""
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
