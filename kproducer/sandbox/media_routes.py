"""The URLs an entry's ``thumbnailUrl``, ``downloadUrl`` and ``dataUrl`` point at.

Same shapes as Kaltura's (``/p/{pid}/sp/{pid}00/thumbnail/entry_id/{id}/version/{v}``
with ``/width/W/height/H``; ``/p/{pid}/sp/{pid}00/playManifest/entryId/{id}/format/
download|url/...``). A thumbnail is the default thumbnail asset's image when the entry
has one, else a generated PNG of the asked size (:mod:`.thumbnail_png`); ``download``
and ``url`` both serve the source file (the sandbox has one flavor: the original).

Also ``POST /_sandbox/conversion`` ``{"seconds": n}``: how long conversions take.
"""

from __future__ import annotations

import json
import re
import shutil
from typing import TYPE_CHECKING, Any

from . import controls, thumbnail_png
from .media_files import entry_file, probe
from .services.media_content import settle_conversions
from .services.objects import find_entry
from .services.thumb_assets import default_image, image_size

if TYPE_CHECKING:
    from .server import Handler, SandboxServer
    from .store import Store

_MEDIA = re.compile(r"^/p/(\d+)/sp/(\d+)00/(thumbnail|playManifest)/(.*)$")
_COPY = 1024 * 1024
#: Kaltura's thumbnail size when none is asked.
DEFAULT_SIZE = (120, 90)


def register(server: SandboxServer) -> None:
    """Serve the media URLs under ``/p/`` ahead of what is already there (the embeds)."""
    previous = server.routes.get("/p/")

    def route(srv: SandboxServer, handler: Handler, path: str, query: str) -> None:
        match = _MEDIA.match(path)
        if match is None:
            if previous is not None:
                previous(srv, handler, path, query)
            else:
                handler.send_json(404, {"error": f"no such path: {path}"})
            return
        if handler.command not in ("GET", "HEAD"):
            handler.send_body(405, b"Use GET here.\n", "text/plain", {"Allow": "GET"})
            return
        serve(srv, handler, match)

    server.routes["/p/"] = route
    from . import server as server_module

    server_module.CONTROLS["/_sandbox/conversion"] = conversion_control


def _options(rest: str) -> dict[str, str]:
    parts = [p for p in rest.split("/") if p]
    return dict(zip(parts[::2], parts[1::2], strict=False))


def serve(server: SandboxServer, handler: Handler, match: re.Match[str]) -> None:
    """Answer one thumbnail or play-manifest request."""
    pid = int(match.group(1))
    options = _options(match.group(4))
    entry_id = options.get("entry_id") or options.get("entryId") or ""
    with server.db.transaction():
        settle_conversions(server.db, server.db.now())
        entry = find_entry(server.db, pid, entry_id)
    if entry is None:
        handler.send_json(404, {"error": f"entry {entry_id or '(none)'} not found"})
        return
    if match.group(3) == "thumbnail":
        _thumbnail(server, handler, entry, options)
    else:
        _source(server, handler, entry, options)


def _size(options: dict[str, str]) -> tuple[int, int]:
    width, height = options.get("width", ""), options.get("height", "")
    w = int(width) if width.isdigit() and int(width) > 0 else 0
    h = int(height) if height.isdigit() and int(height) > 0 else 0
    if not w and not h:
        return DEFAULT_SIZE
    return (w or h * 4 // 3, h or w * 3 // 4)


def _thumbnail(server: SandboxServer, handler: Handler, entry: dict[str, Any],
               options: dict[str, str]) -> None:
    headers = {"Cache-Control": "max-age=86400"}
    image = default_image(server.db, int(entry["partnerId"]), entry)
    if image is not None:
        kind = image.read_bytes()[:4]
        mime = "image/png" if kind.startswith(b"\x89PNG") else (
            "image/gif" if kind.startswith(b"GIF") else "image/jpeg")
        size = image_size(image)
        headers["X-Kaltura-Sandbox-Image-Size"] = f"{size[0]}x{size[1]}" if size else "unknown"
        handler.send_body(200, image.read_bytes(), mime, headers)
        return
    width, height = _size(options)
    body = thumbnail_png.render(width, height, str(entry.get("name") or ""), entry["id"])
    handler.send_body(200, body, "image/png", headers)


def _source(server: SandboxServer, handler: Handler, entry: dict[str, Any],
            options: dict[str, str]) -> None:
    path = entry_file(server.db, entry["id"])
    if str(entry.get("status")) != "2" or not path.exists():
        handler.send_json(404, {"error": f"entry {entry['id']} has no playable content"})
        return
    size = path.stat().st_size
    found = probe(path)
    handler.send_response(200)
    handler.send_header("Content-Type", found.mime_type or "application/octet-stream")
    handler.send_header("Content-Length", str(size))
    if options.get("format") == "download":
        name = re.sub(r"[^\w. -]", "_", str(entry.get("name") or entry["id"]))
        handler.send_header("Content-Disposition", f'attachment; filename="{name}"')
    handler.end_headers()
    if handler.command == "HEAD":
        return
    with path.open("rb") as source:
        shutil.copyfileobj(source, handler.wfile, _COPY)


def conversion_control(db: Store, body: bytes) -> controls.Answer:
    """``POST /_sandbox/conversion`` ``{"seconds": 0..3600}``."""
    try:
        data = json.loads(body.decode("utf-8") or "{}")
    except (UnicodeDecodeError, ValueError):
        return 400, {"error": "the body must be JSON"}
    seconds = data.get("seconds") if isinstance(data, dict) else None
    if isinstance(seconds, bool) or not isinstance(seconds, int) or not 0 <= seconds <= 3600:
        return 400, {"error": "seconds must be an integer from 0 to 3600"}
    with db.transaction():
        db.set_meta("conversion_seconds", str(seconds))
    return 200, {"seconds": seconds}
