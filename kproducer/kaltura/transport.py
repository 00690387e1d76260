"""HTTP for the Kaltura client: one pooled keep-alive session, explicit timeouts, bounded retries.

Replaces ``KalturaClient.doHttpRequest`` (5 retries with a 5 s doubling backoff and a new
connection per call). Rules:

- one ``requests.Session`` per :class:`HttpTransport` (the connection object gives each
  thread its own), so sequential calls reuse one TCP connection;
- ``(connect, read)`` timeouts on every request;
- at most ``max_retries`` retries, only when the request is idempotent (reads) and the failure
  is transient: connection refused/dropped, connect timeout, HTTP 5xx, unreadable response.
  A read timeout is not retried (a slow server only gets slower), nor is anything else;
- no retry starts later than ``retry_window`` seconds after the first attempt, so a dead
  service URL fails a call within ``retry_window + connect_timeout`` (about 15 s by default).
"""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import requests
from requests.adapters import HTTPAdapter

from .errors import ConnectionFailed, KalturaError, RequestTimedOut, ServiceUnavailable

T = TypeVar("T")

_HEADERS = {"Accept": "text/xml", "Accept-Encoding": "gzip"}


@dataclass(frozen=True)
class HttpPolicy:
    """Timeouts and retry bounds.

    Attributes:
        connect_timeout: Seconds to establish a TCP (and TLS) connection.
        read_timeout: Seconds to wait for the answer once the request is sent.
        max_retries: Extra attempts for an idempotent request after a transient failure.
        backoff: Delay before the first retry; doubled for each further retry.
        retry_window: No retry starts later than this many seconds after the first attempt.
    """

    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    max_retries: int = 2
    backoff: float = 0.25
    retry_window: float = 9.0


@dataclass(frozen=True)
class Reply(Generic[T]):
    """A parsed answer: the value, the response headers and how many attempts it took."""

    value: T
    headers: Mapping[str, str]
    attempts: int


class MalformedResponse(Exception):
    """Raised by a ``parse`` callback when the body is not a readable Kaltura response."""


