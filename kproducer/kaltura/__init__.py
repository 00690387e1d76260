"""The only code that talks to Kaltura: client factory, local KS, typed errors."""

from __future__ import annotations

from .admin_session import AdminSession
from .client import (
    CallResult,
    ConnectionSettings,
    KalturaConnection,
    settings_from,
)
from .errors import (
    AlreadyExists,
    AuthenticationError,
    ConnectionFailed,
    InvalidInput,
    KalturaError,
    NotFound,
    PermissionDenied,
    RequestTimedOut,
    ServiceUnavailable,
)
from .producer_client import ProducerClient, action_name, is_read

__all__ = [
    "AdminSession",
    "AlreadyExists",
    "AuthenticationError",
    "CallResult",
    "ConnectionFailed",
    "ConnectionSettings",
    "InvalidInput",
    "KalturaConnection",
    "KalturaError",
    "NotFound",
    "PermissionDenied",
    "ProducerClient",
    "RequestTimedOut",
    "ServiceUnavailable",
    "action_name",
    "is_read",
    "settings_from",
]
