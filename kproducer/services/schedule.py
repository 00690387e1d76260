"""A session's time slot, the Kaltura way: a schedule event linked to its entry.

Live sessions get a ``KalturaLiveStreamScheduleEvent``, rooms a
``KalturaMeetingScheduleEvent``; ``templateEntryId`` is the entry and ``summary`` its name
(what Kaltura's webcasting and calendar tools read). The entry's own ``startDate``/``endDate``
are an availability window, not a schedule: sessions that keep their slot there are still
read (:data:`ScheduleSource.ENTRY_DATES`) and :func:`move_to_schedule_event` moves it.

One entry has at most one schedule event: before adding one when in doubt (a lost answer, a
cached ID that proved stale) the entry's events are looked up by ``templateEntryIdEqual``.
Server objects: ``plugins/schedule/base/lib/api/objects/KalturaScheduleEvent.php`` and
``KalturaEntryScheduleEvent.php`` of kaltura/server.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from KalturaClient.Plugins.Core import KalturaBaseEntry, KalturaFilterPager
from KalturaClient.Plugins.Schedule import (
    KalturaEntryScheduleEventFilter,
    KalturaLiveStreamScheduleEvent,
    KalturaMeetingScheduleEvent,
    KalturaScheduleEventRecurrenceType,
    KalturaScheduleEventStatus,
)

from ..kaltura.client import CallResult
from ..kaltura.errors import InvalidInput, KalturaError, answer_lost, maybe_done
from ..kaltura.producer_client import ProducerClient
from . import facts
from .account import Account
from .models import Entry, EntryKind, Schedule, ScheduleSource

#: What ``scheduleEvent.get|update|delete`` answer for an ID that is not (any more) a
#: schedule event (deleted ones included): ``ScheduleEventService.php``.
GONE_CODES = ("INVALID_OBJECT_ID",)
#: The longest single live stream schedule event Kaltura takes by default
#: (``SchedulePlugin::getSingleScheduleEventMaxDuration``: 24 hours; longer is
#: ``MAX_SCHEDULE_DURATION_REACHED``). Meeting events may last up to two years
#: (``KalturaMeetingScheduleEvent::getSingleScheduleEventMaxDuration``).
MAX_DURATION = 24 * 3600
#: Kinds of session that can have a schedule event.
SCHEDULED_KINDS = (EntryKind.LIVE, EntryKind.ROOM)


def check_slot(start: int | None, end: int | None) -> tuple[int, int] | None:
    """Both times or neither, the end after the start; None when neither is given.

    Raises:
        InvalidInput: Only one of them is given, or the end is not after the start.
    """
    if start is None and end is None:
        return None
    if start is None or end is None:
        raise InvalidInput("A schedule needs both a start and an end time.", "BAD_SCHEDULE")
    if end <= start:
        raise InvalidInput("The session must end after it starts.", "BAD_SCHEDULE")
    return start, end


def check_length(kind: EntryKind, slot: tuple[int, int] | None) -> None:
    """Refuse a live slot longer than Kaltura's single-event limit, before any call."""
    if slot is not None and kind is EntryKind.LIVE and slot[1] - slot[0] > MAX_DURATION:
        raise InvalidInput(f"A live session can last at most {MAX_DURATION // 3600} hours in "
                           "one schedule event.", "BAD_SCHEDULE")


def event_object(kind: EntryKind, entry_id: Any = None, summary: str | None = None,
                 slot: tuple[int, int] | None = None, source_entry_id: str | None = None) -> Any:
    """A schedule event object for ``add`` (entry ID, name and slot) or ``update`` (changes).

    Args:
        kind: LIVE → ``KalturaLiveStreamScheduleEvent``, ROOM → ``KalturaMeetingScheduleEvent``.
        entry_id: ``templateEntryId`` (an ID, or a multirequest placeholder); None on update.
        summary: The session's name, or None to leave it.
        slot: ``(start, end)`` in unix seconds, or None to leave it.
        source_entry_id: Simulive: the video the live entry plays (``sourceEntryId`` of a
            ``KalturaLiveStreamScheduleEvent``, ``plugins/schedule/base/lib/api/
            KalturaLiveStreamScheduleEvent.php``); LIVE only.
    """
    cls = KalturaLiveStreamScheduleEvent if kind is EntryKind.LIVE else KalturaMeetingScheduleEvent
    obj = cls()
    if entry_id is not None:
        obj.templateEntryId = entry_id
        obj.recurrenceType = KalturaScheduleEventRecurrenceType.NONE
    if summary is not None:
        obj.summary = summary
    if slot is not None:
        obj.startDate, obj.endDate = slot
    if source_entry_id is not None and kind is EntryKind.LIVE:
        obj.sourceEntryId = source_entry_id
    return obj


