"""The sandbox's HTTP front: API v3 endpoints, control endpoints and fault injection.

HTTP/1.1 with keep-alive on 127.0.0.1. API errors are HTTP 200 with an ``<error>``
result, as on Kaltura; only transport-level problems (a body over the size limit, an
unknown path) get a 4xx. Faults set through ``/_sandbox/faults`` apply to API requests
only, never to the control endpoints.
"""

from __future__ import annotations

import contextlib
import json
import logging
import random
import socket
import sys
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from . import api, controls, local_only, partner_options, wire
from .faults_stats import Faults, Stats
from .form import Form, read_multipart
from .store import Store

log = logging.getLogger(__name__)

#: Largest request body accepted (Kaltura's front ends refuse far smaller API bodies).
MAX_BODY_BYTES = 16 * 1024 * 1024

#: Largest multipart (upload) body: file parts stream to temporary files, not memory.
MAX_UPLOAD_BYTES = 2 * 1024 * 1024 * 1024

#: POST control endpoints answered by :mod:`.controls` (body → status and JSON).
CONTROLS: dict[str, Callable[[Store, bytes], controls.Answer]] = {
    "/_sandbox/live": controls.live,
    "/_sandbox/clock": controls.clock,
}

#: Extra GET routes (path prefix → handler), e.g. the stand-in embeds.
Route = Callable[["SandboxServer", "Handler", str, str], None]


