"""Moderators of an entry: the members of its ``{entryId}_moderators`` group.

Listing takes one request (``groupUser.list`` and ``user.list`` of those members in one
multirequest). Adding ensures the user, the group and the membership with cached facts.
A bulk import sends 50 people per request (user.add + groupUser.add each: Kaltura sets no
limit on multirequest size), skips what the cache already knows, runs a few batches at
once, reports every row, and can be cancelled between batches.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from KalturaClient.Plugins.Core import KalturaFilterPager, KalturaGroupUserFilter, KalturaUserFilter

from ..kaltura.errors import InvalidInput, KalturaError, answer_lost, maybe_done
from . import bulk, entries, facts, people
from .account import Account
from .csv_input import USER_ID
from .facts import Person
from .models import Moderator
from .tokens import moderators_group

#: People per bulk request (two calls each), and batches in flight (see :mod:`.bulk`).
BATCH_PEOPLE = bulk.BATCH_PEOPLE
WORKERS = bulk.WORKERS


def list_moderators(account: Account, entry_id: str) -> list[Moderator]:
    """The entry's moderators with their names, in ONE request per 500 members."""
    group = moderators_group(entries.check_entry_id(entry_id))
    moderators: list[Moderator] = []
    page = 1
    while True:
        pager = KalturaFilterPager(pageSize=500, pageIndex=page)

        def queue(c: Any, pager: Any = pager) -> list[Any]:
            members = c.groupUser.list(KalturaGroupUserFilter(groupIdEqual=group), pager)
            users = c.user.list(
                KalturaUserFilter(idIn=members.objects._all.userId),
                KalturaFilterPager(pageSize=500),
            )
            return [members, users]

        members_result, users_result = account.conn.multi(queue)
        members = members_result.unwrap()
        if page == 1:
            # The truth from the server replaces the memberships cached for this group:
            # members removed (or the group deleted) elsewhere must not stay "already
            # moderators" here. The group flag stays: a group.add for a group that exists
            # would cost a request, and a group gone is repaired on the next add.
            facts.forget_memberships(account, group)
        ids = [m.userId for m in members.objects or []]
        users = {u.id: u for u in (users_result.unwrap().objects or [])} if ids else {}
        users.update(_not_indexed_yet(account, [uid for uid in ids if uid not in users]))
        for uid in ids:
            user = users.get(uid)
            moderators.append(
                Moderator(
                    user_id=uid,
                    first_name=str(getattr(user, "firstName", "") or ""),
                    last_name=str(getattr(user, "lastName", "") or ""),
                    email=str(getattr(user, "email", "") or ""),
                )
            )
            account.cache.put(facts.USER_EXISTS, uid, True)
            account.cache.put(facts.USER_IN_GROUP, facts.membership_key(group, uid), True)
        if ids:
            account.cache.put(facts.GROUP_EXISTS, group, True)
        if len(ids) < 500 or len(moderators) >= int(members.totalCount or 0):
            return sorted(moderators, key=lambda m: m.display_name.lower())
        page += 1


def _not_indexed_yet(account: Account, user_ids: list[str]) -> dict[str, Any]:
    """Members ``user.list`` did not return, read with ``user.get`` (ONE request).

    ``user.list`` comes from the search index, which lags the writes: a user created a
    moment ago is a member (memberships are read from the database) but not listed yet.
    """
    if not user_ids:
        return {}
    results = account.conn.multi(lambda c: [c.user.get(uid) for uid in user_ids])
    return {uid: r.value for uid, r in zip(user_ids, results, strict=True) if r.ok}


def add(account: Account, entry_id: str, person: Person) -> None:
    """Make someone a moderator of the entry (creating the user and group as needed)."""
    check_user_id(person.user_id)
    try:
        people.ensure_moderator(account, entry_id, person)
    except KalturaError as exc:
        if answer_lost(exc):
            raise maybe_done(exc, "the moderator may have been added anyway; adding them "
                                  "again is safe") from exc
        raise


def remove(account: Account, entry_id: str, user_id: str) -> bool:
    """Take someone off the entry's moderators.

    Returns:
        True when they were a moderator; False when they were not (nothing to do: as
        ``add`` of a moderator, the wanted state already holds).

    Raises:
        NotFound: The entry does not exist (checked only when the membership was missing).
    """
    group = moderators_group(entries.check_entry_id(entry_id))
    facts.forget_membership(account, group, user_id)
    try:
        account.conn.call(lambda c: c.groupUser.delete(user_id, group))
    except KalturaError as exc:
        if exc.code not in ("GROUP_USER_DOES_NOT_EXISTS", "INVALID_USER_ID", "GROUP_NOT_FOUND"):
            raise
        entries.get(account, entry_id)  # a mistyped entry is an error, not "already done"
        return False
    return True


