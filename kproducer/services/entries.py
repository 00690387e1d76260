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
from KalturaClient.Plugins.Room import KalturaRoomEntry, KalturaRoomType

from ..kaltura import paging
from ..kaltura.client import CallResult, ProducerClient
from ..kaltura.errors import (
    InvalidInput,
    KalturaError,
    answer_lost,
)
from . import facts
from .account import Account
from .lost_answer import look_again
from .models import Entry, EntryKind
from .tokens import moderators_group

EVENT_TAG_PREFIX = "virtualevent_"
_EVENT_TAG = re.compile(rf"(?:^|,)\s*{EVENT_TAG_PREFIX}(\d+)\s*(?=,|$)")
#: Every status but DELETED (lists default to READY only).
ALL_STATUSES = "-2,-1,0,1,2,4,5,6,7"
ENTRY_ID = re.compile(r"^\d+_[0-9a-z]{8}$")
#: The group a create-and-group multirequest made when the create failed (older kproducers).
STRAY_GROUP = "_moderators"
#: Seconds before the request from which a lost create is looked for (clock skew included).
LOST_CREATE_WINDOW = 120


def event_tag(event_id: int) -> str:
    """The admin tag that ties an entry to an event."""
    return f"{EVENT_TAG_PREFIX}{event_id}"


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
    return Entry(
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


def _to_cache(entry: Entry) -> dict[str, Any]:
    data = dataclasses.asdict(entry)
    data["kind"] = entry.kind.value
    return data


def _from_cache(data: dict[str, Any]) -> Entry:
    return Entry(**{**data, "kind": EntryKind(data["kind"])})


def remember(account: Account, entry: Entry) -> Entry:
    """Cache an entry object (seed: entry TTL)."""
    account.cache.put(facts.ENTRY, entry.id, _to_cache(entry))
    return entry


def cached(account: Account, entry_id: str) -> Entry | None:
    """The cached entry, recorded as a cache hit, or None."""
    data = account.cache.get(facts.ENTRY, entry_id)
    if data is None:
        return None
    account.cached("baseEntry.get", entry_id)
    return _from_cache(data)


def entry_step(account: Account, entry_id: str, found: list[Entry]) -> facts.Step:
    """``baseEntry.get``; the entry is cached and appended to ``found``."""

    def settle(result: CallResult) -> None:
        found.append(remember(account, entry_from(result.unwrap())))

    return facts.Step("baseEntry.get", lambda c: c.baseEntry.get(entry_id), settle)


def get(account: Account, entry_id: str) -> Entry:
    """One entry, from the cache when possible."""
    entry_id = check_entry_id(entry_id)
    hit = cached(account, entry_id)
    if hit is not None:
        return hit
    found: list[Entry] = []
    facts.run(account, [entry_step(account, entry_id, found)])
    return found[0]


def list_entries(
    account: Account, event_id: int | None = None, limit: int | None = None
) -> list[Entry]:
    """Entries of an event (or all), newest first, any status but deleted; caches each.

    Read with a createdAt cursor (:mod:`kproducer.kaltura.paging`), so accounts with more
    than 10,000 entries are listed whole; ``limit`` stops after that many.
    """
    flt = KalturaBaseEntryFilter(statusIn=ALL_STATUSES)
    if event_id is not None:
        flt.adminTagsMultiLikeOr = event_tag(event_id)
    listed = paging.newest_first(
        account.conn, lambda c, page, pager: c.baseEntry.list(page, pager), flt, limit)
    return [remember(account, entry_from(obj)) for obj in listed]


def create(
    account: Account,
    kind: EntryKind,
    name: str,
    event_id: int | None = None,
    start_date: int | None = None,
    end_date: int | None = None,
) -> Entry:
    """Create a live entry or a room, then its moderators group: TWO requests."""
    name = name.strip()
    if not name:
        raise InvalidInput("A session needs a name.", "BAD_NAME")
    if kind not in (EntryKind.LIVE, EntryKind.ROOM):
        raise InvalidInput("kproducer creates live sessions and rooms only.", "BAD_TYPE")
    if start_date and end_date and end_date <= start_date:
        raise InvalidInput("The session must end after it starts.", "BAD_SCHEDULE")
    tags = event_tag(event_id) if event_id is not None else ""
    # Kaltura's field for another system's ID: if the answer is lost, it tells whether the
    # entry was made anyway (see _made_anyway), so a retry never makes a second one.
    reference = f"kproducer-{uuid.uuid4().hex}"
    sent = int(time.time())

    def queue(c: ProducerClient) -> list[Any]:
        obj: Any
        if kind is EntryKind.LIVE:
            obj = KalturaLiveStreamEntry(
                name=name, mediaType=KalturaMediaType.LIVE_STREAM_FLASH, adminTags=tags,
                referenceId=reference,
            )
            if start_date:
                obj.startDate = start_date
            if end_date:
                obj.endDate = end_date
            added = c.liveStream.add(obj, KalturaSourceType.LIVE_STREAM)
        else:
            obj = KalturaRoomEntry(name=name, roomType=KalturaRoomType.ROOM, adminTags=tags,
                                   referenceId=reference)
            added = c.room.room.add(obj)
        return [added]

    try:
        (result,) = account.conn.multi(queue)
    except KalturaError as exc:
        if not answer_lost(exc):  # Kaltura refused it, or it never left: nothing was made
            raise
        return _made_anyway(account, kind, name, reference, sent, exc)
    entry = remember(account, entry_from(result.unwrap()))
    _make_group(account, entry.id)
    return entry


def _make_group(account: Account, entry_id: str) -> None:
    """The new entry's moderators group, in a request of its own once the entry exists.

    Not in the create's multirequest: there a failed create turns ``{1:result:id}_moderators``
    into a group named ``_moderators``. The same request deletes such a stray group (one
    call, no extra request), so one an earlier kproducer made goes with the next create. A
    failure is left to the first moderator added, which makes the group too.
    """
    group = facts.group_step(account, moderators_group(entry_id), force=True)
    stray = facts.Step("group.delete", lambda c: c.group.group.delete(STRAY_GROUP),
                       lambda result: None)  # deleted, or was not there: both fine
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


def _made_anyway(
    account: Account, kind: EntryKind, name: str, reference: str, sent: int, error: KalturaError
) -> Entry:
    """The answer to a create was lost: find out whether Kaltura made it.

    Each look is ONE multirequest of two lists: by ``referenceId``, and by name among the
    entries created since shortly before the request (an account whose admin role lacks
    CONTENT_INGEST_REFERENCE_MODIFY drops ``referenceId`` silently, so the first can never
    find it there). The name match counts only entries of the same kind without another
    ``referenceId``. Lists lag the writes, so the look is repeated for a few seconds
    (:mod:`.lost_answer`); nothing found, or two candidates, is "in doubt".

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
    return entry