def schedule_from_event(obj: Any) -> Schedule:
    """A schedule event object as a :class:`Schedule`."""
    source = getattr(obj, "sourceEntryId", None)
    return Schedule(int(obj.startDate or 0), int(obj.endDate or 0),
                    ScheduleSource.SCHEDULE_EVENT, int(obj.id),
                    str(source) if source and source is not NotImplemented else None)


def from_entry_dates(entry: Entry) -> Schedule | None:
    """The slot an older session keeps in its own start/end dates (both set), or None."""
    if entry.start_date and entry.end_date and entry.end_date > entry.start_date:
        return Schedule(entry.start_date, entry.end_date, ScheduleSource.ENTRY_DATES)
    return None


def active_filter(entry_id: str) -> Any:
    """The filter of an entry's active schedule events."""
    return KalturaEntryScheduleEventFilter(templateEntryIdEqual=entry_id,
                                      statusEqual=KalturaScheduleEventStatus.ACTIVE,
                                      orderBy="+createdAt")


def lookup_call(entry_id: str) -> Callable[[ProducerClient], Any]:
    """Queues ``scheduleEvent.list`` of the entry's active schedule events."""
    return lambda c: c.schedule.scheduleEvent.list(active_filter(entry_id),
                                                   KalturaFilterPager(pageSize=5))


def first_event(listed: Any) -> Any | None:
    """The oldest active schedule event of a list answer (the one kproducer keeps), or None."""
    objects = list(getattr(listed, "objects", None) or [])
    return objects[0] if objects else None


def with_schedule(entry: Entry, event: Any | None) -> Entry:
    """``entry`` with its schedule: the schedule event, else the entry's own dates."""
    import dataclasses

    schedule = schedule_from_event(event) if event is not None else from_entry_dates(entry)
    return dataclasses.replace(entry, schedule=schedule)


def lookup(account: Account, entry_id: str) -> Any | None:
    """The entry's schedule event object, asked of Kaltura (ONE request), or None."""
    return first_event(account.conn.call(lookup_call(entry_id)))


def move_to_schedule_event(account: Account, entry_id: str) -> Entry:
    """Move an older session's slot from its entry dates to a schedule event (ONE request).

    The schedule event is added and the entry's ``startDate``/``endDate`` are cleared in the
    same multirequest, so the entry is no longer refused to players outside that window.
    Repeating it is safe: a session that already has a schedule event is returned as it is,
    and a lost answer is checked by looking the entry's schedule events up.

    Returns:
        The entry, its schedule now from a schedule event.

    Raises:
        InvalidInput: The session is not live or a room, or has no slot in its entry dates.
        ServiceUnavailable: The answer was lost and could not be checked.
    """
    from . import entries

    entry = entries.get(account, entry_id)
    if entry.schedule is not None and entry.schedule.source is ScheduleSource.SCHEDULE_EVENT:
        return entry
    legacy = from_entry_dates(entry)
    if entry.kind not in SCHEDULED_KINDS or legacy is None:
        raise InvalidInput(f"Session {entry.id} has no schedule in its start and end dates "
                           "to move.", "NO_SCHEDULE")
    clear = KalturaBaseEntry(startDate=None, endDate=None)
    obj = event_object(entry.kind, entry.id, entry.name, (legacy.start, legacy.end))
    try:
        results = account.conn.multi(lambda c: [c.schedule.scheduleEvent.add(obj),
                                                c.baseEntry.update(entry.id, clear)])
    except KalturaError as exc:
        if not answer_lost(exc):
            raise
        return _settle_lost_move(account, entry, exc)
    event = results[0].unwrap()
    moved = entries.entry_from(results[1].unwrap()) if results[1].ok else entry
    return entries.remember(account, with_schedule(moved, event))


