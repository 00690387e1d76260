"""The link ledger: every link kproducer signs, so that it can be revoked (DESIGN §2).

One SQLite file in the data folder (``data_dir()/links.sqlite3``, owner-only, WAL, schema
version in ``PRAGMA user_version``). It is **not** a cache: ``cache clear`` never touches it.
It holds, per export (a links export, or one Copy share link / QR code = an export of 1), the
entry, event, role and format, and per link its link ID (the KS's ``sessionid`` privilege),
user ID, role, KS expiry and revocation — never the KS or the JWT themselves.

A damaged file, or one of another schema version, is set aside
(``links.sqlite3.corrupt-<time>``, like the cache's) and a new one made; the links it held
can then no longer be revoked from kproducer, and :attr:`LinkLedger.note` says so. A file
another program keeps locked raises :class:`LedgerUnavailable` (exports go on without it).
"""

from __future__ import annotations

import contextlib
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .. import paths
from . import cache_file

FILE_NAME = "links.sqlite3"
SCHEMA_VERSION = 1
#: Seconds to wait for a lock held by another kproducer before giving up.
BUSY_TIMEOUT = 2.0

SCHEMA = """
CREATE TABLE exports (
    export_id TEXT PRIMARY KEY, account TEXT NOT NULL, entry_id TEXT NOT NULL,
    event_id INTEGER, role TEXT NOT NULL, format TEXT NOT NULL, created_at INTEGER NOT NULL,
    output TEXT
) WITHOUT ROWID;
CREATE TABLE links (
    link_id TEXT PRIMARY KEY, export_id TEXT NOT NULL, user_id TEXT NOT NULL,
    role TEXT NOT NULL, expires_at INTEGER, revoked_at INTEGER, lapses_at INTEGER
) WITHOUT ROWID;
CREATE INDEX links_by_export ON links (export_id, user_id);
CREATE INDEX exports_by_entry ON exports (entry_id, created_at);
"""
TABLES = {"exports", "links"}

ASIDE = {
    "corrupt": "The link ledger was damaged, so it was set aside as {name} and a new one "
               "started; links exported before cannot be revoked from kproducer.",
    "schema": "The link ledger was made by another version of kproducer, so it was set aside "
              "as {name} and a new one started; links exported before cannot be revoked "
              "from kproducer.",
}


class LedgerUnavailable(Exception):
    """The ledger cannot be used now (locked, unwritable); ``str()`` is one sentence."""


def new_link_id() -> str:
    """A new link ID: 80 random bits as 20 hex digits (the KS's ``sessionid`` value)."""
    return secrets.token_hex(10)


