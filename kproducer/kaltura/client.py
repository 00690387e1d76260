"""The Kaltura client kproducer uses: local admin KS, pooled HTTP, typed errors, activity.

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
outcome and duration. Nothing here imports Qt.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
import weakref
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from KalturaClient import KalturaClient, KalturaConfiguration
from KalturaClient.Base import IKalturaLogger, KalturaParams
from KalturaClient.exceptions import KalturaClientException, KalturaException
from KalturaClient.Plugins.Core import KalturaFilterPager

from ..activity import ActivityLog, Outcome, default_log
from ..local.redact import redact, register_secret
from .admin_session import AdminSession
from .errors import AuthenticationError, KalturaError, from_exception
from .transport import HttpPolicy, HttpTransport, MalformedResponse

wire_log = logging.getLogger("kproducer.kaltura.wire")
#: Objects per list request (Kaltura's pager allows up to 500).
PAGE_SIZE = 500

#: Wire service ids → the names used in activity records (the Python client's attributes).
SERVICE_NAMES = {
    "groupuser": "groupUser",
    "apptoken": "appToken",
    "baseentry": "baseEntry",
    "livestream": "liveStream",
    "group_group": "group",
    "virtualevent_virtualevent": "virtualEvent",
    "room_room": "room",
    "schedule_scheduleevent": "scheduleEvent",
}


def action_name(service: str, action: str) -> str:
    """``service.action`` as shown in the activity log, e.g. ``groupUser.add``."""
    name = SERVICE_NAMES.get(service.lower())
    if name is None:
        name = service.split("_", 1)[1] if "_" in service else service
    return f"{name}.{action}"


def is_read(action: str) -> bool:
    """Whether an action only reads (get*, list*, count) and may be retried."""
    lowered = action.lower()
    return lowered == "count" or lowered.startswith(("get", "list"))


def outcome_of(action: str) -> Outcome:
    """The activity outcome of a successful call of ``action``."""
    lowered = action.lower()
    if lowered.startswith(("add", "clone", "create")):
        return "created"
    if lowered.startswith(("update", "set")):
        return "updated"
    if lowered.startswith(("delete", "remove")):
        return "deleted"
    return "fetched"


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


class _RedactingLogger(IKalturaLogger):  # type: ignore[misc]
    """KalturaClient's logger: every line redacted, at DEBUG on ``kproducer.kaltura.wire``."""

    def log(self, msg: str) -> None:
        if wire_log.isEnabledFor(logging.DEBUG):
            wire_log.debug("%s", redact(str(msg)))


@dataclass
class _InFlight:
    names: list[str]
    calls: list[Any]
    ms: float
    attempts: int


