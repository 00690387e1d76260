"""The SQLite TTL cache: TTLs (injected clock, no sleeps), accounts, corruption, versions,
permissions, locks, threads, statistics, and the refusal to store secrets or negative facts.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kproducer import paths
from kproducer.local.cache import RETRY_AFTER, Cache, CacheBusyError, CacheError
from kproducer.local.cache_file import KEEP_ASIDE, SCHEMA_VERSION
from kproducer.local.cache_types import DAY, DEFAULT_TTLS, CacheKind, SecretKindError, account_key

URL = "https://www.kaltura.com"


class Clock:
    """Time that moves only when a test says so."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def cache(clock: Clock) -> Iterator[Cache]:
    with Cache(1234, URL, clock=clock) as opened:
        yield opened


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- values and TTLs -------------------------------------------------------------------------


def test_default_ttls_follow_the_seed() -> None:
    assert DEFAULT_TTLS == {
        CacheKind.CNC_TOKEN: 30 * DAY,
        CacheKind.USER_EXISTS: 30 * DAY,
        CacheKind.GROUP_EXISTS: 30 * DAY,
        CacheKind.USER_IN_GROUP: 3 * DAY,
        CacheKind.ENTRY: 1 * DAY,
        CacheKind.EVENT_SESSIONS: 1 * DAY,
        CacheKind.GROUP_MEMBER: 3 * DAY,
    }
    assert CacheKind.USER_EXISTS == "user_exists"  # the services use the plain strings


def test_put_get_round_trip(cache: Cache) -> None:
    entry = {"id": "0_abc", "type": "live", "duration": 0, "name": "Keynote ü"}
    cache.put(CacheKind.ENTRY, "0_abc", entry)
    cache.put("user_exists", "alice", True)
    assert cache.get(CacheKind.ENTRY, "0_abc") == entry
    assert cache.get(CacheKind.USER_EXISTS, "alice") is True
    assert cache.get(CacheKind.USER_EXISTS, "bob") is None
    cache.put(CacheKind.ENTRY, "0_abc", {"id": "0_abc", "name": "renamed"})
    assert cache.get(CacheKind.ENTRY, "0_abc") == {"id": "0_abc", "name": "renamed"}
    assert cache.path == paths.cache_dir() / "cache.sqlite3"


@pytest.mark.parametrize(
    ("kind", "ttl"),
    [
        (CacheKind.USER_EXISTS, 30 * DAY),
        (CacheKind.GROUP_EXISTS, 30 * DAY),
        (CacheKind.USER_IN_GROUP, 3 * DAY),
        (CacheKind.ENTRY, DAY),
    ],
)
def test_each_kind_expires_after_its_ttl(cache: Cache, clock: Clock, kind: str, ttl: float) -> None:
    cache.put(kind, "k", True)
    clock.now += ttl - 1
    assert cache.get(kind, "k") is True
    clock.now += 1
    assert cache.get(kind, "k") is None


def test_ttls_are_adjustable(clock: Clock) -> None:
    cache = Cache(
        1, URL, clock=clock, ttls={CacheKind.ENTRY: 60, CacheKind.USER_IN_GROUP: 0, "event": 10}
    )
    assert cache.ttl_for(CacheKind.ENTRY) == 60
    assert cache.ttl_for(CacheKind.USER_EXISTS) == 30 * DAY
    cache.put(CacheKind.ENTRY, "e", {"id": "e"})
    cache.put(CacheKind.USER_IN_GROUP, "g\tu", True)  # TTL 0: caching of the kind is off
    cache.put("event", "v", {"id": 1})  # a kind added by settings
    cache.put(CacheKind.USER_EXISTS, "u", True, ttl=5)  # per call
    assert cache.get(CacheKind.USER_IN_GROUP, "g\tu") is None
    clock.now += 5
    assert cache.get(CacheKind.USER_EXISTS, "u") is None
    assert cache.get("event", "v") == {"id": 1}
    clock.now += 55
    assert cache.get(CacheKind.ENTRY, "e") is None
    cache.close()


@pytest.mark.parametrize("bad", [-1, "3600", None, True, float("nan")])
def test_invalid_ttl_settings_are_refused(bad: object) -> None:
    with pytest.raises(ValueError) as caught:
        Cache(1, URL, ttls={CacheKind.ENTRY: bad})  # type: ignore[dict-item]
    assert (
        str(caught.value)
        == f"The cache TTL of 'entry' must be a number of seconds, 0 or more, not {bad!r}."
    )


