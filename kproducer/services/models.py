"""Plain data the services hand to the UI and the command line (never Kaltura objects)."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field


class EntryKind(enum.Enum):
    """What a session is, as a producer thinks of it."""

    VOD = "vod"
    LIVE = "live"
    ROOM = "room"
    OTHER = "other"


class Role(enum.Enum):
    """Who a link or preview is for."""

    ATTENDEE = "attendee"
    MODERATOR = "moderator"


@dataclass(frozen=True)
class Event:
    """A Kaltura virtual event."""

    id: int
    name: str
    description: str = ""
    status: str = "active"
    created_at: int = 0


def events_named(found: Iterable[Event], name: str) -> list[Event]:
    """The events of ``found`` called ``name``, spaces and letter case aside.

    Plain data, no request: the New event dialog checks it as the producer types.
    """

    def key(text: str) -> str:
        return " ".join(text.split()).casefold()

    wanted = key(name)
    return [e for e in found if key(e.name) == wanted]


class ScheduleSource(enum.Enum):
    """Where a session's time slot is kept on Kaltura."""

    #: A schedule event (``templateEntryId`` = the entry): what Kaltura's tools read.
    SCHEDULE_EVENT = "schedule_event"
    #: The entry's own ``startDate``/``endDate`` (an availability window; older sessions).
    ENTRY_DATES = "entry_dates"


@dataclass(frozen=True)
class Schedule:
    """A session's time slot.

    Attributes:
        start: Unix seconds (UTC).
        end: Unix seconds (UTC), after ``start``.
        source: Where it is kept; :data:`ScheduleSource.ENTRY_DATES` can be moved to a
            schedule event with :func:`kproducer.services.schedule.move_to_schedule_event`.
        schedule_event_id: The schedule event's ID (source SCHEDULE_EVENT), else None.
        source_entry_id: For a simulive session, the video its live entry plays
            (the live stream schedule event's ``sourceEntryId``), else None.
    """

    start: int
    end: int
    source: ScheduleSource = ScheduleSource.SCHEDULE_EVENT
    schedule_event_id: int | None = None
    source_entry_id: str | None = None


@dataclass(frozen=True)
class Entry:
    """A session of an event: a VOD entry, a live stream or a meeting room.

    Attributes:
        duration: Seconds, for VOD (0 when unknown).
        start_date: The entry's own ``startDate`` (availability window start), or None.
        end_date: The entry's own ``endDate`` (availability window end), or None.
        event_id: The virtual event it is tied to, or None.
        schedule: The session's time slot: its schedule event, else the entry's own dates
            when both are set (older sessions), else None.
        thumbnail_url: The entry's ``thumbnailUrl`` (absolute; a size is appended to it).
    """

    id: str
    name: str
    kind: EntryKind
    status: str
    duration: int = 0
    start_date: int | None = None
    end_date: int | None = None
    event_id: int | None = None
    admin_tags: str = ""
    created_at: int = 0
    schedule: Schedule | None = None
    #: The entry's ``thumbnailUrl`` (absolute; add ``/width/W/height/H`` for a size), or ''.
    thumbnail_url: str = ""

    @property
    def is_simulive(self) -> bool:
        """A live entry whose schedule event plays a video (``sourceEntryId``): simulive."""
        return (self.kind is EntryKind.LIVE and self.schedule is not None
                and bool(self.schedule.source_entry_id))

    @property
    def scheduled_end(self) -> int | None:
        """When the session is scheduled to end (unix seconds), or None.

        Its schedule, else the entry's own ``endDate`` (older sessions). Token expiry reads it.
        """
        return self.schedule.end if self.schedule is not None else self.end_date


@dataclass(frozen=True)
class Moderator:
    """A member of an entry's ``{entryId}_moderators`` group."""

    user_id: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""

    @property
    def display_name(self) -> str:
        """Full name, falling back to the user ID."""
        return " ".join(p for p in (self.first_name, self.last_name) if p) or self.user_id


@dataclass(frozen=True)
class IssuedTokens:
    """What one person needs to watch and chat: a USER KS and a CnC JWT.

    Attributes:
        ks_expires_at: Unix seconds.
        jwt_expires_at: Unix seconds.
        session_ends_at: When the session is expected to end (unix seconds), or None.
        warnings: Sentences for the producer (e.g. a token ends before the session does).
        link_id: The KS's ``sessionid`` (the link's ID in the ledger); '' for none.
    """

    user_id: str
    role: Role
    entry_id: str
    event_id: int | None
    ks: str
    jwt: str
    ks_expires_at: int
    jwt_expires_at: int
    session_ends_at: int | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)
    link_id: str = ""
