"""Go-live readiness of a whole event: every session's dependencies, checked at once.

The seed's "Components and Dependencies" (virtual event, entry, CnC app token, moderators
group) and what a producer needs on the day (a schedule ahead, an encoder kit, a KME launch,
uiconfs that exist, links that outlast their session, an encoder broadcasting 15 minutes
before a live start) are asked of Kaltura in as few requests as the cache allows:

1. ONE multirequest: ``virtualEvent.get``, the event's sessions (``baseEntry.list`` by its
   admin tag), ``appToken.list`` unless the CnC token is remembered, ``uiConf.get`` of the
   player and CnC uiconfs (always: a request is made anyway), and the per-session calls of
   the sessions the last check of this event found (remembered in the cache), so a warm
   check is this one request.
2. Per-session calls for sessions found new, 50 calls a request: ``scheduleEvent.list``
   (unless the session is cached with its schedule), ``groupUser.list`` of its moderators
   group (one member is enough) with ``group.get`` (unless a member is known: its "user is
   in group" fact still cached), and ``liveStream.isLive`` for a live session starting
   within 15 minutes (or under way; always when its schedule is not known yet).

Cold, 3 sessions take 2 requests and 50 take at most 5; warm, 1. What each answer proves is
cached as the seed's facts (:mod:`.facts`). Findings are made by :mod:`.readiness_checks`;
exported links are read from the local link ledger (:mod:`.readiness_links`, no request).
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from typing import Any

from KalturaClient.Plugins.Core import (
    KalturaAppTokenFilter,
    KalturaAppTokenStatus,
    KalturaBaseEntryFilter,
    KalturaFilterPager,
    KalturaGroupUserFilter,
)

from ..kaltura.client import CallResult
from ..kaltura.producer_client import ProducerClient
from ..local.link_ledger import LinkLedger
from . import entries, events, facts, readiness_checks, readiness_links, schedule
from .account import Account
from .models import Entry, EntryKind
from .readiness_model import Readiness
from .tokens import moderators_group

#: Cache kinds of this module (TTLs in :mod:`kproducer.local.cache`).
EVENT_SESSIONS = "event_sessions"  #: event ID → its session IDs at the last check
GROUP_MEMBER = "group_member"  #: moderators group → one member's user ID
#: A live session starting this soon (seconds) must have an encoder broadcasting.
BROADCAST_WINDOW = 15 * 60
#: Calls per multirequest after the first (seed: batches of at most 50).
BATCH = 50
#: The event's sessions read at most (one page).
MAX_SESSIONS = 500


@dataclass
class SessionState:
    """What the requests brought back about one session (None: not asked)."""

    entry: Entry
    has_kit: bool = False
    schedule_known: bool = False
    members: int | None = None
    group_exists: bool | None = None
    broadcasting: bool | None = None
    errors: list[str] = field(default_factory=list)


@dataclass
class Gathered:
    """Everything the checks read, from the requests and the cache."""

    event: Any = None
    sessions: dict[str, SessionState] = field(default_factory=dict)
    cnc_token: str | None = None
    cnc_error: str | None = None
    uiconfs: dict[int, str | None] = field(default_factory=dict)  #: id → error or None
    listed_total: int = 0


def check(account: Account, event_id: int | str, *, now: float | None = None,
          ledger: LinkLedger | None = None) -> Readiness:
    """Check one event's sessions for going live (see the module notes for the requests).

    Args:
        event_id: The virtual event.
        now: The time to check against (unix seconds; default: now).
        ledger: The link ledger to read exported links from (default: the app's).

    Raises:
        InvalidInput: Not an event ID. NotFound: no such event.
        KalturaError: Kaltura cannot be reached or refused the admin session.
    """
    event_id = events.check_event_id(event_id)
    now = time.time() if now is None else now
    got = Gathered()
    predicted = _predicted(account, event_id)
    steps = _first_steps(account, event_id, got)
    per_session: dict[str, list[facts.Step]] = {}
    for entry in predicted:
        state = SessionState(entry, schedule_known=entry.schedule is not None)
        per_session[entry.id] = _session_steps(account, state, now)
        got.sessions[entry.id] = state
    facts.run(account, steps + [s for group in per_session.values() for s in group])
    later = [state for state in got.sessions.values() if state.entry.id not in per_session]
    _run_batched(account, [s for state in later for s in _session_steps(account, state, now)])
    sessions = sorted((s.entry for s in got.sessions.values()), key=_soonest)
    account.cache.put(EVENT_SESSIONS, str(event_id), [e.id for e in sessions])
    links, note = readiness_links.read(account, sessions, ledger)
    findings = readiness_checks.findings(account, got, sessions, now, links)
    return Readiness(events.event_from(got.event), tuple(sessions), tuple(findings), now,
                     (note,) if note else ())


def _soonest(entry: Entry) -> tuple[int, int, str]:
    start = entry.schedule.start if entry.schedule is not None else None
    return (0 if start is not None else 1, start or 0, entry.name.lower())


def _predicted(account: Account, event_id: int) -> list[Entry]:
    """The sessions the last check of this event found, as cached (only those cached)."""
    ids = account.cache.get(EVENT_SESSIONS, str(event_id)) or []
    found = [entries.cached(account, str(i)) for i in ids]
    return [e for e in found if e is not None]


def _first_steps(account: Account, event_id: int, got: Gathered) -> list[facts.Step]:
    """The event, its sessions, the CnC token and the uiconfs (request 1)."""
    flt = KalturaBaseEntryFilter(statusIn=entries.ALL_STATUSES,
                                 adminTagsMultiLikeOr=entries.event_tag(event_id),
                                 orderBy="-createdAt")
    pager = KalturaFilterPager(pageSize=MAX_SESSIONS)

    def settle_event(result: CallResult) -> None:
        got.event = result.unwrap()

    def settle_list(result: CallResult) -> None:
        listed = result.unwrap()
        got.listed_total = int(listed.totalCount or 0)
        seen: set[str] = set()
        for obj in listed.objects or []:
            fresh = entries.entry_from(obj)
            if fresh.event_id != event_id:
                continue  # a tag that only contains the event's tag (virtualevent_12 vs 1)
            seen.add(fresh.id)
            old = got.sessions.get(fresh.id)
            known = old.entry.schedule if old is not None and old.schedule_known else None
            state = old or SessionState(fresh)
            state.entry = dataclasses.replace(fresh, schedule=known or fresh.schedule)
            state.has_kit = _has_kit(obj)
            if fresh.kind not in schedule.SCHEDULED_KINDS:  # no schedule to look up: as listed
                state.entry = entries.remember(account, fresh)
            got.sessions[fresh.id] = state
        for gone in [i for i in got.sessions if i not in seen]:  # left the event since
            del got.sessions[gone]

    steps = [
        facts.Step("virtualEvent.get",
                   lambda c: c.virtualEvent.virtualEvent.get(event_id), settle_event),
        facts.Step("baseEntry.list", lambda c: c.baseEntry.list(flt, pager), settle_list),
    ]
    known = facts.cnc_token_known(account) if not account.settings.cnc_app_token else None
    if known is not None:
        got.cnc_token = known
    else:
        steps.append(_cnc_step(account, got))
    for ui_conf_id in (account.settings.player_uiconf_id, account.settings.cnc_uiconf_id):
        if ui_conf_id is None or ui_conf_id in got.uiconfs:
            continue
        steps.append(_uiconf_step(account, ui_conf_id, got))
    return steps


def _has_kit(obj: Any) -> bool:
    """A live entry carries ingest URLs and a stream name (its encoder kit)."""
    urls = (getattr(obj, name, None) for name in (
        "primaryBroadcastingUrl", "primarySecuredBroadcastingUrl", "primarySrtBroadcastingUrl"))
    name = getattr(obj, "streamName", None)
    return any(isinstance(u, str) and u for u in urls) and isinstance(name, str) and bool(name)


def _cnc_step(account: Account, got: Gathered) -> facts.Step:
    """``appToken.list`` of ACTIVE tokens: the user's token among them, or exactly one CnC."""
    given = account.settings.cnc_app_token

    def queue(c: ProducerClient) -> Any:
        flt = KalturaAppTokenFilter(statusEqual=KalturaAppTokenStatus.ACTIVE)
        return c.appToken.list(flt, KalturaFilterPager(pageSize=500))

    def settle(result: CallResult) -> None:
        if not result.ok:
            got.cnc_error = result.error.message if result.error else "no answer"
            return
        tokens = list(result.value.objects or [])
        if given:
            if any(t.token == given for t in tokens):
                got.cnc_token = given
            else:
                got.cnc_error = "given"
            return
        cnc = [t.token for t in tokens
               if str(t.sessionPrivileges or "") == facts.CNC_PRIVILEGE]
        if len(cnc) == 1:
            account.vault.set_cnc_token(cnc[0])
            got.cnc_token = cnc[0]
        else:
            got.cnc_error = str(len(cnc))

    return facts.Step("appToken.list", queue, settle)


def _uiconf_step(account: Account, ui_conf_id: int, got: Gathered) -> facts.Step:
    def settle(result: CallResult) -> None:
        if result.ok:
            got.uiconfs[ui_conf_id] = None
        else:
            got.uiconfs[ui_conf_id] = result.error.code if result.error else "no answer"

    return facts.Step("uiConf.get", lambda c: c.uiConf.get(ui_conf_id), settle)


def _imminent(entry: Entry, now: float) -> bool:
    """A live session starting within :data:`BROADCAST_WINDOW`, or under way."""
    slot = entry.schedule
    return slot is not None and slot.start - BROADCAST_WINDOW <= now < slot.end


def _session_steps(account: Account, state: SessionState, now: float) -> list[facts.Step]:
    """The calls one session still needs (none when the cache knows it all)."""
    entry = state.entry
    steps: list[facts.Step] = []
    if entry.kind in schedule.SCHEDULED_KINDS and not state.schedule_known:
        steps.append(_schedule_step(account, state))
    steps.extend(_moderator_steps(account, state))
    if entry.kind is EntryKind.LIVE and (not state.schedule_known or _imminent(entry, now)):
        steps.append(_is_live_step(state))
    return steps


def _schedule_step(account: Account, state: SessionState) -> facts.Step:
    def settle(result: CallResult) -> None:
        if not result.ok:
            state.errors.append(result.error.message if result.error else "no answer")
            return
        state.entry = entries.remember(
            account, schedule.with_schedule(state.entry, schedule.first_event(result.value)))
        state.schedule_known = True

    entry_id = state.entry.id
    return facts.Step("scheduleEvent.list", lambda c: schedule.lookup_call(entry_id)(c), settle)


def _moderator_steps(account: Account, state: SessionState) -> list[facts.Step]:
    """``groupUser.list`` (one member is enough) and ``group.get``, unless a member is known.

    The group is asked for even when "group exists" is cached: with no member listed, only
    ``group.get`` tells an empty group from one deleted on the server since.
    """
    group = moderators_group(state.entry.id)
    member = account.cache.get(GROUP_MEMBER, group)
    if member and account.cache.get(facts.USER_IN_GROUP, facts.membership_key(group, member)):
        account.cached("groupUser.list", f"{member} in {group}")
        state.members, state.group_exists = 1, True
        return []

    def settle_members(result: CallResult) -> None:
        if not result.ok:
            state.errors.append(result.error.message if result.error else "no answer")
            return
        state.members = int(result.value.totalCount or 0)
        first = next(iter(result.value.objects or []), None)
        if first is not None:
            account.cache.put(facts.USER_IN_GROUP, facts.membership_key(group, first.userId), True)
            account.cache.put(GROUP_MEMBER, group, str(first.userId))

    def settle_group(result: CallResult) -> None:
        if result.ok:
            account.cache.put(facts.GROUP_EXISTS, group, True)
            state.group_exists = True
        elif result.failed_with("INVALID_GROUP_ID"):
            facts.forget_group(account, group)
            state.group_exists = False
        else:
            state.errors.append(result.error.message if result.error else "no answer")

    flt = KalturaGroupUserFilter(groupIdEqual=group)
    return [facts.Step("groupUser.list", lambda c: c.groupUser.list(
                flt, KalturaFilterPager(pageSize=1)), settle_members),
            facts.Step("group.get", lambda c: c.group.group.get(group), settle_group,
                       frozenset({"INVALID_GROUP_ID"}))]  # "no group" is the check's answer


def _is_live_step(state: SessionState) -> facts.Step:
    from .live import _is_true

    def settle(result: CallResult) -> None:
        state.broadcasting = _is_true(result.value) if result.ok else None

    entry_id = state.entry.id
    return facts.Step("liveStream.isLive", lambda c: c.liveStream.isLive(entry_id), settle)


def _run_batched(account: Account, steps: list[facts.Step]) -> None:
    """Steps as multirequests of at most :data:`BATCH` calls."""
    for start in range(0, len(steps), BATCH):
        facts.run(account, steps[start:start + BATCH])


def create_group(account: Account, entry_id: str) -> None:
    """The fix "create the group": the session's moderators group, in ONE request.

    ``group.add`` through :func:`.facts.group_step` (a duplicate means it is there already).
    """
    step = facts.group_step(account, moderators_group(entries.check_entry_id(entry_id)),
                            force=True)
    facts.run(account, [step] if step is not None else [])
