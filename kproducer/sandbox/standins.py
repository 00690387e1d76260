"""Stand-in embeds served by the sandbox at Kaltura's own paths (DESIGN §4).

- ``GET /p/{pid}/embedPlaykitJs/uiconf_id/{id}``: the player uiconf serves a stand-in of
  Kaltura Player v7 (``KalturaPlayer.setup(...).loadMedia(...)``), the CnC uiconf a stand-in
  of the CnC widget (``KalturaEventsPlatform.collaboration.widgets.embedded.new()``). With
  ``?iframeembed=true&entry_id=…&ks=…`` the player uiconf serves the iframe embed page, so
  the player share URL works against the sandbox too.
- ``POST /_standin/verify/ks`` and ``POST /_standin/verify/jwt`` (JSON bodies): where the
  stand-ins verify their credential, as the real API and chat service do
  (:mod:`.standin_checks`). They are not API calls: ``/_sandbox/stats`` does not count them,
  so a test can prove the *app* made no request.
- ``POST /kme/launch`` (the account's KME launch URL): verifies the LTI 1.0 OAuth signature
  and renders the room, the user and the role, or "rejected: reason".

:func:`register` adds these routes to a :class:`SandboxServer`.
"""

from __future__ import annotations

import html
import json
import re
import string
import threading
import weakref
from typing import Any
from urllib.parse import parse_qs

from .. import resources
from . import standin_checks as checks
from . import wire
from .seed import load_account
from .server import Handler, SandboxServer

_EMBED = re.compile(r"^/p/(\d+)/embedPlaykitJs((?:/[^/]+/[^/]+)*)(?:/[^/]*\.js)?/?$")
_NO_STORE = {"Cache-Control": "no-store"}
_JS = "text/javascript; charset=utf-8"
_HTML = "text/html; charset=utf-8"

_nonces: weakref.WeakKeyDictionary[SandboxServer, checks.Nonces] = weakref.WeakKeyDictionary()
_nonces_lock = threading.Lock()


def register(server: SandboxServer) -> None:
    """Serve the stand-in embeds, their verification endpoints and the KME launch."""
    server.routes.update({"/p/": embed, "/_standin/": verify, "/kme/": kme_launch})


def _nonces_of(server: SandboxServer) -> checks.Nonces:
    with _nonces_lock:
        found = _nonces.get(server)
        if found is None:
            found = _nonces[server] = checks.Nonces()
        return found