#: ``groupUser.delete`` errors that mean "not a member" (GroupUserService::deleteAction).
NOT_A_MEMBER = ("GROUP_USER_DOES_NOT_EXISTS", "INVALID_USER_ID", "GROUP_NOT_FOUND")
#: Removals per multirequest (one ``groupUser.delete`` each), as :data:`bulk.BATCH_PEOPLE`.
BATCH_REMOVALS = 50


@dataclass(frozen=True)
class Removal:
    """How taking one person off the moderators went.

    Attributes:
        status: ``removed``, ``not_moderator`` (nothing to do: they were not one) or
            ``failed``.
        error: Why it failed (one sentence), else ''.
    """

    user_id: str
    status: str
    error: str = ""


def remove_many(account: Account, entry_id: str, user_ids: Iterable[str]) -> list[Removal]:
    """Take several people off the entry's moderators: 50 ``groupUser.delete`` a request.

    Each call of a multirequest stands on its own (GroupUserService::deleteAction raises
    per call), so one person not being a moderator does not stop the others.

    Returns:
        One :class:`Removal` per user ID, in order; nothing is raised for a single row.

    Raises:
        InvalidInput: A user ID is not a Kaltura user ID, or the entry ID is not one
            (before any request).
    """
    group = moderators_group(entries.check_entry_id(entry_id))
    ids = [check_user_id(uid) for uid in user_ids]
    out: list[Removal] = []
    for chunk in bulk.chunked(ids, BATCH_REMOVALS):
        for uid in chunk:
            facts.forget_membership(account, group, uid)

        def queue(c: Any, chunk: list[str] = chunk) -> list[Any]:
            return [c.groupUser.delete(uid, group) for uid in chunk]

        try:
            answers = account.conn.multi(queue)
        except KalturaError as exc:
            if answer_lost(exc):
                exc = maybe_done(exc, "they may have been removed anyway; removing them "
                                      "again is safe")
            out.extend(Removal(uid, "failed", str(exc)) for uid in chunk)
            continue
        for uid, answer in zip(chunk, answers, strict=True):
            if answer.ok:
                out.append(Removal(uid, "removed"))
            elif answer.failed_with(*NOT_A_MEMBER):
                out.append(Removal(uid, "not_moderator"))
            else:
                out.append(Removal(uid, "failed", str(answer.error)))
    return out


def check_user_id(user_id: str) -> str:
    """Kaltura's user ID rule (1-320 of letters, digits and ``,!#$%&'*+?^_`{|}~.@-``)."""
    problem = _invalid_id(user_id)
    if problem:
        raise InvalidInput(problem, "BAD_USER_ID")
    return user_id


def _invalid_id(user_id: str) -> str:
    """Why ``user_id`` cannot be a Kaltura user ID, or '' when it can."""
    if USER_ID.match(user_id):
        return ""
    return (
        f'"{user_id}" is not a valid Kaltura user ID (no spaces or slashes, at most 320 '
        "characters)."
    )


# --- bulk import ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowResult:
    """The outcome of one CSV row: ``added``, ``already`` (a moderator before) or ``failed``.

    Attributes:
        in_file: It failed because of what the file says (no ID, an invalid ID or email, a
            duplicate line...), without a call: trying it again cannot help, fixing the file
            and importing it again can.
    """

    line: int
    user_id: str
    status: str
    error: str = ""
    in_file: bool = False


ProgressFn = Callable[[int, int], None]


def import_people(
    account: Account,
    entry_id: str,
    people: Iterable[tuple[int, Person]],
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
    workers: int = WORKERS,
) -> list[RowResult]:
    """Make every person a moderator; returns one result per row, in input order.

    Args:
        people: ``(line number, person)`` pairs, e.g. from :func:`csv_input.read_people`.
        progress: Called with ``(rows done, rows total)`` after each batch.
        cancel: When set, no new batch starts; rows not started are reported as failed
            with "cancelled" so a re-run finishes them.
    """
    rows = list(people)
    return list(import_stream(account, entry_id, rows, len(rows), progress, cancel, workers))


