"""Typed Kaltura errors, each with one sentence a producer can act on.

Every failure of the access layer is a :class:`KalturaError`: ``str(error)`` is the
sentence, ``error.code`` the Kaltura code (``GROUP_NOT_FOUND``…) or a transport code
(``CONNECTION_REFUSED``, ``READ_TIMEOUT``, ``HTTP_500``…), and ``error.exit_code`` the
command-line exit code of DESIGN §5 (3 cannot reach or authenticate, 2 bad input, 1 other).

::

    KalturaError (1)
    ├── AuthenticationError (3)   INVALID_KS, MISSING_KS, USER_BLOCKED…
    ├── PermissionDenied (3)      SERVICE_FORBIDDEN…
    ├── NotFound (2)              ENTRY_ID_NOT_FOUND, INVALID_USER_ID, GROUP_NOT_FOUND…
    ├── AlreadyExists (1)         DUPLICATE_USER_BY_ID, GROUP_USER_ALREADY_EXISTS
    ├── InvalidInput (2)          INVALID_FIELD_VALUE, PROPERTY_VALIDATION_*…
    └── ServiceUnavailable (3)    HTTP 5xx, unreadable responses
        └── ConnectionFailed (3)  refused, dropped, DNS, TLS, connect timeout
            └── RequestTimedOut (3)  no answer within the read timeout
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

from ..local.redact import redact


class KalturaError(Exception):
    """A failed Kaltura call, with one clear sentence.

    Args:
        message: The sentence shown to the producer (redacted here).
        code: The Kaltura error code, or a transport code such as ``READ_TIMEOUT``.
        action: The failed ``service.action``, when known.
        server_message: Kaltura's own message (redacted), or the low-level cause of a
            transport failure.
    """

    exit_code: ClassVar[int] = 1

    def __init__(
        self,
        message: str,
        code: str = "",
        *,
        action: str | None = None,
        server_message: str = "",
    ) -> None:
        self.message = redact(message)
        self.code = code
        self.action = action
        self.server_message = redact(server_message)
        #: HTTP attempts made before giving up (set by the transport).
        self.attempts = 1
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, code={self.code!r})"


class AuthenticationError(KalturaError):
    """The admin secret, partner or session was rejected."""

    exit_code = 3


class PermissionDenied(KalturaError):
    """The account may not use this service or action."""

    exit_code = 3


class NotFound(KalturaError):
    """The object (entry, user, group, app token, event, membership) does not exist."""

    exit_code = 2


class AlreadyExists(KalturaError):
    """The object already exists (often harmless: "already there")."""

    exit_code = 1


class InvalidInput(KalturaError):
    """Kaltura rejected a value or a missing parameter."""

    exit_code = 2


class ServiceUnavailable(KalturaError):
    """Kaltura answered with a server error or something unreadable."""

    exit_code = 3


class ConnectionFailed(ServiceUnavailable):
    """No answer: connection refused or dropped, unknown host, TLS failure, connect timeout."""


class RequestTimedOut(ConnectionFailed):
    """Connected, but no answer arrived within the read timeout."""


AUTHENTICATION_CODES = frozenset({
    "INVALID_KS", "MISSING_KS", "EXPIRED_KS", "USER_BLOCKED", "INVALID_PARTNER_ID",
    "PARTNER_BLOCKED", "SERVICE_ACCESS_CONTROL_RESTRICTED",
})
PERMISSION_CODES = frozenset({
    "SERVICE_FORBIDDEN", "CANNOT_RETRIEVE_ANOTHER_USER_USING_NON_ADMIN_SESSION",
    "FEATURE_FORBIDDEN", "ACTION_FORBIDDEN", "SERVICE_FORBIDDEN_CONTENT_BLOCKED",
})
NOT_FOUND_CODES = frozenset({
    "ENTRY_ID_NOT_FOUND", "INVALID_ENTRY_ID", "INVALID_USER_ID", "USER_NOT_FOUND",
    "GROUP_NOT_FOUND", "INVALID_GROUP_ID", "APP_TOKEN_ID_NOT_FOUND", "VIRTUAL_EVENT_NOT_FOUND",
    "GROUP_USER_DOES_NOT_EXISTS", "GROUP_USER_NOT_FOUND", "INVALID_OBJECT_ID",
})
ALREADY_EXISTS_CODES = frozenset({
    "DUPLICATE_USER_BY_ID", "GROUP_USER_ALREADY_EXISTS", "DUPLICATE_GROUP_BY_ID",
})
INVALID_INPUT_CODES = frozenset({
    "INVALID_FIELD_VALUE", "MISSING_MANDATORY_PARAMETER", "INVALID_ENUM_VALUE",
    "VIRTUAL_EVENT_INVALID_REGISTRATION_FORM_SCHEMA", "OBJECT_TYPE_ABSTRACT",
    "INVALID_OBJECT_TYPE", "USER_ID_NOT_PROVIDED_OR_EMPTY",
})


#: Transport failures that prove the request never reached Kaltura (nothing can have run).
NOT_SENT_CODES = frozenset({
    "CONNECTION_REFUSED", "CONNECT_TIMEOUT", "DNS_FAILED", "TLS_FAILED", "INVALID_URL",
})


def answer_lost(error: KalturaError) -> bool:
    """The request may have reached Kaltura and run, but its answer never came back whole.

    True for 5xx, dropped connections, read timeouts and unreadable answers; False for
    failures that prove nothing was sent (:data:`NOT_SENT_CODES`) and for Kaltura's own errors.
    """
    return isinstance(error, ServiceUnavailable) and error.code not in NOT_SENT_CODES


def maybe_done(error: KalturaError, sentence: str) -> KalturaError:
    """``error`` (same type and code) with ``sentence`` added after a semicolon."""
    return type(error)(
        f"{error.message.rstrip('.')}; {sentence.rstrip('.')}.", error.code,
        action=error.action, server_message=error.server_message)


def in_doubt(error: KalturaError, what: str) -> KalturaError:
    """``error`` saying that ``what`` may have been created anyway (the answer was lost).

    For creates whose answer never arrived and whose outcome could not be checked either.
    """
    return maybe_done(error, f"{what} may have been created anyway, so refresh the list "
                             "before creating it again")


def error_class(code: str) -> type[KalturaError]:
    """The typed error for a Kaltura code (exact lists first, then name patterns)."""
    if code in AUTHENTICATION_CODES:
        return AuthenticationError
    if code in PERMISSION_CODES:
        return PermissionDenied
    if code in NOT_FOUND_CODES or code.endswith(("_NOT_FOUND", "_DOES_NOT_EXIST")):
        return NotFound
    if code in ALREADY_EXISTS_CODES or code.endswith("_ALREADY_EXISTS"):
        return AlreadyExists
    if code in INVALID_INPUT_CODES or code.startswith("PROPERTY_VALIDATION_"):
        return InvalidInput
    return KalturaError


def from_api_error(
    code: str,
    server_message: str,
    *,
    action: str | None = None,
    params: Mapping[str, Any] | None = None,
    admin_session: bool = True,
) -> KalturaError:
    """The typed error for an error Kaltura returned.

    Args:
        code: Kaltura's error code (``KalturaException.code``).
        server_message: Kaltura's message (may hold a KS: it is redacted).
        action: The ``service.action`` that failed, used in the sentence.
        params: The call's parameters, used only to name the object (user, group, entry id).
        admin_session: The call used the connection's admin KS, so ``INVALID_KS`` means the
            admin secret (or partner ID) is wrong.

    Returns:
        An instance of the class :func:`error_class` picks, with a one-sentence message.
    """
    code = str(code or "")
    message = redact(str(server_message or "")).strip()
    sentence = _sentence(code, message, action, params or {}, admin_session)
    return error_class(code)(sentence, code, action=action, server_message=message)


def from_exception(exc: Exception, *, action: str | None = None,
                   params: Mapping[str, Any] | None = None) -> KalturaError:
    """Map an exception from ``KalturaClient`` (``KalturaException``/``KalturaClientException``).

    ``KalturaClientException`` codes are negative integers: -2/-8 (unreadable XML),
    -4/-5 (connection/read failed), -9 (read timeout) map to the transport errors; others
    (e.g. -7, an unexpected object type) to a plain :class:`KalturaError`.
    """
    if isinstance(exc, KalturaError):
        return exc
    code = getattr(exc, "code", "")
    text = str(getattr(exc, "message", "") or exc)
    if isinstance(code, int):
        name = f"CLIENT_ERROR_{-code}" if code < 0 else f"CLIENT_ERROR_{code}"
        what = action or "the request"
        if code in (-2, -8, -10):
            return ServiceUnavailable(
                f"Kaltura sent a response to {what} that could not be read.",
                "MALFORMED_RESPONSE", action=action, server_message=text)
        if code in (-4, -5):
            return ConnectionFailed(f"Could not reach Kaltura for {what}: {_clip(text)}.",
                                    "CONNECTION_FAILED", action=action, server_message=text)
        if code == -9:
            return RequestTimedOut(f"Kaltura did not answer {what} in time.", "READ_TIMEOUT",
                                   action=action, server_message=text)
        return KalturaError(f"{_cap(what)} failed in the Kaltura client: {_clip(text)}.",
                            name, action=action, server_message=text)
    return from_api_error(str(code), text, action=action, params=params)


# --- sentences ------------------------------------------------------------------------------

_QUOTED = re.compile(r'"([^"]*)"')
_BRACKETED = re.compile(r"\[([^\]]*)\]")


def _sentence(code: str, message: str, action: str | None, params: Mapping[str, Any],
              admin_session: bool) -> str:
    if code == "INVALID_KS":
        if "EXPIRED" in message:
            return ("The Kaltura session was rejected as expired (INVALID_KS); "
                    "check this computer's clock.")
        if admin_session:
            return "The admin secret was rejected (INVALID_KS)."
        return "The Kaltura session was rejected (INVALID_KS)."
    if code == "USER_BLOCKED":
        return "The admin user is blocked on this Kaltura account (USER_BLOCKED)."
    if code == "MISSING_KS":
        return "Kaltura did not receive a session; check the partner ID (MISSING_KS)."
    if code == "INVALID_PARTNER_ID":
        return f"The partner ID was rejected ({code})."

    user = _param(params, "userId", "id") if _service(action) == "user" else _param(params,
                                                                                    "userId")
    group = _param(params, "groupId")
    obj_id = _param(params, "entryId", "id")
    simple = {
        "INVALID_USER_ID": _named("User", user, "was not found"),
        "USER_NOT_FOUND": _named("User", user, "was not found"),
        "GROUP_NOT_FOUND": _named("Group", group, "was not found"),
        "INVALID_GROUP_ID": _named("Group", _group_from(message) or group or
                                   _param(params, "id"), "was not found"),
        "ENTRY_ID_NOT_FOUND": _named("Entry", obj_id or _first(_QUOTED, message),
                                     "was not found"),
        "INVALID_ENTRY_ID": _named("Entry", obj_id, "was not found"),
        "APP_TOKEN_ID_NOT_FOUND": _named("App token", _param(params, "id"), "was not found"),
        "VIRTUAL_EVENT_NOT_FOUND": _named("Virtual event", _param(params, "id") or
                                          _first(_BRACKETED, message), "was not found"),
        "GROUP_USER_DOES_NOT_EXISTS": (
            f'User "{user}" is not in group "{group}"' if user and group
            else "The user is not in that group"),
        "GROUP_USER_ALREADY_EXISTS": (
            f'User "{user}" is already in group "{group}"' if user and group
            else "The user is already in that group"),
        "DUPLICATE_USER_BY_ID": _duplicate(action, _param(params, "id") or
                                           _first(_BRACKETED, message)),
    }
    if code in simple:
        return f"{simple[code]} ({code})."
    if code == "SERVICE_FORBIDDEN":
        target = _first(_BRACKETED, message) or action or "this service"
        if "virtualevent" in target.lower() or "virtualevent" in (action or "").lower():
            return (f"This Kaltura account may not use {target}: its Virtual Events plugin "
                    f"is not enabled; ask Kaltura to enable it ({code}).")
        return (f"This Kaltura account may not use {target}: the admin's role does not "
                f"grant it; ask the account's administrator for that permission ({code}).")
    what = action or "the request"
    detail = message.rstrip(". ") or "no details"
    if error_class(code) is InvalidInput:
        return f"Kaltura rejected {what}: {detail} ({code})."
    if error_class(code) is PermissionDenied:
        return f"Kaltura refused {what}: {detail} ({code})."
    call = f"The Kaltura call {action}" if action else "The Kaltura request"
    return f"{call} failed: {detail} ({code or 'no code'})."


def _service(action: str | None) -> str:
    return (action or "").split(".", 1)[0]


def _param(params: Mapping[str, Any], *names: str) -> str:
    """The first of ``names`` found at the top level or one object deep."""
    for name in names:
        value = params.get(name)
        if isinstance(value, str) and value:
            return value
    for value in params.values():
        if isinstance(value, Mapping):
            for name in names:
                inner = value.get(name)
                if isinstance(inner, str) and inner:
                    return inner
    return ""


def _named(kind: str, name: str, what: str) -> str:
    return f'{kind} "{name}" {what}' if name else f"The {kind.lower()} {what}"


def _duplicate(action: str | None, name: str) -> str:
    if _service(action) == "group":
        if name:
            return f'A user or group with ID "{name}" already exists'
        return "A user or group with that ID already exists"
    return _named("User", name, "already exists")


def _group_from(message: str) -> str:
    match = re.search(r"group id - (.+)$", message)
    value = match.group(1).strip() if match else ""
    return "" if value in ("", "N/A") else value


def _first(pattern: re.Pattern[str], text: str) -> str:
    match = pattern.search(text)
    return match.group(1) if match else ""


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _clip(text: str, limit: int = 200) -> str:
    text = redact(" ".join(text.split())).rstrip(". ")
    return text if len(text) <= limit else text[: limit - 1] + "…"
