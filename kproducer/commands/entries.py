"""``kproducer entries list | show | create | update | delete | encoder``: the sessions.

``update``/``delete`` live in :mod:`.entry_edit`, ``encoder`` in :mod:`.encoder`.
"""

from __future__ import annotations

import argparse
from typing import Any

from kproducer.services import entries, events, live, schedule, times
from kproducer.services.models import Entry, EntryKind
from kproducer.services.tokens import moderators_group

from . import encoder, entry_edit
from .base import OK, Command
from .common import account_options, actions, connected, handles, iso, print_json, table, warn

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
TIME_HELP = "ISO 8601, local time unless it carries Z or an offset (2027-03-15T17:00)"


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``entries`` actions."""
    sub = actions(parser)
    listing = sub.add_parser("list", help="list sessions, newest first, with their schedule")
    listing.add_argument("--event", metavar="ID", help="only the sessions of this event")
    account_options(listing)
    handles(listing, list_command)

    show = sub.add_parser("show", help="one session: schedule, and for live the encoder kit")
    show.add_argument("entry", metavar="E", help="the session's entry ID")
    show.add_argument("--reveal", action="store_true",
                      help="show the stream key and SRT passphrase (credentials)")
    account_options(show)
    handles(show, show_command)

    create = sub.add_parser(
        "create", help="create a live session or a room, with its moderators group and schedule"
    )
    create.add_argument("--type", choices=sorted(TYPES), required=True, help="live or room")
    create.add_argument("--name", metavar="N", required=True, help="the session's name")
    create.add_argument("--event", metavar="ID", help="tie it to this virtual event")
    create.add_argument("--start", metavar="T", help=f"scheduled start: {TIME_HELP}")
    create.add_argument("--end", metavar="T", help="scheduled end (with --start)")
    account_options(create)
    handles(create, create_command)

    entry_edit.configure(sub)
    encoder.configure(sub)


def status_name(entry: Entry) -> str:
    """The entry's status as a word (the raw code when unknown)."""
    return STATUS_NAMES.get(entry.status, entry.status)


def schedule_json(entry: Entry) -> dict[str, Any] | None:
    """``{"start", "end", "source"}`` in ISO 8601 UTC, or None."""
    slot = entry.schedule
    if slot is None:
        return None
    return {"start": times.iso_utc(slot.start), "end": times.iso_utc(slot.end),
            "source": slot.source.value}


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
        "schedule": schedule_json(entry),
    }


def schedule_cell(entry: Entry) -> str:
    """The schedule column: local times with the zone; ``*`` marks one kept in entry dates."""
    slot = entry.schedule
    if slot is None:
        return ""
    mark = "*" if slot.source.value == "entry_dates" else ""
    return times.slot_text(slot.start, slot.end) + mark


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
            (e.id, e.kind.value, status_name(e), e.event_id, e.name, schedule_cell(e),
             iso(e.created_at))
            for e in found
        ]
        headers = ("ID", "TYPE", "STATUS", "EVENT", "NAME", "SCHEDULE", "CREATED")
        table(headers, rows, "No sessions.")
        if any(e.schedule is not None and e.schedule.source.value == "entry_dates"
               for e in found):
            print("* kept in the entry's start/end dates: `kproducer entries update E "
                  "--start T --end T` moves it to a schedule event.")
    return OK


def parse_slot(args: argparse.Namespace) -> tuple[int, int] | None:
    """``--start``/``--end`` as unix seconds (both or neither; the end after the start)."""
    start = times.parse_time(args.start, "start time") if args.start is not None else None
    end = times.parse_time(args.end, "end time") if args.end is not None else None
    return schedule.check_slot(start, end)


def create_command(args: argparse.Namespace) -> int:
    """Create a live entry or a room (its moderators group and schedule) and print it."""
    name = entries.check_name(args.name)
    slot = parse_slot(args)
    schedule.check_length(TYPES[args.type], slot)
    event_id = events.check_event_id(args.event) if args.event is not None else None
    if slot is not None and times.in_past(slot[0]):
        warn("warning: the start time has passed; the session is created anyway.")
    with connected(args) as account:
        if event_id is not None:
            events.get(account, event_id)  # nothing is created for an event that is not there
        entry = entries.create(account, TYPES[args.type], name, event_id,
                               *(slot if slot is not None else (None, None)))
        if event_id is not None:
            entry_edit.warn_same_name(account, entry, event_id)
    if args.json:
        print_json({"entry": entry_json(entry), "moderators_group": moderators_group(entry.id)})
    else:
        event = f" in event {entry.event_id}" if entry.event_id is not None else ""
        when = f" ({schedule_cell(entry)})" if entry.schedule is not None else ""
        print(f"Created {entry.kind.value} session {entry.id}{event}: {entry.name}{when}")
    return OK


def show_command(args: argparse.Namespace) -> int:
    """Print one session; a live one with its encoder kit and whether it is broadcasting."""
    entry_id = entries.check_entry_id(args.entry)
    with connected(args) as account:
        entries.forget(account, entry_id)  # looking at a session asks Kaltura (ONE request)
        entry, details = live.open_session(account, entry_id)
    document = entry_json(entry)
    if details is not None:
        kit = details.kit if args.reveal else details.kit.masked()
        document["encoder"] = kit.as_json(details.state.broadcasting)
        document["preview"] = details.state.preview
        document["recording"] = details.state.recording
        document["attendees_see"] = details.state.attendees_see
    if args.json:
        print_json(document)
        return OK
    rows = [("ID", entry.id), ("Name", entry.name), ("Type", entry.kind.value),
            ("Status", status_name(entry)), ("Event", entry.event_id),
            ("Schedule", schedule_cell(entry) or "not scheduled")]
    if details is not None:
        rows += [("Broadcasting", {True: "yes", False: "no", None: "unknown"}[
                      details.state.broadcasting]),
                 ("Attendees see", details.state.attendees_see)]
        rows += encoder.kit_rows(details.kit if args.reveal else details.kit.masked())
    for label, value in rows:
        print(f"{label + ':':<16}{'' if value is None else value}")
    return OK


COMMAND = Command("entries", "list, show, create, edit and delete sessions; encoder kits",
                  configure)
