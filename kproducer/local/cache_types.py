"""What the cache holds: its kinds with their TTLs, the account key, and its figures.

Plain data, shared by the cache (:mod:`.cache`), the keyring vault of the CnC app token
(which takes its TTL from here but never stores it in the cache file) and the commands that
name kinds and TTLs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from urllib.parse import urlsplit

DAY = 86_400.0


class CacheKind(StrEnum):
    """The kinds of cached items (seed best practices)."""

    CNC_TOKEN = "cnc_token"
    USER_EXISTS = "user_exists"
    GROUP_EXISTS = "group_exists"
    USER_IN_GROUP = "user_in_group"
    ENTRY = "entry"
    #: Go-live readiness (services/readiness.py): an event's sessions at its last check,
    #: one known member of a moderators group.
    EVENT_SESSIONS = "event_sessions"
    GROUP_MEMBER = "group_member"


#: Default TTL in seconds of each kind (DESIGN §6); override them with ``Cache(ttls=...)``.
DEFAULT_TTLS: Mapping[str, float] = MappingProxyType(
    {
        CacheKind.CNC_TOKEN: 30 * DAY,
        CacheKind.USER_EXISTS: 30 * DAY,
        CacheKind.GROUP_EXISTS: 30 * DAY,
        CacheKind.USER_IN_GROUP: 3 * DAY,
        CacheKind.ENTRY: 1 * DAY,
        CacheKind.EVENT_SESSIONS: 1 * DAY,
        CacheKind.GROUP_MEMBER: 3 * DAY,
    }
)

#: Kinds whose values are secrets: never stored in the cache file (see the module notes).
SECRET_KINDS: frozenset[str] = frozenset({CacheKind.CNC_TOKEN})


class SecretKindError(ValueError):
    """A secret kind was given to the cache, which never stores secrets."""


def account_key(partner_id: int, service_url: str) -> str:
    """The key that separates accounts: ``"{partner_id}@{scheme}://{host}{path}"``, normalised.

    Args:
        partner_id: The Kaltura partner ID.
        service_url: The API base URL (scheme and host compared case-insensitively).
    """
    parts = urlsplit(service_url.strip())
    host = parts.netloc.lower()
    return f"{int(partner_id)}@{parts.scheme.lower()}://{host}{parts.path.rstrip('/')}"


def check_ttls(ttls: Mapping[str, float]) -> dict[str, float]:
    """``ttls`` as seconds per kind name.

    Raises:
        ValueError: A TTL is not a number of seconds, 0 or more (the message names it).
    """
    checked: dict[str, float] = {}
    for kind, ttl in ttls.items():
        if isinstance(ttl, bool) or not isinstance(ttl, int | float) or not ttl >= 0:
            raise ValueError(
                f"The cache TTL of {str(kind)!r} must be a number of seconds, 0 or more, "
                f"not {ttl!r}."
            )
        checked[str(kind)] = float(ttl)
    return checked


@dataclass(frozen=True)
class CacheStats:
    """Figures about the cache, for ``kproducer cache stats`` and the UI.

    Attributes:
        path: The cache file.
        account: The account key these figures are about.
        entries: Live (unexpired) items of this account per kind.
        expired: Expired items of this account not yet purged.
        hits: Lookups answered by the cache, over all runs.
        misses: Lookups that were missing or expired, over all runs.
        hit_rate: ``hits / (hits + misses)``, or None before any lookup.
        file_size: Bytes on disk (database and write-ahead log).
        available: False while the cache is skipped (busy or unusable).
        message: Why it is skipped, or None.
    """

    path: Path
    account: str
    entries: dict[str, int]
    expired: int
    hits: int
    misses: int
    hit_rate: float | None
    file_size: int
    available: bool
    message: str | None
