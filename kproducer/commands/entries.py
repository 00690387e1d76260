"""``kproducer entries list | show | create | update | delete | encoder``: the sessions.

``update``/``delete`` live in :mod:`.entry_edit`, ``encoder`` in :mod:`.encoder`,
``upload`` in :mod:`.upload`.
"""

from __future__ import annotations

import argparse
from typing import Any

from kproducer.kaltura.errors import InvalidInput
from kproducer.services import entries, events, live, schedule, simulive, times
from kproducer.services.models import Entry, EntryKind
from kproducer.services.tokens import moderators_group

from . import encoder, entry_edit, upload
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
SIMULIVE = "simulive"
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
    create.add_argument("--type", choices=sorted([*TYPES, SIMULIVE]), required=True,
                        help="live, room, or simulive (a ready video played as live)")
    create.add_argument("--name", metavar="N", required=True, help="the session's name")
    create.add_argument("--event", metavar="ID", help="tie it to this virtual event")
    create.add_argument("--start", metavar="T", help=f"scheduled start: {TIME_HELP}")
    create.add_argument("--end", metavar="T", help="scheduled end (with --start; simulive: "
                        "default the start plus the video's length)")
    create.add_argument("--source", metavar="E", help="simulive: the ready video to play")
    account_options(create)
    handles(create, create_command)

    entry_edit.configure(sub)
    encoder.configure(sub)
    upload.configure(sub)


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


def kind_name(entry: Entry) -> str:
    """``vod``, ``live``, ``room``, ``other``, or ``simulive`` (a live entry playing a video)."""
    return SIMULIVE if entry.is_simulive else entry.kind.value


def entry_json(entry: Entry) -> dict[str, Any]:
    """An entry as stable JSON (dates ISO 8601 UTC); simulive names its ``source_entry_id``.

    ``thumbnail_url`` is Kaltura's ``thumbnailUrl`` (no KS in it), as ``entries upload``
    prints it; None for an entry without one.
    """
    document = _entry_json(entry)
    if entry.is_simulive and entry.schedule is not None:
        document["source_entry_id"] = entry.schedule.source_entry_id
    return document


def _entry_json(entry: Entry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "name": entry.name,
        "kind": kind_name(entry),
        "status": status_name(entry),
        "event_id": entry.event_id,
        "duration": entry.duration,
        "start_date": iso(entry.start_date),
        "end_date": iso(entry.end_date),
        "created_at": iso(entry.created_at),
        "schedule": schedule_json(entry),
        "thumbnail_url": entry.thumbnail_url,
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
            (e.id, kind_name(e), status_name(e), e.event_id, e.name, schedule_cell(e),
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
    if args.type == SIMULIVE:
        return _create_simulive(args, name)
    if args.source is not None:
        raise InvalidInput("--source is for --type simulive only.", "BAD_USAGE")
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
    _print_created(args, entry)
    return OK


def _print_created(args: argparse.Namespace, entry: Entry) -> None:
    if args.json:
        print_json({"entry": entry_json(entry), "moderators_group": moderators_group(entry.id)})
        return
    event = f" in event {entry.event_id}" if entry.event_id is not None else ""
    when = f" ({schedule_cell(entry)})" if entry.schedule is not None else ""
    plays = (f", playing {entry.schedule.source_entry_id}"
             if entry.is_simulive and entry.schedule else "")
    print(f"Created {kind_name(entry)} session {entry.id}{event}: {entry.name}{when}{plays}")


def _create_simulive(args: argparse.Namespace, name: str) -> int:
    """``--type simulive --source E --start T [--end T]``: a ready video played as live."""
    if args.source is None or args.start is None:
        raise InvalidInput("A simulive session needs --source (the ready video) and --start.",
                           "BAD_USAGE")
    source_id = entries.check_entry_id(args.source)
    start = times.parse_time(args.start, "start time")
    end = times.parse_time(args.end, "end time") if args.end is not None else None
    if end is not None:
        schedule.check_length(EntryKind.LIVE, schedule.check_slot(start, end))
    event_id = events.check_event_id(args.event) if args.event is not None else None
    if times.in_past(start):
        warn("warning: the start time has passed; the session is created anyway.")
    with connected(args) as account:
        if event_id is not None:
            events.get(account, event_id)
        entry = simulive.create(account, source_id, name, start, end, event_id)
        if event_id is not None:
            entry_edit.warn_same_name(account, entry, event_id)
    _print_created(args, entry)
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
    rows = [("ID", entry.id), ("Name", entry.name), ("Type", kind_name(entry)),
            ("Status", status_name(entry)), ("Event", entry.event_id),
            ("Schedule", schedule_cell(entry) or "not scheduled")]
    if entry.is_simulive and entry.schedule is not None:
        rows.append(("Plays video", entry.schedule.source_entry_id))
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