def _settle_lost_move(account: Account, entry: Entry, error: KalturaError) -> Entry:
    from . import entries

    try:
        event = lookup(account, entry.id)
    except KalturaError:
        raise maybe_done(error, "the schedule may have been moved anyway, so look at the "
                                "session before moving it again") from error
    if event is None:
        raise error
    entries.forget(account, entry.id)
    return entries.remember(account, with_schedule(entry, event))


def lookup_step(entry_id: str, found: list[Any]) -> facts.Step:
    """``scheduleEvent.list`` by ``templateEntryIdEqual``; appends the event (or None)."""

    def settle(result: CallResult) -> None:
        found.append(first_event(result.unwrap()))

    return facts.Step("scheduleEvent.list", lookup_call(entry_id), settle)


def ensure(account: Account, entry: Entry, slot: tuple[int, int],
           error: KalturaError | None = None, source_entry_id: str | None = None) -> Entry:
    """Make sure the entry has exactly one schedule event with ``slot`` (repair path).

    Looks the entry's schedule events up (ONE request), then updates the one found or adds
    one (ONE more), so a lost answer or a stale cached ID never leads to a second event.

    Args:
        error: The lost-answer error being settled, raised with "may have been" wording
            when this cannot be done now.
    """
    from . import entries

    try:
        event = lookup(account, entry.id)
        if event is None:
            obj = event_object(entry.kind, entry.id, entry.name, slot, source_entry_id)
            event = account.conn.call(lambda c: c.schedule.scheduleEvent.add(obj))
        elif (int(event.startDate or 0), int(event.endDate or 0)) != slot or (
                event.summary != entry.name):
            change = event_object(entry.kind, summary=entry.name, slot=slot)
            event_id = int(event.id)
            event = account.conn.call(lambda c: c.schedule.scheduleEvent.update(event_id, change))
    except KalturaError as exc:
        if error is None:
            raise
        raise maybe_done(error, "its schedule may not be saved, so look at the session "
                                "before changing it again") from exc
    return entries.remember(account, with_schedule(entry, event))


#: Schedule lookups per multirequest (seed: batches of at most 50).
LOOKUPS_PER_REQUEST = 50
#: Above this many live sessions and rooms, their schedule events are read as one list of
#: the account's active events (500 a request) rather than 50 lookups a request.
BULK_SCHEDULES = 2 * LOOKUPS_PER_REQUEST


def events_of(account: Account, scheduled: list[Entry]) -> dict[str, Any]:
    """Each entry's oldest active schedule event (absent: none), in the fewest requests."""
    events: dict[str, Any] = {}
    if len(scheduled) > BULK_SCHEDULES:
        wanted = {e.id for e in scheduled}
        flt = KalturaEntryScheduleEventFilter(statusEqual=KalturaScheduleEventStatus.ACTIVE,
                                              orderBy="+createdAt")
        try:
            listed = account.conn.list_all(lambda c, pager: c.schedule.scheduleEvent.list(
                flt, pager))
        except KalturaError as exc:
            if exc.code != "QUERY_EXCEEDED_MAX_MATCHES_ALLOWED":
                raise
        else:  # oldest first: the first event of an entry is the one kproducer keeps
            for event in listed:
                if event.templateEntryId in wanted:
                    events.setdefault(event.templateEntryId, event)
            return events
    for start in range(0, len(scheduled), LOOKUPS_PER_REQUEST):
        batch = scheduled[start:start + LOOKUPS_PER_REQUEST]
        results = account.conn.multi(functools.partial(_lookups, batch))
        for entry, result in zip(batch, results, strict=True):
            events[entry.id] = first_event(result.unwrap())
    return events


def _lookups(batch: list[Entry], c: ProducerClient) -> list[Any]:
    return [lookup_call(e.id)(c) for e in batch]
