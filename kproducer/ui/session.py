"""Opening accounts for the window: a saved profile, or the built-in Sandbox (no Qt here).

Everything in this module runs on a worker thread (it may start a server, read the keyring,
open the cache file or call Kaltura). The window only ever sees a :class:`Connection`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from .. import paths
from ..activity import ActivityLog
from ..local.account_profile import ConnectionSettings as ProfileSettings
from ..local.account_profile import Profile
from ..local.cache import Cache
from ..sandbox import Sandbox, SandboxInfo
from ..services import connect
from ..services.account import Account, MemoryVault
from . import SANDBOX_PROFILE

#: The cache of the embedded sandbox is keyed by this (its port changes every run), with
#: the sandbox database's own ID after it (a new database must not inherit cached facts).
SANDBOX_CACHE_URL = "http://embedded-sandbox.invalid"


@dataclass
class Connection:
    """An open account and what the window says about it.

    Attributes:
        name: The profile name ("Sandbox" for the embedded one).
        account: The services' account.
        summary: "partner 1000001 · producer@… · https://…", for the status bar.
        notes: Sentences the producer should see (no keyring, cache unavailable…).
        sandbox: True for the embedded sandbox.
    """

    name: str
    account: Account
    summary: str
    notes: tuple[str, ...] = field(default_factory=tuple)
    sandbox: bool = False

    def close(self) -> None:
        """Close HTTP connections and the cache (on a worker thread or at exit)."""
        connect.close(self.account)


class _Embedded:
    """The one embedded sandbox of this process, started on first use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.sandbox: Sandbox | None = None

    def start(self) -> SandboxInfo:
        with self._lock:
            if self.sandbox is None:
                sandbox = Sandbox(paths.sandbox_dir())
                sandbox.start()
                self.sandbox = sandbox
            return self.sandbox.info

    def instance_id(self) -> str | None:
        """The running embedded sandbox's database ID, or None."""
        with self._lock:
            return self.sandbox.instance_id if self.sandbox is not None else None

    def stop(self) -> None:
        with self._lock:
            if self.sandbox is not None:
                self.sandbox.stop()
                self.sandbox = None


_embedded = _Embedded()


def embedded_sandbox() -> SandboxInfo:
    """Start the embedded sandbox (once per process) and return how to reach it."""
    return _embedded.start()


def stop_embedded_sandbox() -> None:
    """Stop the embedded sandbox, if it runs (at exit)."""
    _embedded.stop()


def sandbox_profile(info: SandboxInfo) -> Profile:
    """The built-in Sandbox profile for a running sandbox."""
    return Profile(
        name=SANDBOX_PROFILE,
        partner_id=info.partner_id,
        admin_user_id=info.admin_user_id,
        service_url=info.service_url,
        player_uiconf_id=info.player_uiconf_id,
        cnc_uiconf_id=info.cnc_uiconf_id,
        kme_launch_url=info.kme_launch_url,
        kme_key=info.kme_key,
        sandbox=True,
    )


def open_sandbox_account(activity: ActivityLog, info: SandboxInfo | None = None,
                         **connection: Any) -> Connection:
    """Start the embedded sandbox (if needed) and open its demo account.

    Its secrets are the sandbox's own demo secrets: they never go to the keyring.

    Args:
        activity: Where API calls are recorded.
        info: A sandbox that already runs (tests); default: the embedded one.
        **connection: Overrides of :class:`kproducer.kaltura.client.ConnectionSettings`
            (timeouts, retries), e.g. ``read_timeout=2`` for a test on a slow sandbox.
    """
    instance = None
    if info is None:
        info = embedded_sandbox()
        instance = _embedded.instance_id()
    profile = sandbox_profile(info)
    resolved = connect.Resolved(
        settings=ProfileSettings(profile=profile, profile_name=None, from_environment=()),
        admin_secret=info.admin_secret,
        cnc_app_token=None,
        kme_secret=info.kme_secret,
        secrets=connect.default_secret_store(),
    )
    cache = Cache(info.partner_id,
                  f"{SANDBOX_CACHE_URL}/{instance}" if instance else SANDBOX_CACHE_URL)
    account = connect.account_from(resolved, activity=activity, cache=cache, **connection)
    account.vault = MemoryVault()
    if instance:  # its links and unfinished uploads are found again after a restart
        account.local_key = cache.account
    return Connection(
        name=SANDBOX_PROFILE,
        account=account,
        summary=f"demo account on this computer · partner {info.partner_id}",
        notes=(*_checked(account, resolved), *_cache_note(account)),
        sandbox=True,
    )


def open_profile_account(name: str, activity: ActivityLog) -> Connection:
    """Open a saved profile (environment variables override it, as on the command line).

    Makes one request (``user.get`` of the admin user, plus ``appToken.list`` when the CnC
    token is not known yet) so a wrong secret shows up at once, not at the first list.

    Raises:
        KalturaError: Kaltura cannot be reached or the admin secret was rejected.
        connect.NoAccount: No such profile, or its admin user or secret is missing.
    """
    if name == SANDBOX_PROFILE:
        return open_sandbox_account(activity)
    resolved = connect.resolve(name)
    account = connect.account_from(resolved, activity=activity)
    profile = resolved.settings.profile
    notes = [n for n in (resolved.secrets.status_message,) if n]
    try:
        notes += _checked(account, resolved)
    except BaseException:
        connect.close(account)
        raise
    return Connection(
        name=name,
        account=account,
        summary=f"partner {profile.partner_id} · {profile.admin_user_id} · {profile.service_url}",
        notes=(*notes, *_cache_note(account)),
    )


def open_account(name: str, activity: ActivityLog) -> Connection:
    """Open the built-in Sandbox or a saved profile by name."""
    if name == SANDBOX_PROFILE:
        return open_sandbox_account(activity)
    return open_profile_account(name, activity)


def _checked(account: Account, resolved: connect.Resolved) -> list[str]:
    """Prove the account works (one request); sentences about what is missing.

    Raises:
        KalturaError: Kaltura cannot be reached or the admin secret was rejected.
    """
    checked = connect.check(account, resolved)
    return [p for p in (checked.admin_user_problem, checked.cnc_token_problem) if p]


def _cache_note(account: Account) -> tuple[str, ...]:
    message = getattr(account.cache, "status_message", None)
    return (str(message),) if message else ()
