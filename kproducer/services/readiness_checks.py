"""The findings of a go-live check, from what :mod:`.readiness` gathered (no requests here).

Each finding is one sentence a producer understands, the fix in words, and, where the app
can make or open the fix, a :class:`~.readiness_model.Fix`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from . import readiness_links
from .account import Account
from .models import Entry, EntryKind
from .readiness_model import Finding, Fix, sort_key

if TYPE_CHECKING:
    from .readiness import Gathered, SessionState
    from .readiness_links import LinkFacts

ACCOUNTS = "File › Accounts… (or kproducer profile add)"
#: ``KalturaEntryStatus`` → what it means for a recording, and whether it plays.
_VOD_STATUS = {
    "-2": "its recording could not be imported",
    "-1": "its recording could not be converted",
    "0": "its recording is still being imported",
    "1": "its recording is still being converted",
    "4": "its recording is waiting to be processed",
    "5": "it is waiting for moderation",
    "6": "it is blocked",
    "7": "it has no recording yet",
}
_READY = "2"


def findings(account: Account, got: Gathered, sessions: list[Entry], now: float,
             links: Mapping[str, LinkFacts]) -> list[Finding]:
    """Every finding: the event-wide ones first, then each session's, soonest first."""
    out = list(_event_wide(account, got, sessions))
    for entry in sessions:
        state = got.sessions[entry.id]
        mine = [*_session(account, state, now), *readiness_links.findings(
            state.entry, links.get(entry.id))]
        out.extend(sorted(mine, key=sort_key))
    return out


# --- event-wide ---------------------------------------------------------------------------------


def _event_wide(account: Account, got: Gathered, sessions: list[Entry]) -> Iterator[Finding]:
    if not sessions:
        yield Finding(None, "sessions", False, "The event has no sessions yet.",
                      "Create a live session or a room on the Entries tab, or attach a "
                      "recording to the event.")
    elif got.listed_total > len(sessions) and got.listed_total > 500:
        yield Finding(None, "sessions", False,
                      f"The event has {got.listed_total} sessions and only the first "
                      f"{len(sessions)} were checked.", "Split the event into smaller ones.")
    yield _cnc_token(account, got)
    yield _uiconf(got, "player_uiconf", "player", account.settings.player_uiconf_id)
    yield _uiconf(got, "cnc_uiconf", "chat (CnC)", account.settings.cnc_uiconf_id)


def _cnc_token(account: Account, got: Gathered) -> Finding:
    check = "cnc_token"
    if got.cnc_token is not None:
        return Finding(None, check, True, "The chat (CnC) app token was found and is active.")
    if got.cnc_error == "given":
        return Finding(None, check, False,
                       "The chat (CnC) app token set for this account is not an active app "
                       "token of the account.",
                       f"Set the right CnC app token in {ACCOUNTS}, or create one with "
                       'privileges "cncAuth:true".', Fix.EDIT_ACCOUNT)
    if got.cnc_error is not None and got.cnc_error.isdigit():
        count = int(got.cnc_error)
        return Finding(None, check, False,
                       f"The account needs exactly one active app token with privileges "
                       f'"cncAuth:true" for chat, and {count} were found.',
                       "Create that app token (or delete the extra ones), or set the one to "
                       f"use in {ACCOUNTS}.", Fix.EDIT_ACCOUNT)
    return Finding(None, check, False,
                   f"The chat (CnC) app token could not be looked up: {_clause(got.cnc_error)}.",
                   "Check again in a moment.")


def _uiconf(got: Gathered, check: str, what: str, ui_conf_id: int | None) -> Finding:
    if ui_conf_id is None:
        return Finding(None, check, False, f"No {what} uiconf is set for this account.",
                       f"Set the {what} uiconf ID in {ACCOUNTS}.", Fix.EDIT_ACCOUNT)
    error = got.uiconfs.get(ui_conf_id, "not asked")
    if error is None:
        return Finding(None, check, True, f"The {what} uiconf {ui_conf_id} exists on the account.")
    if error == "INVALID_UI_CONF_ID":
        return Finding(None, check, False,
                       f"The {what} uiconf {ui_conf_id} does not exist on the account, so "
                       "links and previews would not load.",
                       f"Set an existing {what} uiconf ID in {ACCOUNTS} (KMC › Studio lists "
                       "them).", Fix.EDIT_ACCOUNT)
    return Finding(None, check, False,
                   f"The {what} uiconf {ui_conf_id} could not be looked up ({error}).",
                   "Check again in a moment.")


# --- one session -----------------------------------------------------------------------------


