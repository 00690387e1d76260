"""Action registry, call dispatch and multirequest, in the server's order of checks.

``KalturaDispatcher::dispatch`` checks, in order: the service and action exist; the KS
parses; the parameters deserialize; the KS is valid (expiry, actions limit, blocked
user); the session may use the action (``SERVICE_FORBIDDEN``); then the action runs.
``KalturaFrontController::handleMultiRequest`` runs numbered sub-requests (0- or
1-based) in order, each on its own, replacing ``{N:result:path}`` placeholders with
earlier results (``''`` when that result was an error or lacks the path).
"""

from __future__ import annotations

import enum
import hashlib
import logging
import re
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from . import errors, ks, partner_options, roles
from .errors import ApiError
from .form import UploadedFile
from .params import Param, build_arguments
from .store import Store

log = logging.getLogger(__name__)


#: Headers the calls of the request being served add (PHP's ``header()``), sent with it.
RESPONSE_HEADERS: ContextVar[dict[str, str] | None] = ContextVar(
    "sandbox_response_headers", default=None
)


def add_response_header(name: str, value: str) -> None:
    """Send a header with the current request's answer (as a call's ``header()`` does)."""
    headers = RESPONSE_HEADERS.get()
    if headers is not None:
        headers[name] = value


class Access(enum.Enum):
    """Who may call an action."""

    NONE = "none"  #: no session needed (session.start, appToken.startSession)
    USER = "user"  #: any valid session, USER type included
    ADMIN = "admin"  #: an ADMIN session only


@dataclass
class Context:
    """What an action sees of its call."""

    db: Store
    partner_id: int
    session: ks.Session | None
    now: int = -1  #: the call's time; the store's clock unless given
    #: File parts of a multipart request, by parameter name (``$_FILES``).
    files: dict[str, UploadedFile] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.now < 0:
            self.now = self.db.now()

    @property
    def is_admin(self) -> bool:
        """The call carries an ADMIN session."""
        return self.session is not None and self.session.is_admin

    @property
    def user_id(self) -> str:
        """The session's user id ('' for none)."""
        return self.session.user_id if self.session else ""


Handler = Callable[..., Any]


@dataclass(frozen=True)
class Action:
    """One registered service action."""

    service: str
    name: str
    handler: Handler
    params: tuple[Param, ...]
    access: Access


ACTIONS: dict[tuple[str, str], Action] = {}


def action(
    service: str, name: str, *params: Param, access: Access = Access.ADMIN
) -> Callable[[Handler], Handler]:
    """Register a handler as ``service.name`` (both matched case-insensitively)."""

    def register(handler: Handler) -> Handler:
        ACTIONS[(service.lower(), name.lower())] = Action(
            service.lower(), name, handler, tuple(params), access
        )
        return handler

    return register


def _services() -> set[str]:
    return {s for s, _ in ACTIONS}


def _secrets_for(db: Store) -> Callable[[int], list[str]]:
    def lookup(partner_id: int) -> list[str]:
        secret = db.scalar("SELECT admin_secret FROM partners WHERE id=?", (partner_id,))
        return [s for s in str(secret).split(",") if s] if secret else []

    return lookup


def _invalid_ks(ksid: str) -> ApiError:
    return ApiError(errors.INVALID_KS, ksid, "-1", "INVALID_STR")


def session_id_hash(partner_id: int, session_id: str) -> str:
    """``ks::buildSessionIdHash``: the key that invalidates every KS of one session id."""
    return hashlib.sha1(f"{partner_id}_{session_id}".encode()).hexdigest()


def _check_session_valid(db: Store, session: ks.Session, now: int) -> None:
    """``ks::isValid``: expiry, invalidation, then the actions limit, then a blocked user."""
    if session.expiry <= now:
        raise _invalid_ks("EXPIRED")
    session_ids = session.privileges.get("sessionid")
    if session_ids and db.scalar(  # past ks_valid_until the row is gone (24 h for end)
        "SELECT 1 FROM invalid_sessions WHERE ks_hash=? AND (valid_until IS NULL OR "
        "valid_until>?)", (session_id_hash(session.partner_id, session_ids[0]), now),
    ):
        raise _invalid_ks("LOGOUT")
    limits = session.privileges.get("actionslimit")
    if limits is not None:
        row = db.execute(
            "SELECT actions_limit FROM invalid_sessions WHERE ks_hash=?", (session.hash(),)
        ).fetchone()
        if row is not None:
            if row[0] is None:
                raise _invalid_ks("LOGOUT")
            if row[0] <= 0:
                raise _invalid_ks("EXCEEDED_ACTIONS_LIMIT")
            db.execute(
                "UPDATE invalid_sessions SET actions_limit=? WHERE ks_hash=?",
                (row[0] - 1, session.hash()),
            )
        else:
            value = limits[0]
            if not value.isdigit() or int(value) <= 0:
                raise ApiError(errors.INVALID_ACTIONS_LIMIT)
            db.execute(
                "INSERT INTO invalid_sessions (ks_hash, actions_limit) VALUES (?, ?)",
                (session.hash(), int(value) - 1),
            )
    elif db.scalar("SELECT 1 FROM invalid_sessions WHERE ks_hash=?", (session.hash(),)):
        raise _invalid_ks("LOGOUT")
    if session.user_id:
        status = db.scalar(
            "SELECT status FROM kusers WHERE partner_id=? AND id=? AND status!=2",
            (session.partner_id, session.user_id),
        )
        if status == 0:
            raise ApiError(errors.USER_BLOCKED)


