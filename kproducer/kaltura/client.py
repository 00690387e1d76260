"""One Kaltura account: its settings, a client per thread, paging and multirequests.

``KalturaConnection`` holds the settings of one account and gives each thread its own
``ProducerClient`` (``KalturaClient`` is not thread-safe: it queues calls)::

    conn = KalturaConnection(ConnectionSettings(url, partner_id, admin_user_id, secret))
    user = conn.client.user.get("bob")             # raises NotFound, ConnectionFailed, ...
    results = conn.multi(lambda c: [                # ONE http request
        c.user.add(KalturaUser(id="bob")),
        c.groupUser.add(KalturaGroupUser(userId="bob", groupId="0_x_moderators")),
        c.baseEntry.get("0_x"),
    ])
    entry = results[2].unwrap()

Every call, and every sub-call of a multirequest, is recorded in the activity log with its
outcome and duration (by :class:`~.producer_client.ProducerClient`). Nothing here imports Qt.
"""

from __future__ import annotations

import functools
import threading
import time
import weakref
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from KalturaClient.exceptions import KalturaClientException, KalturaException
from KalturaClient.Plugins.Core import KalturaFilterPager

from ..activity import ActivityLog, default_log
from ..local.redact import register_secret
from .admin_session import AdminSession
from .errors import AuthenticationError, KalturaError, from_exception
from .producer_client import ProducerClient, action_name
from .transport import HttpPolicy, HttpTransport

#: Objects per list request (Kaltura's pager allows up to 500).
PAGE_SIZE = 500


@dataclass(frozen=True)
class ConnectionSettings:
    """One Kaltura account and how to talk to it.

    Attributes:
        service_url: e.g. ``https://www.kaltura.com`` (no ``/api_v3``).
        partner_id: The partner (account) ID.
        admin_user_id: The user the admin KS is issued for.
        admin_secret: Signs the admin KS; never shown in ``repr``.
        connect_timeout: Seconds to connect.
        read_timeout: Seconds to wait for an answer.
        max_retries: Retries for reads after a transient failure (writes are never retried).
        retry_backoff: First retry delay in seconds, doubled per retry.
        retry_window: No retry starts later than this after the first attempt.
        ks_lifetime: Seconds each admin KS is valid.
        ks_renew_before: Renew the admin KS when fewer seconds than this are left.
        ks_privileges: Admin KS privileges.
        client_tag: Sent as ``clientTag`` (shows up in Kaltura's logs).
        wire_log: Log request/response dumps (redacted) to ``kproducer.kaltura.wire``.
    """

    service_url: str
    partner_id: int
    admin_user_id: str
    admin_secret: str = field(repr=False)
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    max_retries: int = 2
    retry_backoff: float = 0.25
    retry_window: float = 9.0
    ks_lifetime: int = 7200
    ks_renew_before: int = 600
    ks_privileges: str = "disableentitlement"
    client_tag: str = "kproducer"
    wire_log: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "service_url", self.service_url.strip().rstrip("/"))

    def http_policy(self) -> HttpPolicy:
        """The transport's timeouts and retry bounds."""
        return HttpPolicy(self.connect_timeout, self.read_timeout, self.max_retries,
                          self.retry_backoff, self.retry_window)


@dataclass(frozen=True)
class CallResult:
    """The result of one sub-call of a multirequest: a value, or a typed error (not raised).

    Attributes:
        action: ``service.action``.
        value: The returned object (None for void actions or on error).
        error: The typed error, if the call failed.
    """

    action: str
    value: Any = None
    error: KalturaError | None = None

    @property
    def ok(self) -> bool:
        """The call succeeded."""
        return self.error is None

    def failed_with(self, *codes: str) -> bool:
        """The call failed with one of these Kaltura codes."""
        return self.error is not None and self.error.code in codes

    def unwrap(self) -> Any:
        """The value, or raise the error."""
        if self.error is not None:
            raise self.error
        return self.value


def _page_of(list_page: Callable[[ProducerClient, Any], Any], pager: Any,
             client: ProducerClient) -> Any:
    return list_page(client, pager)