def test_invalid_put_ttl_is_refused(cache: Cache) -> None:
    with pytest.raises(ValueError, match="must be a number of seconds, 0 or more, not -5"):
        cache.put(CacheKind.ENTRY, "e", {"id": "e"}, ttl=-5)


@pytest.mark.parametrize("negative", [None, False])
def test_negative_facts_cannot_be_cached(cache: Cache, negative: object) -> None:
    with pytest.raises(
        ValueError,
        match="only positive facts and objects; a missing or failed lookup is not cached",
    ):
        cache.put(CacheKind.USER_EXISTS, "ghost", negative)
    assert cache.get(CacheKind.USER_EXISTS, "ghost") is None


@pytest.mark.parametrize("value", [object(), {"x": {1, 2}}, float("inf")])
def test_non_json_values_are_refused(cache: Cache, value: object) -> None:
    with pytest.raises(TypeError, match="Cache values must be JSON data"):
        cache.put(CacheKind.ENTRY, "e", value)


def test_unknown_kinds_are_refused(cache: Cache) -> None:
    with pytest.raises(
        ValueError, match=r"Unknown cache kind 'colour' \(known: cnc_token, entry, event_sessions"
    ):
        cache.get("colour", "x")


def test_secrets_never_reach_the_cache_file(cache: Cache) -> None:
    assert cache.ttl_for(CacheKind.CNC_TOKEN) == 30 * DAY  # for the keyring vault
    for call in (
        lambda: cache.put(CacheKind.CNC_TOKEN, "token", "app-token-value"),
        lambda: cache.get(CacheKind.CNC_TOKEN, "token"),
        lambda: cache.delete(CacheKind.CNC_TOKEN, "token"),
        lambda: cache.delete_kind(CacheKind.CNC_TOKEN),
    ):
        with pytest.raises(
            SecretKindError, match="The cache never stores secrets such as 'cnc_token'"
        ):
            call()
    assert b"app-token-value" not in cache.path.read_bytes()


def test_delete_and_delete_kind(cache: Cache) -> None:
    cache.put(CacheKind.GROUP_EXISTS, "0_a_moderators", True)
    cache.put(CacheKind.GROUP_EXISTS, "0_b_moderators", True)
    cache.put(CacheKind.USER_EXISTS, "alice", True)
    cache.delete(CacheKind.GROUP_EXISTS, "0_a_moderators")
    cache.delete(CacheKind.GROUP_EXISTS, "absent")
    assert cache.get(CacheKind.GROUP_EXISTS, "0_a_moderators") is None
    assert cache.delete_kind(CacheKind.GROUP_EXISTS) == 1
    assert cache.get(CacheKind.GROUP_EXISTS, "0_b_moderators") is None
    assert cache.get(CacheKind.USER_EXISTS, "alice") is True


# --- accounts --------------------------------------------------------------------------------


def test_accounts_never_share_entries(clock: Clock) -> None:
    a = Cache(1234, URL, clock=clock)
    b = Cache(5678, URL, clock=clock)
    c = Cache(1234, "https://eu.kaltura.example", clock=clock)
    same_as_a = Cache(1234, "HTTPS://WWW.Kaltura.com/", clock=clock)
    a.put(CacheKind.USER_EXISTS, "alice", True)
    assert b.get(CacheKind.USER_EXISTS, "alice") is None
    assert c.get(CacheKind.USER_EXISTS, "alice") is None
    assert same_as_a.get(CacheKind.USER_EXISTS, "alice") is True
    b.put(CacheKind.USER_EXISTS, "alice", True)
    assert a.clear() == 1
    assert b.get(CacheKind.USER_EXISTS, "alice") is True
    assert b.clear(all_accounts=True) == 1
    for opened in (a, b, c, same_as_a):
        opened.close()


def test_account_key() -> None:
    assert account_key(12, "https://WWW.Kaltura.com/") == "12@https://www.kaltura.com"
    assert account_key(12, "http://127.0.0.1:8080/api/") == "12@http://127.0.0.1:8080/api"


# --- the file ---------------------------------------------------------------------------------


