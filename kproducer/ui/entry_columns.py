"""How the Entries tab (and the attach dialog) show a session: type, status, timing, columns."""

from __future__ import annotations

from ..services.models import Entry, EntryKind
from . import times
from .common import duration
from .table import Column

#: The widest entry ID the ID column shows whole ("{partition}_{8 letters or digits}").
WIDEST_ID = "0_wwwwwwww"

KIND_NAMES = {
    EntryKind.VOD: "VOD",
    EntryKind.LIVE: "Live",
    EntryKind.ROOM: "Room",
    EntryKind.OTHER: "Other",
}
#: Kaltura entry statuses as words.
STATUS_NAMES = {
    "-2": "import failed", "-1": "conversion failed", "0": "importing", "1": "converting",
    "2": "ready", "3": "deleted", "4": "pending", "5": "awaiting moderation",
    "6": "blocked", "7": "no media yet",
}


def kind_text(entry: Entry) -> str:
    """The session's type as a producer names it (a live entry that plays a video: Simulive)."""
    return "Simulive" if entry.is_simulive else KIND_NAMES[entry.kind]


def status_text(entry: Entry) -> str:
    """The entry's status as a word (a video's as uploading, converting, ready or error)."""
    if entry.kind is EntryKind.VOD:
        from ..services.recordings import status_of

        return status_of(entry).word
    return STATUS_NAMES.get(entry.status, entry.status or "unknown")


def status_reason(entry: Entry) -> str:
    """What a video's status means (the reason, for an error), else ""."""
    if entry.kind is not EntryKind.VOD:
        return ""
    from ..services.recordings import status_of

    return status_of(entry).sentence


def timing(entry: Entry) -> str:
    """Duration for a video, schedule for live sessions and rooms."""
    if entry.kind is EntryKind.VOD:
        return duration(entry.duration) if entry.duration else ""
    start, end = slot_of(entry)
    if start or end:
        return times.slot(start, end)
    return "not scheduled"


def slot_of(entry: Entry) -> tuple[int | None, int | None]:
    """The session's slot: its schedule event, else (older sessions) the entry's dates."""
    if entry.schedule is not None:
        return entry.schedule.start, entry.schedule.end
    return entry.start_date, entry.end_date


def timing_utc(entry: Entry) -> str:
    """The schedule in UTC (a tooltip), or ""."""
    return "" if entry.kind is EntryKind.VOD else times.slot_utc(*slot_of(entry))


def _timing_key(entry: Entry) -> int:
    return entry.duration if entry.kind is EntryKind.VOD else slot_of(entry)[0] or 0


COLUMNS: list[Column[Entry]] = [
    Column("ID", lambda e: e.id, width=12, fits=WIDEST_ID),
    Column("Name", lambda e: e.name, sort=lambda e: e.name.lower()),
    Column("Type", kind_text, width=8),
    Column("Status", status_text, width=13,
           tone=lambda e: "error" if e.status in ("-2", "-1", "6") else ""),
    Column("Duration / schedule", timing, sort=_timing_key, tooltip=timing_utc, width=34),
]
