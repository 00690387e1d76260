"""Sessions (entries) of events: list, get (cached), create live or room, attach to an event.

An entry is tied to its event by the admin tag ``virtualevent_{eventId}``: Kaltura's own
tools show and search admin tags (KMC, ``baseEntry.list`` with ``adminTagsMultiLikeOr``),
it survives exports, and it needs no custom-metadata profile on the account.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import re
import uuid
from typing import Any

from KalturaClient.Plugins.Core import (
    KalturaBaseEntry,
    KalturaBaseEntryFilter,
    KalturaFilterPager,
    KalturaLiveStreamEntry,
    KalturaMediaType,
    KalturaSourceType,
)
from KalturaClient.Plugins.Group import KalturaGroup
from KalturaClient.Plugins.Room import KalturaRoomEntry, KalturaRoomType

from ..kaltura.client import CallResult, ProducerClient
from ..kaltura.errors import (
    InvalidInput,
    KalturaError,
    answer_lost,
    in_doubt,
)
from . import facts, schedule
from .account import Account
from .models import Entry, EntryKind, Schedule, ScheduleSource
from .tokens import moderators_group

EVENT_TAG_PREFIX = "virtualevent_"
_EVENT_TAG = re.compile(rf"(?:^|,)\s*{EVENT_TAG_PREFIX}(\d+)\s*(?=,|$)")
#: Every status but DELETED (lists default to READY only).
ALL_STATUSES = "-2,-1,0,1,2,4,5,6,7"
ENTRY_ID = re.compile(r"^\d+_[0-9a-z]{8}$")
#: Calls per multirequest (seed: batches of at most 50).
BATCH = 50
#: The longest entry name Kaltura keeps: ``entry::MAX_NAME_LEN`` (alpha/lib/model/entry.php)
#: silently cuts longer names, so kproducer refuses them instead.
MAX_NAME_LENGTH = 256


def check_name(name: str) -> str:
    """A session name, stripped; refused when empty or longer than Kaltura keeps."""
    name = name.strip()
    if not name:
        raise InvalidInput("A session needs a name.", "BAD_NAME")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInput(f"A session name can have at most {MAX_NAME_LENGTH} characters "
                           f"and this one has {len(name)}.", "BAD_NAME")
    return name


def event_tag(event_id: int) -> str:
    """The admin tag that ties an entry to an event."""
    return f"{EVENT_TAG_PREFIX}{event_id}"


def is_event_tag(tag: str) -> bool:
    """Whether an admin tag is one that ties an entry to an event."""
    return _EVENT_TAG.fullmatch(tag.strip()) is not None


def check_entry_id(entry_id: str) -> str:
    """Refuse text that cannot be a Kaltura entry ID, before any call."""
    entry_id = entry_id.strip()
    if not ENTRY_ID.match(entry_id):
        raise InvalidInput(
            f'"{entry_id}" is not a Kaltura entry ID (they look like 1_abcd2345).', "BAD_ENTRY_ID"
        )
    return entry_id


def _kind(obj: Any) -> EntryKind:
    entry_type = str(getattr(obj.type, "value", obj.type) or "")
    tags = str(obj.adminTags or "")
    if entry_type == "room.room" or "_room" in tags:
        return EntryKind.ROOM
    if entry_type in ("7", "8"):
        return EntryKind.LIVE
    if entry_type == "1":
        return EntryKind.VOD
    return EntryKind.OTHER


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, int) and value > 0 else None


def entry_from(obj: Any) -> Entry:
    """A Kaltura entry object as an :class:`Entry`."""
    tags = str(obj.adminTags or "")
    match = _EVENT_TAG.search(tags)
    status = getattr(obj.status, "value", obj.status)
    entry = Entry(
        id=str(obj.id),
        name=str(obj.name or ""),
        kind=_kind(obj),
        status=str(status or ""),
        duration=int(getattr(obj, "duration", 0) or 0),
        start_date=_int(obj.startDate),
        end_date=_int(obj.endDate),
        event_id=int(match.group(1)) if match else None,
        admin_tags=tags,
        created_at=int(obj.createdAt or 0),
    )
    return dataclasses.replace(entry, schedule=schedule.from_entry_dates(entry))


def _to_cache(entry: Entry) -> dict[str, Any]:
    data = dataclasses.asdict(entry)
    data["kind"] = entry.kind.value
    if entry.schedule is not None:
        data["schedule"]["source"] = entry.schedule.source.value
    return data


def _from_cache(data: dict[str, Any]) -> Entry | None:
    if "schedule" not in data:  # cached before schedules were looked up: ask again
        return None
    slot = data["schedule"]
    return Entry(**{**data, "kind": EntryKind(data["kind"]),
                    "schedule": None if slot is None else Schedule(
                        **{**slot, "source": ScheduleSource(slot["source"])})})


def remember(account: Account, entry: Entry) -> Entry:
    """Cache an entry object (seed: entry TTL)."""
    account.cache.put(facts.ENTRY, entry.id, _to_cache(entry))
    return entry


def cached(account: Account, entry_id: str) -> Entry | None:
    """The cached entry, recorded as a cache hit, or None."""
    data = account.cache.get(facts.ENTRY, entry_id)
    entry = _from_cache(data) if data is not None else None
    if entry is None:
        return None
    account.cached("baseEntry.get", entry_id)
    return entry


def forget(account: Account, entry_id: str) -> None:
    """Drop the cached entry (it changed or went away on the server)."""
    account.cache.delete(facts.ENTRY, entry_id)


def entry_steps(account: Account, entry_id: str, found: list[Entry]) -> list[facts.Step]:
    """``baseEntry.get`` and ``scheduleEvent.list`` of its schedule event (same request).

    The entry, with its schedule, is cached and appended to ``found``.
    """
    got: list[Entry] = []

    def settle_entry(result: CallResult) -> None:
        got.append(entry_from(result.unwrap()))

    def settle_schedule(result: CallResult) -> None:
        entry = got[0]
        event = schedule.first_event(result.unwrap()) if result.ok else None
        if not result.ok and entry.kind in schedule.SCHEDULED_KINDS:
            raise result.unwrap()
        found.append(remember(account, schedule.with_schedule(entry, event)))

    return [facts.Step("baseEntry.get", lambda c: c.baseEntry.get(entry_id), settle_entry),
            facts.Step("scheduleEvent.list", schedule.lookup_call(entry_id), settle_schedule)]


def get(account: Account, entry_id: str) -> Entry:
    """One entry with its schedule, from the cache when possible (else ONE request)."""
    entry_id = check_entry_id(entry_id)
    hit = cached(account, entry_id)
    if hit is not None:
        return hit
    found: list[Entry] = []
    facts.run(account, entry_steps(account, entry_id, found))
    return found[0]


def list_entries(account: Account, event_id: int | None = None) -> list[Entry]:
    """Entries of an event (or all), newest first, any status but deleted, with schedules.

    One ``baseEntry.list`` per 500 entries, then the schedule events of the live sessions
    and rooms, 50 ``scheduleEvent.list`` calls per multirequest; each entry is cached.
    """
    flt = KalturaBaseEntryFilter(statusIn=ALL_STATUSES, orderBy="-createdAt")
    if event_id is not None:
        flt.adminTagsMultiLikeOr = event_tag(event_id)
    listed = account.conn.list_all(lambda c, pager: c.baseEntry.list(flt, pager))
    found = [entry_from(obj) for obj in listed]
    scheduled = [e for e in found if e.kind in schedule.SCHEDULED_KINDS]
    events: dict[str, Any] = {}
    for start in range(0, len(scheduled), BATCH):
        batch = scheduled[start:start + BATCH]
        results = account.conn.multi(functools.partial(_lookups, batch))
        for entry, result in zip(batch, results, strict=True):
            events[entry.id] = schedule.first_event(result.unwrap())
    return [remember(account, schedule.with_schedule(e, events.get(e.id))) for e in found]


def _lookups(batch: list[Entry], c: ProducerClient) -> list[Any]:
    return [schedule.lookup_call(e.id)(c) for e in batch]


def create(
    account: Account,
    kind: EntryKind,
    name: str,
    event_id: int | None = None,
    start_date: int | None = None,
    end_date: int | None = None,
) -> Entry:
    """Create a live entry or a room, its moderators group and its schedule in ONE request.

    Args:
        start_date: Scheduled start (unix seconds); with ``end_date``, a schedule event is
            added (``templateEntryId`` = the new entry, ``summary`` = its name). The
            entry's own ``startDate``/``endDate`` are left unset (an availability window).
        end_date: Scheduled end (unix seconds).

    Raises:
        InvalidInput: Empty or too long name, not live/room, half a schedule or end ≤ start.
        ServiceUnavailable: The answer was lost and whether it was made cannot be known.
    """
    name = check_name(name)
    if kind not in schedule.SCHEDULED_KINDS:
        raise InvalidInput("kproducer creates live sessions and rooms only.", "BAD_TYPE")
    slot = schedule.check_slot(start_date, end_date)
    schedule.check_length(kind, slot)
    tags = event_tag(event_id) if event_id is not None else ""
    # Kaltura's field for another system's ID: if the answer is lost, it tells whether the
    # entry was made anyway (see _made_anyway), so a retry never makes a second one.
    reference = f"kproducer-{uuid.uuid4().hex}"

    def queue(c: ProducerClient) -> list[Any]:
        obj: Any
        if kind is EntryKind.LIVE:
            obj = KalturaLiveStreamEntry(
                name=name, mediaType=KalturaMediaType.LIVE_STREAM_FLASH, adminTags=tags,
                referenceId=reference,
            )
            added = c.liveStream.add(obj, KalturaSourceType.LIVE_STREAM)
        else:
            obj = KalturaRoomEntry(name=name, roomType=KalturaRoomType.ROOM, adminTags=tags,
                                   referenceId=reference)
            added = c.room.room.add(obj)
        group = f"{added.id}_moderators"
        calls = [added, c.group.group.add(KalturaGroup(id=group, screenName=group))]
        if slot is not None:
            event = schedule.event_object(kind, added.id, name, slot)
            calls.append(c.schedule.scheduleEvent.add(event))
        return calls

    try:
        results = account.conn.multi(queue)
    except KalturaError as exc:
        if not answer_lost(exc):  # Kaltura refused it, or it never left: nothing was made
            raise
        return _made_anyway(account, reference, slot, exc)
    entry = entry_from(results[0].unwrap())
    group_result = results[1]
    if group_result.ok or group_result.failed_with("DUPLICATE_USER_BY_ID"):
        account.cache.put(facts.GROUP_EXISTS, moderators_group(entry.id), True)
    if slot is None:
        return remember(account, entry)
    added = results[2]
    if not added.ok and added.error is not None:  # each call commits on its own
        remember(account, entry)
        raise type(added.error)(
            f"Session {entry.id} was created, but Kaltura refused its schedule: "
            f"{added.error.message.rstrip('.')}; set it with entries update.",
            added.error.code, action=added.error.action)
    return remember(account, schedule.with_schedule(entry, added.value))


def attach(account: Account, entry_id: str, event_id: int) -> Entry:
    """Tie an existing entry to an event, and make sure its moderators group exists."""
    entry = get(account, entry_id)
    if entry.event_id == event_id:
        return entry
    tags = [t.strip() for t in entry.admin_tags.split(",") if t.strip()]
    tags = [t for t in tags if not _EVENT_TAG.fullmatch(t)] + [event_tag(event_id)]
    update = KalturaBaseEntry(adminTags=",".join(tags))
    updated: list[Entry] = []

    def settle(result: CallResult) -> None:
        updated.append(remember(account, entry_from(result.unwrap())))

    steps = [facts.Step("baseEntry.update", lambda c: c.baseEntry.update(entry.id, update), settle)]
    group = facts.group_step(account, moderators_group(entry.id))
    if group is not None:
        steps.append(group)
    facts.run(account, steps)
    return updated[0]


def _made_anyway(account: Account, reference: str, slot: tuple[int, int] | None,
                 error: KalturaError) -> Entry:
    """The answer to a create was lost: find out (ONE request) whether Kaltura made it.

    Each call of a multirequest commits on its own, so the entry may exist without its
    group or schedule event: both are made sure of (the schedule event only when the
    entry's schedule events, looked up in the same request, have none).

    Returns:
        The entry, when it was made (its moderators group is then made sure of too).

    Raises:
        ServiceUnavailable: It was not made (the original error: trying again is safe), or
            that cannot be known now (the sentence then says to look before trying again).
    """
    flt = KalturaBaseEntryFilter(referenceIdEqual=reference, statusIn=ALL_STATUSES)

    def queue(c: ProducerClient) -> list[Any]:
        listed = c.baseEntry.list(flt, KalturaFilterPager(pageSize=1))
        calls = [listed]
        if slot is not None:  # its schedule event, by the found entry's ID (a placeholder)
            calls.append(schedule.lookup_call(listed.objects[0].id)(c))
        return calls

    try:
        results = account.conn.multi(queue)
        listed = results[0].unwrap()
    except KalturaError:
        raise in_doubt(error, "the session") from error
    if not listed.objects:
        raise error
    entry = remember(account, entry_from(listed.objects[0]))
    event = None
    if slot is not None and results[1].ok:
        found = schedule.first_event(results[1].value)
        # an empty placeholder would list every event: only the entry's own one counts
        event = found if found is not None and found.templateEntryId == entry.id else None
    step = facts.group_step(account, moderators_group(entry.id))
    if step is not None:
        with contextlib.suppress(KalturaError):  # else made with the first moderator added
            facts.run(account, [step])
    if event is not None:
        return remember(account, schedule.with_schedule(entry, event))
    if slot is not None:
        entry = schedule.ensure(account, entry, slot, error)
    return entry
