"""Preparing one person for one entry: everything a preview or a link needs.

Cold, it all fits in ONE request: the CnC app token (``appToken.list``), the entry
(``baseEntry.get``), the user (``user.add``), and for a moderator the group and the
membership (``group.add``, ``groupUser.add``), duplicates meaning "already there". Warm,
every fact is cached and nothing is called. When a cached fact proves wrong (the group or
user was deleted behind our back), the fact is dropped, repaired and the step retried once.

A preview asks for no membership (``membership=False``): the CnC widget makes a moderator
of whoever's JWT carries ``{entryId}_moderators`` in ``groups`` (Kaltura's integrated-events
demo only adds the user to that group when ``KALTURA_USE_GROUP_FOR_MODERATORS`` is set), so
looking at the moderator view never changes who moderates the session.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..kaltura.client import CallResult
from . import entries, facts
from .account import Account
from .facts import Person
from .models import Entry, Role
from .tokens import moderators_group


@dataclass(frozen=True)
class Prepared:
    """What the token builders need, all verified or cached."""

    entry: Entry
    cnc_token: str
    person: Person
    role: Role


def prepare(account: Account, entry_id: str, person: Person, role: Role, *,
            membership: bool = True) -> Prepared:
    """Make sure the person can watch (and for a moderator, moderate) the entry.

    Args:
        membership: For a moderator, also make them a member of the entry's moderators
            group (a link given to them); False for a preview, which changes no group.
    """
    entry_id = entries.check_entry_id(entry_id)
    tokens: list[str] = []
    found: list[Entry] = []
    steps: list[facts.Step] = []

    known_token = facts.cnc_token_known(account)
    if not known_token:
        steps.append(facts.cnc_step(account, tokens))
    entry = entries.cached(account, entry_id)
    if entry is None:
        steps.extend(entries.entry_steps(account, entry_id, found))
    access, member = _access_steps(account, entry_id, person,
                                   role if membership else Role.ATTENDEE)
    steps += access
    results = facts.run(account, steps)
    if member is not None:
        _repair(account, results[steps.index(member)], moderators_group(entry_id), person)
    return Prepared(
        entry=entry or found[0],
        cnc_token=known_token or tokens[0],
        person=person,
        role=role,
    )


def ensure_moderator(account: Account, entry_id: str, person: Person) -> None:
    """User, group and membership only (no CnC token, no entry): ONE request, or none."""
    entry_id = entries.check_entry_id(entry_id)
    steps, membership = _access_steps(account, entry_id, person, Role.MODERATOR)
    results = facts.run(account, steps)
    if membership is not None:
        _repair(account, results[steps.index(membership)], moderators_group(entry_id), person)


def _access_steps(
    account: Account, entry_id: str, person: Person, role: Role
) -> tuple[list[facts.Step], facts.Step | None]:
    """The steps that are not cached yet, and the membership step among them (if any)."""
    steps = [facts.user_step(account, person)]
    membership = None
    if role is Role.MODERATOR:
        group = moderators_group(entry_id)
        membership = facts.membership_step(account, group, person.user_id, tolerate=True)
        steps += [facts.group_step(account, group), membership]
    return [s for s in steps if s is not None], membership


def _repair(account: Account, result: CallResult, group: str, person: Person) -> None:
    """Retry a membership once after re-creating what a stale cache said existed."""
    if result.ok or result.failed_with("GROUP_USER_ALREADY_EXISTS"):
        return
    if result.failed_with("GROUP_NOT_FOUND"):
        facts.forget_group(account, group)
        repair = facts.group_step(account, group, force=True)
    elif result.failed_with("USER_NOT_FOUND"):
        facts.forget_user(account, person.user_id)
        repair = facts.user_step(account, person, force=True)
    else:
        result.unwrap()
        return
    retry = facts.membership_step(account, group, person.user_id, force=True)
    facts.run(account, [s for s in (repair, retry) if s is not None])
