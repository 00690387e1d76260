"""``kproducer entries list | create``: the sessions (entries) of virtual events."""

from __future__ import annotations

import argparse
from typing import Any

from kproducer.kaltura.errors import InvalidInput
from kproducer.services import entries, events
from kproducer.services.models import Entry, EntryKind
from kproducer.services.tokens import moderators_group

from .base import OK, Command
from .common import account_options, actions, connected, handles, iso, print_json, table

#: Kaltura's entry status codes, as words.
STATUS_NAMES = {
    "-2": "error_importing",
    "-1": "error_converting",
    "0": "import",
    "1": "preconvert",
    "2": "ready",
    "3": "deleted",
    "4": "pending",
    "5": "moderate",
    "6": "blocked",
    "7": "no_content",
}
TYPES = {"live": EntryKind.LIVE, "room": EntryKind.ROOM}


def configure(parser: argparse.ArgumentParser) -> None:
    """Add ``list`` and ``create`` to ``kproducer entries``."""
    sub = actions(parser)
    listing = sub.add_parser("list", help="list sessions, newest first")
    listing.add_argument("--event", metavar="ID", help="only the sessions of this event")
    account_options(listing)
    handles(listing, list_command)

    create = sub.add_parser(
        "create", help="create a live session or a room, with its moderators group"
    )
    create.add_argument("--type", choices=sorted(TYPES), required=True, help="live or room")
    create.add_argument("--name", metavar="N", required=True, help="the session's name")
    create.add_argument("--event", metavar="ID", help="tie it to this virtual event")
    account_options(create)
    handles(create, create_command)


def status_name(entry: Entry) -> str:
    """The entry's status as a word (the raw code when unknown)."""
    return STATUS_NAMES.get(entry.status, entry.status)


def entry_json(entry: Entry) -> dict[str, Any]:
    """An entry as stable JSON (dates ISO 8601 UTC)."""
    return {
        "id": entry.id,
        "name": entry.name,
        "kind": entry.kind.value,
        "status": status_name(entry),
        "event_id": entry.event_id,
        "duration": entry.duration,
        "start_date": iso(entry.start_date),
        "end_date": iso(entry.end_date),
        "created_at": iso(entry.created_at),
    }


def list_command(args: argparse.Namespace) -> int:
    """Print the entries (of one event)."""
    event_id = events.check_event_id(args.event) if args.event is not None else None
    with connected(args) as account:
        if event_id is not None:
            events.get(account, event_id)  # a mistyped event is an error, not an empty list
        found = entries.list_entries(account, event_id)
    if args.json:
        print_json({"entries": [entry_json(e) for e in found]})
    else:
        rows = [
            (e.id, e.kind.value, status_name(e), e.event_id, e.name, iso(e.created_at))
            for e in found
        ]
        headers = ("ID", "TYPE", "STATUS", "EVENT", "NAME", "CREATED")
        table(headers, rows, "No sessions.")
    return OK


def create_command(args: argparse.Namespace) -> int:
    """Create a live entry or a room (and its moderators group) and print it."""
    name = args.name.strip()
    if not name:
        raise InvalidInput("A session needs a name.", "BAD_NAME")
    event_id = events.check_event_id(args.event) if args.event is not None else None
    with connected(args) as account:
        if event_id is not None:
            events.get(account, event_id)  # nothing is created for an event that is not there
        entry = entries.create(account, TYPES[args.type], name, event_id)
    if args.json:
        print_json({"entry": entry_json(entry), "moderators_group": moderators_group(entry.id)})
    else:
        event = f" in event {entry.event_id}" if entry.event_id is not None else ""
        print(f"Created {entry.kind.value} session {entry.id}{event}: {entry.name}")
    return OK


COMMAND = Command("entries", "list and create sessions (live entries and rooms)", configure)
