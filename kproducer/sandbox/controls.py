"""``POST /_sandbox/live`` and ``POST /_sandbox/clock``: an encoder and the server's clock.

Each handler takes the request body and returns ``(status, JSON document)``; bad input is a
400 with one sentence in ``error``.
"""

from __future__ import annotations

import json
from typing import Any

from .services.live_model import LIVE_PLAYABLE, set_encoder
from .services.objects import ENTRY_DELETED, LIVE_STREAM
from .store import Store

#: Farthest the clock may be moved either way (ten years).
MAX_OFFSET_S = 10 * 365 * 86400

Answer = tuple[int, dict[str, Any]]


def _body(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body.decode("utf-8") or "{}")
    except (UnicodeDecodeError, ValueError):
        raise ValueError("the body must be a JSON object") from None
    if not isinstance(data, dict):
        raise ValueError("the body must be a JSON object")
    return data


def live(db: Store, body: bytes) -> Answer:
    """An encoder starts (``broadcasting: true``) or stops pushing to a live entry."""
    try:
        data = _body(body)
    except ValueError as exc:
        return 400, {"error": str(exc)}
    unknown = set(data) - {"entry_id", "broadcasting"}
    if unknown:
        return 400, {"error": f"unknown field: {', '.join(sorted(unknown))}"}
    entry_id, broadcasting = data.get("entry_id"), data.get("broadcasting")
    if not isinstance(entry_id, str) or not entry_id:
        return 400, {"error": "entry_id must be a non-empty string"}
    if not isinstance(broadcasting, bool):
        return 400, {"error": "broadcasting must be true or false"}
    with db.transaction():
        entry = db.first(
            "SELECT data FROM entries WHERE id=? AND status!=?", (entry_id, ENTRY_DELETED)
        )
        if entry is None:
            return 400, {"error": f"no entry {entry_id} on this server"}
        if entry.get("type") != LIVE_STREAM:
            return 400, {"error": f"entry {entry_id} is not a live stream entry"}
        set_encoder(entry, broadcasting, db.now())
        db.update("entries", "id", entry_id, entry, status=entry["status"])
    return 200, {
        "entry_id": entry_id,
        "broadcasting": entry.get("liveStatus") == LIVE_PLAYABLE,
    }


def clock(db: Store, body: bytes) -> Answer:
    """The server's clock runs ``offset_s`` seconds ahead of the machine's (0 resets it)."""
    try:
        data = _body(body)
    except ValueError as exc:
        return 400, {"error": str(exc)}
    unknown = set(data) - {"offset_s"}
    if unknown:
        return 400, {"error": f"unknown field: {', '.join(sorted(unknown))}"}
    offset = data.get("offset_s", 0)
    if isinstance(offset, bool) or not isinstance(offset, int) or abs(offset) > MAX_OFFSET_S:
        return 400, {"error": f"offset_s must be an integer from -{MAX_OFFSET_S} to {MAX_OFFSET_S}"}
    db.clock_offset = offset
    return 200, {"offset_s": offset, "now": db.now()}