class KalturaConnection:
    """One Kaltura account: settings, the admin KS, and a client per thread.

    Args:
        settings: Account and transport settings.
        activity: Where calls are recorded (default: the process-wide log).
        clock: Seconds since the epoch, for the admin KS renewal (injectable for tests).
    """

    def __init__(self, settings: ConnectionSettings, activity: ActivityLog | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.activity = activity if activity is not None else default_log()
        register_secret(settings.admin_secret)
        self.admin_session = AdminSession(
            settings.admin_secret, settings.admin_user_id, settings.partner_id,
            lifetime=settings.ks_lifetime, renew_before=settings.ks_renew_before,
            privileges=settings.ks_privileges, clock=clock,
        )
        self._local = threading.local()
        self._transports: weakref.WeakSet[HttpTransport] = weakref.WeakSet()
        self._lock = threading.Lock()

    @property
    def client(self) -> ProducerClient:
        """This thread's client (created on first use; its HTTP connection is kept alive)."""
        client: ProducerClient | None = getattr(self._local, "client", None)
        if client is None:
            transport = HttpTransport(self.settings.service_url, self.settings.http_policy())
            client = ProducerClient(self.settings, transport, self.admin_session, self.activity)
            self._local.client = client
            with self._lock:
                self._transports.add(transport)
        return client

    def call(self, fn: Callable[[ProducerClient], Any]) -> Any:
        """Run one call, e.g. ``conn.call(lambda c: c.user.get(uid))``.

        Same as calling ``conn.client`` directly, except that errors the Kaltura client raises
        while building the result (e.g. an unexpected object type) also come out typed.

        Raises:
            KalturaError: Any failure, typed.
        """
        client = self.client
        if client.isMultiRequest():
            raise RuntimeError("a multirequest is being built on this thread")
        try:
            return fn(client)
        except (KalturaException, KalturaClientException) as exc:
            raise from_exception(exc) from None

    def list_all(self, list_page: Callable[[ProducerClient, Any], Any]) -> list[Any]:
        """Every object of a list action, :data:`PAGE_SIZE` per request.

        Args:
            list_page: Makes the call for one page, e.g.
                ``lambda c, pager: c.baseEntry.list(flt, pager)``.
        """
        found: list[Any] = []
        page = 1
        while True:
            pager = KalturaFilterPager(pageSize=PAGE_SIZE, pageIndex=page)
            listed = self.call(functools.partial(_page_of, list_page, pager))
            batch = list(listed.objects or [])
            found.extend(batch)
            if len(batch) < PAGE_SIZE or len(found) >= int(listed.totalCount or 0):
                return found
            page += 1

    def multi(self, queue: Callable[[ProducerClient], object], *,
              raise_auth: bool = True,
              expected: Mapping[int, Collection[str]] | None = None) -> list[CallResult]:
        """Run the calls ``queue(client)`` makes as ONE multirequest.

        ``raise_auth=False`` leaves authentication errors in their results: for calls that
        carry a KS of their own (``session.end`` of a link), whose refusal says nothing
        about the admin secret.

        ``expected`` names, per call index, the error codes that are an answer rather than a
        failure (``DUPLICATE_USER_BY_ID`` for an add that means "make sure it exists",
        ``INVALID_GROUP_ID`` for a delete of something that may not be there): such a result
        is still an error in the returned list, but the activity log records it as answered,
        not failed, so a producer is not shown an error for what went as planned.

        Inside ``queue`` the client's methods return placeholders (usable in later calls of
        the same batch, e.g. ``added.id``); the return value of ``queue`` is ignored.

        Returns:
            One :class:`CallResult` per queued call, in order; failed calls hold their typed
            error instead of raising. No calls queued → ``[]`` without any request.

        Raises:
            AuthenticationError: The admin KS was rejected (every call would fail alike).
            ServiceUnavailable: The request as a whole failed (network, HTTP, unreadable).
        """
        client = self.client
        if client.isMultiRequest():
            raise RuntimeError("multirequests cannot be nested")
        client.startMultiRequest()
        try:
            queue(client)
            names = [action_name(c.service, c.action) for c in client.callsQueue]
        except BaseException:
            client.callsQueue = []
            client.multiRequestReturnType = None
            raise
        client.expected_errors = dict(expected or {})
        try:
            raw = client.doMultiRequest()
        except (KalturaException, KalturaClientException) as exc:
            raise from_exception(exc, action="multirequest") from None
        finally:
            client.expected_errors = {}
        results = [
            CallResult(name, error=value) if isinstance(value, KalturaError)
            else CallResult(name, value=value)
            for name, value in zip(names, raw, strict=False)
        ]
        for result in results:
            if raise_auth and isinstance(result.error, AuthenticationError):
                raise result.error
        return results

    def close(self) -> None:
        """Close every thread's pooled HTTP connection (they reopen on the next call)."""
        with self._lock:
            transports = list(self._transports)
        for transport in transports:
            transport.close()

    def __enter__(self) -> KalturaConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def settings_from(values: Mapping[str, Any], **overrides: Any) -> ConnectionSettings:
    """Settings from a mapping holding the four account keys, plus overrides.

    Args:
        values: Has ``service_url``, ``partner_id``, ``admin_user_id`` and ``admin_secret``
            (e.g. ``SandboxInfo.as_dict()``); other keys are ignored.
        **overrides: Any other :class:`ConnectionSettings` field, e.g. ``read_timeout``.
    """
    merged = {**{k: values[k] for k in ("service_url", "partner_id", "admin_user_id",
                                        "admin_secret")}, **overrides}
    merged["partner_id"] = int(merged["partner_id"])
    return ConnectionSettings(**merged)
