"""One connected Kaltura account, as the services see it.

Bundles the connection (the only way to Kaltura), the fact cache, the activity log and
the account's settings and secrets. Services are plain functions of an ``Account``; they
return dataclasses from :mod:`kproducer.services.models`, never Kaltura objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from ..activity import ActivityLog
from ..kaltura.client import KalturaConnection
from .kme import KmeSettings


class FactCache(Protocol):
    """What the services need of the cache (see :mod:`kproducer.local.cache`)."""

    def get(self, kind: str, key: str) -> Any | None:
        """A cached value, or None when missing or expired."""

    def put(self, kind: str, key: str, value: Any, ttl: float | None = None) -> None:
        """Store a positive fact or an object for the kind's TTL."""

    def delete(self, kind: str, key: str) -> None:
        """Forget one entry."""

    def delete_prefix(self, kind: str, prefix: str) -> None:
        """Forget every entry of ``kind`` whose key starts with ``prefix``."""

    def take_notes(self) -> list[str]:
        """What happened to the cache since the last call (rebuilt, locked...), once each."""


class TokenVault(Protocol):
    """Where a CnC app token found through ``appToken.list`` is kept (never on disk)."""

    def get_cnc_token(self) -> str | None:
        """The remembered token, or None."""

    def set_cnc_token(self, token: str) -> None:
        """Remember the token (keyring, or memory for this run)."""

    def forget(self) -> None:
        """Drop the remembered token (it was deleted or replaced on the server)."""


@dataclass
class MemoryVault:
    """A :class:`TokenVault` that remembers for this process only."""

    token: str | None = None

    def get_cnc_token(self) -> str | None:
        """The remembered token, or None."""
        return self.token

    def set_cnc_token(self, token: str) -> None:
        """Remember the token until the process ends."""
        self.token = token

    def forget(self) -> None:
        """Drop the remembered token."""
        self.token = None


@dataclass(frozen=True)
class AccountSettings:
    """The account's settings that the services use beyond the connection.

    Attributes:
        cnc_app_token: Given by the user (environment or keyring); skips ``appToken.list``.
    """

    partner_id: int
    admin_secret: str = field(repr=False)
    service_url: str = ""
    player_uiconf_id: int | None = None
    cnc_uiconf_id: int | None = None
    cnc_service_url: str = ""
    cnc_app_token: str | None = field(default=None, repr=False)
    kme: KmeSettings | None = field(default=None, repr=False)
    #: The saved profile these settings come from; None when only KALTURA_* variables gave
    #: them (what :func:`where_to_set` tells the producer to change).
    profile_name: str | None = None


#: The environment variables of a meeting room's settings (URL, key, secret).
KME_VARIABLES = ("KALTURA_KME_URL", "KALTURA_KME_KEY", "KALTURA_KME_SECRET")


def where_to_set(settings: AccountSettings, *variables: str) -> str:
    """Where a missing setting is given, for a sentence: "set it in … or …".

    Args:
        settings: The account's settings (their profile, or none: the environment).
        variables: The environment variables that give the setting (``KALTURA_...``).

    Returns:
        "in the account profile “Prod” or the environment variable KALTURA_X", or, when
        the account comes from the environment alone, "in the environment variable ...".
    """
    names = " and ".join(variables)
    env = f"the environment variable{'s' if len(variables) > 1 else ''} {names}"
    if settings.profile_name is None:
        return f"in {env}"
    return f"in the account profile “{settings.profile_name}” or {env}"


@dataclass
class Account:
    """A connected account: connection, cache, activity and settings."""

    conn: KalturaConnection
    cache: FactCache
    activity: ActivityLog
    settings: AccountSettings
    vault: TokenVault = field(default_factory=MemoryVault)
    #: What services keep for this run only, never on disk (e.g. live encoder kits).
    memory: dict[str, Any] = field(default_factory=dict, repr=False)
    #: The name this account's local records (link ledger, unfinished uploads) are kept
    #: under, when its service URL does not name it for good: the embedded sandbox, whose
    #: port changes every run, is named by its database (None: the service URL names it).
    local_key: str | None = None

    @property
    def partner_id(self) -> int:
        """The account's partner ID."""
        return self.settings.partner_id

    def cached(self, action: str, detail: str = "") -> None:
        """Record that a lookup was answered by the cache (the Activity dock shows it)."""
        self.activity.record(action, "cached", 0.0, detail)