#: What :func:`import_stream` takes: a person to send, or a row already settled.
Pending = tuple[int, Person] | RowResult
#: Rows settled without a call that may share one batch (they cost nothing to carry).
MAX_BATCH_ROWS = 1000


def import_stream(
    account: Account,
    entry_id: str,
    rows: Iterable[Pending],
    total: int,
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
    workers: int = WORKERS,
) -> Iterator[RowResult]:
    """Make every person a moderator, streamed: one result per row, in input order.

    ``rows`` is read lazily (at most ``workers + 1`` batches exist at once), so memory does
    not grow with the list: only the user IDs seen so far are kept, to fail duplicates.

    Args:
        rows: ``(line, person)`` to send, or a :class:`RowResult` already settled (passed
            through in its place).
        total: How many rows ``rows`` holds, for ``progress``; when at most
            :data:`BATCH_PEOPLE` the group is made in the first batch's own request.
    """
    entry_id = entries.check_entry_id(entry_id)
    group = moderators_group(entry_id)
    entries.get(account, entry_id)  # the entry must exist (cached after the first time)
    # The group only once the entry is known to exist (never a stray "_moderators"). One
    # batch carries its group.add in its own request; several create it first, as batches
    # run side by side and each needs the group before its memberships.
    group_step = facts.group_step(account, group)
    first = group_step if total <= BATCH_PEOPLE else None
    if group_step is not None and first is None:
        facts.run(account, [group_step])

    def run_batch(batch: list[Pending]) -> list[RowResult]:
        todo = [r for r in batch if not isinstance(r, RowResult)]
        outcomes = iter(bulk.ensure_access(account, [(p, group) for _, p in todo],
                                           first=first) if todo else [])
        out = []
        for row in batch:
            if isinstance(row, RowResult):
                out.append(row)
            else:
                outcome = next(outcomes)
                out.append(RowResult(row[0], row[1].user_id, outcome.status, outcome.error))
        return out

    def not_started(batch: list[Pending]) -> list[RowResult]:
        return [r if isinstance(r, RowResult) else RowResult(r[0], r[1].user_id, "failed",
                                                             "cancelled") for r in batch]

    done = 0
    for batch, outcome in bulk.in_order(_batches(rows), run_batch, workers=workers,
                                        cancel=cancel, skipped=not_started):
        yield from outcome
        done += len(batch)
        if progress is not None:
            progress(done, total)


def _batches(rows: Iterable[Pending]) -> Iterator[list[Pending]]:
    """Batches of at most :data:`BATCH_PEOPLE` people to send.

    Invalid IDs and duplicates are settled here: the ID of each person sent is remembered,
    with its line, in a temporary on-disk SQLite table rather than in memory (a million
    IDs would take about 120 MB as a dict).
    """
    with contextlib.closing(sqlite3.connect("")) as seen:  # "": private, deleted on close
        seen.execute("CREATE TABLE seen (user_id TEXT PRIMARY KEY, line INTEGER) WITHOUT ROWID")
        batch: list[Pending] = []
        sending = 0
        for chunk in bulk.chunked(rows, BATCH_PEOPLE):
            for row in _settle_chunk(seen, chunk):
                batch.append(row)
                sending += not isinstance(row, RowResult)
                if sending >= BATCH_PEOPLE or len(batch) >= MAX_BATCH_ROWS:
                    yield batch
                    batch, sending = [], 0
        if batch:
            yield batch


def _settle_chunk(seen: sqlite3.Connection, chunk: list[Pending]) -> list[Pending]:
    """The chunk with invalid IDs and duplicates (of earlier chunks or this one) failed."""
    ids = list({r[1].user_id for r in chunk if not isinstance(r, RowResult)})
    earlier: dict[str, int] = dict(seen.execute(
        f"SELECT user_id, line FROM seen WHERE user_id IN ({','.join('?' * len(ids))})", ids
    ).fetchall()) if ids else {}
    out: list[Pending] = []
    for row in chunk:
        if not isinstance(row, RowResult):
            line, person = row
            problem = _invalid_id(person.user_id)
            if not problem and person.user_id in earlier:
                problem = f"duplicate of line {earlier[person.user_id]}"
            if problem:
                row = RowResult(line, person.user_id, "failed", problem, in_file=True)
            else:
                earlier[person.user_id] = line
                seen.execute("INSERT INTO seen VALUES (?, ?)", (person.user_id, line))
        out.append(row)
    return out
