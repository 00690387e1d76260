"""Shared by the readiness tests: an event with sessions as a producer sets it up."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from kproducer.services import entries, events, moderators
from kproducer.services.account import Account
from kproducer.services.facts import Person
from kproducer.services.models import Entry, EntryKind, Event
from kproducer.services.readiness_model import Finding, Readiness

HOUR = 3600


@dataclass
class Setup:
    """An event and its sessions, made through the services."""

    event: Event
    sessions: list[Entry]


def ready_event(account: Account, kinds: Sequence[EntryKind] = (EntryKind.LIVE,),
                starts_in: int = 2 * HOUR, name: str = "Go-live") -> Setup:
    """An event whose sessions are scheduled ahead, each with one moderator."""
    event = events.create(account, f"{name} {time.time_ns()}")
    start = int(time.time()) + starts_in
    made = []
    for index, kind in enumerate(kinds):
        entry = entries.create(account, kind, f"{name} {index}", event.id, start, start + HOUR)
        moderators.add(account, entry.id, Person("alice@example.com"))
        made.append(entry)
    return Setup(event, made)


def finding(report: Readiness, entry_id: str | None, check: str) -> Finding:
    """The one finding of that check about that session."""
    [found] = [f for f in report.findings if f.entry_id == entry_id and f.check == check]
    return found
