"""``schedule_scheduleevent`` service (``plugins/schedule/base/services/ScheduleEventService.php``).

Live stream and meeting schedule events, single (non-recurring) only, with the checks of
``KalturaScheduleEvent``, ``KalturaEntryScheduleEvent`` and ``KalturaLiveStreamScheduleEvent``:
``recurrenceType``, ``summary``, ``startDate`` and ``endDate`` are required on add;
a live stream event gives its template entry ``live_schedule_capability`` (and, for
simulive, with a ``sourceEntryId`` that must exist, ``simulive_capability``); the end
may not come before the start; one event lasts at most 24 hours (a meeting 3 days); two
events of one template entry may not overlap (``SCHEDULE_TIME_IN_USE``). Ids are integers.
Delete is soft (status DELETED) and a deleted event is missing everywhere
(``ScheduleEventPeer`` default criteria); cancel keeps it, CANCELLED.

What the sandbox does not implement (recurring events, ``linkedTo``, other event classes,
filter properties beyond those the app uses) is refused with ``SANDBOX_NOT_IMPLEMENTED``.
"""

from __future__ import annotations

from typing import Any

from .. import errors
from ..api import Context, action
from ..errors import ApiError, ErrorDef
from ..params import NULL, Param, set_fields
from .listing import list_response
from .objects import Obj, add_schedule_event, find_entry, project, save_entry

SERVICE = "schedule_scheduleevent"
CANCELLED, DELETED = 1, 3
NONE, RECURRING, RECURRENCE = 0, 1, 2
_MEDIA_CLIP, _PLAYLIST = "1", "5"
_DAY = 86400

#: Event class → (``KalturaScheduleEventType``, longest single event in seconds).
_CLASSES = {
    "KalturaLiveStreamScheduleEvent": (2, _DAY),
    "KalturaMeetingScheduleEvent": (4, 3 * _DAY),
}
_FILTER_TYPES = {
    "KalturaLiveStreamScheduleEventFilter": 2,
    "KalturaMeetingScheduleEventFilter": 4,
}
_MAX_DURATION = 2 * 365 * _DAY  # SchedulePlugin::getScheduleEventmaxDuration

#: Filter properties the sandbox implements; any other one set is refused.
FILTERS = frozenset({
    "idEqual", "idIn", "statusEqual", "statusIn", "templateEntryIdEqual",
    "startDateGreaterThanOrEqual", "startDateLessThanOrEqual",
    "endDateGreaterThanOrEqual", "endDateLessThanOrEqual", "orderBy",
})

INVALID_SCHEDULE_END_BEFORE_START = ErrorDef.parse(
    "INVALID_SCHEDULE_END_BEFORE_START;START,END;"
    "End time [@END@] must be after start time [@START@]"
)
MAX_SCHEDULE_DURATION_REACHED = ErrorDef.parse(
    "MAX_SCHEDULE_DURATION_REACHED;MAX;Maximum schedule duration [@MAX@] reached"
)
SCHEDULE_TIME_IN_USE = ErrorDef.parse(
    "SCHEDULE_TIME_IN_USE;;Another event is already scheduled during this time"
)
START_TIME_AND_LINKED_TO_NOT_SET = ErrorDef.parse(
    "START_TIME_AND_LINKED_TO_NOT_SET;;Event must have either fields StartTime or LinkedTo set"
)
SANDBOX_NOT_IMPLEMENTED = errors.SANDBOX_NOT_IMPLEMENTED


def _unset(obj: Obj, prop: str) -> bool:
    return obj.get(prop) is None or obj.get(prop) is NULL


def _event_class(event: Obj) -> str:
    name = str(event["objectType"])
    if name not in _CLASSES:
        raise ApiError(SANDBOX_NOT_IMPLEMENTED, f"schedule events of class {name}")
    return name


def _render(data: Obj) -> Obj:
    return project(data, data["objectType"])


def _find(ctx: Context, event_id: int) -> Obj:
    """A not-deleted event of the partner, else ``INVALID_OBJECT_ID``."""
    data = ctx.db.first(
        "SELECT data FROM schedule_events WHERE partner_id=? AND id=? AND status!=?",
        (ctx.partner_id, event_id, DELETED),
    )
    if data is None:
        raise ApiError(errors.INVALID_OBJECT_ID, event_id)
    return data


def _save(ctx: Context, data: Obj) -> None:
    ctx.db.update("schedule_events", "id", data["id"], data, status=data["status"])


