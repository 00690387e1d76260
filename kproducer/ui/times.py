"""Times as a producer reads and types them: local, with the zone named, UTC on demand.

No Qt here: the parser and the formats are plain Python, so they follow the process's time
zone (``TZ``) exactly as ``time.localtime`` does.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

#: How a time is written back into a field (and the example in every hint).
INPUT_FORMAT = "%Y-%m-%d %H:%M"
EXAMPLE = "2027-03-15 17:00"
MONTHS = {name: number for number, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}

_ISO = re.compile(
    r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})"
    r"(?:[ t,]+(?P<H>\d{1,2})[:.h](?P<M>\d{2}))?")
_WORDS = re.compile(
    r"(?:[a-z]+,?\s+)?(?P<d>\d{1,2})\s+(?P<mon>[a-z]{3})[a-z]*\.?,?\s+(?P<y>\d{4})"
    r"(?:[ ,]+(?:at\s+)?(?P<H>\d{1,2})[:.h](?P<M>\d{2}))?")


def zone_name(unix: int) -> str:
    """The local zone's abbreviation at that moment ("CET", "CEST", "UTC")."""
    return time.strftime("%Z", time.localtime(unix)) or "local time"


def local_time(unix: int | None, empty: str = "") -> str:
    """``Mon 15 Mar 2027, 17:00 CET``: the local time with its zone."""
    if not unix:
        return empty
    return time.strftime("%a %d %b %Y, %H:%M %Z", time.localtime(unix))


def local_clock(unix: int) -> str:
    """``17:00`` (the local time of day only, for the end of a same-day slot)."""
    return time.strftime("%H:%M", time.localtime(unix))


def utc_time(unix: int | None, empty: str = "") -> str:
    """``2027-03-15 16:00 UTC``."""
    if not unix:
        return empty
    return datetime.fromtimestamp(unix, UTC).strftime("%Y-%m-%d %H:%M UTC")


def input_text(unix: int) -> str:
    """A unix time as the text a time field holds (``2027-03-15 17:00``, local)."""
    return time.strftime(INPUT_FORMAT, time.localtime(unix))


def slot(start: int | None, end: int | None) -> str:
    """``Mon 15 Mar 2027, 17:00 – 18:00 CET`` (one day) or both ends in full."""
    if not (start or end):
        return ""
    if start and end and time.localtime(start)[:3] == time.localtime(end)[:3] \
            and zone_name(start) == zone_name(end):
        day = time.strftime("%a %d %b %Y, %H:%M", time.localtime(start))
        return f"{day} – {local_clock(end)} {zone_name(end)}"
    return f"{local_time(start, '?')} – {local_time(end, '?')}"


def slot_utc(start: int | None, end: int | None) -> str:
    """The slot in UTC, for a tooltip."""
    if not (start or end):
        return ""
    return f"{utc_time(start, '?')} – {utc_time(end, '?')}"


def parse_local(text: str) -> int:
    """A typed local date and time as unix seconds.

    Accepts ``2027-03-15 17:00``, ``2027-03-15T17:00``, ``2027/03/15 17.00``,
    ``15 Mar 2027 17:00`` and ``Mon 15 Mar 2027, 17:00`` (a trailing zone name that is the
    local one is ignored). A date without a time means midnight.

    Raises:
        ValueError: One sentence saying what was not understood.
    """
    cleaned = " ".join(text.strip().lower().split())
    if not cleaned:
        raise ValueError(f"Enter a date and time, e.g. {EXAMPLE}.")
    local_zones = {z.lower() for z in time.tzname} | {"local"}
    head, _, last = cleaned.rpartition(" ")
    if head and last in local_zones:
        cleaned = head
    match = _ISO.fullmatch(cleaned) or _WORDS.fullmatch(cleaned)
    if match is None:
        raise ValueError(f"“{text.strip()}” is not a date and time kproducer can read; "
                         f"write it as {EXAMPLE}.")
    parts = match.groupdict()
    month = int(parts["m"]) if parts.get("m") else MONTHS.get(parts.get("mon") or "", 0)
    try:
        moment = datetime(int(parts["y"]), month, int(parts["d"]),
                          int(parts["H"] or 0), int(parts["M"] or 0))
    except ValueError:
        raise ValueError(f"“{text.strip()}” is not a real date and time; "
                         f"write it as {EXAMPLE}.") from None
    return int(time.mktime(moment.timetuple()))