def dispatch(db: Store, params: dict[str, Any]) -> Any:
    """Run one API call; returns its result or raises ApiError."""
    service = str(params.get("service", "")).lower()
    name = str(params.get("action", "")).lower()
    if service not in _services():
        raise ApiError(errors.SERVICE_DOES_NOT_EXISTS, service)
    act = ACTIONS.get((service, name))
    if act is None:
        raise ApiError(errors.ACTION_DOES_NOT_EXISTS, name, service)

    ks_string = params.get("ks")
    session = None
    if isinstance(ks_string, str) and ks_string:
        try:
            session = ks.decode(ks_string, _secrets_for(db))
        except ks.KsError:
            raise _invalid_ks(ks_string) from None

    args = build_arguments(list(act.params), params)

    ctx = Context(db, 0, session)
    ctx.files = {k: v for k, v in params.items() if isinstance(v, UploadedFile)}
    if session is not None:
        _check_session_valid(db, session, ctx.now)
        ctx.partner_id = session.partner_id
    else:
        pid = params.get("partnerId")
        ctx.partner_id = int(pid) if isinstance(pid, str) and pid.isdigit() else 0

    granted = roles.granted_actions(session.privileges) if session is not None else None
    if granted is not None:  # kPermissionManager: the setrole role replaces the session's
        forbidden = act.access is not Access.NONE and f"{service}.{name}" not in granted
    else:
        forbidden = (act.access is Access.USER and session is None) or (
            act.access is Access.ADMIN and not ctx.is_admin
        )
    if forbidden or partner_options.load(db).service_disabled(service):
        raise ApiError(errors.SERVICE_FORBIDDEN, f"{service}->{name}")
    return act.handler(ctx, **args)


def call(db: Store, params: dict[str, Any]) -> Any:
    """Run one call in its own transaction; an error is returned, not raised.

    Each call commits on its own, also inside a multirequest: the server's
    ``handleMultiRequest`` runs every call through the dispatcher with no transaction
    around them, so a later failure never undoes an earlier write.
    """
    try:
        with db.transaction():
            return dispatch(db, params)
    except ApiError as exc:
        return exc
    except Exception:  # an action's bug must not take the server down
        if db.closed:  # the sandbox is stopping under this request: no answer to give
            raise
        log.exception("internal error in %s.%s", params.get("service"), params.get("action"))
        return ApiError(errors.INTERNAL_SERVERL_ERROR)


_PLACEHOLDER = re.compile(r"\{[0-9]+:result:?(.*)?\}")
_EXACT = re.compile(r"^\{([0-9]+):result:?(.*)?\}$")


def _value_at(obj: Any, path: list[str]) -> Any:
    """``getValueFromObject``: walk a result by property names and array indexes."""
    if not path or not path[0]:
        return obj if not isinstance(obj, (dict, list, ApiError)) else None
    head, rest = path[0], path[1:]
    if isinstance(obj, dict):
        if head not in obj:
            return None
        return _value_at(obj[head], rest)
    if isinstance(obj, list):
        if head == "_all":
            attr = rest[0] if rest else ""
            joined = "".join(
                f"{_php_str(o.get(attr))},"
                for o in obj
                if isinstance(o, dict) and o.get(attr) is not None
            )
            return joined or None
        if head.isdigit() and int(head) < len(obj):
            return _value_at(obj[int(head)], rest)
    return None


def _php_str(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else ""
    return str(value)


def _placeholder_paths(params: Any) -> Any:
    """``getMultiRequestResultsPaths``: which params hold a placeholder, and which one."""
    paths: dict[str, Any] = {}
    if not isinstance(params, dict):
        return paths
    for key, value in params.items():
        if isinstance(value, dict):
            nested = _placeholder_paths(value)
            if nested:
                paths[key] = nested
        elif isinstance(value, str):
            match = _PLACEHOLDER.search(value)
            if match:
                paths[key] = match.group(0)
    return paths


def _replace(
    index: int, paths: dict[str, Any], params: dict[str, Any], result: Any
) -> dict[str, Any]:
    for key, path in paths.items():
        if key not in params:
            continue
        if isinstance(path, dict):
            if isinstance(params[key], dict):
                params[key] = _replace(index, path, params[key], result)
            continue
        match = _EXACT.match(path)
        if match and int(match.group(1)) == index:
            value = _value_at(result, (match.group(2) or "").split(":"))
            params[key] = str(params[key]).replace(path, _php_str(value))
    return params


def multirequest(
    db: Store, params: dict[str, Any], after_call: Callable[[], None] | None = None
) -> list[Any]:
    """Run a multirequest; one result (object, scalar, None or ApiError) per call.

    ``after_call`` runs after each call, outside the database lock (server time).
    """
    requests: dict[int, dict[str, Any]] = {}
    common: dict[str, Any] = {}
    start, end = 1, 1
    for key, value in params.items():
        if key.isdigit():
            index = int(key)
            start, end = min(start, index), max(end, index)
            requests[index] = value if isinstance(value, dict) else {}
        else:
            common[key] = value
    paths = {i: _placeholder_paths(r) for i, r in requests.items()}
    results: list[Any] = []
    for i in range(start, end + 1):
        current = requests.get(i, {})
        if "service" not in current or "action" not in current:
            break
        for name in ("clientTag", "ks", "partnerId"):
            if name in common and name not in current:
                current[name] = common[name]
        current.pop("format", None)
        result = call(db, current)
        results.append(result)
        if after_call is not None:
            after_call()
        for j in range(i + 1, end + 1):
            if paths.get(j) and j in requests:
                requests[j] = _replace(len(results), paths[j], requests[j], result)
    return results