def _check_live_fields(ctx: Context, event: Obj) -> None:
    """``KalturaLiveStreamScheduleEvent::validateLiveStreamEventFields``."""
    if event["objectType"] != "KalturaLiveStreamScheduleEvent":
        return
    for prop in ("preStartTime", "postEndTime"):
        value = event.get(prop)
        if isinstance(value, int) and value < 0:
            raise ApiError(errors.INVALID_FIELD_VALUE, prop)
    types = {
        "sourceEntryId": () if ctx.is_admin else (_MEDIA_CLIP, _PLAYLIST),
        "preStartEntryId": (_MEDIA_CLIP,),
        "postEndEntryId": (_MEDIA_CLIP,),
    }
    for prop, allowed in types.items():
        value = event.get(prop)
        if _unset(event, prop):
            continue
        entry = find_entry(ctx.db, ctx.partner_id, str(value))
        if entry is None:
            raise ApiError(errors.ENTRY_ID_NOT_FOUND, value)
        if allowed and entry.get("type") not in allowed:
            raise ApiError(errors.INVALID_FIELD_VALUE, prop)


#: ``LiveEntry::LIVE_SCHEDULE_CAPABILITY`` and ``LiveEntry::SIMULIVE_CAPABILITY``.
LIVE_SCHEDULE_CAPABILITY, SIMULIVE_CAPABILITY = "live_schedule_capability", "simulive_capability"


def _add_capabilities(ctx: Context, event: Obj) -> None:
    """``LiveStreamScheduleEvent::addCapabilityToTemplateEntry`` (postInsert, postUpdate).

    The template live entry gets ``live_schedule_capability``, and with a ``sourceEntryId``
    (simulive) ``simulive_capability`` too, in its ``capabilities``.
    """
    if event.get("objectType") != "KalturaLiveStreamScheduleEvent":
        return
    template = event.get("templateEntryId")
    entry = find_entry(ctx.db, ctx.partner_id, str(template)) if template else None
    if entry is None:
        return
    have = [c for c in str(entry.get("capabilities") or "").split(",") if c]
    wanted = [LIVE_SCHEDULE_CAPABILITY] + ([SIMULIVE_CAPABILITY]
                                           if event.get("sourceEntryId") else [])
    added = [c for c in wanted if c not in have]
    if added:
        entry["capabilities"] = ",".join(have + added)
        save_entry(ctx.db, entry)


def _check_dates(
    ctx: Context, class_name: str, template: Any, start: int, end: int, event_id: int | None
) -> None:
    """``validateDates``, the template's overlap check, then the single-event limit."""
    if start > end:
        raise ApiError(INVALID_SCHEDULE_END_BEFORE_START, start, end)
    if end - start > _MAX_DURATION:
        raise ApiError(MAX_SCHEDULE_DURATION_REACHED, _MAX_DURATION)
    if isinstance(template, str) and template:
        clash = ctx.db.scalar(
            "SELECT 1 FROM schedule_events WHERE partner_id=? AND status!=? AND id!=? "
            "AND json_extract(data, '$.templateEntryId')=? AND ("
            "(json_extract(data, '$.startDate') < ? AND json_extract(data, '$.endDate') > ?) OR "
            "(json_extract(data, '$.startDate') < ? AND json_extract(data, '$.endDate') > ?) OR "
            "(json_extract(data, '$.startDate') >= ? AND json_extract(data, '$.endDate') <= ?))",
            (ctx.partner_id, DELETED, event_id or 0, template,
             start, start, end, end, start, end),
        )
        if clash:
            raise ApiError(SCHEDULE_TIME_IN_USE)
    longest = _CLASSES[class_name][1]
    if end - start > longest:
        raise ApiError(MAX_SCHEDULE_DURATION_REACHED, longest)


def _check_recurrence(event: Obj) -> None:
    value = event.get("recurrenceType")
    if value == RECURRENCE:
        raise ApiError(
            errors.INVALID_ENUM_VALUE, value, "recurrenceType",
            "KalturaScheduleEventRecurrenceType",
        )
    if value == RECURRING:
        raise ApiError(SANDBOX_NOT_IMPLEMENTED, "recurring schedule events")
    if not _unset(event, "linkedTo"):
        raise ApiError(SANDBOX_NOT_IMPLEMENTED, "linked schedule events (linkedTo)")


@action(SERVICE, "add", Param("scheduleEvent", "KalturaScheduleEvent"))
def add(ctx: Context, scheduleEvent: Obj) -> Obj:
    """Create an ACTIVE single event (``validateForInsert``, subclass first)."""
    event = scheduleEvent
    class_name = _event_class(event)
    _check_live_fields(ctx, event)
    for prop in ("recurrenceType", "summary"):
        if _unset(event, prop):
            raise ApiError(errors.PROPERTY_VALIDATION_CANNOT_BE_NULL, f"{class_name}::{prop}")
    if _unset(event, "startDate") and _unset(event, "linkedTo"):
        raise ApiError(START_TIME_AND_LINKED_TO_NOT_SET)
    _check_recurrence(event)
    if _unset(event, "endDate"):
        raise ApiError(errors.PROPERTY_VALIDATION_CANNOT_BE_NULL, f"{class_name}::endDate")
    _check_dates(
        ctx, class_name, event.get("templateEntryId"),
        int(event["startDate"]), int(event["endDate"]), None,
    )
    data = set_fields({}, event, class_name, for_update=False)
    data["objectType"] = class_name
    added = add_schedule_event(ctx.db, ctx.partner_id, data, ctx.now, ctx.user_id)
    _add_capabilities(ctx, added)
    return _render(added)


