"""Bulk work shared by the moderator import and the link export (DESIGN §2, "Bulk").

Two pieces:

* :func:`in_order` runs batches on a few worker threads (each keeps its own client and
  connection) while the caller streams the input: at most ``workers + 1`` batches exist at
  any time, and results come back in input order, so output can be written as it arrives
  and memory does not grow with the number of rows. Once ``cancel`` is set, batches not yet
  started are not run.
* :func:`ensure_access` makes sure each person of a batch exists on Kaltura and, when asked,
  is in a group, in ONE multirequest (``user.add`` and ``groupUser.add``, duplicates meaning
  "already there"), skipping what the cache knows. When a membership fails because a cached
  fact was wrong (the group or the user was deleted behind our back), the fact is dropped,
  the object re-created and the membership retried once, in one more request.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import islice
from typing import TypeVar

from ..kaltura.client import CallResult
from ..kaltura.errors import KalturaError, answer_lost, maybe_done
from . import facts
from .account import Account
from .facts import Person

C = TypeVar("C")
R = TypeVar("R")
T = TypeVar("T")

#: People per multirequest (two calls each at most).
BATCH_PEOPLE = 50
#: Batches in flight at once (each worker thread keeps one connection): the most requests
#: kproducer asks of a customer's account at once. At 100 ms latency and 15 ms server time per
#: call, 2,000 links cold went at 104/149/184/248 rows/s with 2/3/4/6 at once (README,
#: "Requests at once"); 4 is the knee: 3/4 of the best point for 2/3 of its load.
WORKERS = 4

ADDED = "added"
ALREADY = "already"
FAILED = "failed"


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Lists of at most ``size`` items, streamed."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def in_order(
    batches: Iterable[C],
    work: Callable[[C], R],
    *,
    workers: int = WORKERS,
    cancel: threading.Event | None = None,
    skipped: Callable[[C], R],
) -> Iterator[tuple[C, R]]:
    """Run ``work`` on each batch on worker threads; yield ``(batch, result)`` in input order.

    Args:
        batches: Read lazily: a new batch is taken only when fewer than ``workers + 1``
            are waiting or running.
        work: Runs on a worker thread; it should report failures in its result, not raise
            (an exception ends the iteration and is raised to the caller).
        cancel: When set, batches not yet started get ``skipped(batch)`` instead of ``work``.
        skipped: The result of a batch that was not run because of ``cancel``.
    """
    workers = max(1, workers)

    def run(batch: C) -> R:
        if cancel is not None and cancel.is_set():
            return skipped(batch)
        return work(batch)

    pending: deque[tuple[C, Future[R]]] = deque()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="bulk") as pool:
        try:
            for batch in batches:
                # Each batch runs in a copy of this context: its calls are the caller's operation's.
                pending.append((batch, pool.submit(contextvars.copy_context().run, run, batch)))
                while len(pending) > workers:
                    done, future = pending.popleft()
                    yield done, future.result()
            while pending:
                done, future = pending.popleft()
                yield done, future.result()
        finally:
            for _, future in pending:  # the caller stopped early: start nothing more
                future.cancel()


# --- user and membership, 50 people a request ---------------------------------------------------


@dataclass(frozen=True)
class Access:
    """How one person of a batch went.

    Attributes:
        status: ``added`` (the membership, or for no group the user, was created now),
            ``already`` (it existed, or the cache knew it), or ``failed``.
        error: Why it failed (one sentence), else ''.
    """

    status: str
    error: str = ""

    @property
    def ok(self) -> bool:
        """The person exists (and is in the group, when one was asked)."""
        return self.status != FAILED


@dataclass
class _Plan:
    person: Person
    group: str | None
    user: facts.Step | None
    member: facts.Step | None


#: Membership failures that mean a cached fact was wrong and can be repaired.
_STALE = ("GROUP_NOT_FOUND", "USER_NOT_FOUND")


def ensure_access(
    account: Account,
    people: Sequence[tuple[Person, str | None]],
    first: facts.Step | None = None,
) -> list[Access]:
    """Each person exists, and is in their group when one is given; one request (or none).

    Args:
        people: ``(person, group ID or None)``; at most :data:`BATCH_PEOPLE` of them.
        first: A step sent ahead of the people's in the same multirequest (the group's
            ``group.add``: each call of a multirequest commits before the next runs, so the
            memberships after it find the group). When it fails, every person fails with
            its error.

    Returns:
        One :class:`Access` per person, in order; nothing is raised.
    """
    plans = [
        _Plan(
            person,
            group,
            facts.user_step(account, person),
            facts.membership_step(account, group, person.user_id, tolerate=True)
            if group is not None else None,
        )
        for person, group in people
    ]
    steps = [s for p in plans for s in (p.user, p.member) if s is not None]
    try:
        results = _send(account, [first, *steps] if first is not None else steps)
        if first is not None:
            first.settle(results[id(first)])
    except KalturaError as exc:
        if answer_lost(exc):  # the rows may be done; a re-run reports them "already"
            exc = maybe_done(exc, "it may have been done anyway; running it again is safe")
        return [Access(FAILED, str(exc)) for _ in plans]
    outcomes = [_settle(plan, results) for plan in plans]
    stale = [i for i, (plan, outcome) in enumerate(zip(plans, outcomes, strict=True))
             if outcome is None and plan.member is not None]
    if stale:
        repaired = _repair(account, [plans[i] for i in stale], results)
        for index, outcome in zip(stale, repaired, strict=True):
            outcomes[index] = outcome
    return [o if o is not None else Access(FAILED, "not repaired") for o in outcomes]


def _send(account: Account, steps: Sequence[facts.Step]) -> dict[int, CallResult]:
    if not steps:
        return {}
    results = account.conn.multi(lambda c: [s.queue(c) for s in steps])
    return {id(s): r for s, r in zip(steps, results, strict=True)}


def _settle(plan: _Plan, results: dict[int, CallResult]) -> Access | None:
    """The person's outcome; None when the membership failed on a stale fact."""
    try:
        if plan.user is not None:
            plan.user.settle(results[id(plan.user)])
        if plan.member is None:
            if plan.group is None and plan.user is not None:
                return Access(ADDED if results[id(plan.user)].ok else ALREADY)
            return Access(ALREADY)
        result = results[id(plan.member)]
        plan.member.settle(result)
        if result.failed_with(*_STALE):
            return None
        if result.failed_with("GROUP_USER_ALREADY_EXISTS"):
            return Access(ALREADY)
        result.unwrap()
        return Access(ADDED)
    except KalturaError as exc:
        return Access(FAILED, str(exc))


