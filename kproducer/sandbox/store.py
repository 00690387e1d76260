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
CREATE TABLE IF NOT EXISTS ui_confs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, partner_id INTEGER NOT NULL, status INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS invalid_sessions (
    ks_hash TEXT PRIMARY KEY, actions_limit INTEGER, valid_until INTEGER
);
CREATE TABLE IF NOT EXISTS upload_tokens (
    rowid INTEGER PRIMARY KEY AUTOINCREMENT, partner_id INTEGER NOT NULL, id TEXT NOT NULL UNIQUE,
    status INTEGER NOT NULL, data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS thumb_assets (
    rowid INTEGER PRIMARY KEY AUTOINCREMENT, partner_id INTEGER NOT NULL, id TEXT NOT NULL UNIQUE,
    entry_id TEXT NOT NULL, status INTEGER NOT NULL, data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

#: Tables whose lists the server answers from its search index (Sphinx), with the
#: lookup columns each copies. ``SphinxEntryCriteria`` and ``SphinxKuserCriteria`` serve
#: entry and kuser (user and group) lists; groupUser, appToken and virtualEvent lists
#: are plain Propel queries on MySQL.
INDEXED_TABLES: dict[str, tuple[str, ...]] = {
    "entries": ("partner_id", "id", "status", "data"),
    "kusers": ("partner_id", "id", "type", "status", "data"),
}

_INDEX_SCHEMA = """
CREATE TABLE IF NOT EXISTS index_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, tbl TEXT NOT NULL, row_id INTEGER NOT NULL,
    written_ms INTEGER NOT NULL, row TEXT
);
"""


def _index_ddl(table: str, columns: tuple[str, ...]) -> str:
    """The shadow table of an indexed table and the triggers that log its writes."""
    cols = ", ".join(f"{c} {'TEXT' if c in ('id', 'data') else ''}".strip() for c in columns)
    row = ", ".join(f"'{c}', NEW.{c}" for c in columns)
    log = "INSERT INTO index_log (tbl, row_id, written_ms, row) VALUES"
    return f"""
CREATE TABLE IF NOT EXISTS idx_{table} (rowid INTEGER PRIMARY KEY, {cols});
CREATE TRIGGER IF NOT EXISTS {table}_index_insert AFTER INSERT ON {table} BEGIN
    {log} ('{table}', NEW.rowid, sandbox_now_ms(), json_object({row}));
END;
CREATE TRIGGER IF NOT EXISTS {table}_index_update AFTER UPDATE ON {table} BEGIN
    {log} ('{table}', NEW.rowid, sandbox_now_ms(), json_object({row}));
END;
CREATE TRIGGER IF NOT EXISTS {table}_index_delete AFTER DELETE ON {table} BEGIN
    {log} ('{table}', OLD.rowid, sandbox_now_ms(), NULL);
END;
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
        #: Set once :meth:`close` has run (requests still in flight then fail).
        self.closed = False
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        #: How long a write takes to reach the search index (the ``index_lag_ms`` fault).
        self.index_lag_ms = 0
        self._db.create_function("sandbox_now_ms", 0, _now_ms)
        self._db.executescript(_SCHEMA)
        columns = {r[1] for r in self._db.execute("PRAGMA table_info(invalid_sessions)")}
        if "valid_until" not in columns:  # a sandbox database made before the 24 h lapse
            self._db.execute("ALTER TABLE invalid_sessions ADD COLUMN valid_until INTEGER")
        self._db.executescript(
            _INDEX_SCHEMA + "".join(_index_ddl(t, c) for t, c in INDEXED_TABLES.items())
        )
        self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        self._rebuild_index()
        #: Seconds the sandbox's clock runs ahead of the machine's (``/_sandbox/clock``).
        self.clock_offset = 0

    def now(self) -> int:
        """The sandbox's time: the machine's, moved by :attr:`clock_offset`."""
        return int(time.time()) + self.clock_offset

    def close(self) -> None:
        """Close the database."""
        with self.lock:
            self.closed = True
            self._db.close()

    # --- transactions -----------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Hold the lock and run the block in one transaction (one API call)."""
        with self.lock:
            self._db.execute("BEGIN")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # --- search index -----------------------------------------------------------------------

    def _rebuild_index(self) -> None:
        """Start with an index that has caught up (as after a full Sphinx reindex)."""
        with self.lock:
            self._db.execute("BEGIN")
            for table, columns in INDEXED_TABLES.items():
                names = ", ".join(columns)
                self._db.execute(f"DELETE FROM idx_{table}")
                self._db.execute(
                    f"INSERT INTO idx_{table} (rowid, {names}) SELECT rowid, {names} FROM {table}"
                )
            self._db.execute("DELETE FROM index_log")
            self._db.execute("COMMIT")

    def set_index_lag(self, lag_ms: int) -> None:
        """Change the index lag; writes that reached the index under the old lag stay there."""
        with self.lock:
            self.catch_up_index()
            self.index_lag_ms = lag_ms

    def catch_up_index(self) -> None:
        """Apply to the shadow tables every logged write whose index lag has passed.

        Writes reach the index in the order they were made (``SphinxLog`` is replayed in
        id order), each as the row was when written.
        """
        written_before = _now_ms() - self.index_lag_ms
        with self.lock:
            due = self._db.execute(
                "SELECT seq, tbl, row_id, row FROM index_log WHERE written_ms <= ? ORDER BY seq",
                (written_before,),
            ).fetchall()
            if not due:
                return
            for _seq, table, row_id, row in due:
                columns = INDEXED_TABLES[table]
                if row is None:
                    self._db.execute(f"DELETE FROM idx_{table} WHERE rowid=?", (row_id,))
                    continue
                values = json.loads(row)
                marks = ",".join("?" * (len(columns) + 1))
                self._db.execute(
                    f"INSERT OR REPLACE INTO idx_{table} (rowid, {', '.join(columns)}) "
                    f"VALUES ({marks})",
                    [row_id, *(values[c] for c in columns)],
                )
            self._db.execute("DELETE FROM index_log WHERE seq <= ?", (due[-1][0],))

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


def _now_ms() -> int:
    return int(time.time() * 1000)


def default_db_path(data_dir: Path) -> Path:
    """The database file inside a sandbox data folder."""
    return data_dir / "sandbox.sqlite3"


def ensure_private_dir(path: Path) -> None:
    """Create a folder readable by its owner only."""
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