def _session(account: Account, state: SessionState, now: float) -> Iterator[Finding]:
    entry = state.entry
    yield _entry_status(entry)
    if entry.kind is EntryKind.LIVE:
        yield (Finding(entry.id, "encoder_kit", True,
                       "Its encoder settings (ingest URLs and stream name) are ready.")
               if state.has_kit else
               Finding(entry.id, "encoder_kit", False,
                       "Kaltura gives no ingest URLs or stream name for it, so no encoder can "
                       "broadcast to it.",
                       "Check the live stream's ingest settings in KMC, or create the live "
                       "session again.", Fix.OPEN_ENCODER))
    if entry.kind is EntryKind.ROOM:
        yield (Finding(entry.id, "kme_launch", True, "Room launches (KME) are set up.")
               if account.settings.kme is not None else
               Finding(entry.id, "kme_launch", False,
                       "No KME launch URL, key and secret are set for this account, so no one "
                       "can be sent into this room.",
                       f"Set the KME launch URL, key and secret in {ACCOUNTS}.",
                       Fix.EDIT_ACCOUNT))
    if entry.kind in (EntryKind.LIVE, EntryKind.ROOM):
        yield _schedule(state, now)
    yield _moderators(state)
    if entry.kind is EntryKind.LIVE:
        found = _broadcasting(state, now)
        if found is not None:
            yield found
    for error in state.errors:
        yield Finding(entry.id, "lookup", False,
                      f"Part of the check could not be made: {_clause(error)}.",
                      "Check again in a moment.")


def _entry_status(entry: Entry) -> Finding:
    if entry.kind is EntryKind.VOD:
        if entry.status == _READY:
            return Finding(entry.id, "entry", True, "The recording is ready to play.")
        why = _VOD_STATUS.get(entry.status, f"its status is {entry.status}")
        fix = ("Wait until it is ready, then check again." if entry.status in ("0", "1", "4")
               else "Upload the recording again (kproducer entries upload).")
        return Finding(entry.id, "entry", False, f"The session cannot play yet: {why}.", fix)
    if entry.status in ("-2", "-1", "5", "6"):
        why = _VOD_STATUS[entry.status].replace("its recording", "it")
        return Finding(entry.id, "entry", False, f"The session is not usable: {why}.",
                       "Look at it in KMC, or create the session again.")
    return Finding(entry.id, "entry", True, "The session exists and is usable.")


def _schedule(state: SessionState, now: float) -> Finding:
    entry = state.entry
    slot = entry.schedule
    if slot is None:
        return Finding(entry.id, "schedule", False, "The session has no start and end time.",
                       "Set its start and end (Entries tab › Edit…).", Fix.EDIT_SCHEDULE)
    if slot.end <= now:
        return Finding(entry.id, "schedule", False,
                       f"The session's time slot ended {_ago(now - slot.end)} ago.",
                       "Move its start and end to the coming event (Entries tab › Edit…).",
                       Fix.EDIT_SCHEDULE)
    if slot.start <= now:
        return Finding(entry.id, "schedule", True, "The session is under way now.")
    return Finding(entry.id, "schedule", True,
                   f"The session is scheduled to start in {_ago(slot.start - now)}.")


def _moderators(state: SessionState) -> Finding:
    entry = state.entry
    group = f"{entry.id}_moderators"
    if state.group_exists is False:
        return Finding(entry.id, "moderators", False,
                       f"The session's moderators group ({group}) does not exist, so no one "
                       "can moderate its chat.", "Create the group, then add moderators.",
                       Fix.CREATE_GROUP)
    if state.members is None:
        return Finding(entry.id, "moderators", False,
                       "Its moderators could not be looked up.", "Check again in a moment.")
    if state.members == 0:
        return Finding(entry.id, "moderators", False,
                       "The session has no moderators yet.",
                       "Add at least one moderator (Moderators tab).", Fix.ADD_MODERATORS)
    return Finding(entry.id, "moderators", True,
                   "The moderators group exists and has at least one member.")


def _broadcasting(state: SessionState, now: float) -> Finding | None:
    """Only for a live session starting within 15 minutes, or under way."""
    from .readiness import BROADCAST_WINDOW

    slot = state.entry.schedule
    if slot is None or not slot.start - BROADCAST_WINDOW <= now < slot.end:
        return None
    entry_id = state.entry.id
    if state.broadcasting:
        return Finding(entry_id, "broadcasting", True, "An encoder is broadcasting to it now.")
    when = "is under way" if slot.start <= now else f"starts in {_ago(slot.start - now)}"
    if state.broadcasting is None:
        return Finding(entry_id, "broadcasting", False,
                       f"The session {when}, and whether an encoder is broadcasting could not "
                       "be told.", "Check again in a moment.", Fix.OPEN_ENCODER)
    return Finding(entry_id, "broadcasting", False,
                   f"The session {when} and no encoder is broadcasting to it.",
                   "Start the encoder with the session's encoder settings.", Fix.OPEN_ENCODER)


# --- wording ----------------------------------------------------------------------------------


def _ago(seconds: float) -> str:
    """``3 days``, ``5 hours``, ``12 minutes`` (at least one minute)."""
    minutes = max(1, round(seconds / 60))
    if minutes >= 2 * 24 * 60:
        return f"{round(minutes / (24 * 60))} days"
    if minutes >= 120:
        return f"{round(minutes / 60)} hours"
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _clause(text: str | None) -> str:
    text = " ".join((text or "no answer").split()).rstrip(".")
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text
