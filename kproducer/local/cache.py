"""The SQLite TTL cache of facts and objects that keeps Kaltura calls off the hot path.

Seed best practices: cache "user exists", "group exists", "user is in group" (booleans) and
entry objects, each with its own TTL, and verify with the API when an item is missing or
expired. The file is ``cache_dir()/cache.sqlite3`` (WAL, schema version in
``PRAGMA user_version``, owner-only). It is only a cache, so:

- a corrupt file is moved aside (``cache.sqlite3.corrupt-<time>``) and rebuilt, a file of
  another schema version likewise (``cache.sqlite3.schema<N>-<time>``);
- a busy or broken database never blocks or breaks the app: :meth:`Cache.get` then misses,
  :meth:`Cache.put` and :meth:`Cache.delete` do nothing, after a bounded ``busy_timeout``,
  and :attr:`Cache.status_message` says why.

Entries are keyed per account (partner ID + service URL), so two accounts never share one.

Errors are never cached as facts: :meth:`Cache.put` stores positive facts and objects only
(``None`` and ``False`` are refused), so a failed or negative lookup is simply not stored.

Secrets never touch this file: kinds in :data:`.cache_types.SECRET_KINDS` (the CnC app
token) have a TTL here but are refused by every method;
:class:`kproducer.local.secret_store.CncTokenVault` keeps the token in the OS keyring (or in
memory) with :meth:`Cache.ttl_for` as its TTL.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from .. import paths
from . import cache_file
from .cache_types import (
    DEFAULT_TTLS,
    SECRET_KINDS,
    CacheStats,
    SecretKindError,
    account_key,
    check_ttls,
)

FILE_NAME = "cache.sqlite3"
#: Seconds during which the cache is skipped after it was found busy or unusable.
RETRY_AFTER = 30.0


class CacheError(Exception):
    """A cache maintenance operation failed; ``str()`` is one clear sentence."""


class CacheBusyError(CacheError):
    """Another program holds the cache locked for longer than the busy timeout."""


class Cache:
    """A per-account TTL cache in SQLite; thread-safe (one connection behind a lock).

    Args:
        partner_id: The account's partner ID.
        service_url: The account's service URL.
        path: The database file (default ``cache_dir()/cache.sqlite3``).
        ttls: TTL overrides in seconds per kind (settings); 0 disables caching a kind.
        clock: Current time in seconds since the epoch (injectable for tests).
        busy_timeout: Seconds to wait for a lock held by another program before giving up.

    Raises:
        ValueError: A TTL override is not a number of seconds, 0 or more.
    """

    def __init__(
        self,
        partner_id: int,
        service_url: str,
        *,
        path: Path | None = None,
        ttls: Mapping[str, float] | None = None,
        clock: Callable[[], float] = time.time,
        busy_timeout: float = 2.0,
    ) -> None:
        self.path = path if path is not None else paths.cache_dir() / FILE_NAME
        self.account = account_key(partner_id, service_url)
        self._ttls = check_ttls({**DEFAULT_TTLS, **(ttls or {})})
        self._clock = clock
        self._busy_timeout = busy_timeout
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._message: str | None = None
        self._retry_at = 0.0
        self._hits: Counter[str] = Counter()
        self._misses: Counter[str] = Counter()
        self.moved_aside: list[Path] = []
        self._notes: list[str] = []
        # Its own lock: the window reads the notes on the GUI thread, which must never wait
        # for a worker that holds the database lock during a busy timeout.
        self._notes_lock = threading.Lock()
        with self._lock:
            self._open()

    # --- the hot path: never raises on database trouble ---

    def get(self, kind: str, key: str) -> Any | None:
        """The cached value, or None when missing, expired, or the cache is unavailable.

        Raises:
            SecretKindError: ``kind`` is a secret kind.
            ValueError: ``kind`` is unknown.
        """
        self._kind(kind)
        with self._lock:
            row = self._run(
                lambda c: c.execute(
                    "SELECT value FROM entries WHERE account=? AND kind=? AND key=? "
                    "AND expires_at>?",
                    (self.account, kind, key, self._clock()),
                ).fetchone()
            )
            if row is None:
                self._misses[kind] += 1
                return None
            self._hits[kind] += 1
            return json.loads(row[0])

    def put(self, kind: str, key: str, value: Any, ttl: float | None = None) -> None:
        """Store a positive fact (e.g. ``True``) or an object (JSON data) for ``ttl`` seconds.

        Only what was proven is stored: ``None`` and ``False`` are refused, so a failed or
        negative lookup can never be cached as a fact. A TTL of 0 stores nothing.

        Args:
            kind: The item's kind (a :class:`CacheKind` or a kind given in ``ttls``).
            key: The item's key within the kind (e.g. a user ID).
            value: JSON-serialisable data.
            ttl: Seconds to keep it; None uses the kind's TTL.

        Raises:
            SecretKindError: ``kind`` is a secret kind (use the keyring instead).
            ValueError: Unknown kind, a negative TTL, or a ``None``/``False`` value.
            TypeError: ``value`` is not JSON data.
        """
        default = self._kind(kind)
        ttl = default if ttl is None else check_ttls({kind: ttl})[kind]
        if value is None or value is False:
            raise ValueError(
                "The cache stores only positive facts and objects; a missing or failed "
                "lookup is not cached."
            )
        try:
            text = json.dumps(value, separators=(",", ":"), allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"Cache values must be JSON data; {type(value).__name__} is not."
            ) from exc
        if ttl <= 0:
            return
        now = self._clock()
        with self._lock:
            self._run(
                lambda c: c.execute(
                    "INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?, ?)",
                    (self.account, kind, key, text, now, now + ttl),
                )
            )

    def delete(self, kind: str, key: str) -> None:
        """Forget one item (e.g. a fact that proved wrong); a no-op when it is absent."""
        self._kind(kind)
        with self._lock:
            self._run(
                lambda c: c.execute(
                    "DELETE FROM entries WHERE account=? AND kind=? AND key=?",
                    (self.account, kind, key),
                )
            )

    def delete_prefix(self, kind: str, prefix: str) -> None:
        """Forget every item of ``kind`` whose key starts with ``prefix``.

        For example one group's memberships, once the group proved to be gone.
        """
        self._kind(kind)
        with self._lock:
            self._run(
                lambda c: c.execute(
                    "DELETE FROM entries WHERE account=? AND kind=? AND substr(key, 1, ?)=?",
                    (self.account, kind, len(prefix), prefix),
                )
            )

    def ttl_for(self, kind: str) -> float:
        """The TTL in seconds of ``kind`` (secret kinds included, for their keyring vault).

        Raises:
            ValueError: ``kind`` is unknown.
        """
        if kind not in self._ttls:
            known = ", ".join(sorted(self._ttls))
            raise ValueError(f"Unknown cache kind {str(kind)!r} (known: {known}).")
        return self._ttls[kind]

    @property
    def status_message(self) -> str | None:
        """Why the cache is being skipped right now, or None when it works."""
        return self._message

    def take_notes(self) -> list[str]:
        """What happened to the cache since the last call (rebuilt, locked...), once each.

        For the person using the app: the command line prints them after the command, the
        window shows them in the status bar after the job that met them.
        """
        with self._notes_lock:
            notes, self._notes = self._notes, []
        return notes

    def _note(self, message: str) -> None:
        with self._notes_lock:
            if message not in self._notes:
                self._notes.append(message)

    # --- maintenance: raises CacheError on database trouble ---

    def delete_kind(self, kind: str) -> int:
        """Forget every item of ``kind`` for this account.

        Returns:
            How many items were removed.

        Raises:
            CacheBusyError: Another program holds the cache locked.
            CacheError: The cache cannot be used.
        """
        self._kind(kind)
        with self._lock:
            return self._maintain(
                lambda c: (
                    c.execute(
                        "DELETE FROM entries WHERE account=? AND kind=?", (self.account, kind)
                    ).rowcount
                )
            )

    def clear(self, *, all_accounts: bool = False) -> int:
        """Forget every item and counter of this account (or of every account).

        Returns:
            How many items were removed.

        Raises:
            CacheBusyError: Another program holds the cache locked.
            CacheError: The cache cannot be used.
        """
        where, args = ("", ()) if all_accounts else (" WHERE account=?", (self.account,))

        def wipe(c: sqlite3.Connection) -> int:
            with cache_file.transaction(c):
                c.execute(f"DELETE FROM counters{where}", args)
                return int(c.execute(f"DELETE FROM entries{where}", args).rowcount)

        with self._lock:
            removed = self._maintain(wipe)
            self._hits.clear()
            self._misses.clear()
            return removed

    def stats(self) -> CacheStats:
        """Items per kind, hits, misses and hit rate (all runs), file size and availability."""
        with self._lock:
            self._flush()
            now = self._clock()
            rows = self._run(
                lambda c: c.execute(
                    "SELECT kind, SUM(expires_at>?), SUM(expires_at<=?) FROM entries "
                    "WHERE account=? GROUP BY kind",
                    (now, now, self.account),
                ).fetchall()
            )
            counts = self._run(
                lambda c: c.execute(
                    "SELECT COALESCE(SUM(hits),0), COALESCE(SUM(misses),0) FROM counters "
                    "WHERE account=?",
                    (self.account,),
                ).fetchone()
            )
            hits = (counts[0] if counts else 0) + sum(self._hits.values())
            misses = (counts[1] if counts else 0) + sum(self._misses.values())
            size = sum(
                p.stat().st_size for p in (self.path, Path(f"{self.path}-wal")) if p.exists()
            )
            return CacheStats(
                path=self.path,
                account=self.account,
                entries={kind: int(live) for kind, live, _ in rows or [] if live},
                expired=sum(int(old) for _, _, old in rows or []),
                hits=hits,
                misses=misses,
                hit_rate=hits / (hits + misses) if hits + misses else None,
                file_size=size,
                available=self._conn is not None and self._message is None,
                message=self._message,
            )

    def close(self) -> None:
        """Save the hit/miss counters and close the database."""
        with self._lock:
            self._flush()
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> Cache:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # --- internals ---

    def _kind(self, kind: str) -> float:
        if kind in SECRET_KINDS:
            raise SecretKindError(
                f"The cache never stores secrets such as {str(kind)!r}; keep it in the system "
                "keyring (kproducer.local.secret_store.CncTokenVault)."
            )
        return self.ttl_for(kind)

    def _flush(self) -> None:
        """Add the unsaved hit/miss counts to the database (best effort)."""
        if not (self._hits or self._misses) or self._conn is None:
            return
        kinds = set(self._hits) | set(self._misses)

        def save(c: sqlite3.Connection) -> bool:
            with cache_file.transaction(c):
                c.executemany(
                    "INSERT INTO counters VALUES (?, ?, ?, ?) ON CONFLICT(account, kind) DO "
                    "UPDATE SET hits=hits+excluded.hits, misses=misses+excluded.misses",
                    [(self.account, k, self._hits[k], self._misses[k]) for k in kinds],
                )
            return True

        if self._run(save):
            self._hits.clear()
            self._misses.clear()

    def _run(self, action: Callable[[sqlite3.Connection], Any]) -> Any:
        """Run ``action``; on database trouble degrade (None) instead of raising."""
        try:
            return self._attempt(action)
        except CacheError:
            return None

    def _maintain(self, action: Callable[[sqlite3.Connection], int]) -> int:
        """Run ``action``; on database trouble raise a clear :class:`CacheError`."""
        self._retry_at = 0.0  # an explicit request tries again at once
        result: int = self._attempt(action)
        return result

    def _attempt(self, action: Callable[[sqlite3.Connection], Any]) -> Any:
        if self._clock() < self._retry_at:
            raise CacheError(self._message or "The cache is not available.")
        if self._conn is None:
            self._open()
            if self._conn is None:
                raise CacheError(self._message or "The cache is not available.")
        try:
            result = action(self._conn)
        except sqlite3.DatabaseError as exc:
            code = getattr(exc, "sqlite_errorcode", None)
            if code in cache_file.CORRUPT_CODES:
                self._move_aside("corrupt")
                self._open()
                raise CacheError(
                    "The cache file was damaged, so it was set aside and rebuilt."
                ) from exc
            if code in cache_file.BUSY_CODES:
                self._degrade(
                    "The cache is locked by another program, so kproducer works without it for "
                    "a moment."
                )
                raise CacheBusyError(
                    "The cache is locked by another program; try again in a moment."
                ) from exc
            self._degrade(f"The cache could not be used ({exc}), so kproducer works without it.")
            raise CacheError(self._message or "") from exc
        self._message = None
        return result

    def _degrade(self, message: str) -> None:
        self._message = message
        self._retry_at = self._clock() + RETRY_AFTER
        self._note(message)

    def _open(self) -> None:
        """Open (creating, checking, and if need be rebuilding) the database, or degrade."""
        for _ in range(2):
            try:
                self._conn = self._connect()
                self._message = None
                return
            except cache_file.Rebuild as why:
                self._move_aside(str(why))
            except (OSError, sqlite3.Error) as exc:
                busy = getattr(exc, "sqlite_errorcode", None) in cache_file.BUSY_CODES
                reason = "it is locked by another program" if busy else str(exc)
                self._degrade(
                    f"The cache could not be opened ({reason}), so kproducer works without it."
                )
                return
        self._degrade("The cache could not be rebuilt, so kproducer works without it.")

    def _connect(self) -> sqlite3.Connection:
        return cache_file.connect(self.path, self._busy_timeout, self._clock())

    def _move_aside(self, label: str) -> None:
        """Close the database and set the file aside (see :func:`cache_file.move_aside`)."""
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None
        target = cache_file.move_aside(self.path, label)
        if target is not None:
            self.moved_aside.append(target)
            self._note(cache_file.aside_note(label, target))