def _repair(
    account: Account, plans: Sequence[_Plan], results: dict[int, CallResult]
) -> list[Access]:
    """Drop the wrong facts, re-create the group/users and retry the memberships, once."""
    steps: list[facts.Step] = []
    groups: set[str] = set()
    retries: list[facts.Step] = []
    for plan in plans:
        assert plan.group is not None and plan.member is not None
        if results[id(plan.member)].failed_with("GROUP_NOT_FOUND"):
            if plan.group not in groups:
                groups.add(plan.group)
                facts.forget_group(account, plan.group)
                steps.append(_forced(facts.group_step(account, plan.group, force=True)))
        else:
            account.cache.delete(facts.USER_EXISTS, plan.person.user_id)
            steps.append(_forced(facts.user_step(account, plan.person, force=True)))
        retry = _forced(facts.membership_step(
            account, plan.group, plan.person.user_id, force=True, tolerate=True))
        retries.append(retry)
    try:
        again = _send(account, [*steps, *retries])
    except KalturaError as exc:
        return [Access(FAILED, str(exc)) for _ in plans]
    for step in steps:
        with contextlib.suppress(KalturaError):  # the retried membership tells the outcome
            step.settle(again[id(step)])
    outcomes = []
    for retry in retries:
        result = again[id(retry)]
        retry.settle(result)
        if result.ok or result.failed_with("GROUP_USER_ALREADY_EXISTS"):
            outcomes.append(Access(ADDED if result.ok else ALREADY))
        else:
            outcomes.append(Access(FAILED, str(result.error)))
    return outcomes


def _forced(step: facts.Step | None) -> facts.Step:
    """A step made with ``force=True`` (never None)."""
    assert step is not None
    return step
