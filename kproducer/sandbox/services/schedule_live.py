"""A live entry that a simulive schedule event makes playable now (``SchedulePlugin::getter``).

kaltura/server asks the schedule plugin before the encoder's status
(``LiveEntry::getLiveStatus`` → ``pluginableGetter``): for a template entry with
``live_schedule_capability``, the first ACTIVE event of it whose ``startDate`` ≤ now ≤
``endDate`` (``ScheduleEventPeer::retrieveByTemplateEntryIdAndTime``) decides, and a
``LiveStreamScheduleEvent`` with a ``sourceEntryId`` other than the template says PLAYABLE
from :data:`MINIMUM_TIME_TO_PLAYABLE` seconds after its calculated start (``startDate`` less
``preStartTime``), when the source exists and, if itself live, is live
(``LiveStreamScheduleEvent::dynamicGetter``). So a simulive session is on air in its slot
with no encoder, as on Kaltura.
"""

from __future__ import annotations

from ..store import Store
from .live_model import LIVE_PLAYABLE
from .objects import LIVE_STREAM, SCHEDULE_EVENT_ACTIVE, Obj, find_entry
from .schedule_events import LIVE_SCHEDULE_CAPABILITY

#: ``kSimuliveUtils::MINIMUM_TIME_TO_PLAYABLE_SEC`` (three default segments).
MINIMUM_TIME_TO_PLAYABLE = 18
_EVENT_TYPES = ("KalturaLiveStreamScheduleEvent", "KalturaLiveRedirectScheduleEvent",
                "KalturaMeetingScheduleEvent", "KalturaRecordScheduleEvent")


def current_event(db: Store, pid: int, entry_id: str, now: int) -> Obj | None:
    """``retrieveByTemplateEntryIdAndTime``: the first ACTIVE event of the entry at ``now``."""
    return db.first(
        "SELECT data FROM schedule_events WHERE partner_id=? AND status=? "
        "AND json_extract(data, '$.templateEntryId')=? "
        "AND json_extract(data, '$.startDate')<=? AND json_extract(data, '$.endDate')>=? "
        "AND json_extract(data, '$.objectType') IN (?, ?, ?, ?) ORDER BY id",
        (pid, SCHEDULE_EVENT_ACTIVE, entry_id, now, now, *_EVENT_TYPES),
    )


def scheduled_playable(db: Store, pid: int, entry: Obj, now: int) -> bool:
    """Whether the entry's current schedule event makes it PLAYABLE (simulive on air)."""
    capabilities = str(entry.get("capabilities") or "").split(",")
    if LIVE_SCHEDULE_CAPABILITY not in capabilities:
        return False
    event = current_event(db, pid, str(entry["id"]), now)
    if event is None or event.get("objectType") != "KalturaLiveStreamScheduleEvent":
        return False
    source_id = event.get("sourceEntryId")
    if not source_id or source_id == event.get("templateEntryId"):
        return False
    start = int(event.get("startDate") or 0) - int(event.get("preStartTime") or 0)
    if start + MINIMUM_TIME_TO_PLAYABLE > now:
        return False
    source = find_entry(db, pid, str(source_id))
    if source is None:
        return False
    return source.get("type") != LIVE_STREAM or source.get("liveStatus") == LIVE_PLAYABLE


def with_live_status(db: Store, pid: int, entry: Obj, now: int) -> Obj:
    """The live entry with ``liveStatus`` as ``LiveEntry::getLiveStatus`` gives it.

    The schedule plugin first (PLAYABLE in a simulive slot), else the encoder's stored
    status. Everything the server bases on ``getLiveStatus`` reads this: the entry's
    ``liveStatus`` field, ``liveStream.isLive`` and the fields frozen while broadcasting.
    """
    if entry.get("liveStatus") == LIVE_PLAYABLE or not scheduled_playable(db, pid, entry, now):
        return entry
    return {**entry, "liveStatus": LIVE_PLAYABLE}
