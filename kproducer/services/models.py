"""Plain data the services hand to the UI and the command line (never Kaltura objects)."""

from __future__ import annotations

import enum
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


@dataclass(frozen=True)
class Entry:
    """A session of an event: a VOD entry, a live stream or a meeting room.

    Attributes:
        duration: Seconds, for VOD (0 when unknown).
        start_date: Scheduled start (unix seconds), for live and rooms, or None.
        end_date: Scheduled end (unix seconds), for live and rooms, or None.
        event_id: The virtual event it is tied to, or None.
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
