"""Simulive: a ready video played as a live session at a given time, the Kaltura way.

Kaltura plays a video "as live" through a live entry used as a template: a
``KalturaLiveStreamScheduleEvent`` with ``templateEntryId`` = the live entry and
``sourceEntryId`` = the video (``plugins/schedule/base/lib/api/KalturaLiveStreamScheduleEvent.php``;
on save ``LiveStreamScheduleEvent::addCapabilityToTemplateEntry`` gives the live entry
``simulive_capability``, and ``kSimuliveUtils`` streams the source's flavors during the slot).
So a simulive session is a live session — its own moderators group, tied to its event, with
attendees' links that last until its end — whose schedule event names the video it plays.

The server checks only that the source exists (and, for a non-admin KS, that it is a video
or playlist): a video still converting would be accepted and play nothing, so kproducer
refuses it before any write, with the video's status in words.
"""

from __future__ import annotations

from .account import Account
from .models import Entry, EntryKind

READY = "2"
_STATUS_WORDS = {"-2": "its import failed", "-1": "its conversion failed", "0": "importing",
                 "1": "converting", "4": "pending", "5": "awaiting moderation",
                 "6": "blocked", "7": "waiting for its file"}


def check_source(account: Account, source_id: str) -> Entry:
    """The video to play, asked of Kaltura (ONE request): it must be a ready video.

    Raises:
        InvalidInput: Not an entry ID, not a video, or not ready.
        KalturaError: The entry does not exist (``ENTRY_ID_NOT_FOUND``) or cannot be read.
    """
    from ..kaltura.errors import InvalidInput
    from . import entries

    source_id = entries.check_entry_id(source_id)
    entries.forget(account, source_id)  # its status moves while it converts: ask
    source = entries.get(account, source_id)
    if source.kind is not EntryKind.VOD:
        raise InvalidInput(f"{source.id} (“{source.name}”) is not a video: simulive plays a "
                           "ready video as a live session.", "NOT_A_VIDEO")
    if source.status != READY:
        state = _STATUS_WORDS.get(source.status, f"status {source.status}")
        raise InvalidInput(f"The video {source.id} (“{source.name}”) is not ready ({state}): "
                           "it can be scheduled as simulive once it is ready.", "NOT_READY")
    return source


def slot_for(source: Entry, start: int, end: int | None) -> tuple[int, int]:
    """The simulive slot: ``end`` as given, else the start plus the video's duration.

    Raises:
        InvalidInput: No end and the video's duration is not known; or end ≤ start, or
            longer than one live schedule event may last.
    """
    from ..kaltura.errors import InvalidInput
    from . import schedule

    if end is None:
        if not source.duration:
            raise InvalidInput(f"The length of the video {source.id} is not known: give an "
                               "end time.", "BAD_SCHEDULE")
        end = start + source.duration
    slot = schedule.check_slot(start, end)
    assert slot is not None
    schedule.check_length(EntryKind.LIVE, slot)
    return slot


def create(account: Account, source_id: str, name: str, start: int, end: int | None = None,
           event_id: int | None = None) -> Entry:
    """Schedule a ready video as a simulive session (ONE request to check, ONE to create).

    The live entry, its moderators group and the schedule event with ``sourceEntryId`` are
    made in one multirequest by :func:`kproducer.services.entries.create` (a lost answer is
    settled as for any live session, without a second entry or event).

    Args:
        source_id: The video to play.
        name: The session's name (also the schedule event's summary).
        start: When it starts playing (unix seconds).
        end: When the slot ends; default: start + the video's duration.
        event_id: The virtual event it belongs to, or None.

    Returns:
        The new live entry, its schedule naming the source (:attr:`Entry.is_simulive`).
    """
    from . import entries

    name = entries.check_name(name)
    source = check_source(account, source_id)
    slot = slot_for(source, start, end)
    return entries.create(account, EntryKind.LIVE, name, event_id, slot[0], slot[1],
                          source_entry_id=source.id)
