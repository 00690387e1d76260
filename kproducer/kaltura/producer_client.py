"""``KalturaClient`` as kproducer sends with it: local admin KS, pooled HTTP, typed errors.

:class:`ProducerClient` queues each call with a fresh-enough admin KS, sends through the
pooled :class:`~.transport.HttpTransport` (retrying only what is safe to send again), renews
the KS once when Kaltura refuses it as expired before anything ran, turns every failure into a
typed :class:`~.errors.KalturaError`, and records every call, and every sub-call of a
multirequest, in the activity log. One per thread, made by :class:`~.client.KalturaConnection`.
Nothing here imports Qt.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from KalturaClient import KalturaClient, KalturaConfiguration
from KalturaClient.Base import IKalturaLogger, KalturaParams
from KalturaClient.exceptions import KalturaClientException, KalturaException

from ..activity import ActivityLog, Outcome
from ..local.redact import redact
from .admin_session import AdminSession
from .errors import KalturaError, from_exception
from .transport import HttpTransport, MalformedResponse

if TYPE_CHECKING:
    from .client import ConnectionSettings

wire_log = logging.getLogger("kproducer.kaltura.wire")

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
