"""Live entries' broadcast fields and encoder state, as kaltura/server models them.

Broadcast URLs are not stored: ``LiveStreamEntry::getPrimaryBroadcastingUrl`` and its
siblings return a stored value when there is one and otherwise build the URL from the
partner's broadcast configuration (``alpha/apps/kaltura/lib/live/kBroadcastUrlManager.php``):
``{protocol}://{host}:{port}/{application}?t={streamPassword}`` for RTMP and RTMPS, with the
host naming ``p`` (primary) or ``b`` (backup); SRT has no application and no query, its
stream id is ``#:::e={entryId},st={0|1},p={streamPassword}`` (``ep=`` with the encrypted
``srtPass`` instead when one is set). Regenerating the stream token therefore changes every
URL at once. The sandbox's hosts are under ``.sandbox.invalid`` so no encoder ever reaches
the internet.

The encoder state (``POST /_sandbox/live``) is the entry's ``liveStatus``: PLAYABLE while an
encoder pushes, STOPPED otherwise (``EntryServerNodeStatus``).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any

Obj = dict[str, Any]

LIVE_STOPPED, LIVE_PLAYABLE = 0, 1
VIEW_PREVIEW, VIEW_ALLOW_ALL = 0, 1
#: ``LiveEntry::$kalturaLiveSourceTypes``: LIVE_STREAM, LIVE_CHANNEL, LIVE_STREAM_ONTEXTDATA.
KALTURA_LIVE_SOURCES = frozenset({"32", "33", "42"})

_DOMAIN = "{live_id}.{primary}.kpublish.sandbox.invalid"
_APPLICATION = "kLive"
_LEGACY_HOST = ".entrypoint.sandbox.invalid"
_PORTS = {"rtmp": 1935, "rtmps": 443, "srt": 7045}
_URL_FIELDS = {
    "primaryBroadcastingUrl": ("rtmp", True),
    "secondaryBroadcastingUrl": ("rtmp", False),
    "primarySecuredBroadcastingUrl": ("rtmps", True),
    "secondarySecuredBroadcastingUrl": ("rtmps", False),
    "primarySrtBroadcastingUrl": ("srt", True),
    "secondarySrtBroadcastingUrl": ("srt", False),
}


def stream_password() -> str:
    """``LiveStreamEntry::generateStreamPassword``: 8 random hex characters."""
    return secrets.token_hex(4)


def _host(entry_id: str, primary: bool) -> str:
    """``kBroadcastUrlManager::getLiveIdForHost``: no ``1_`` prefix, dashes for underscores."""
    live_id = entry_id.replace("1_", "", 1).replace("_", "-")
    return _DOMAIN.format(live_id=live_id, primary="p" if primary else "b")


def broadcast_url(data: Obj, protocol: str, primary: bool) -> str:
    """``kBroadcastUrlManager::getBroadcastUrl`` for one protocol and media server."""
    url = f"{protocol}://{_host(data['id'], primary)}:{_PORTS[protocol]}"
    if protocol == "srt":
        return url
    return f"{url}/{_APPLICATION}?t={data.get('streamPassword') or ''}"


def srt_stream_id(data: Obj, primary: bool) -> str:
    """``kBroadcastUrlManager::createSrtStreamId``."""
    stream_id = f"#:::e={data['id']},st={0 if primary else 1}"
    srt_pass = data.get("srtPass")
    if srt_pass:
        # The server sends the AES-encrypted srtPass; the sandbox's stand-in is a digest.
        digest = hashlib.sha256(f"klive:{srt_pass}".encode()).digest()[:24]
        return f"{stream_id},ep={base64.urlsafe_b64encode(digest).decode().rstrip('=')}"
    return f"{stream_id},p={data.get('streamPassword') or ''}"


def with_broadcast_fields(data: Obj) -> Obj:
    """The stored live entry with its derived broadcast fields filled in."""
    if str(data.get("sourceType")) not in KALTURA_LIVE_SOURCES:
        return data
    out = dict(data)
    if _LEGACY_HOST in str(out.get("primaryBroadcastingUrl") or ""):
        out.pop("primaryBroadcastingUrl")  # stored by sandboxes before these were derived
    for name, (protocol, primary) in _URL_FIELDS.items():
        if not out.get(name):
            out[name] = broadcast_url(data, protocol, primary)
    for name, primary in (("primarySrtStreamId", True), ("secondarySrtStreamId", False)):
        if not out.get(name):
            out[name] = srt_stream_id(data, primary)
    out.setdefault("viewMode", VIEW_PREVIEW if data.get("explicitLive") else VIEW_ALLOW_ALL)
    if not data.get("explicitLive"):
        out["viewMode"] = VIEW_ALLOW_ALL  # LiveEntry::getViewMode
    return out


def is_live(data: Obj, may_preview: bool) -> bool:
    """``LiveEntry::isCurrentlyLive``: PLAYABLE, and the viewer may see it.

    ``data`` carries the live status as the server computes it
    (:func:`.schedule_live.with_live_status`: a simulive slot, else the encoder). In preview
    mode (explicit live, not yet shown to all) only those who may preview
    (``LiveEntry::canViewExplicitLive``: an admin, the owner, an editor) see it live.
    """
    preview = bool(data.get("explicitLive")) and data.get("viewMode", VIEW_PREVIEW) == VIEW_PREVIEW
    if preview and not may_preview:
        return False
    return data.get("liveStatus") == LIVE_PLAYABLE


def set_encoder(data: Obj, broadcasting: bool, now: int) -> None:
    """An encoder starts or stops pushing: ``liveStatus`` and the broadcast times."""
    was_live = data.get("liveStatus") == LIVE_PLAYABLE
    if broadcasting and not was_live:
        data["liveStatus"] = LIVE_PLAYABLE
        data["currentBroadcastStartTime"] = now
        data.setdefault("firstBroadcast", now)
        data["lastBroadcast"] = now
    elif not broadcasting and was_live:
        data["liveStatus"] = LIVE_STOPPED
        data["lastBroadcastEndTime"] = now
        data["currentBroadcastStartTime"] = 0