@action(SERVICE, "get", Param("scheduleEventId", "int"))
def get(ctx: Context, scheduleEventId: int) -> Obj:
    """One event by id; a deleted one is ``INVALID_OBJECT_ID``."""
    return _render(_find(ctx, scheduleEventId))


@action(
    SERVICE, "update",
    Param("scheduleEventId", "int"), Param("scheduleEvent", "KalturaScheduleEvent"),
)
def update(ctx: Context, scheduleEventId: int, scheduleEvent: Obj) -> Obj:
    """Change an event (``validateForUpdate``); the sequence goes up by one."""
    data = _find(ctx, scheduleEventId)
    event = scheduleEvent
    class_name = _event_class(event)
    _check_live_fields(ctx, event)
    if event.get("endDate") is NULL:
        raise ApiError(errors.PROPERTY_VALIDATION_CANNOT_BE_NULL, f"{class_name}::endDate")
    _check_recurrence(event)
    start = int(data["startDate"] if _unset(event, "startDate") else event["startDate"])
    end = int(data["endDate"] if _unset(event, "endDate") else event["endDate"])
    template = data.get("templateEntryId") if _unset(event, "templateEntryId") else (
        event["templateEntryId"]
    )
    _check_dates(ctx, data["objectType"], template, start, end, data["id"])
    sequence = event.get("sequence")
    if not isinstance(sequence, int) or sequence <= int(data.get("sequence") or 0):
        data["sequence"] = int(data.get("sequence") or 0) + 1
        event = {k: v for k, v in event.items() if k != "sequence"}
    set_fields(data, event, data["objectType"], for_update=True)
    data["updatedAt"] = ctx.now
    _save(ctx, data)
    _add_capabilities(ctx, data)
    return _render(data)


def _set_status(ctx: Context, event_id: int, status: int) -> Obj:
    data = _find(ctx, event_id)
    data.update(status=status, updatedAt=ctx.now)
    _save(ctx, data)
    return _render(data)


@action(SERVICE, "delete", Param("scheduleEventId", "int"))
def delete(ctx: Context, scheduleEventId: int) -> Obj:
    """Soft delete: status DELETED; returns the event as it now is."""
    return _set_status(ctx, scheduleEventId, DELETED)


@action(SERVICE, "cancel", Param("scheduleEventId", "int"))
def cancel(ctx: Context, scheduleEventId: int) -> Obj:
    """Status CANCELLED: the event stays visible (and still holds its time)."""
    return _set_status(ctx, scheduleEventId, CANCELLED)


EVENT_COLUMNS = {"id": "id", "status": "status", "partnerId": "partner_id"}


@action(
    SERVICE, "list",
    Param("filter", "KalturaScheduleEventFilter", optional=True),
    Param("pager", "KalturaFilterPager", optional=True),
)
def list_(ctx: Context, filter: Obj | None, pager: Obj | None) -> Obj:
    """Events by filter, never the deleted ones; a typed filter lists its type only."""
    filt = dict(filter or {})
    set_props = {
        k for k, v in filt.items() if k != "objectType" and v is not None and v is not NULL
    }
    unknown = sorted(set_props - FILTERS)
    if unknown:
        raise ApiError(errors.SANDBOX_FILTER_NOT_IMPLEMENTED, unknown[0],
                       filt.get("objectType") or "KalturaScheduleEventFilter")
    conditions: list[str] = ["partner_id = ?", "status != ?"]
    params: list[Any] = [ctx.partner_id, DELETED]
    filter_class = str(filt.get("objectType") or "")
    if filter_class in _FILTER_TYPES:
        wanted = [c for c, (t, _) in _CLASSES.items() if t == _FILTER_TYPES[filter_class]]
        conditions.append("json_extract(data, '$.objectType') = ?")
        params.extend(wanted)
    elif filter_class not in ("", "KalturaScheduleEventFilter", "KalturaEntryScheduleEventFilter"):
        raise ApiError(SANDBOX_NOT_IMPLEMENTED, f"the filter class {filter_class}")
    return list_response(
        ctx.db, "schedule_events", "KalturaScheduleEventListResponse", (conditions, params),
        filt, pager, _render, columns=EVENT_COLUMNS, default_order="id ASC",
        checked_by_caller=True,
    )