def test_file_is_owner_only_and_uses_wal(clock: Clock) -> None:
    old = os.umask(0)
    try:
        cache = Cache(1, URL, clock=clock)
        cache.put(CacheKind.USER_EXISTS, "alice", True)
    finally:
        os.umask(old)
    assert mode(cache.path) == 0o600
    for sidecar in ("-wal", "-shm"):
        assert mode(Path(f"{cache.path}{sidecar}")) == 0o600
    assert mode(cache.path.parent) == 0o700
    with sqlite3.connect(cache.path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    cache.close()


def test_an_existing_file_is_made_owner_only(clock: Clock) -> None:
    Cache(1, URL, clock=clock).close()
    path = paths.cache_dir() / "cache.sqlite3"
    path.chmod(0o644)
    Cache(1, URL, clock=clock).close()
    assert mode(path) == 0o600


def test_a_garbage_file_is_moved_aside_and_rebuilt(clock: Clock) -> None:
    path = paths.cache_dir() / "cache.sqlite3"
    garbage = b"this is not a database\x00" * 500
    path.write_bytes(garbage)
    cache = Cache(1, URL, clock=clock)
    cache.put(CacheKind.USER_EXISTS, "alice", True)
    assert cache.get(CacheKind.USER_EXISTS, "alice") is True
    assert cache.status_message is None
    [aside] = cache.moved_aside
    assert aside.name.startswith("cache.sqlite3.corrupt-")
    assert aside.read_bytes() == garbage
    assert mode(cache.path) == 0o600
    cache.close()


def _fill_and_damage(path: Path, cache: Cache) -> None:
    for n in range(3000):
        cache.put(CacheKind.ENTRY, f"e{n}", {"name": "x" * 100})
    assert cache._conn is not None
    cache._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = path.stat().st_size
    with path.open("r+b") as handle:  # keep the header page, damage the rest
        handle.seek(8192)
        handle.write(os.urandom(size - 3 * 4096))


def test_a_damaged_file_failing_the_check_is_rebuilt(clock: Clock) -> None:
    path = paths.cache_dir() / "cache.sqlite3"
    cache = Cache(1, URL, clock=clock)
    _fill_and_damage(path, cache)
    cache._conn = None  # abandon it, as a crashed process would
    reopened = Cache(1, URL, clock=clock)
    assert [p.name.split("-")[0] for p in reopened.moved_aside] == ["cache.sqlite3.corrupt"]
    assert reopened.get(CacheKind.ENTRY, "e1") is None
    reopened.put(CacheKind.ENTRY, "e1", {"name": "fresh"})
    assert reopened.get(CacheKind.ENTRY, "e1") == {"name": "fresh"}
    reopened.close()


def test_damage_found_while_running_is_repaired(clock: Clock) -> None:
    path = paths.cache_dir() / "cache.sqlite3"
    cache = Cache(1, URL, clock=clock)
    _fill_and_damage(path, cache)
    with sqlite3.connect(path) as other:  # another process writes: our page cache is stale
        other.execute("PRAGMA user_version=1")
    assert cache.get(CacheKind.ENTRY, "e1500") is None  # a miss, not an exception
    assert len(cache.moved_aside) == 1
    cache.put(CacheKind.ENTRY, "e1", {"name": "fresh"})
    assert cache.get(CacheKind.ENTRY, "e1") == {"name": "fresh"}
    cache.close()


def test_only_a_few_files_are_kept_aside(clock: Clock) -> None:
    path = paths.cache_dir() / "cache.sqlite3"
    for n in range(KEEP_ASIDE + 2):
        path.write_bytes(f"garbage {n}".encode() * 100)
        Cache(1, URL, clock=clock).close()
    aside = sorted(p.name for p in path.parent.glob("cache.sqlite3.corrupt-*"))
    assert len(aside) == KEEP_ASIDE
    kept = {p.read_bytes()[:9] for p in path.parent.glob("cache.sqlite3.corrupt-*")}
    assert kept == {f"garbage {n}".encode() for n in range(2, KEEP_ASIDE + 2)}


@pytest.mark.parametrize(
    ("setup", "label"),
    [
        (["CREATE TABLE entries (x)", "PRAGMA user_version=99"], "schema99"),  # a newer kproducer
        (["CREATE TABLE photos (x)"], "schema0"),  # some other program's database
        (
            [f"PRAGMA user_version={SCHEMA_VERSION}", "CREATE TABLE entries (x)"],
            f"schema{SCHEMA_VERSION}",
        ),
    ],
)
def test_other_schema_versions_are_moved_aside_and_rebuilt(
    clock: Clock, setup: list[str], label: str
) -> None:
    path = paths.cache_dir() / "cache.sqlite3"
    with sqlite3.connect(path) as raw:
        for statement in setup:
            raw.execute(statement)
    raw.close()
    cache = Cache(1, URL, clock=clock)
    [aside] = cache.moved_aside
    assert aside.name.startswith(f"cache.sqlite3.{label}-")
    cache.put(CacheKind.USER_EXISTS, "alice", True)
    assert cache.get(CacheKind.USER_EXISTS, "alice") is True
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    raw.close()
    cache.close()


def test_a_file_that_cannot_be_rebuilt_degrades(
    clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = paths.cache_dir() / "cache.sqlite3"
    path.write_bytes(b"garbage" * 100)
    monkeypatch.setattr(Cache, "_move_aside", lambda self, label: None)  # e.g. rename refused
    cache = Cache(1, URL, clock=clock)
    assert cache.status_message == "The cache could not be rebuilt, so kproducer works without it."
    assert cache.get(CacheKind.USER_EXISTS, "alice") is None
    assert path.read_bytes() == b"garbage" * 100


def test_expired_items_are_purged_on_open(clock: Clock) -> None:
    cache = Cache(1, URL, clock=clock)
    cache.put(CacheKind.ENTRY, "old", {"id": "old"})
    clock.now += 2 * DAY
    assert cache.stats().expired == 1
    cache.close()
    reopened = Cache(1, URL, clock=clock)
    assert reopened.stats().expired == 0
    reopened.close()


# --- trouble: locked, missing, broken ------------------------------------------------------


def test_a_locked_database_degrades_without_hanging(clock: Clock) -> None:
    cache = Cache(1, URL, clock=clock, busy_timeout=0.1)
    cache.put(CacheKind.USER_EXISTS, "alice", True)
    holder = sqlite3.connect(cache.path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    try:
        started = time.monotonic()
        cache.put(CacheKind.USER_EXISTS, "bob", True)  # no exception, bounded wait
        assert time.monotonic() - started < 2
        assert (
            cache.status_message
            == "The cache is locked by another program, so kproducer works without it for a moment."
        )
        assert cache.stats().available is False
        started = time.monotonic()
        assert cache.get(CacheKind.USER_EXISTS, "alice") is None  # skipped while it cools down
        cache.put(CacheKind.USER_EXISTS, "carol", True)
        cache.delete(CacheKind.USER_EXISTS, "alice")
        assert time.monotonic() - started < 0.05
        with pytest.raises(
            CacheBusyError, match="The cache is locked by another program; try again in a moment"
        ):
            cache.clear()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    clock.now += RETRY_AFTER
    assert cache.get(CacheKind.USER_EXISTS, "alice") is True
    assert cache.status_message is None
    assert cache.get(CacheKind.USER_EXISTS, "bob") is None
    cache.close()


def test_a_database_locked_at_open_degrades(clock: Clock) -> None:
    path = paths.cache_dir() / "cache.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")  # rollback-journal mode: readers are locked out too
    holder.execute("INSERT INTO t VALUES (1)")
    try:
        started = time.monotonic()
        cache = Cache(1, URL, clock=clock, busy_timeout=0.1)
        assert time.monotonic() - started < 2
        assert cache.status_message == (
            "The cache could not be opened (it is locked by another program), so kproducer works without it."
        )
        assert cache.get(CacheKind.USER_EXISTS, "alice") is None
        cache.put(CacheKind.USER_EXISTS, "alice", True)
        with pytest.raises(CacheError, match="could not be opened"):
            cache.delete_kind(CacheKind.USER_EXISTS)
        assert cache.stats().available is False
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    clock.now += RETRY_AFTER
    cache.put(CacheKind.USER_EXISTS, "alice", True)  # the foreign table: moved aside, rebuilt
    assert cache.get(CacheKind.USER_EXISTS, "alice") is True
    assert cache.status_message is None
    cache.close()


def test_an_unopenable_location_degrades(tmp_path: Path, clock: Clock) -> None:
    cache = Cache(1, URL, clock=clock, path=tmp_path / "missing" / "cache.sqlite3")
    assert cache.status_message is not None
    assert cache.status_message.startswith("The cache could not be opened (")
    assert cache.get(CacheKind.USER_EXISTS, "alice") is None
    cache.put(CacheKind.USER_EXISTS, "alice", True)
    stats = cache.stats()
    assert (stats.available, stats.entries, stats.file_size, stats.misses) == (False, {}, 0, 1)
    with pytest.raises(CacheError):
        cache.clear()
    cache.close()


def test_other_database_errors_degrade(cache: Cache) -> None:
    with sqlite3.connect(cache.path) as other:
        other.execute("DROP TABLE entries")
    other.close()
    assert cache.get(CacheKind.USER_EXISTS, "alice") is None
    assert cache.status_message is not None
    assert cache.status_message.startswith("The cache could not be used (no such table: entries)")


# --- threads ---------------------------------------------------------------------------------


def test_concurrent_use_from_threads(clock: Clock) -> None:
    shared = Cache(1, URL, clock=clock)
    errors: list[BaseException] = []

    def work(worker: int, cache: Cache) -> None:
        try:
            for n in range(150):
                key = f"w{worker}-{n}"
                cache.put(CacheKind.USER_EXISTS, key, True)
                assert cache.get(CacheKind.USER_EXISTS, key) is True
                if n % 10 == 0:
                    cache.delete(CacheKind.USER_EXISTS, key)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    own = [Cache(1, URL, clock=clock, busy_timeout=10) for _ in range(2)]  # other connections
    threads = [threading.Thread(target=work, args=(w, shared)) for w in range(6)]
    threads += [threading.Thread(target=work, args=(6 + i, c)) for i, c in enumerate(own)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert shared.status_message is None
    assert shared.stats().entries == {CacheKind.USER_EXISTS: 8 * 135}
    for c in (shared, *own):
        c.close()


# --- statistics --------------------------------------------------------------------------------


def test_stats_count_entries_hits_and_misses(cache: Cache, clock: Clock) -> None:
    empty = cache.stats()
    assert (empty.hits, empty.misses, empty.hit_rate, empty.entries) == (0, 0, None, {})
    cache.put(CacheKind.USER_EXISTS, "alice", True)
    cache.put(CacheKind.USER_EXISTS, "bob", True)
    cache.put(CacheKind.ENTRY, "0_a", {"id": "0_a"})
    cache.get(CacheKind.USER_EXISTS, "alice")
    cache.get(CacheKind.USER_EXISTS, "alice")
    cache.get(CacheKind.USER_EXISTS, "bob")
    cache.get(CacheKind.USER_EXISTS, "nobody")
    stats = cache.stats()
    assert stats.entries == {"user_exists": 2, "entry": 1}
    assert (stats.hits, stats.misses, stats.hit_rate) == (3, 1, 0.75)
    assert stats.file_size > 0
    assert stats.available is True and stats.message is None
    assert stats.account == "1234@https://www.kaltura.com"
    clock.now += DAY
    later = cache.stats()
    assert later.entries == {"user_exists": 2}
    assert later.expired == 1


def test_counters_survive_the_process(clock: Clock) -> None:
    first = Cache(1, URL, clock=clock)
    first.put(CacheKind.USER_EXISTS, "alice", True)
    first.get(CacheKind.USER_EXISTS, "alice")
    first.get(CacheKind.USER_EXISTS, "bob")
    first.close()
    second = Cache(1, URL, clock=clock)
    second.get(CacheKind.USER_EXISTS, "alice")
    assert (second.stats().hits, second.stats().misses) == (2, 1)
    assert Cache(2, URL, clock=clock).stats().hits == 0  # per account
    second.clear()
    assert (second.stats().hits, second.stats().misses) == (0, 0)
    second.close()


def test_the_file_holds_json_only(cache: Cache) -> None:
    cache.put(CacheKind.ENTRY, "0_a", {"id": "0_a"})
    cache.close()
    with sqlite3.connect(cache.path) as raw:
        [(value,)] = raw.execute("SELECT value FROM entries").fetchall()
    raw.close()
    assert json.loads(value) == {"id": "0_a"}
