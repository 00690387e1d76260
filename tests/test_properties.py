"""Property-based tests (hypothesis): the CSV reader, the token builders and the cache."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import jwt
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kproducer.local.cache import Cache
from kproducer.sandbox import ks as sandbox_ks
from kproducer.services import tokens
from kproducer.services.csv_input import USER_ID, CsvError, read_rows
from kproducer.services.models import Entry, EntryKind, Role

SECRET = "0123456789abcdef0123456789abcdef"
APP_TOKEN = "fedcba9876543210fedcba9876543210"
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

user_ids = st.from_regex(r"[A-Za-z0-9,!#$%&'*+?^_`{|}~.@-]{1,40}", fullmatch=True)
text_cells = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r\n"),
                     max_size=30)
entry_ids = st.from_regex(r"[01]_[0-9a-z]{8}", fullmatch=True)


# --- CSV reader -----------------------------------------------------------------------------------


@FAST
@given(rows=st.lists(st.tuples(user_ids, text_cells, text_cells), max_size=20), bom=st.booleans())
def test_csv_round_trip(tmp_path_factory, rows, bom):
    """Whatever a spreadsheet writes (quotes, commas in cells), the reader gets back."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["user_id", "first_name", "last_name"])
    writer.writerows(rows)
    path = tmp_path_factory.mktemp("csv") / "people.csv"
    path.write_bytes(("\ufeff" if bom else "").encode() + buffer.getvalue().encode("utf-8"))
    read = list(read_rows(path))
    expected = [r for r in rows if any(c.strip() for c in r)]
    assert [(r.person.user_id, r.person.first_name, r.person.last_name) for r in read] == [
        (u.strip(), f.strip(), last.strip()) for u, f, last in expected
    ]
    assert all(r.problem == "" for r in read if USER_ID.match(r.person.user_id))


@FAST
@given(before=st.lists(user_ids, max_size=5), cell=text_cells, after=text_cells,
       newline=st.sampled_from(["\n", "\r\n", "\r"]))
def test_a_cell_with_a_line_break_refuses_the_file(tmp_path_factory, before, cell, after, newline):
    """A cell that leaves its line (a stray quote, or a real line break) is one CsvError."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["user_id", "notes"])
    writer.writerows([u, ""] for u in before)
    writer.writerow(["x@example.com", cell + newline + after])
    path = tmp_path_factory.mktemp("csv") / "people.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    try:
        list(read_rows(path))
    except CsvError as exc:
        assert f"line {len(before) + 2}: a quoted cell" in str(exc)
    else:
        raise AssertionError("a cell with a line break was read")


@FAST
@given(data=st.binary(min_size=1, max_size=200))
def test_csv_reader_never_crashes(tmp_path_factory, data):
    """Arbitrary bytes: rows, or one CsvError sentence — never another exception."""
    path = tmp_path_factory.mktemp("csv") / "junk.csv"
    path.write_bytes(data)
    try:
        for row in read_rows(path):
            assert row.line >= 2
    except CsvError as exc:
        assert str(exc).endswith(".") and "\n" not in str(exc)


# --- token builders -------------------------------------------------------------------------------


@FAST
@given(user=user_ids, entry_id=entry_ids, event=st.one_of(st.none(), st.integers(1, 10**9)),
       role=st.sampled_from(Role), duration=st.integers(0, 48 * 3600))
def test_tokens_round_trip_through_the_sandbox_validator(user, entry_id, event, role, duration):
    entry = Entry(entry_id, "x", EntryKind.VOD, "2", duration=duration)
    issued = tokens.issue(admin_secret=SECRET, cnc_app_token=APP_TOKEN, partner_id=1000001,
                          user_id=user, role=role, entry=entry, event_id=event)
    session = sandbox_ks.decode(issued.ks, lambda pid: [SECRET] if pid == 1000001 else [])
    assert session.type == 0 and session.user_id == user
    assert session.privileges["sview"] == [entry_id]
    assert session.privileges["setrole"] == ["PLAYBACK_BASE_ROLE"]
    assert session.privileges.get("virtualeventid") == (None if event is None else [str(event)])
    claims = jwt.decode(issued.jwt, APP_TOKEN, algorithms=["HS256"])
    assert claims["uid"] == user and claims["contextId"] == entry_id
    assert claims["groups"] == ([f"{entry_id}_moderators"] if role is Role.MODERATOR else [])
    assert claims["isAdmin"] is False and claims["isScopedUser"] is True
    assert claims["exp"] == issued.jwt_expires_at <= issued.ks_expires_at + 1


@FAST
@given(duration=st.integers(1, 10 * 86400), now=st.integers(1_700_000_000, 2_000_000_000))
def test_vod_tokens_outlast_the_session(duration, now):
    entry = Entry("0_abcdefgh", "x", EntryKind.VOD, "2", duration=duration)
    policy = tokens.ExpiryPolicy()
    ks_exp = tokens.ks_expiry(entry, now, policy)
    assert ks_exp >= now + duration + tokens.VOD_MIN_MARGIN
    assert tokens.jwt_expiry(ks_exp, now, policy) == ks_exp


@FAST
@given(start=st.integers(0, 10**6), length=st.integers(60, 10**6))
def test_live_tokens_end_ten_minutes_after_the_schedule(start, length):
    now = 1_800_000_000
    entry = Entry("0_abcdefgh", "x", EntryKind.LIVE, "2", start_date=now + start, end_date=now + start + length)
    assert tokens.ks_expiry(entry, now, tokens.ExpiryPolicy()) == now + start + length + tokens.LIVE_MARGIN


# --- cache ----------------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1_900_000_000.0

    def __call__(self) -> float:
        return self.now


KEYS = ["a", "b", "ab", "a\tb", "a%", "a_"]  # prefixes of each other, and LIKE wildcards
operations = st.lists(
    st.tuples(st.sampled_from(["put", "delete", "delete_prefix", "advance"]),
              st.sampled_from(KEYS), st.integers(1, 100)),
    max_size=30,
)


@FAST
@given(ops=operations)
def test_cache_matches_a_simple_model(tmp_path_factory, ops):
    """TTL and invalidation behave like a dict of (value, expires_at)."""
    clock = Clock()
    path: Path = tmp_path_factory.mktemp("cache") / "cache.sqlite3"
    model: dict[str, tuple[int, float]] = {}
    with Cache(1, "http://x", path=path, clock=clock) as cache:
        for op, key, number in ops:
            if op == "put":
                cache.put("user_exists", key, number, ttl=50)
                model[key] = (number, clock.now + 50)
            elif op == "delete":
                cache.delete("user_exists", key)
                model.pop(key, None)
            elif op == "delete_prefix":
                cache.delete_prefix("user_exists", key)
                model = {k: v for k, v in model.items() if not k.startswith(key)}
            else:
                clock.now += number
            for k in KEYS:
                expected = model.get(k)
                alive = expected is not None and clock.now < expected[1]
                assert cache.get("user_exists", k) == (expected[0] if alive else None)


@FAST
@given(a=st.integers(1, 10**9), b=st.integers(1, 10**9))
def test_cache_accounts_never_share_entries(tmp_path_factory, a, b):
    assume(a != b)
    path = tmp_path_factory.mktemp("cache") / "cache.sqlite3"
    with Cache(a, "http://x", path=path) as first, Cache(b, "http://x", path=path) as second:
        first.put("entry", "0_abcdefgh", {"name": "A"})
        assert second.get("entry", "0_abcdefgh") is None
        assert first.get("entry", "0_abcdefgh") == {"name": "A"}
