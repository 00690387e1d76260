"""``kproducer entries update | delete``: rename, reschedule, move and delete sessions."""

from __future__ import annotations

import argparse
from typing import Any

from kproducer.kaltura.errors import InvalidInput
from kproducer.services import entries, events, sessions, times
from kproducer.services.account import Account
from kproducer.services.models import Entry

from .base import OK
from .common import account_options, connected, handles, print_json, warn


def configure(sub: argparse._SubParsersAction[Any]) -> None:
    """Add ``update`` and ``delete`` to ``kproducer entries``."""
    update = sub.add_parser("update", help="rename, reschedule or move a session (one request)")
    update.add_argument("entry", metavar="E", help="the session's entry ID")
    update.add_argument("--name", metavar="N", help="the new name")
    update.add_argument("--start", metavar="T",
                        help="new scheduled start: ISO 8601, local unless it carries Z or an "
                             "offset (with --end)")
    update.add_argument("--end", metavar="T", help="new scheduled end (with --start)")
    where = update.add_mutually_exclusive_group()
    where.add_argument("--event", metavar="ID", help="move it to this virtual event")
    where.add_argument("--no-event", action="store_true", help="take it out of its event")
    account_options(update)
    handles(update, update_command)

    delete = sub.add_parser(
        "delete", help="delete a session with its moderators group and schedule (one request)")
    delete.add_argument("entry", metavar="E", help="the session's entry ID")
    account_options(delete)
    handles(delete, delete_command)


def warn_same_name(account: Account, entry: Entry, event_id: int) -> tuple[str, ...]:
    """Warn (stderr) about other sessions of the event with the same name; returns their IDs."""
    others = sessions.same_name(account, entry.name, event_id, but=entry.id)
    if others:
        warn(f'warning: event {event_id} already has a session named "{entry.name}" '
             f"({', '.join(others)}); both are kept.")
    return others


def update_command(args: argparse.Namespace) -> int:
    """Apply the given changes and print the session as it now is."""
    from .entries import entry_json, parse_slot, schedule_cell

    entry_id = entries.check_entry_id(args.entry)
    name = entries.check_name(args.name) if args.name is not None else None
    slot = parse_slot(args)
    event: Any = sessions.KEEP
    if args.no_event:
        event = None
    elif args.event is not None:
        event = events.check_event_id(args.event)
    if name is None and slot is None and event is sessions.KEEP:
        raise InvalidInput("Nothing to change: give --name, --start and --end, --event or "
                           "--no-event.", "NOTHING_TO_DO")
    with connected(args) as account:
        if isinstance(event, int):
            events.get(account, event)  # never move a session to an event that is not there
        result = sessions.update(account, entry_id, name=name,
                                 start=slot[0] if slot else None, end=slot[1] if slot else None,
                                 event_id=event)
    entry = result.entry
    if result.same_name:
        warn(f'warning: event {entry.event_id} already has a session named "{entry.name}" '
             f"({', '.join(result.same_name)}); both are kept.")
    if slot is not None and times.in_past(slot[0]):
        warn("note: the new start time has passed.")
    if args.json:
        print_json({"entry": entry_json(entry), "changed": result.changed,
                    "left_event_id": result.left_event_id,
                    "joined_event_id": result.joined_event_id,
                    "same_name": list(result.same_name)})
        return OK
    if not result.changed:
        print(f"Session {entry.id} already is as asked; nothing was changed.")
        return OK
    moved = ""
    if result.left_event_id is not None:
        moved = f"; it left event {result.left_event_id}"
    if result.joined_event_id is not None:
        moved += f"; it is now in event {result.joined_event_id}"
    when = f" ({schedule_cell(entry)})" if entry.schedule is not None else ""
    print(f"Updated session {entry.id}: {entry.name}{when}{moved}")
    return OK


def delete_command(args: argparse.Namespace) -> int:
    """Delete the session, its moderators group and its schedule event."""
    entry_id = entries.check_entry_id(args.entry)
    with connected(args) as account:
        result = sessions.delete(account, entry_id)
    if args.json:
        print_json({"entry_id": result.entry_id, "deleted": True,
                    "already_gone": result.already_gone, "left_event_id": result.left_event_id})
    elif result.already_gone:
        print(f"Session {result.entry_id} was already deleted.")
    else:
        event = f" (it left event {result.left_event_id})" if result.left_event_id else ""
        print(f"Deleted session {result.entry_id}, its moderators group and its schedule{event}.")
    return OK
