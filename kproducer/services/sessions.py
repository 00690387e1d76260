"""Editing sessions: rename, reschedule, move to another event, delete — ONE request each.

Each function works from the cached entry (``entries.get``: the cache, else one request)
and then sends its changes as ONE multirequest: the entry, its schedule event and, for a
delete, its moderators group go together. Repeating any of them is safe: an update sets
the same values again, and a delete finds what is already gone and says so.
Server: ``api_v3/services/BaseEntryService.php`` (update, delete: soft, status DELETED),
``plugins/schedule/base/services/ScheduleEventService.php`` (update, delete: soft).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from KalturaClient.Plugins.Core import KalturaBaseEntry, KalturaBaseEntryFilter, KalturaFilterPager

from ..kaltura.client import CallResult
from ..kaltura.errors import InvalidInput, KalturaError, answer_lost, maybe_done
from ..kaltura.producer_client import ProducerClient
from . import entries, facts, schedule
from .account import Account
from .models import Entry, ScheduleSource
from .tokens import moderators_group

#: ``event_id`` value of :func:`update` that leaves the event as it is.
KEEP = object()
#: The codes of a delete that finds its object already gone.
ALREADY_GONE = ("ENTRY_ID_NOT_FOUND", "INVALID_ENTRY_ID", "GROUP_NOT_FOUND", "INVALID_GROUP_ID",
                "INVALID_OBJECT_ID")


@dataclass(frozen=True)
class UpdateResult:
    """What an update did.

    Attributes:
        entry: The session as Kaltura now has it (schedule included).
        left_event_id: The virtual event the session left (it moved or was detached), or None.
        joined_event_id: The virtual event it moved to, or None.
        same_name: IDs of other sessions of its event with the same name (allowed; warn).
        changed: Whether anything was sent (False: nothing differed, no request).
    """

    entry: Entry
    left_event_id: int | None = None
    joined_event_id: int | None = None
    same_name: tuple[str, ...] = ()
    changed: bool = True


@dataclass(frozen=True)
class DeleteResult:
    """What a delete did.

    Attributes:
        entry_id: The session.
        already_gone: Kaltura had deleted it before (e.g. a repeat after a lost answer).
        left_event_id: The virtual event it belonged to, or None.
    """

    entry_id: str
    already_gone: bool = False
    left_event_id: int | None = None


def same_name_filter(name: str, event_id: int) -> Any:
    """Sessions of ``event_id`` named exactly ``name`` (any status but deleted)."""
    return KalturaBaseEntryFilter(nameEqual=name, adminTagsMultiLikeOr=entries.event_tag(event_id),
                                  statusIn=entries.ALL_STATUSES)


def _same_name_ids(listed: Any, event_id: int, but: str | None) -> tuple[str, ...]:
    tag = entries.event_tag(event_id)
    return tuple(str(o.id) for o in (listed.objects or []) if str(o.id) != but
                 and tag in [t.strip() for t in str(o.adminTags or "").split(",")])


def same_name(account: Account, name: str, event_id: int | None,
              but: str | None = None) -> tuple[str, ...]:
    """IDs of the sessions of ``event_id`` named ``name``, except ``but`` (ONE request).

    () without a request when there is no event.
    """
    if event_id is None:
        return ()
    flt = same_name_filter(name.strip(), event_id)
    listed = account.conn.call(lambda c: c.baseEntry.list(flt, KalturaFilterPager(pageSize=50)))
    return _same_name_ids(listed, event_id, but)


def _tags_for(entry: Entry, event_id: int | None) -> str:
    tags = [t.strip() for t in entry.admin_tags.split(",") if t.strip()]
    tags = [t for t in tags if not entries.is_event_tag(t)]
    if event_id is not None:
        tags.append(entries.event_tag(event_id))
    return ",".join(tags)


def update(account: Account, entry_id: str, *, name: str | None = None,
           start: int | None = None, end: int | None = None,
           event_id: Any = KEEP, check_names: bool = True) -> UpdateResult:
    """Rename, reschedule and/or move a session: ONE request (warm cache).

    Args:
        name: The new name, or None to keep it (the schedule event's summary follows it).
        start: New scheduled start (unix seconds), with ``end``; None keeps the schedule.
        end: New scheduled end (unix seconds).
        event_id: The virtual event to move it to, None to take it out of its event, or
            :data:`KEEP`. The result says which event it left.
        check_names: Report other sessions of the (new) event with the same name (a
            ``baseEntry.list`` by ``nameEqual`` in the same multirequest).

    Raises:
        InvalidInput: Bad name, half a schedule, end ≤ start, or a schedule for a VOD.
        NotFound: No such session.
        ServiceUnavailable: The answer was lost: the sentence says it may have been done,
            and repeating the same update is safe.
    """
    entry_id = entries.check_entry_id(entry_id)
    new_name = entries.check_name(name) if name is not None else None
    slot = schedule.check_slot(start, end)
    entry = entries.get(account, entry_id)
    if slot is not None and entry.kind not in schedule.SCHEDULED_KINDS:
        raise InvalidInput("Only live sessions and rooms have a schedule.", "BAD_SCHEDULE")
    schedule.check_length(entry.kind, slot)
    target = entry.event_id if event_id is KEEP else event_id
    change = KalturaBaseEntry()
    changed_entry = False
    if new_name is not None and new_name != entry.name:
        change.name, changed_entry = new_name, True
    if target != entry.event_id:
        change.adminTags, changed_entry = _tags_for(entry, target), True
    final_name = new_name or entry.name
    current = entry.schedule
    on_event = current is not None and current.source is ScheduleSource.SCHEDULE_EVENT
    want_slot = slot if slot is not None else (
        (current.start, current.end) if current is not None else None)
    # An explicit slot is always sent: one changed in KMC since it was cached is put back.
    slot_differs = slot is not None
    summary_differs = on_event and new_name is not None and new_name != entry.name
    if slot_differs and current is not None and current.source is ScheduleSource.ENTRY_DATES:
        change.startDate, change.endDate, changed_entry = None, None, True
    left = entry.event_id if target != entry.event_id else None
    joined = target if target != entry.event_id else None
    names_event = target if (check_names and isinstance(target, int) and changed_entry
                             and (new_name is not None or joined is not None)) else None
    if not (changed_entry or slot_differs or summary_differs):
        return UpdateResult(entry, None, None, (), changed=False)

    def queue(c: ProducerClient) -> list[Any]:
        calls = []
        if names_event is not None:  # first: the index does not see this update yet anyway
            calls.append(c.baseEntry.list(same_name_filter(final_name, names_event),
                                          KalturaFilterPager(pageSize=50)))
        if changed_entry:
            calls.append(c.baseEntry.update(entry.id, change))
        if (slot_differs or summary_differs) and on_event and current is not None:
            edit = schedule.event_object(entry.kind, summary=final_name,
                                         slot=slot if slot_differs else None)
            calls.append(c.schedule.scheduleEvent.update(current.schedule_event_id, edit))
        elif slot_differs and want_slot is not None:
            calls.append(c.schedule.scheduleEvent.add(
                schedule.event_object(entry.kind, entry.id, final_name, want_slot)))
            # The cache said there is none; one added in KMC since would now be a second.
            calls.append(schedule.lookup_call(entry.id)(c))
        return calls

    try:
        results = account.conn.multi(queue)
    except KalturaError as exc:
        entries.forget(account, entry.id)
        if not answer_lost(exc):
            raise
        raise maybe_done(exc, "the change may have been saved anyway; running the same "
                              "update again is safe") from exc
    names: tuple[str, ...] = ()
    if names_event is not None:
        listed, results = results[0], results[1:]
        if listed.ok:  # a failed check is no reason to report the update as failed
            names = _same_name_ids(listed.value, names_event, entry.id)
    try:
        updated = _settle_update(account, entry, results, changed_entry, final_name, want_slot,
                                 slot_differs or summary_differs)
    except KalturaError:
        entries.forget(account, entry.id)  # e.g. deleted in KMC: the cache was wrong
        raise
    return UpdateResult(updated, left, joined, names)


def _settle_update(account: Account, entry: Entry, results: list[CallResult],
                   changed_entry: bool, name: str, slot: tuple[int, int] | None,
                   touched_schedule: bool) -> Entry:
    """The entry after an update; a schedule event deleted in KMC is found or re-added."""
    index = 0
    updated = entry
    if changed_entry:
        updated = entries.entry_from(results[0].unwrap())
        updated = dataclasses.replace(updated, schedule=entry.schedule
                                      if entry.schedule and entry.schedule.source
                                      is ScheduleSource.SCHEDULE_EVENT else updated.schedule)
        index = 1
    if not touched_schedule:
        return entries.remember(account, updated)
    result = results[index]
    if result.failed_with(*schedule.GONE_CODES) and slot is not None:
        # Deleted (or never ours) on the server while cached: find the entry's event or add one.
        return schedule.ensure(account, dataclasses.replace(updated, name=name), slot)
    event = result.unwrap()
    if len(results) > index + 1 and results[index + 1].ok:  # we added one: was it the only?
        listed = results[index + 1].value
        others = [o for o in (listed.objects or []) if int(o.id) != int(event.id)]
        if others and slot is not None:
            event_id = int(event.id)
            account.conn.call(lambda c: c.schedule.scheduleEvent.delete(event_id))
            return schedule.ensure(account, dataclasses.replace(updated, name=name), slot)
    return entries.remember(account, schedule.with_schedule(updated, event))


def delete(account: Account, entry_id: str) -> DeleteResult:
    """Delete a session with its moderators group and schedule event: ONE request (warm).

    Kaltura soft-deletes all three (status DELETED). Repeating it is safe: what is already
    gone is reported as such, not as an error.

    Raises:
        NotFound: No such session (and it was not known here either).
        ServiceUnavailable: The answer was lost: it may have been deleted; repeating is safe.
    """
    entry = entries.get(account, entry_id)
    event_id = (entry.schedule.schedule_event_id
                if entry.schedule is not None and entry.schedule.schedule_event_id else None)
    group = moderators_group(entry.id)

    def queue(c: ProducerClient) -> list[Any]:
        # The entry's schedule event as the server has it (one added in KMC since it was
        # cached included): its first result is deleted through a multirequest placeholder.
        listed = schedule.lookup_call(entry.id)(c)
        calls = [listed, c.baseEntry.delete(entry.id), c.group.group.delete(group),
                 c.schedule.scheduleEvent.delete(listed.objects[0].id)]
        if event_id is not None:
            calls.append(c.schedule.scheduleEvent.delete(event_id))
        return calls

    try:
        results = account.conn.multi(queue)
    except KalturaError as exc:
        if not answer_lost(exc):
            raise
        # The cached entry stays: running the delete again then reports what is gone.
        raise maybe_done(exc, "the session may have been deleted anyway; running the same "
                              "delete again is safe") from exc
    entries.forget(account, entry.id)
    facts.forget_group(account, group)
    listed, deleted, group_result = results[0], results[1], results[2]
    for result in (deleted, group_result):
        if not result.ok and not result.failed_with(*ALREADY_GONE):
            result.unwrap()
    # The schedule event deletes: by the listed ID (nothing when none was listed, its
    # placeholder then names nothing) and by the cached one (gone when it was the same).
    if listed.ok and listed.value.objects:
        first = results[3]
        if not first.ok and not first.failed_with(*ALREADY_GONE):
            first.unwrap()
    return DeleteResult(entry.id, deleted.failed_with(*ALREADY_GONE), entry.event_id)
