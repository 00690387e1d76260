"""``virtualevent_virtualevent`` service (``plugins/virtual_event/services/VirtualEventService``).

Admin sessions only. Ids are integers. Delete is soft (status DELETED) and a deleted event
is missing everywhere, lists included (``VirtualEventPeer`` default criteria). A schedule
event id must name a schedule event of the partner that is not deleted.
"""

from __future__ import annotations

import json
from typing import Any

from .. import errors
from ..api import Context, action
from ..errors import ApiError
from ..params import NULL, Param, set_fields
from .listing import list_response
from .objects import KUSER_GROUP, Obj, add_virtual_event, find_kuser, project

SERVICE = "virtualevent_virtualevent"
EVENT_DELETED = 3
_GROUP_TYPES = (KUSER_GROUP, 2)  # GROUP, APPLICATIVE_GROUP
_SCHEDULE_EVENT_IDS = (
    "agendaScheduleEventId", "registrationScheduleEventId", "mainEventScheduleEventId",
)


def _render(data: Obj) -> Obj:
    return project(data, "KalturaVirtualEvent")


def _find(ctx: Context, event_id: int) -> Obj:
    """A not-deleted event of the partner, else ``VIRTUAL_EVENT_NOT_FOUND``."""
    data = ctx.db.first(
        "SELECT data FROM virtual_events WHERE partner_id=? AND id=? AND status!=?",
        (ctx.partner_id, event_id, EVENT_DELETED),
    )
    if data is None:
        raise ApiError(errors.VIRTUAL_EVENT_NOT_FOUND, event_id)
    return data


def _save(ctx: Context, data: Obj) -> None:
    ctx.db.update("virtual_events", "id", data["id"], data, status=data["status"])


def _validate_links(ctx: Context, event: Obj) -> None:
    """``validateScheduleEvents`` then ``validateGroups`` (admins' groups first)."""
    for prop in _SCHEDULE_EVENT_IDS:
        value = event.get(prop)
        if isinstance(value, int) and value and not ctx.db.scalar(
            "SELECT 1 FROM schedule_events WHERE partner_id=? AND id=? AND status!=3",
            (ctx.partner_id, value),
        ):
            raise ApiError(errors.INVALID_OBJECT_ID, value)
    for prop in ("adminsGroupIds", "attendeesGroupIds"):
        value = event.get(prop)
        if not isinstance(value, str) or value in ("", "0"):  # PHP-falsy: no groups
            continue
        for group_id in value.split(","):
            group_id = group_id.strip()
            if find_kuser(ctx.db, ctx.partner_id, group_id, _GROUP_TYPES) is None:
                raise ApiError(errors.INVALID_GROUP_ID, group_id)


def _check_form_schema(event: Obj) -> None:
    """``kString::checkIsValidJson``: absent, or a JSON object (a null is neither)."""
    if "registrationFormSchema" not in event:
        return
    value = event["registrationFormSchema"]
    try:
        parsed = json.loads(value, parse_constant=_no_constant) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise ApiError(errors.VIRTUAL_EVENT_INVALID_REGISTRATION_FORM_SCHEMA)


def _no_constant(name: str) -> Any:
    raise ValueError(name)  # PHP's json_decode knows no NaN or Infinity


@action(SERVICE, "add", Param("virtualEvent", "KalturaVirtualEvent"))
def add(ctx: Context, virtualEvent: Obj) -> Obj:
    """Create an ACTIVE event; ``name`` is required."""
    _validate_links(ctx, virtualEvent)
    if virtualEvent.get("name") in (None, NULL):
        raise ApiError(errors.PROPERTY_VALIDATION_CANNOT_BE_NULL, "KalturaVirtualEvent::name")
    _check_form_schema(virtualEvent)
    data = set_fields({}, virtualEvent, "KalturaVirtualEvent", for_update=False)
    return _render(add_virtual_event(ctx.db, ctx.partner_id, data, ctx.now))


@action(SERVICE, "get", Param("id", "int"))
def get(ctx: Context, id: int) -> Obj:
    """One event by id."""
    return _render(_find(ctx, id))


@action(SERVICE, "update", Param("id", "int"), Param("virtualEvent", "KalturaVirtualEvent"))
def update(ctx: Context, id: int, virtualEvent: Obj) -> Obj:
    """Change an event's writable properties."""
    data = _find(ctx, id)
    _validate_links(ctx, virtualEvent)
    _check_form_schema(virtualEvent)
    set_fields(data, virtualEvent, "KalturaVirtualEvent", for_update=True)
    data["updatedAt"] = ctx.now
    _save(ctx, data)
    return _render(data)


@action(SERVICE, "delete", Param("id", "int"))
def delete(ctx: Context, id: int) -> None:
    """Soft delete: status DELETED; the event is then missing."""
    data = _find(ctx, id)
    data.update(status=EVENT_DELETED, updatedAt=ctx.now)
    _save(ctx, data)


EVENT_COLUMNS = {"id": "id", "status": "status", "partnerId": "partner_id"}


@action(
    SERVICE, "list",
    Param("filter", "KalturaVirtualEventFilter", optional=True),
    Param("pager", "KalturaFilterPager", optional=True),
)
def list_(ctx: Context, filter: Obj | None, pager: Obj | None) -> Obj:
    """The partner's events, never the deleted ones, in id order."""
    base: tuple[list[str], list[Any]] = (
        ["partner_id = ?", "status != ?"], [ctx.partner_id, EVENT_DELETED]
    )
    return list_response(
        ctx.db, "virtual_events", "KalturaVirtualEventListResponse", base, filter, pager,
        _render, columns=EVENT_COLUMNS, default_order="id ASC",
    )
