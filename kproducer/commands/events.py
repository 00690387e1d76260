"""``kproducer events list | create | delete | check``: the account's virtual events."""

from __future__ import annotations

import argparse
from typing import Any

from kproducer.services import events
from kproducer.services.models import Event

from .base import OK, Command
from .common import account_options, actions, connected, handles, iso, print_json, table, warn


def configure(parser: argparse.ArgumentParser) -> None:
    """Add ``list``, ``create`` and ``delete`` to ``kproducer events``."""
    sub = actions(parser)
    listing = sub.add_parser("list", help="list the virtual events, newest first")
    listing.add_argument("--search", metavar="S", default="", help="only names containing S")
    account_options(listing)
    handles(listing, list_command)

    create = sub.add_parser("create", help="create a virtual event")
    create.add_argument("--name", metavar="N", required=True, help="3 to 256 characters")
    create.add_argument("--description", metavar="D", default="", help="a description")
    account_options(create)
    handles(create, create_command)

    delete = sub.add_parser("delete", help="delete a virtual event (its sessions stay)")
    delete.add_argument("event_id", metavar="ID", help="the event's ID")
    account_options(delete)
    handles(delete, delete_command)

    from . import event_check  # loaded with this command only

    event_check.configure(sub)


def event_json(event: Event) -> dict[str, Any]:
    """An event as stable JSON."""
    return {
        "id": event.id,
        "name": event.name,
        "description": event.description,
        "status": event.status,
        "created_at": iso(event.created_at),
    }


def list_command(args: argparse.Namespace) -> int:
    """Print the events."""
    with connected(args) as account:
        found = events.list_events(account, args.search)
    if args.json:
        print_json({"events": [event_json(e) for e in found]})
    else:
        rows = [(e.id, e.name, e.status, iso(e.created_at)) for e in found]
        table(("ID", "NAME", "STATUS", "CREATED"), rows, "No events.")
    return OK


def create_command(args: argparse.Namespace) -> int:
    """Create an event and print it (a warning on stderr when the name is taken already)."""
    name = events.check_name(args.name)
    with connected(args) as account:
        same = events.named(account, name)
        event = events.create(account, name, args.description)
    if same:
        ids = ", ".join(str(e.id) for e in same)
        warn(f"warning: an event named “{name}” already exists (ID {ids}); created another "
             f"one, {event.id} (`kproducer events delete {event.id}` if that was a mistake).")
    if args.json:
        print_json({"event": event_json(event)})
    else:
        print(f"Created event {event.id}: {event.name}")
    return OK


def delete_command(args: argparse.Namespace) -> int:
    """Delete an event."""
    event_id = events.check_event_id(args.event_id)
    with connected(args) as account:
        events.delete(account, event_id)
    if args.json:
        print_json({"deleted": {"event_id": event_id}})
    else:
        print(f"Deleted event {event_id}.")
    return OK


COMMAND = Command("events", "list, create, delete and check (go-live) virtual events",
                  configure)