class ProducerClient(KalturaClient):  # type: ignore[misc]
    """``KalturaClient`` with kproducer's transport, admin KS, typed errors and activity.

    Create through :class:`KalturaConnection`; one per thread.
    """

    callsQueue: list[Any]
    multiRequestReturnType: list[Any] | None

    def __init__(self, settings: ConnectionSettings, transport: HttpTransport,
                 admin_session: AdminSession, activity: ActivityLog) -> None:
        config = KalturaConfiguration(settings.service_url)
        if settings.wire_log:
            config.setLogger(_RedactingLogger())
        super().__init__(config)
        self.setClientTag(settings.client_tag)
        self._transport = transport
        self._admin_session = admin_session
        self._activity = activity
        self._inflight: _InFlight | None = None
        #: Per call index of the multirequest being sent: error codes that are an answer.
        self.expected_errors: dict[int, Collection[str]] = {}

    # --- queueing: every call carries a fresh-enough admin KS --------------------------------

    def queueServiceActionCall(self, service: str, action: str, returnType: Any,
                               params: Any = None, files: Any = None) -> None:
        """Queue one call, with the current admin KS (renewed here when close to expiry)."""
        self.setKs(self._admin_session.current())
        super().queueServiceActionCall(service, action, returnType,
                                       KalturaParams() if params is None else params, files)

    # --- sending ------------------------------------------------------------------------------

    def doQueue(self) -> Any:
        """Send the queued call(s) in one HTTP request; raise typed errors; record activity."""
        self.responseHeaders = None
        self.executionTime = None
        calls = list(self.callsQueue)
        if not calls:
            self.multiRequestReturnType = None
            return None
        multi = self.isMultiRequest()
        url, params, files = self.getRequestParams()
        self.callsQueue = []
        names = [action_name(c.service, c.action) for c in calls]
        idempotent = all(is_read(c.action) for c in calls)
        started = time.perf_counter()
        try:
            try:
                reply = self._transport.post(
                    url, params.get(), self._parse, idempotent=idempotent, files=files or None,
                    headers=self.requestHeaders)
            except _SessionExpired:
                # Rejected before anything ran: renew the admin KS and send it all once more.
                self._activity.count_request()
                url, params, files = self._with_fresh_ks(calls)
                reply = self._transport.post(
                    url, params.get(), self._parse_once, idempotent=idempotent,
                    files=files or None, headers=self.requestHeaders)
        except KalturaException as exc:  # an API error for the call (or the whole request)
            self._activity.count_request()  # Kaltura answered it
            ms = _ms(started)
            error = from_exception(exc, action=names[0] if len(names) == 1 else "multirequest",
                                   params=calls[0].params.get() if len(calls) == 1 else None)
            self._fail(names, ms, error, multi)
            raise error from None
        except KalturaError as error:
            error.action = error.action or (names[0] if len(names) == 1 else "multirequest")
            self._fail(names, _ms(started), error, multi)
            raise
        ms = _ms(started)
        self._activity.count_request()
        self.responseHeaders = reply.headers
        if multi:
            self._inflight = _InFlight(names, calls, ms, reply.attempts)
        else:
            self._record(names[0], outcome_of(calls[0].action), ms,
                         _detail("", 0, 1, reply.attempts))
        return reply.value

    def doHttpRequest(self, url: str, params: Any = None, files: Any = None) -> bytes:
        """Replace the stock sender (5 retries, 5 s doubling backoff, a new connection each).

        Not used by :meth:`doQueue` (which needs to know whether a retry is safe); kept so no
        path leads to the stock one. One attempt over the pooled session, never retried.
        """
        body = params.get() if params is not None else {}
        reply = self._transport.post(url, body, lambda data: data, idempotent=False,
                                     files=files or None, headers=self.requestHeaders)
        self.responseHeaders = reply.headers
        return reply.value

    def doMultiRequest(self) -> list[Any]:
        """Send the queued multirequest; failed sub-calls come back as typed errors."""
        self._inflight = None
        try:
            raw = super().doMultiRequest()
        finally:
            self.multiRequestReturnType = None
            self.callsQueue = []
        inflight, self._inflight = self._inflight, None
        if inflight is None:
            return list(raw)
        results: list[Any] = []
        count = len(inflight.names)
        if any(_expired(value) for value in raw):
            # The KS ran out between two calls of this multirequest: the next one gets a new KS.
            self._admin_session.renew()
        for index, (name, call) in enumerate(zip(inflight.names, inflight.calls, strict=True)):
            value = raw[index] if index < len(raw) else _missing(name)
            where = _detail("", index, count, inflight.attempts)
            if isinstance(value, (KalturaException, KalturaError)):
                error = from_exception(value, action=name, params=call.params.get())
                if error.code and error.code in self.expected_errors.get(index, ()):
                    # an answer the caller asked for ("already there", "not there")
                    self._record(name, "fetched", inflight.ms,
                                 _detail(f"answered {error.code} (as expected)", index, count,
                                         inflight.attempts))
                else:
                    self._record(name, "error", inflight.ms,
                                 _detail(error.message, index, count, inflight.attempts))
                results.append(error)
            else:
                self._record(name, outcome_of(call.action), inflight.ms, where)
                results.append(value)
        return results

    def _parse(self, body: bytes) -> Any:
        """Parse an answer; raise :class:`_SessionExpired` if Kaltura refused the KS as expired.

        That refusal comes before any call runs (``INVALID_KS`` "EXPIRED" for the single call,
        or for every call of a multirequest), so the request is safe to send again.
        """
        try:
            value = self._parse_once(body)
        except KalturaException as exc:
            if _expired(exc):
                raise _SessionExpired from exc
            raise
        if self.isMultiRequest() and len(value) and all(
            _expired(self.getExceptionIfError(item)) for item in value
        ):
            raise _SessionExpired
        return value

    def _parse_once(self, body: bytes) -> Any:
        try:
            return self.parsePostResult(body)
        except KalturaClientException as exc:
            raise MalformedResponse(str(exc)) from None
        except (AttributeError, ValueError) as exc:  # lxml "recovered" nothing at all
            raise MalformedResponse(str(exc)) from None

    def _with_fresh_ks(self, calls: list[Any]) -> tuple[str, Any, Any]:
        """The request for ``calls`` again, each carrying a newly generated admin KS."""
        fresh = self._admin_session.renew()
        self.setKs(fresh)
        for call in calls:
            call.params.put("ks", fresh)
        self.callsQueue = calls
        try:
            return cast(tuple[str, Any, Any], self.getRequestParams())
        finally:
            self.callsQueue = []

    # --- activity -----------------------------------------------------------------------------

    def _record(self, action: str, outcome: Outcome, ms: float, detail: str = "") -> None:
        self._activity.record(action, outcome, ms, detail)

    def _fail(self, names: list[str], ms: float, error: KalturaError, multi: bool) -> None:
        self.multiRequestReturnType = None
        count = len(names) if multi else 1
        for index, name in enumerate(names):
            self._record(name, "error", ms, _detail(error.message, index, count, error.attempts))


def _page_of(list_page: Callable[[ProducerClient, Any], Any], pager: Any,
             client: ProducerClient) -> Any:
    return list_page(client, pager)


class _SessionExpired(Exception):
    """Kaltura refused the admin KS of a whole request as expired (nothing ran)."""


def _expired(error: object) -> bool:
    """``INVALID_KS`` with "EXPIRED": what Kaltura says for a KS past its expiry."""
    return (isinstance(error, KalturaException) and error.code == "INVALID_KS"
            and "EXPIRED" in str(error.message))


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0


def _detail(message: str, index: int, count: int, attempts: int) -> str:
    """An activity detail: the error sentence, the multirequest position, the attempts."""
    parts = [message] if message else []
    if count > 1:
        parts.append(f"Call {index + 1} of {count} in one multirequest.")
    if attempts > 1:
        parts.append(f"{attempts} attempts.")
    return " ".join(parts)


def _missing(name: str) -> KalturaError:
    return KalturaError(f"Kaltura returned no result for {name} in the multirequest.",
                        "MISSING_RESULT", action=name)


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
