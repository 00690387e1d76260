"""Same-machine guard for the sandbox's own endpoints (``/_sandbox/…``, ``/_standin/…``).

The API (``/api_v3``) answers any origin, as Kaltura's does. The control endpoints (faults,
stats, clock) and the stand-ins' verify endpoints are not part of Kaltura: a web page open
in any browser on the machine must not drive them. So they answer only when

- the peer is this machine (a loopback address, or the address the sandbox is bound to);
- the ``Host`` header, if any, names a local host with the sandbox's port — a page on a
  rebound DNS name (``evil.example:PORT`` resolving to 127.0.0.1) is refused;
- the ``Origin`` header, if any, is the sandbox's own origin (the preview page, loaded at
  the sandbox's address, qualifies; ``null`` from a ``file:`` page or a sandboxed frame
  does not);
- a request body is ``application/json`` (a cross-site form post cannot be).

They never carry CORS headers, so a browser keeps other origins from reading them.
"""

from __future__ import annotations

import ipaddress
from email.message import Message
from urllib.parse import urlsplit

#: Path prefixes that answer same-machine requests only.
PREFIXES = ("/_sandbox/", "/_standin/")

_LOCAL_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})


def covers(path: str) -> bool:
    """Whether ``path`` (with or without a query) is a same-machine-only endpoint."""
    return urlsplit(path).path.startswith(PREFIXES)


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.split("%")[0]).is_loopback
    except ValueError:
        return False


def _local_hosts(bound: str) -> frozenset[str]:
    extra = {bound} if bound not in ("", "0.0.0.0", "::") else set()
    return _LOCAL_NAMES | extra


def _host_ok(value: str, hosts: frozenset[str], port: int) -> bool:
    try:
        parts = urlsplit(f"//{value}")
        host, given = parts.hostname, parts.port
    except ValueError:
        return False
    if host is None or host.lower() not in hosts:
        return False
    return given == port or (given is None and port == 80)


def refusal(
    headers: Message, body: bytes, peer: str, bound: tuple[str, int]
) -> tuple[int, str] | None:
    """Why a request to a same-machine-only endpoint is refused, or None when it may run.

    Args:
        headers: The request headers.
        body: The request body (may be empty).
        peer: The client's IP address.
        bound: The (host, port) the sandbox listens on.

    Returns:
        An HTTP status and a one-sentence reason, or None.
    """
    host, port = bound
    hosts = _local_hosts(host)
    if not (_is_loopback(peer) or peer == host):
        return 403, "this endpoint answers requests from this machine only"
    host_header = headers.get("Host")
    if host_header is not None and not _host_ok(host_header, hosts, port):
        return 403, f"this endpoint answers only requests addressed to 127.0.0.1:{port}"
    origin = headers.get("Origin")
    if origin is not None:
        scheme = urlsplit(origin).scheme if "://" in origin else ""
        if scheme != "http" or not _host_ok(origin.split("://", 1)[1], hosts, port):
            return 403, "this endpoint does not answer pages of other origins"
    ctype = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if body and ctype != "application/json":
        return 415, "send the body as application/json"
    return None
