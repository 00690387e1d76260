"""Encoder settings as files a producer hands over: a plain text sheet, or OBS's service.json.

The sheet holds everything a technician needs (both ingest points, RTMP, RTMPS and SRT);
the OBS form is the ``rtmp_custom`` stream service OBS Studio keeps in its profile's
``service.json`` and that obs-websocket's ``SetStreamServiceSettings`` documents
(``server`` + ``key``). Both carry the stream key, so they are written owner-only (0600)
and atomically, and only where the producer asked.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..local.atomic import write_text
from .live import EncoderKit

PRIMARY, BACKUP = "1", "2"


def stream_name_for(kit: EncoderKit, index: str = PRIMARY) -> str:
    """The stream name with ``%i`` filled in: 1 for the primary ingest, 2 for the backup."""
    return kit.stream_name.replace("%i", index)


def sheet(kit: EncoderKit, session_name: str, when: str = "") -> str:
    """The technician's sheet: every URL, the stream names, the key and SRT details."""
    lines = [
        f"Encoder settings for {session_name} ({kit.entry_id})",
        *([f"Scheduled: {when}"] if when else []),
        "",
        "Keep this file private: the stream key lets anyone broadcast to this session.",
        "",
        "RTMP (OBS, vMix and most encoders)",
        f"  Server (primary):   {kit.rtmp_url}",
        f"  Server (backup):    {kit.backup_rtmp_url}",
        f"  Stream name/key:    {stream_name_for(kit)} (backup: {stream_name_for(kit, BACKUP)})",
        "",
        "RTMPS (encrypted)",
        f"  Server (primary):   {kit.rtmps_url}",
        f"  Server (backup):    {kit.backup_rtmps_url}",
        "",
        "SRT",
        f"  URL (primary):      {kit.srt_url}",
        f"  Stream ID:          {kit.srt_stream_id}",
        f"  URL (backup):       {kit.backup_srt_url}",
        f"  Stream ID (backup): {kit.backup_srt_stream_id}",
        f"  Passphrase:         {kit.srt_passphrase or '(none)'}",
        "",
        f"Stream key (the t= part of the RTMP URLs): {kit.stream_key or '(hidden)'}",
        "",
    ]
    return "\n".join(lines)


def obs_service(kit: EncoderKit, secure: bool = True) -> str:
    """OBS Studio's ``service.json`` for a custom RTMPS (or RTMP) server, primary ingest."""
    server = kit.rtmps_url if secure and kit.rtmps_url else kit.rtmp_url
    document = {"type": "rtmp_custom",
                "settings": {"server": server, "key": stream_name_for(kit), "use_auth": False,
                             "bwtest": False}}
    return json.dumps(document, indent=4) + "\n"


def save(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` to ``path`` atomically, owner-only (0600).

    Raises:
        OSError: The folder does not exist or cannot be written.
    """
    target = Path(path).expanduser()
    write_text(target, text)
    return target