class HttpTransport:
    """POSTs API requests over one keep-alive session; not thread-safe (one per thread).

    Args:
        service_url: The Kaltura service URL, named in every error sentence.
        policy: Timeouts and retries.
        sleep: Sleep function for the backoff (injectable for tests).
    """

    def __init__(
        self,
        service_url: str,
        policy: HttpPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.service_url = service_url.rstrip("/")
        self.policy = policy or HttpPolicy()
        self._sleep = sleep
        self.session = _new_session()

    def close(self) -> None:
        """Close the pooled connection(s)."""
        self.session.close()

    def post(
        self,
        url: str,
        params: Mapping[str, Any],
        parse: Callable[[bytes], T],
        *,
        idempotent: bool,
        files: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Reply[T]:
        """POST ``params`` as JSON (or multipart with ``files``) and parse the answer.

        Args:
            url: Full request URL.
            params: The JSON body.
            parse: Turns the body into a value; raises :class:`MalformedResponse` for an
                unreadable body (retried like a 5xx). Other exceptions propagate unchanged.
            idempotent: Whether the request may be sent again after a transient failure.
            files: Upload parts (never retried).
            headers: Extra request headers.

        Returns:
            The parsed value with the response headers and the attempt count.

        Raises:
            ServiceUnavailable: HTTP error status or unreadable response.
            ConnectionFailed: No connection, or it was dropped.
            RequestTimedOut: No answer within the read timeout.
        """
        policy = self.policy
        may_retry = idempotent and not files
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._send(url, params, files, headers)
                if response.status_code != 200:
                    raise _status_error(self.service_url, response.status_code)
                return Reply(parse(response.content), response.headers, attempt)
            except requests.RequestException as exc:
                error, transient = _classify(exc, self.service_url, policy)
                cause: BaseException = exc
            except MalformedResponse as exc:
                error = ServiceUnavailable(
                    f"Kaltura at {self.service_url} sent a response that could not be read.",
                    "MALFORMED_RESPONSE", server_message=str(exc))
                transient, cause = True, exc
            except _StatusError as exc:
                error, transient, cause = exc.error, exc.transient, exc
            error.attempts = attempt
            delay = policy.backoff * (2 ** (attempt - 1))
            if not (may_retry and transient and attempt <= policy.max_retries):
                raise error from cause
            if time.monotonic() - started + delay > policy.retry_window:
                raise error from cause
            self._sleep(delay)

    def _send(self, url: str, params: Mapping[str, Any], files: Mapping[str, Any] | None,
              headers: Mapping[str, str] | None) -> requests.Response:
        timeout = (self.policy.connect_timeout, self.policy.read_timeout)
        if files:
            return self.session.post(url, data={"json": json.dumps(params)}, files=dict(files),
                                     headers=dict(headers or {}), timeout=timeout)
        return self.session.post(url, json=dict(params), headers=dict(headers or {}),
                                 timeout=timeout)


def _new_session() -> requests.Session:
    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=1, pool_maxsize=1, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers.update(_HEADERS)
    return session


class _StatusError(Exception):
    def __init__(self, error: KalturaError, transient: bool) -> None:
        super().__init__(error.message)
        self.error = error
        self.transient = transient


def _status_error(service_url: str, status: int) -> _StatusError:
    if status >= 500:
        return _StatusError(ServiceUnavailable(
            f"Kaltura at {service_url} answered with a server error (HTTP {status}).",
            f"HTTP_{status}"), transient=True)
    return _StatusError(ServiceUnavailable(
        f"Kaltura at {service_url} answered HTTP {status}; check the service URL.",
        f"HTTP_{status}"), transient=False)


def _classify(exc: requests.RequestException, url: str,
              policy: HttpPolicy) -> tuple[KalturaError, bool]:
    """The typed error for a ``requests`` failure, and whether it is worth a retry."""
    reach = f"Could not reach Kaltura at {url}"
    detail = str(exc)
    if isinstance(exc, requests.ConnectTimeout):
        return ConnectionFailed(f"{reach}: no connection within {policy.connect_timeout:g} s.",
                                "CONNECT_TIMEOUT", server_message=detail), True
    if isinstance(exc, requests.ReadTimeout):
        return RequestTimedOut(
            f"Kaltura at {url} did not answer within {policy.read_timeout:g} s.",
            "READ_TIMEOUT", server_message=detail), False
    if isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                        requests.exceptions.InvalidSchema)):
        return ConnectionFailed(f"The service URL {url} is not a valid http(s) address.",
                                "INVALID_URL", server_message=detail), False
    causes = list(_causes(exc))
    if any(isinstance(c, ssl.SSLError) for c in causes) or isinstance(
            exc, requests.exceptions.SSLError):
        return ConnectionFailed(f"{reach}: the secure connection (TLS) failed.",
                                "TLS_FAILED", server_message=detail), False
    if any(isinstance(c, socket.gaierror) for c in causes) or "NameResolution" in detail:
        return ConnectionFailed(f"{reach}: the host name could not be resolved.",
                                "DNS_FAILED", server_message=detail), False
    if any(isinstance(c, ConnectionRefusedError) for c in causes):
        return ConnectionFailed(f"{reach}: connection refused.", "CONNECTION_REFUSED",
                                server_message=detail), True
    if any(isinstance(c, (ConnectionResetError, http.client.RemoteDisconnected,
                          BrokenPipeError)) for c in causes) or isinstance(
            exc, requests.exceptions.ChunkedEncodingError):
        return ConnectionFailed(
            f"{reach}: the connection was closed before an answer arrived.",
            "CONNECTION_DROPPED", server_message=detail), True
    if isinstance(exc, requests.ConnectionError):
        return ConnectionFailed(f"{reach}: {_short(detail)}.", "CONNECTION_FAILED",
                                server_message=detail), True
    return ConnectionFailed(f"{reach}: {_short(detail)}.", "REQUEST_FAILED",
                            server_message=detail), False


def _causes(exc: BaseException, depth: int = 0) -> Iterator[BaseException]:
    """``exc`` and everything it wraps (args, ``reason``, cause, context)."""
    if depth > 8:
        return
    yield exc
    nested: list[Any] = [*exc.args, getattr(exc, "reason", None), exc.__cause__,
                         exc.__context__]
    for item in nested:
        if isinstance(item, BaseException) and item is not exc:
            yield from _causes(item, depth + 1)


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split()).rstrip(". ")
    return text if len(text) <= limit else text[: limit - 1] + "…"
