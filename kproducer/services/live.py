"""Live day: a live session's encoder kit, whether it is broadcasting, and its switches.

The kit is what ``liveStream.get`` returns (``api_v3/services/LiveStreamService.php``,
``alpha/lib/model/LiveStreamEntry.php``, ``alpha/apps/kaltura/lib/live/kBroadcastUrlManager.php``
of kaltura/server): RTMP/RTMPS URLs carry the stream key as ``?t={streamPassword}``, SRT stream
IDs carry it as ``p=`` (or the encrypted passphrase as ``ep=``). The stream key and the SRT
passphrase are credentials: registered with :func:`kproducer.local.redact.register_secret`
the moment they arrive (so no log line, activity record or error message shows them), kept in
memory for the run only (never in the cache file), and :meth:`EncoderKit.masked` hides them
everywhere in the kit, URLs included, until the producer asks to reveal them.
"""

from __future__ import annotations

import dataclasses
import functools
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from KalturaClient.Plugins.Core import (
    KalturaLiveStreamEntry,
    KalturaNullableBoolean,
    KalturaRecordStatus,
    KalturaViewMode,
)

from ..kaltura.client import CallResult
from ..kaltura.errors import InvalidInput, KalturaError, answer_lost, maybe_done
from ..kaltura.producer_client import ProducerClient
from ..local.redact import register_secret
from . import entries, facts
from .account import Account
from .models import Entry, EntryKind

#: What a hidden credential shows instead (in the kit's URLs and stream IDs too).
MASK = "********"
#: isLive calls per multirequest: an event's every live session in one request (reads are
#: cheap; Kaltura sets no limit on a multirequest's size).
BATCH = 200


@dataclass(frozen=True)
class EncoderKit:
    """What an encoder (OBS, vMix, a hardware encoder) needs, exactly as Kaltura gives it.

    Attributes:
        entry_id: The live session.
        rtmp_url, rtmps_url, srt_url: Primary ingest URLs (RTMP(S) ones end ``?t={key}``).
        backup_rtmp_url, backup_rtmps_url, backup_srt_url: Secondary (backup) ingest URLs.
        stream_name: The stream name (OBS "Stream Key" field together with the URL).
        stream_key: ``streamPassword`` (a credential), or None when masked.
        srt_stream_id: Primary SRT stream ID (carries the key), ``backup_srt_stream_id`` too.
        srt_passphrase: ``srtPass`` (a credential), or None when masked or not set.
        revealed: Whether the credentials are shown.
    """

    entry_id: str
    rtmp_url: str = ""
    rtmps_url: str = ""
    srt_url: str = ""
    backup_rtmp_url: str = ""
    backup_rtmps_url: str = ""
    backup_srt_url: str = ""
    stream_name: str = ""
    stream_key: str | None = None
    srt_stream_id: str = ""
    backup_srt_stream_id: str = ""
    srt_passphrase: str | None = None
    revealed: bool = True

    def masked(self) -> EncoderKit:
        """The kit with the stream key and passphrase hidden, wherever they appear."""
        if not self.revealed:
            return self
        secrets = [s for s in (self.stream_key, self.srt_passphrase) if s]

        def hide(text: str) -> str:
            for secret in secrets:
                text = text.replace(secret, MASK)
            return _hide_srt_params(text)

        return dataclasses.replace(
            self, rtmp_url=hide(self.rtmp_url), rtmps_url=hide(self.rtmps_url),
            srt_url=hide(self.srt_url), backup_rtmp_url=hide(self.backup_rtmp_url),
            backup_rtmps_url=hide(self.backup_rtmps_url),
            backup_srt_url=hide(self.backup_srt_url), stream_name=hide(self.stream_name),
            stream_key=None, srt_passphrase=None, srt_stream_id=hide(self.srt_stream_id),
            backup_srt_stream_id=hide(self.backup_srt_stream_id), revealed=False)

    def as_json(self, broadcasting: bool | None) -> dict[str, Any]:
        """The ``encoder`` object of ``entries show --json`` (DESIGN §5)."""
        return {
            "rtmp_url": self.rtmp_url, "rtmps_url": self.rtmps_url, "srt_url": self.srt_url,
            "backup_rtmp_url": self.backup_rtmp_url, "backup_rtmps_url": self.backup_rtmps_url,
            "backup_srt_url": self.backup_srt_url, "stream_name": self.stream_name,
            "stream_key": self.stream_key if self.revealed else None,
            "srt_stream_id": self.srt_stream_id,
            "srt_passphrase": self.srt_passphrase if self.revealed else None,
            "broadcasting": broadcasting,
        }


