"""Virtual events: list, create, update, delete."""

from __future__ import annotations

import time
from typing import Any

from KalturaClient.Plugins.Core import KalturaFilterPager
from KalturaClient.Plugins.VirtualEvent import KalturaVirtualEvent, KalturaVirtualEventFilter

from ..kaltura.errors import (
    InvalidInput,
    KalturaError,
    answer_lost,
)
from .account import Account
from .lost_answer import look_again
from .models import Event, events_named

_STATUS = {2: "active", 3: "deleted"}


def event_from(obj: Any) -> Event:
    """A Kaltura virtual event as an :class:`Event`."""
    status = getattr(obj.status, "value", obj.status)
    return Event(
        id=int(obj.id),
        name=str(obj.name or ""),
        description=str(obj.description or ""),
        status=_STATUS.get(int(status or 0), str(status)),
        created_at=int(obj.createdAt or 0),
    )


def check_name(name: str) -> str:
    """Kaltura's rule for event names (3 to 256 characters), as a clear sentence."""
    name = name.strip()
    if not 3 <= len(name.encode()) <= 256:
        raise InvalidInput("An event name needs 3 to 256 characters.", "BAD_NAME")
    return name


def check_event_id(event_id: str | int) -> int:
    """An event ID is a positive whole number."""
    text = str(event_id).strip()
    if not text.isdigit() or int(text) <= 0:
        raise InvalidInput(f'"{text}" is not an event ID (a positive whole number).', "BAD_ID")
    return int(text)


def list_events(account: Account, search: str = "") -> list[Event]:
    """Active events, newest first; ``search`` matches names case-insensitively.

    "Newest" is ``createdAt`` (whole seconds), then the higher ID: events made in the same
    second come back from ``-createdAt`` in no set order (the server's SQL sorts on that
    column alone), so without the ID event 2 could be listed before event 3.
    """
    flt = KalturaVirtualEventFilter(orderBy="-createdAt")
    events = [event_from(obj) for obj in account.conn.list_all(
        lambda c, pager: c.virtualEvent.virtualEvent.list(flt, pager))]
    events.sort(key=lambda e: (e.created_at or 0, e.id), reverse=True)
    needle = search.strip().lower()
    return [e for e in events if needle in e.name.lower()] if needle else events


def named(account: Account, name: str) -> list[Event]:
    """The active events called ``name`` (spaces and letter case aside), newest first."""
    return events_named(list_events(account), name)


def get(account: Account, event_id: int) -> Event:
    """One event."""
    return event_from(account.conn.call(lambda c: c.virtualEvent.virtualEvent.get(event_id)))


#: Seconds around the request in which a lost create is looked for (clock skew included).
LOST_CREATE_WINDOW = 120


def create(account: Account, name: str, description: str = "") -> Event:
    """Create an event; if the answer is lost, find out whether it was made (no duplicate)."""
    event = KalturaVirtualEvent(name=check_name(name))
    if description.strip():
        event.description = description.strip()
    sent = int(time.time())
    try:
        return event_from(account.conn.call(lambda c: c.virtualEvent.virtualEvent.add(event)))
    except KalturaError as exc:
        if not answer_lost(exc):  # Kaltura refused it, or it never left: nothing was made
            raise
        return _made_anyway(account, event, sent, exc)


def _made_anyway(account: Account, event: Any, sent: int, error: KalturaError) -> Event:
    """The answer to ``virtualEvent.add`` was lost: find out whether it was made.

    Events have no field for another system's ID, so the one event with this name and
    description created around the time of the request is taken to be it. The list lags
    the writes, so it is looked at again for a few seconds (:mod:`.lost_answer`); nothing
    found, or several, is "in doubt".
    """
    flt = KalturaVirtualEventFilter(createdAtGreaterThanOrEqual=sent - LOST_CREATE_WINDOW)
    wanted = (event.name, "" if event.description is NotImplemented else event.description)

    def find() -> list[Event]:
        listed = account.conn.call(lambda c: c.virtualEvent.virtualEvent.list(
            flt, KalturaFilterPager(pageSize=500)))
        return [event_from(o) for o in listed.objects or []
                if (o.name or "", o.description or "") == wanted]

    return look_again(find, error, "the event")


def update(
    account: Account, event_id: int, name: str | None = None, description: str | None = None
) -> Event:
    """Rename an event or change its description."""
    event = KalturaVirtualEvent()
    if name is not None:
        event.name = check_name(name)
    if description is not None:
        event.description = description.strip()
    return event_from(
        account.conn.call(lambda c: c.virtualEvent.virtualEvent.update(event_id, event))
    )


def delete(account: Account, event_id: int) -> None:
    """Delete an event (its sessions stay; their event tag is left as a record)."""
    account.conn.call(lambda c: c.virtualEvent.virtualEvent.delete(event_id))