class Handler(BaseHTTPRequestHandler):
    """One connection; serves requests until the client closes it."""

    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; without TCP_NODELAY the body waits for
    # the client's delayed ACK (about 40 ms a call).
    disable_nagle_algorithm = True
    server: SandboxServer
    server_version = "kproducer-sandbox"
    sys_version = ""

    #: Whether this connection has carried an API request yet (it is then counted once).
    counted = False
    #: The current request's body (extra routes that accept POST read it here).
    body = b""

    def setup(self) -> None:
        """Track the connection so stopping can close it; bound how long it may sit idle."""
        super().setup()
        # a half-sent request or a silent client cannot hold a thread forever
        self.connection.settimeout(self.server.idle_timeout_s)
        with self.server.stats.lock:
            self.server.open_connections.add(self.connection)

    def finish(self) -> None:
        """Forget the connection."""
        with self.server.stats.lock:
            self.server.open_connections.discard(self.connection)
        super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        """Send the access log to debug logging, not stderr."""
        log.debug("%s " + format, self.address_string(), *args)

    # --- plumbing ---------------------------------------------------------------------------

    def send_body(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        """Send a complete response with a Content-Length (keeps the connection usable)."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if not local_only.covers(self.path):
            self.send_header("Access-Control-Allow-Origin", "*")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_json(self, status: int, data: Any) -> None:
        """Send a JSON document."""
        self.send_body(status, json.dumps(data).encode(), "application/json")

    def read_body(self) -> bytes | None:
        """The request body, or None after answering 411/413 for a bad length."""
        length_header = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            self.close_connection = True
            self.send_json(
                411, {"error": "chunked request bodies are not supported; send Content-Length"}
            )
            return None
        try:
            length = int(length_header or 0)
        except ValueError:
            self.close_connection = True
            self.send_json(400, {"error": "invalid Content-Length"})
            return None
        if length < 0 or length > MAX_BODY_BYTES:
            self.close_connection = True
            self.send_json(413, {"error": f"request body over {MAX_BODY_BYTES} bytes"})
            return None
        try:
            return self.rfile.read(length) if length else b""
        except TimeoutError:  # the body never came: give the thread back
            self.close_connection = True
            return None

    # --- routing ----------------------------------------------------------------------------

    def do_GET(self) -> None:
        """Route a GET request."""
        self._route()

    def do_POST(self) -> None:
        """Route a POST request."""
        self._route()

    def do_HEAD(self) -> None:
        """Route a HEAD request."""
        self._route()

    def do_OPTIONS(self) -> None:
        """Answer a CORS preflight (never for the same-machine-only endpoints)."""
        if local_only.covers(self.path):
            self.send_json(403, {"error": "this endpoint does not answer pages of other origins"})
            return
        self.send_body(
            204,
            b"",
            "text/plain",
            {
                "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                "Access-Control-Allow-Headers": "Content-Type",
            },
        )

    def read_form(self) -> Form | None:
        """Stream a multipart body into a :class:`Form`; None after answering 411/413.

        A body that is not valid multipart gives an empty form (PHP then leaves
        ``$_POST`` empty) and the connection is closed, its remaining bytes unknown.
        """
        length = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked" or length is None:
            self.close_connection = True
            self.send_json(411, {"error": "send multipart bodies with a Content-Length"})
            return None
        size = int(length) if length.isdigit() else -1
        if not 0 <= size <= MAX_UPLOAD_BYTES:
            self.close_connection = True
            self.send_json(413, {"error": f"multipart body over {MAX_UPLOAD_BYTES} bytes"})
            return None
        try:
            return read_multipart(self.rfile, self.headers.get("Content-Type", ""), size)
        except ValueError as exc:
            log.debug("unreadable multipart body: %s", exc)
            self.close_connection = True
            return Form()

    def _route(self) -> None:
        url = urlsplit(self.path)
        path = url.path
        form = None
        if path.startswith("/api_v3") and self.headers.get(
            "Content-Type", ""
        ).lower().startswith("multipart/form-data"):
            form = self.read_form()
            if form is None:
                return
            body: bytes | None = b""
        else:
            body = self.read_body()
        if body is None:
            return
        self.body = body
        if local_only.covers(path):
            peer = str(self.client_address[0])
            bound = (str(self.server.server_address[0]), int(self.server.server_address[1]))
            refused = local_only.refusal(self.headers, body, peer, bound)
            if refused is not None:
                self.send_json(refused[0], {"error": refused[1]})
                return
        try:
            if path.startswith("/api_v3"):
                try:
                    self.server.handle_api(self, path, url.query, body, form)
                finally:
                    if form is not None:
                        form.close()
            elif path.startswith("/_sandbox/"):
                self.server.handle_control(self, path, body)
            else:
                for prefix, route in self.server.routes.items():
                    if path.startswith(prefix):
                        route(self.server, self, path, url.query)
                        return
                self.send_json(404, {"error": f"no such path: {path}"})
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


class SandboxServer(ThreadingHTTPServer):
    """The threaded HTTP server holding the store, the stats and the faults."""

    daemon_threads = True
    allow_reuse_address = True
    #: Listen backlog (socketserver's default of 5 makes bursts of connects wait ~1 s for a
    #: SYN retry; the kernel caps it at net.core.somaxconn).
    request_queue_size = 1024
    #: Seconds a connection may wait for the next request, or for the rest of one.
    idle_timeout_s = 60.0

    def __init__(self, address: tuple[str, int], db: Store) -> None:
        super().__init__(address, Handler)
        self.db = db
        self.stats = Stats()
        self.faults = Faults()
        self.random = random.Random()
        self.routes: dict[str, Route] = {}
        self.open_connections: set[socket.socket] = set()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away mid-request (killed, Ctrl-C) is not a server error."""
        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError, TimeoutError)):
            log.debug("client %s went away", client_address)
            return
        super().handle_error(request, client_address)

    def close_connections(self) -> None:
        """End every open keep-alive connection (used when stopping)."""
        with self.stats.lock:
            connections = list(self.open_connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    # --- API --------------------------------------------------------------------------------

    def handle_api(
        self, handler: Handler, path: str, query: str, body: bytes, form: Form | None = None
    ) -> None:
        """Run an API request (single call or multirequest) and answer it."""
        faults = self.faults
        if faults.latency_ms:
            time.sleep(faults.latency_ms / 1000)
        if faults.drop_rate and self.random.random() < faults.drop_rate:
            handler.close_connection = True
            with contextlib.suppress(OSError):
                handler.connection.shutdown(socket.SHUT_RDWR)
            return
        if faults.http_500_rate and self.random.random() < faults.http_500_rate:
            handler.send_body(500, b"<html><body>Internal Server Error</body></html>", "text/html")
            return

        if not handler.counted:
            handler.counted = True
            with self.stats.lock:
                self.stats.connections += 1
        started = time.perf_counter()
        params = wire.request_params(
            path, query, handler.headers.get("Content-Type", ""), body, form
        )
        is_multi = str(params.get("service", "")).lower() == "multirequest"

        def charge() -> None:  # server time per call, outside the lock like a PHP worker's
            if faults.per_call_ms:
                time.sleep(faults.per_call_ms / 1000)

        headers: dict[str, str] = {}
        token = api.RESPONSE_HEADERS.set(headers)
        base = api.REQUEST_BASE.set(self.base_url(handler))
        try:
            result, counted, calls = self._run(params, is_multi, charge)
        finally:
            api.RESPONSE_HEADERS.reset(token)
            api.REQUEST_BASE.reset(base)
            if form is not None:  # the actions are done with the files: delete them before
                form.close()  # the answer goes out, so a client never sees them linger
        self._count(params, counted, is_multi, calls)
        elapsed = time.perf_counter() - started

        if faults.malformed_rate and self.random.random() < faults.malformed_rate:
            handler.send_body(200, b'<?xml version="1.0"?><xml><resu', "text/xml")
            return
        if str(params.get("format", "2")) == "1":
            handler.send_body(200, wire.result_json(result), "application/json", headers)
            return
        if is_multi:
            inner = "".join(f"<item>{wire.result_xml(r)}</item>" for r in result)
        else:
            inner = wire.result_xml(result)
        handler.send_body(200, wire.envelope_xml(inner, elapsed), "text/xml", headers)

    def base_url(self, handler: Handler) -> str:
        """``http://host:port`` as the client reached this server (its Host header)."""
        host = handler.headers.get("Host") or ""
        if not host or any(c in host for c in "/\\ @?#"):
            host = f"{self.server_address[0]!s}:{self.server_address[1]}"
        return f"http://{host}"

    def _run(
        self, params: dict[str, Any], is_multi: bool, charge: Callable[[], None]
    ) -> tuple[Any, list[Any], list[str]]:
        """Run the request's calls: (result, the results counted, multirequest keys)."""
        if is_multi:
            result: Any = api.multirequest(self.db, params, after_call=charge)
            calls = [r for r in params if r.isdigit()]
            counted = result
        else:
            result = api.call(self.db, params)
            charge()
            counted = [result]
            calls = []
        return result, counted, calls

    def _count(
        self, params: dict[str, Any], results: list[Any], is_multi: bool, keys: list[str]
    ) -> None:
        with self.stats.lock:
            self.stats.http_requests += 1
            self.stats.api_calls += len(results)
            if is_multi:
                ordered = sorted(int(k) for k in keys)
                subs = [params[str(k)] for k in ordered][: len(results)]
            else:
                subs = [params]
            for sub in subs:
                if isinstance(sub, dict):
                    service = str(sub.get("service", "")).lower()
                    name = f"{service}.{str(sub.get('action', '')).lower()}"
                    self.stats.by_action[name] += 1

    def _partner_options(self, handler: Handler, method: str, body: bytes) -> None:
        """``/_sandbox/partner``: read or set what the partner's account lacks."""
        if method == "POST":
            try:
                options = partner_options.PartnerOptions.parse(
                    wire.decode_json(body.decode("utf-8") or "{}")
                )
            except (UnicodeDecodeError, ValueError) as exc:
                handler.send_json(400, {"error": str(exc)})
                return
            partner_options.save(self.db, options)
        handler.send_json(200, partner_options.load(self.db).as_dict())

    # --- control ----------------------------------------------------------------------------

    def handle_control(self, handler: Handler, path: str, body: bytes) -> None:
        """``/_sandbox/stats``, ``stats/reset``, ``faults``, and the :data:`CONTROLS`."""
        method = handler.command
        if path == "/_sandbox/stats" and method in ("GET", "HEAD"):
            handler.send_json(200, self.stats.snapshot())
        elif path == "/_sandbox/stats/reset" and method == "POST":
            self.stats.reset()
            handler.send_json(200, self.stats.snapshot())
        elif path == "/_sandbox/faults" and method == "POST":
            try:
                self.faults = Faults.parse(wire.decode_json(body.decode("utf-8") or "{}"))
                self.db.set_index_lag(self.faults.index_lag_ms)
            except (UnicodeDecodeError, ValueError) as exc:
                handler.send_json(400, {"error": str(exc)})
                return
            handler.send_json(200, vars(self.faults))
        elif path == "/_sandbox/faults" and method == "GET":
            handler.send_json(200, vars(self.faults))
        elif path == "/_sandbox/partner" and method in ("GET", "POST"):
            self._partner_options(handler, method, body)
        elif path in CONTROLS and method == "POST":
            handler.send_json(*CONTROLS[path](self.db, body))
        elif path in ("/_sandbox/stats", "/_sandbox/stats/reset", "/_sandbox/faults", *CONTROLS):
            handler.send_json(405, {"error": f"{method} is not allowed on {path}"})
        else:
            handler.send_json(404, {"error": f"no such control endpoint: {path}"})