def _hide_srt_params(text: str) -> str:
    """Mask the ``p=``/``ep=`` values of an SRT stream ID (``#:::e=…,st=…,p=KEY``)."""
    if "#:::" not in text:
        return text
    parts = []
    for part in text.split(","):
        key, sep, _value = part.partition("=")
        parts.append(f"{key}={MASK}" if sep and key.rsplit(":", 1)[-1] in ("p", "ep") else part)
    return ",".join(parts)


@dataclass(frozen=True)
class LiveState:
    """A live session's switches and whether an encoder is pushing to it.

    Attributes:
        broadcasting: ``liveStream.isLive`` (None: not asked yet or could not be told).
        preview: ``explicitLive`` on and ``viewMode`` PREVIEW: attendees do not see it yet.
        recording: ``recordStatus`` is not DISABLED.
        checked_at: When ``broadcasting`` was asked (unix seconds), or None.
    """

    entry_id: str
    broadcasting: bool | None = None
    preview: bool = False
    recording: bool = False
    checked_at: float | None = None

    @property
    def attendees_see(self) -> str:
        """What attendees see right now, in one sentence."""
        if self.preview:
            return ("Attendees see that the session has not started: it is in preview, and "
                    "only the producer can watch until it goes live.")
        if self.broadcasting:
            return "Attendees see the live stream now."
        if self.broadcasting is None:
            return "Attendees see the stream as soon as an encoder broadcasts."
        return "Attendees see that the session is offline until an encoder broadcasts."

    @property
    def recording_says(self) -> str:
        """What the recording switch means for attendees, in one sentence."""
        if self.recording:
            return "The broadcast is recorded: attendees can watch it again afterwards."
        return "The broadcast is not recorded: nothing is kept for watching afterwards."


@dataclass(frozen=True)
class LiveDetails:
    """Everything a live session's details show: the session, its kit and its state."""

    entry: Entry
    kit: EncoderKit
    state: LiveState


@dataclass
class _RunMemory:
    """Kits and states of this run (in memory only; never written anywhere)."""

    kits: dict[str, EncoderKit] = dataclasses.field(default_factory=dict)
    states: dict[str, LiveState] = dataclasses.field(default_factory=dict)


def _memory(account: Account) -> _RunMemory:
    memory = account.memory.get("live")
    if not isinstance(memory, _RunMemory):
        memory = account.memory["live"] = _RunMemory()
    return memory


def _text(value: Any) -> str:
    return "" if value in (None, NotImplemented) else str(value)


def kit_from(obj: Any) -> EncoderKit:
    """``liveStream.get``'s answer as a revealed :class:`EncoderKit` (credentials registered)."""
    key = _text(obj.streamPassword) or None
    passphrase = _text(obj.srtPass) or None
    register_secret(key)
    register_secret(passphrase)
    return EncoderKit(
        entry_id=str(obj.id),
        rtmp_url=_text(obj.primaryBroadcastingUrl),
        rtmps_url=_text(obj.primarySecuredBroadcastingUrl),
        srt_url=_text(obj.primarySrtBroadcastingUrl),
        backup_rtmp_url=_text(obj.secondaryBroadcastingUrl),
        backup_rtmps_url=_text(obj.secondarySecuredBroadcastingUrl),
        backup_srt_url=_text(obj.secondarySrtBroadcastingUrl),
        stream_name=_text(obj.streamName),
        stream_key=key,
        srt_stream_id=_text(obj.primarySrtStreamId),
        backup_srt_stream_id=_text(obj.secondarySrtStreamId),
        srt_passphrase=passphrase,
    )