def _script_json(value: Any) -> str:
    text = json.dumps(value, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def _not_allowed(handler: Handler, allowed: str) -> None:
    handler.send_body(
        405, f"Use {allowed} here.\n".encode(), "text/plain; charset=utf-8", {"Allow": allowed}
    )


# --- the scripts ---------------------------------------------------------------------------


def embed(server: SandboxServer, handler: Handler, path: str, query: str) -> None:
    """``/p/{pid}/embedPlaykitJs/uiconf_id/{id}``: the stand-in player or CnC bundle."""
    if handler.command not in ("GET", "HEAD"):
        _not_allowed(handler, "GET")
        return
    match = _EMBED.match(path)
    if match is None:
        handler.send_json(404, {"error": f"no such path: {path}"})
        return
    pid = int(match.group(1))
    segments = [s for s in match.group(2).split("/") if s]
    options = dict(zip(segments[::2], segments[1::2], strict=True))
    with server.db.transaction():
        account = load_account(server.db)
    uiconf = options.get("uiconf_id", "")
    if account is None or account.partner_id != pid:
        _missing(handler, f"partner {pid} is not on this server")
        return
    params = {k: v[-1] for k, v in parse_qs(query).items()}
    if uiconf == str(account.player_uiconf_id):
        if params.get("iframeembed", "").lower() == "true":
            entry_id = params.get("entry_id") or options.get("entry_id", "")
            _iframe(handler, path, pid, int(uiconf), entry_id, params.get("ks", ""))
        else:
            _script(handler, "player.js")
    elif uiconf == str(account.cnc_uiconf_id):
        _script(handler, "cnc.js")
    else:
        _missing(handler, f"uiconf {uiconf or '(none)'} is not a player or CnC uiconf of "
                          f"partner {pid}")


def _missing(handler: Handler, why: str) -> None:
    body = f"console.error({json.dumps('kproducer sandbox: ' + why)});\n"
    handler.send_body(404, body.encode(), _JS, _NO_STORE)


def _script(handler: Handler, name: str) -> None:
    """Serve a stand-in script with the helpers it shares (``common.js``) in front."""
    body = resources.read_text("standins", "common.js") + resources.read_text("standins", name)
    handler.send_body(200, body.encode(), _JS, _NO_STORE)


def _iframe(handler: Handler, path: str, pid: int, uiconf: int, entry_id: str, ks: str) -> None:
    template = string.Template(resources.read_text("standins", "iframe.html"))
    config = {"partnerId": pid, "uiConfId": uiconf, "entryId": entry_id, "ks": ks}
    page = template.substitute(
        script=html.escape(path.split("?")[0]), config=_script_json(config)
    )
    handler.send_body(200, page.encode(), _HTML, _NO_STORE)


# --- verification --------------------------------------------------------------------------


def verify(server: SandboxServer, handler: Handler, path: str, query: str) -> None:
    """``POST /_standin/verify/ks`` and ``/_standin/verify/jwt``: check one credential."""
    if path not in ("/_standin/verify/ks", "/_standin/verify/jwt"):
        handler.send_json(404, {"error": f"no such path: {path}"})
        return
    if handler.command != "POST":
        _not_allowed(handler, "POST")
        return
    try:
        data = wire.decode_json(handler.body.decode("utf-8") or "{}")
        if not isinstance(data, dict):
            raise ValueError("the body must be a JSON object")
        partner_id = int(data.get("partnerId") or 0)
        entry_id = str(data.get("entryId") or "")
    except (UnicodeDecodeError, ValueError, TypeError) as exc:
        handler.send_json(400, {"error": str(exc)})
        return
    with server.db.transaction():
        if path.endswith("/ks"):
            result = checks.check_ks(server.db, str(data.get("ks") or ""), entry_id, partner_id)
        else:
            result = checks.check_jwt(server.db, str(data.get("jwt") or ""), partner_id, entry_id)
    handler.send_json(200, result)


# --- KME -----------------------------------------------------------------------------------


def kme_launch(server: SandboxServer, handler: Handler, path: str, query: str) -> None:
    """``POST /kme/launch``: verify an LTI launch and show the room (or the rejection)."""
    if path.rstrip("/") != "/kme/launch":
        handler.send_json(404, {"error": f"no such path: {path}"})
        return
    if handler.command != "POST":
        _not_allowed(handler, "POST (an LTI launch form)")
        return
    host = handler.headers.get("Host") or "{}:{}".format(*server.server_address[:2])
    uri = f"http://{host}{path}"
    try:
        body = handler.body.decode("utf-8")
    except UnicodeDecodeError:
        body = ""
    with server.db.transaction():
        result = checks.check_lti(server.db, uri, body, _nonces_of(server))
    handler.send_body(200 if result["ok"] else 401, kme_page(result).encode(), _HTML, _NO_STORE)


def kme_page(result: dict[str, Any]) -> str:
    """The stand-in room page for a verified launch, or its rejection."""
    esc = html.escape
    if result["ok"]:
        role = str(result["role"])
        rows = [
            ("Room", f"{result['roomName']} ({result['roomId']})"),
            ("User", f"{result['userName'] or result['userId']} ({result['userId']})"),
            ("Role", f"{role} — LTI roles {', '.join(result['ltiRoles'])}"),
            ("Signature", f"valid OAuth 1.0 {result['signatureMethod']}, consumer key "
                          f"{result['consumerKey']}"),
        ]
        facts = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in rows)
        content = (
            f'<h1>{esc(str(result["roomName"]))}</h1>'
            f'<p><span class="badge {esc(role)}">{esc(role.capitalize())}</span></p>'
            f"<dl>{facts}</dl>"
            '<p id="media">Camera and microphone: asking…</p>'
        )
        title = f"{result['roomName']} — KME room (sandbox)"
    else:
        content = (
            "<h1>Could not join the room</h1>"
            f'<p class="rejected">rejected: {esc(str(result["reason"]))}</p>'
        )
        title = "Room launch rejected (sandbox)"
    template = string.Template(resources.read_text("standins", "kme.html"))
    state = {"state": "ready" if result["ok"] else "rejected", **result}
    return template.substitute(
        title=esc(title), content=content, state=_script_json(state),
        ask_media="true" if result["ok"] else "false",
    )
