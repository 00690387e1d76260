"""Sessions (entries) of events: list, get (cached), create live or room, attach to an event.

An entry is tied to its event by the admin tag ``virtualevent_{eventId}``: Kaltura's own
tools show and search admin tags (KMC, ``baseEntry.list`` with ``adminTagsMultiLikeOr``),
it survives exports, and it needs no custom-metadata profile on the account.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import time
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

from ..kaltura import paging
from ..kaltura.client import CallResult
from ..kaltura.errors import (
    InvalidInput,
    KalturaError,
    answer_lost,
)
from ..kaltura.producer_client import ProducerClient
from . import facts, schedule
from .account import Account
from .lost_answer import look_again
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


#: The group a create-and-group multirequest made when the create failed (older kproducers).
STRAY_GROUP = "_moderators"
#: The answer to deleting :data:`STRAY_GROUP` when there is none (the usual case).
STRAY_ABSENT = frozenset({"INVALID_GROUP_ID"})
#: Seconds before the request from which a lost create is looked for (clock skew included).
LOST_CREATE_WINDOW = 120


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


def _text(value: Any) -> str:
    """A string field of a client object ('' when unset: the client's NotImplemented)."""
    return value if isinstance(value, str) else ""


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
        thumbnail_url=_text(getattr(obj, "thumbnailUrl", "")),
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


def list_entries(
    account: Account, event_id: int | None = None, limit: int | None = None
) -> list[Entry]:
    """Entries of an event (or all), newest first, any status but deleted, with schedules.

    Read with a createdAt cursor (:mod:`kproducer.kaltura.paging`), so accounts with more
    than 10,000 entries are listed whole; ``limit`` stops after that many. Then the
    schedule events of the live sessions and rooms, 50 ``scheduleEvent.list`` calls per
    multirequest; each entry is cached.
    """
    flt = KalturaBaseEntryFilter(statusIn=ALL_STATUSES)
    if event_id is not None:
        flt.adminTagsMultiLikeOr = event_tag(event_id)
    listed = paging.newest_first(
        account.conn, lambda c, page, pager: c.baseEntry.list(page, pager), flt, limit)
    found = [entry_from(obj) for obj in listed]
    scheduled = [e for e in found if e.kind in schedule.SCHEDULED_KINDS]
    events = schedule.events_of(account, scheduled)
    return [remember(account, schedule.with_schedule(e, events.get(e.id))) for e in found]


def create(
    account: Account,
    kind: EntryKind,
    name: str,
    event_id: int | None = None,
    start_date: int | None = None,
    end_date: int | None = None,
    source_entry_id: str | None = None,
) -> Entry:
    """Create a live entry or a room, its moderators group and its schedule in ONE request.

    The group and the schedule event name the entry by a placeholder
    (``{1:result:id}``). When the create fails, Kaltura substitutes '' and would make a group
    named ``_moderators`` and an event for no entry: the request's last call deletes such a
    group (also one an earlier kproducer left), and a follow-up request, on that failure
    path only, deletes the event.

    Args:
        start_date: Scheduled start (unix seconds); with ``end_date``, a schedule event is
            added (``templateEntryId`` = the new entry, ``summary`` = its name). The
            entry's own ``startDate``/``endDate`` are left unset (an availability window).
        end_date: Scheduled end (unix seconds).
        source_entry_id: Simulive (LIVE with a slot): the video its schedule event plays
            (checked by :func:`kproducer.services.simulive.create`).

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
    # entry was made anyway (see made_anyway), so a retry never makes a second one.
    reference = f"kproducer-{uuid.uuid4().hex}"
    sent = int(time.time())

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
            event = schedule.event_object(kind, added.id, name, slot, source_entry_id)
            calls.append(c.schedule.scheduleEvent.add(event))
        calls.append(c.group.group.delete(STRAY_GROUP))  # gone already, or now: both fine
        return calls

    stray_at = 3 if slot is not None else 2  # the stray-group delete: "not there" is fine
    try:
        results = account.conn.multi(queue, expected={stray_at: STRAY_ABSENT})
    except KalturaError as exc:
        if not answer_lost(exc):  # Kaltura refused it, or it never left: nothing was made
            raise
        return made_anyway(account, kind, name, reference, sent, slot, exc, source_entry_id)
    if not results[0].ok and slot is not None and results[2].ok:
        _delete_stray_event(account, results[2].value)
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


def _delete_stray_event(account: Account, event: Any) -> None:
    """The schedule event a failed create made for no entry (``templateEntryId`` '')."""
    if getattr(event, "templateEntryId", None):
        return  # not a stray: it names an entry
    with contextlib.suppress(KalturaError):  # the refusal of the create is what to report
        account.conn.multi(lambda c: [c.schedule.scheduleEvent.delete(event.id)])


def _make_group(account: Account, entry_id: str) -> None:
    """A found entry's moderators group (a create whose answer was lost), in one request.

    A failed create turns ``{1:result:id}_moderators`` into a group named ``_moderators``:
    the same request deletes such a stray group (one
    call, no extra request), so one an earlier kproducer made goes with the next create. A
    failure is left to the first moderator added, which makes the group too.
    """
    group = facts.group_step(account, moderators_group(entry_id), force=True)
    stray = facts.Step("group.delete", lambda c: c.group.group.delete(STRAY_GROUP),
                       lambda result: None,  # deleted, or was not there: both fine
                       STRAY_ABSENT)
    with contextlib.suppress(KalturaError):
        facts.run(account, [s for s in (group, stray) if s is not None])


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


def made_anyway(
    account: Account, kind: EntryKind, name: str, reference: str, sent: int,
    slot: tuple[int, int] | None, error: KalturaError, source_entry_id: str | None = None,
) -> Entry:
    """The answer to a create was lost: find out whether Kaltura made it.

    Each look is ONE multirequest of two lists: by ``referenceId``, and by name among the
    entries created since shortly before the request (an account whose admin role lacks
    CONTENT_INGEST_REFERENCE_MODIFY drops ``referenceId`` silently, so the first can never
    find it there). The name match counts only entries of the same kind without another
    ``referenceId``. Lists lag the writes, so the look is repeated for a few seconds
    (:mod:`.lost_answer`); nothing found, or two candidates, is "in doubt".

    Each call of a multirequest commits on its own, so the entry may exist without its
    group or schedule event: both are made sure of (the schedule event only when the
    entry's schedule events, looked up in the same request, have none).

    Returns:
        The entry, when it was made (its moderators group is then made sure of too).
    """
    by_reference = KalturaBaseEntryFilter(referenceIdEqual=reference, statusIn=ALL_STATUSES)
    by_name = KalturaBaseEntryFilter(
        nameEqual=name, statusIn=ALL_STATUSES,
        createdAtGreaterThanOrEqual=sent - LOST_CREATE_WINDOW)
    pager = KalturaFilterPager(pageSize=50)

    def find() -> list[Entry]:
        referenced, named = account.conn.multi(lambda c: [
            c.baseEntry.list(by_reference, pager), c.baseEntry.list(by_name, pager)])
        hits = referenced.unwrap().objects or []
        if not hits:
            hits = [o for o in named.unwrap().objects or []
                    if not o.referenceId and entry_from(o).kind is kind]
        return [entry_from(o) for o in hits]

    entry = remember(account, look_again(find, error, "the session"))
    _make_group(account, entry.id)
    if slot is not None:
        entry = schedule.ensure(account, entry, slot, error, source_entry_id)
    return entry