def _is_true(value: Any) -> bool:
    """A boolean answer: in a multirequest the client hands it over as its XML text ("1")."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true")


def _enum(value: Any) -> Any:
    return getattr(value, "value", value)


def state_from(obj: Any, broadcasting: bool | None, checked_at: float | None) -> LiveState:
    """A live entry object's switches, with the broadcasting answer."""
    preview = (_enum(obj.explicitLive) == KalturaNullableBoolean.TRUE_VALUE
               and _enum(obj.viewMode) == KalturaViewMode.PREVIEW)
    recording = _enum(obj.recordStatus) not in (None, NotImplemented,
                                                KalturaRecordStatus.DISABLED)
    return LiveState(str(obj.id), broadcasting, preview, bool(recording), checked_at)


def _check_live(entry: Entry) -> None:
    if entry.kind is not EntryKind.LIVE:
        raise InvalidInput(f"Session {entry.id} is not a live session, so it has no encoder.",
                           "NOT_LIVE")


def details(account: Account, entry_id: str, *, fresh: bool = False) -> LiveDetails:
    """A live session with its encoder kit and state: ONE request cold, none warm.

    Cold, the entry, its schedule event, ``liveStream.get`` and ``liveStream.isLive`` go in
    one multirequest (see :func:`open_session`); the kit (revealed: mask it with
    :meth:`EncoderKit.masked` for display) and state are then kept in memory for the run.

    Args:
        fresh: Ask Kaltura even when known (after a change made elsewhere).

    Raises:
        InvalidInput: Not a live session. NotFound: no such entry.
    """
    entry_id = entries.check_entry_id(entry_id)
    if fresh:
        entries.forget(account, entry_id)
        _memory(account).kits.pop(entry_id, None)
    entry, found = open_session(account, entry_id)
    if found is None:
        _check_live(entry)
        raise InvalidInput(f"Session {entry_id} has no encoder kit.", "NOT_LIVE")
    return found


def open_session(account: Account, entry_id: str) -> tuple[Entry, LiveDetails | None]:
    """Any session, and for a live one its details: ONE request cold, none warm.

    For when the kind is not known yet (the command line's ``entries show``): cold, the entry,
    its schedule event, ``liveStream.get`` and ``liveStream.isLive`` go in one multirequest
    (the last two fail harmlessly for a room or a VOD).
    """
    entry_id = entries.check_entry_id(entry_id)
    entry = entries.cached(account, entry_id)
    memory = _memory(account)
    if entry is not None and entry.kind is not EntryKind.LIVE:
        return entry, None
    if entry is not None and entry_id in memory.kits and entry_id in memory.states:
        account.cached("liveStream.get", entry_id)
        return entry, LiveDetails(entry, memory.kits[entry_id], memory.states[entry_id])
    found: list[Entry] = []
    got: list[CallResult] = []
    status: list[bool | None] = []
    steps = [*entries.entry_steps(account, entry_id, found),
             facts.Step("liveStream.get", lambda c: c.liveStream.get(entry_id),
                        got.append),
             facts.Step("liveStream.isLive", lambda c: c.liveStream.isLive(entry_id),
                        lambda r: status.append(_is_true(r.value) if r.ok else None))]
    facts.run(account, steps)
    entry = found[0]
    if entry.kind is not EntryKind.LIVE:
        return entry, None
    obj = got[0].unwrap()
    kit = memory.kits[entry_id] = kit_from(obj)
    state = memory.states[entry_id] = state_from(obj, status[0], time.time())
    return entry, LiveDetails(entry, kit, state)


def kit(account: Account, entry_id: str, *, reveal: bool = False) -> EncoderKit:
    """The encoder kit (masked unless ``reveal``): see :func:`details`."""
    found = details(account, entry_id).kit
    return found if reveal else found.masked()


