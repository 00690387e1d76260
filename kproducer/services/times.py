"""Times as producers type and read them: ISO 8601, local unless it names a zone; kept in UTC.

``datetime.fromisoformat`` (Python 3.11+) reads every form the command line documents
(``2027-03-15T17:00``, ``2027-03-15 17:00``, ``…Z``, ``…+01:00``), so no date library is needed.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from ..kaltura.errors import InvalidInput


def parse_time(text: str, what: str = "time") -> int:
    """Unix seconds of an ISO 8601 time; local time unless it carries ``Z`` or an offset.

    Args:
        text: e.g. ``2027-03-15T17:00``, ``2027-03-15T16:00Z``, ``2027-03-15T17:00+01:00``.
        what: Names the value in the error sentence ("start time").

    Raises:
        InvalidInput: The text is not such a time.
    """
    cleaned = text.strip()
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError:
        raise InvalidInput(f'The {what} "{cleaned}" is not an ISO 8601 time such as '
                           "2027-03-15T17:00 (local) or 2027-03-15T16:00Z.", "BAD_TIME") from None
    if moment.tzinfo is None:
        moment = moment.astimezone()  # a naive time is the producer's local time
    return int(moment.timestamp())


def iso_utc(timestamp: int | None) -> str | None:
    """``2027-03-15T16:00:00Z``; None stays None."""
    if not timestamp:
        return None
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def local_text(timestamp: int) -> str:
    """The time in the producer's zone, the zone named: ``2027-03-15 17:00 CET``."""
    return datetime.fromtimestamp(timestamp).astimezone().strftime("%Y-%m-%d %H:%M %Z")


def slot_text(start: int, end: int) -> str:
    """``2027-03-15 17:00 CET – 2027-03-15 18:00 CET``."""
    return f"{local_text(start)} – {local_text(end)}"


def in_past(timestamp: int, now: float | None = None) -> bool:
    """Whether the time has passed."""
    return timestamp < (time.time() if now is None else now)