def _time(value: int | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


@dataclass(frozen=True)
class ExportRecord:
    """One export (or one single link: Copy share link / QR = an export of 1).

    Attributes:
        role: ``attendee``, ``moderator``, or ``mixed`` (the CSV's role column).
        format: ``url``, ``page``, ``share link`` or ``qr code``.
        rows: Links recorded for it.
        expires_at: The latest KS expiry among them (None: no KS in them).
        revoked_at: When the last of them was revoked, once all are (else None).
        revoked_rows: How many of them are revoked.
        output: The file the links went to (None for a single link).
        account: The account key (partner ID @ service URL) that signed them.
    """

    export_id: str
    entry_id: str
    event_id: int | None
    role: str
    format: str
    rows: int
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    revoked_rows: int
    output: str | None
    account: str = ""


@dataclass(frozen=True)
class LinkRecord:
    """One signed link.

    Attributes:
        lapses_at: When Kaltura forgets its revocation (about 24 h after it), or None.
    """

    link_id: str
    export_id: str
    user_id: str
    role: str
    expires_at: datetime | None
    revoked_at: datetime | None
    lapses_at: datetime | None


@dataclass(frozen=True)
class NewLink:
    """A link to record: its ID, person, role and KS expiry (unix seconds)."""

    link_id: str
    user_id: str
    role: str
    expires_at: int | None


def _connect(path: Path, busy_timeout: float) -> sqlite3.Connection:
    """Open (creating) the ledger and check it, as the cache is (:mod:`.cache_file`).

    Raises:
        cache_file.Rebuild: Damaged or of another schema version.
        OSError, sqlite3.Error: It cannot be opened (locked, unwritable folder...).
    """
    return cache_file.open_database(path, busy_timeout, SCHEMA, SCHEMA_VERSION, TABLES)


def _unavailable(path: Path, exc: BaseException) -> LedgerUnavailable:
    code = getattr(exc, "sqlite_errorcode", None)
    if code in cache_file.BUSY_CODES:
        why = "another program keeps it locked"
    else:
        why = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return LedgerUnavailable(f"The link ledger {path} cannot be used ({why}).")


_EXPORT_SELECT = """
SELECT e.export_id, e.entry_id, e.event_id, e.role, e.format, e.created_at, e.output,
       e.account, COUNT(l.link_id), MAX(l.expires_at), COUNT(l.revoked_at), MAX(l.revoked_at)
FROM exports e LEFT JOIN links l ON l.export_id = e.export_id
"""


def _export(row: tuple) -> ExportRecord:  # type: ignore[type-arg]
    (export_id, entry_id, event_id, role, fmt, created, output, account, rows, expires,
     revoked_rows, revoked_max) = row
    return ExportRecord(
        export_id=export_id, entry_id=entry_id, event_id=event_id, role=role, format=fmt,
        rows=rows, created_at=datetime.fromtimestamp(created, UTC), expires_at=_time(expires),
        revoked_at=_time(revoked_max) if rows and revoked_rows == rows else None,
        revoked_rows=revoked_rows, output=output, account=account)


def _link(row: tuple) -> LinkRecord:  # type: ignore[type-arg]
    link_id, export_id, user_id, role, expires, revoked, lapses = row
    return LinkRecord(link_id, export_id, user_id, role, _time(expires), _time(revoked),
                      _time(lapses))


class LinkLedger:
    """The ledger file; thread-safe (one connection behind a lock).

    Create with :meth:`open`. Every method may raise :class:`LedgerUnavailable`.
    """

    def __init__(self, path: Path, conn: sqlite3.Connection, note: str | None) -> None:
        self.path = path
        self._conn = conn
        self._lock = threading.RLock()
        #: Set when a bad file was set aside while opening (one sentence), else None.
        self.note = note

    @classmethod
    def default_path(cls) -> Path:
        """``data_dir()/links.sqlite3``."""
        return paths.data_dir() / FILE_NAME

    @classmethod
    def open(cls, path: Path | None = None, busy_timeout: float | None = None) -> LinkLedger:
        """Open the ledger (default :meth:`default_path`), setting a bad file aside.

        ``busy_timeout`` defaults to :data:`BUSY_TIMEOUT` seconds.

        Raises:
            LedgerUnavailable: It is locked or cannot be created.
        """
        path = path if path is not None else cls.default_path()
        busy_timeout = BUSY_TIMEOUT if busy_timeout is None else busy_timeout
        note = None
        for _ in range(2):
            try:
                return cls(path, _connect(path, busy_timeout), note)
            except cache_file.Rebuild as rebuild:
                label = str(rebuild)
                moved = cache_file.move_aside(path, label)
                if moved is not None:
                    note = ASIDE.get(label.rstrip("0123456789"), ASIDE["corrupt"]).format(
                        name=moved.name)
            except (OSError, sqlite3.Error) as exc:
                raise _unavailable(path, exc) from exc
        raise LedgerUnavailable(f"The link ledger {path} could not be rebuilt.")

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> LinkLedger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                with cache_file.transaction(self._conn):
                    yield self._conn
            except sqlite3.Error as exc:
                raise _unavailable(self.path, exc) from exc

    def _read(self, sql: str, args: tuple = ()) -> list[tuple]:  # type: ignore[type-arg]
        with self._lock:
            try:
                return self._conn.execute(sql, args).fetchall()
            except sqlite3.Error as exc:
                raise _unavailable(self.path, exc) from exc

    # --- recording --------------------------------------------------------------------------

    def new_export(self, *, account: str, entry_id: str, event_id: int | None, role: str,
                   link_format: str, output: str | None, now: int | None = None) -> str:
        """Record a new export (no links yet); returns its export ID (8 hex digits)."""
        created = int(time.time()) if now is None else now
        with self._write() as conn:
            while True:
                export_id = secrets.token_hex(4)
                if not conn.execute("SELECT 1 FROM exports WHERE export_id=?",
                                    (export_id,)).fetchone():
                    break
            conn.execute(
                "INSERT INTO exports VALUES (?,?,?,?,?,?,?,?)",
                (export_id, account, entry_id, event_id, role, link_format, created, output))
        return export_id

    def add_links(self, export_id: str, links: Iterable[NewLink]) -> None:
        """Record links of an export, in one transaction."""
        with self._write() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO links VALUES (?,?,?,?,?,NULL,NULL)",
                ((n.link_id, export_id, n.user_id, n.role, n.expires_at) for n in links))

    def adopt(self, export_id: str, link_ids: Iterable[str]) -> None:
        """Move links kept by a re-run into its export (the new file holds them now)."""
        with self._write() as conn:
            conn.executemany("UPDATE links SET export_id=? WHERE link_id=?",
                             ((export_id, link_id) for link_id in link_ids))

    def set_role(self, export_id: str, role: str) -> None:
        """Set an export's role once its links are known (e.g. ``mixed``)."""
        with self._write() as conn:
            conn.execute("UPDATE exports SET role=? WHERE export_id=?", (role, export_id))

    def drop_empty(self, account: str) -> None:
        """Forget the account's exports none of whose links are left (all moved on)."""
        with self._write() as conn:
            conn.execute(
                "DELETE FROM exports WHERE account=? AND NOT EXISTS "
                "(SELECT 1 FROM links l WHERE l.export_id = exports.export_id)", (account,))

    def mark_revoked(self, link_ids: Iterable[str], revoked_at: int, lapses_at: int) -> None:
        """Record that Kaltura refuses these links now (until ``lapses_at``)."""
        with self._write() as conn:
            conn.executemany(
                "UPDATE links SET revoked_at=COALESCE(revoked_at, ?), lapses_at=? "
                "WHERE link_id=?", ((revoked_at, lapses_at, i) for i in link_ids))

    # --- reading ----------------------------------------------------------------------------

    def exports(self, entry_id: str | None = None, account: str | None = None
                ) -> list[ExportRecord]:
        """Exports, newest first; of one entry and/or one account when given."""
        where, args = [], []
        if entry_id is not None:
            where.append("e.entry_id=?")
            args.append(entry_id)
        if account is not None:
            where.append("e.account=?")
            args.append(account)
        sql = _EXPORT_SELECT + (" WHERE " + " AND ".join(where) if where else "")
        sql += " GROUP BY e.export_id ORDER BY e.created_at DESC, e.export_id"
        return [_export(row) for row in self._read(sql, tuple(args))]

    def export(self, export_id: str) -> ExportRecord | None:
        """One export, or None when the ID is unknown."""
        rows = self._read(_EXPORT_SELECT + " WHERE e.export_id=? GROUP BY e.export_id",
                          (export_id,))
        return _export(rows[0]) if rows else None

    def links(self, export_id: str, user_id: str | None = None) -> list[LinkRecord]:
        """An export's links (of one user when given), by user ID."""
        sql = ("SELECT link_id, export_id, user_id, role, expires_at, revoked_at, lapses_at "
               "FROM links WHERE export_id=?")
        args: tuple = (export_id,)  # type: ignore[type-arg]
        if user_id is not None:
            sql += " AND user_id=?"
            args += (user_id,)
        return [_link(r) for r in self._read(sql + " ORDER BY user_id, role", args)]

    def revoked(self, link_ids: Iterable[str]) -> set[str]:
        """Those of ``link_ids`` that are revoked."""
        ids = list(link_ids)
        found: set[str] = set()
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(r[0] for r in self._read(
                f"SELECT link_id FROM links WHERE revoked_at IS NOT NULL AND link_id IN ({marks})",
                tuple(chunk)))
        return found

    def export_of(self, link_id: str) -> str | None:
        """The export a link belongs to, or None when it is not recorded."""
        rows = self._read("SELECT export_id FROM links WHERE link_id=?", (link_id,))
        return rows[0][0] if rows else None

    def revoked_for(self, account: str, entry_id: str) -> set[str]:
        """The revoked link IDs of one entry on one account (a re-export must not keep them)."""
        rows = self._read(
            "SELECT l.link_id FROM links l JOIN exports e ON e.export_id = l.export_id "
            "WHERE e.account=? AND e.entry_id=? AND l.revoked_at IS NOT NULL",
            (account, entry_id))
        return {r[0] for r in rows}

    def forget_export(self, export_id: str) -> None:
        """Drop an export whose output was never written (its links never left the app)."""
        with self._write() as conn:
            conn.execute("DELETE FROM links WHERE export_id=?", (export_id,))
            conn.execute("DELETE FROM exports WHERE export_id=?", (export_id,))

    def due_renewals(self, account: str, now: int) -> list[LinkRecord]:
        """Revoked links whose revocation has lapsed (or is about to) while their KS lives on."""
        rows = self._read(
            "SELECT l.link_id, l.export_id, l.user_id, l.role, l.expires_at, l.revoked_at, "
            "l.lapses_at FROM links l JOIN exports e ON e.export_id = l.export_id "
            "WHERE e.account=? AND l.revoked_at IS NOT NULL AND l.lapses_at<=? "
            "AND l.expires_at>?", (account, now, now))
        return [_link(r) for r in rows]

    def size(self) -> int:
        """Bytes on disk (database and write-ahead log)."""
        total = 0
        for name in (self.path, Path(f"{self.path}-wal")):
            with contextlib.suppress(FileNotFoundError):
                total += name.stat().st_size
        return total