def regenerate_key(account: Account, entry_id: str) -> EncoderKit:
    """``liveStream.regenerateStreamToken``: a new stream key (ONE request).

    An encoder pushing with the old key is cut off: the caller confirms first.

    Returns:
        The new kit, revealed (mask it for display).
    """
    entry_id = entries.check_entry_id(entry_id)
    memory = _memory(account)
    try:
        obj = account.conn.call(lambda c: c.liveStream.regenerateStreamToken(entry_id))
    except KalturaError as exc:
        if not answer_lost(exc):
            raise
        memory.kits.pop(entry_id, None)  # the key may have changed: ask again next time
        raise maybe_done(exc, "a new stream key may have been made anyway, so look at the "
                              "encoder kit before giving it to an encoder") from exc
    new = kit_from(obj)
    memory.kits[entry_id] = new
    old = memory.states.get(entry_id)
    memory.states[entry_id] = state_from(
        obj, old.broadcasting if old else None, old.checked_at if old else None)
    return new


def live_status(account: Account, entry_ids: Iterable[str]) -> dict[str, LiveState]:
    """Whether each live session is broadcasting: ONE multirequest (per 200 sessions).

    Sessions never opened get their switches from the cache-less default (preview False,
    recording False) until :func:`details` is called; ``broadcasting`` is always fresh.
    A session whose answer failed gets ``broadcasting`` None.
    """
    ids = [entries.check_entry_id(e) for e in entry_ids]
    memory = _memory(account)
    now = time.time()
    for start in range(0, len(ids), BATCH):
        batch = ids[start:start + BATCH]
        results = account.conn.multi(functools.partial(_is_live_calls, batch))
        for entry_id, result in zip(batch, results, strict=True):
            old = memory.states.get(entry_id, LiveState(entry_id))
            live = _is_true(result.value) if result.ok else None
            memory.states[entry_id] = dataclasses.replace(old, broadcasting=live, checked_at=now)
    return {e: memory.states[e] for e in ids}


def _is_live_calls(batch: list[str], c: ProducerClient) -> list[Any]:
    return [c.liveStream.isLive(e) for e in batch]


def _switch(account: Account, entry_id: str, change: Any) -> LiveState:
    entry_id = entries.check_entry_id(entry_id)
    memory = _memory(account)
    try:
        obj = account.conn.call(lambda c: c.liveStream.update(entry_id, change))
    except KalturaError as exc:
        if not answer_lost(exc):
            raise
        memory.states.pop(entry_id, None)
        memory.kits.pop(entry_id, None)
        raise maybe_done(exc, "the switch may have been made anyway; making it again is "
                              "safe") from exc
    old = memory.states.get(entry_id)
    state = state_from(obj, old.broadcasting if old else None, old.checked_at if old else None)
    memory.states[entry_id] = state
    memory.kits[entry_id] = kit_from(obj)
    return state


def set_preview(account: Account, entry_id: str, preview: bool) -> LiveState:
    """Preview mode on (attendees wait; only the producer watches) or go live (ONE request).

    Sets ``explicitLive`` on and ``viewMode`` PREVIEW or ALLOW_ALL. Repeating it is safe.
    The state's :attr:`LiveState.attendees_see` says what attendees now see.
    """
    change = KalturaLiveStreamEntry(
        explicitLive=KalturaNullableBoolean.TRUE_VALUE,
        viewMode=KalturaViewMode.PREVIEW if preview else KalturaViewMode.ALLOW_ALL)
    return _switch(account, entry_id, change)


def set_recording(account: Account, entry_id: str, on: bool) -> LiveState:
    """Recording on (``recordStatus`` APPENDED) or off (DISABLED): ONE request.

    :attr:`LiveState.recording_says` says what it means for attendees.
    """
    status = KalturaRecordStatus.APPENDED if on else KalturaRecordStatus.DISABLED
    return _switch(account, entry_id, KalturaLiveStreamEntry(recordStatus=status))
