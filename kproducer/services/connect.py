"""Opening an :class:`Account` from a profile, the environment and the keyring (DESIGN §2).

The account's non-secret settings come from the named profile (:mod:`kproducer.local.profiles`),
overridden by the ``KALTURA_*`` environment variables; its secrets from
:class:`kproducer.local.secret_store.SecretStore` (environment first, then the OS keyring); its fact
cache is the SQLite :class:`kproducer.local.cache.Cache` keyed by partner ID and service URL. A CnC
app token found through ``appToken.list`` is remembered in the keyring (or in memory for the
run) by :class:`kproducer.local.secret_store.CncTokenVault`, never in the cache file.

Opening makes no network call: the admin KS is generated locally on the first call.
:func:`check` makes the one call that proves the account works and resolves the CnC token.

CnC app token (DESIGN §2: environment/profile secret, then the remembered token, then
``appToken.list``). The desktop app resolves it when it connects, by calling :func:`check`.
The command line resolves it in ``profile test`` (which is "connecting" for a script) and
otherwise only where it is used (``token inspect`` of a JWT; previews and links, which add
``appToken.list`` to their own single multirequest through :func:`people.prepare`). A command
such as ``events list`` or ``moderators import`` thus costs no extra request and does not fail
on an account whose app tokens are not set up for chat. Once found, the token is remembered in
the keyring for the cache's CnC TTL, so later runs need no ``appToken.list`` at all.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from KalturaClient.Plugins.Core import KalturaFilterPager

from ..activity import ActivityLog
from ..kaltura.client import CallResult, ConnectionSettings, KalturaConnection
from ..kaltura.errors import KalturaError
from ..local.account_profile import ConnectionSettings as ProfileSettings
from ..local.account_profile import ProfileError, connection_settings
from ..local.cache import Cache
from ..local.cache_types import CacheKind
from ..local.profiles import ProfileFileError, ProfileNotFoundError, ProfileStore
from ..local.secret_store import SecretKind, SecretSource, SecretStore, SecretStoreError
from . import facts
from .account import Account, AccountSettings
from .kme import KmeSettings


class NoAccount(Exception):
    """Nothing (or nothing usable) identifies an account; ``str()`` is one sentence.

    Attributes:
        exit_code: 2, bad input or usage (DESIGN §5).
    """

    exit_code = 2


@lru_cache(maxsize=1)
def default_secret_store() -> SecretStore:
    """The process's secret store (one per run, so secrets kept in memory last the run)."""
    return SecretStore()


@dataclass(frozen=True)
class Resolved:
    """An account's settings and secrets, found without any network call.

    Attributes:
        settings: The profile with the environment applied, and where each came from.
        admin_secret: The admin secret, or None when neither environment nor keyring has it.
        cnc_app_token: The CnC app token given by the user, or None (found later).
        kme_secret: The KME secret, or None.
        secrets: The store the secrets came from.
    """

    settings: ProfileSettings
    admin_secret: str | None
    cnc_app_token: str | None
    kme_secret: str | None
    secrets: SecretStore

    @property
    def name(self) -> str:
        """The profile's name, or ``(environment)``."""
        return self.settings.profile.name

    def source(self, kind: SecretKind) -> SecretSource | None:
        """Where the secret of ``kind`` comes from (environment, keyring, session), or None."""
        return self.secrets.source(self.settings.profile_name, kind)


def resolve(
    profile_name: str | None,
    *,
    store: ProfileStore | None = None,
    secrets: SecretStore | None = None,
) -> Resolved:
    """The settings and secrets of the named profile (or of the environment alone).

    Raises:
        NoAccount: No such profile, an unreadable profiles file, an invalid ``KALTURA_*``
            value, or neither a profile nor ``KALTURA_PARTNER_ID``.
    """
    secrets = secrets or default_secret_store()
    try:
        profile = (store or ProfileStore()).get(profile_name) if profile_name else None
        settings = connection_settings(profile)
    except (ProfileError, ProfileNotFoundError, ProfileFileError) as exc:
        raise NoAccount(_sentence(exc)) from None
    name = settings.profile_name
    return Resolved(
        settings=settings,
        admin_secret=secrets.get(name, SecretKind.ADMIN_SECRET),
        cnc_app_token=secrets.get(name, SecretKind.CNC_APP_TOKEN),
        kme_secret=secrets.get(name, SecretKind.KME_SECRET),
        secrets=secrets,
    )


def _sentence(exc: Exception) -> str:
    text = str(exc.args[0]) if exc.args else str(exc)
    return text if text.endswith(".") else f"{text}."


def open_account(
    profile_name: str | None,
    *,
    activity: ActivityLog | None = None,
    store: ProfileStore | None = None,
    secrets: SecretStore | None = None,
    cache: Cache | None = None,
    **connection: Any,
) -> Account:
    """Build the account of the named profile (or of the environment alone); no network.

    Args:
        profile_name: A saved profile, or None to use the ``KALTURA_*`` variables alone.
        activity: Where API calls are recorded (default: a new log for this account).
        store: The profiles (default: the user's).
        secrets: The secret store (default: the process's, see :func:`default_secret_store`).
        cache: The fact cache (default: the SQLite cache of this account).
        **connection: Overrides of :class:`kproducer.kaltura.client.ConnectionSettings`
            (timeouts, retries).

    Returns:
        The account; close ``account.conn`` and the cache when done (see :func:`close`).

    Raises:
        NoAccount: Nothing identifies an account, or its admin user ID or secret is missing.
    """
    resolved = resolve(profile_name, store=store, secrets=secrets)
    return account_from(resolved, activity=activity, cache=cache, **connection)


def account_from(
    resolved: Resolved,
    *,
    activity: ActivityLog | None = None,
    cache: Cache | None = None,
    **connection: Any,
) -> Account:
    """Build the account of already resolved settings (see :func:`open_account`)."""
    profile = resolved.settings.profile
    where = (
        f"profile {resolved.settings.profile_name!r}"
        if resolved.settings.profile_name
        else "the KALTURA_* environment variables"
    )
    if not profile.admin_user_id:
        raise NoAccount(
            f"No admin user ID is set for {where}: add one to the profile or set "
            "KALTURA_ADMIN_USER_ID."
        )
    if not resolved.admin_secret:
        keyring_note = "" if resolved.secrets.is_persistent else " (no system keyring is usable)"
        raise NoAccount(
            f"No admin secret is known for {where}{keyring_note}: set KALTURA_ADMIN_SECRET "
            "or store it with 'kproducer profile add'."
        )
    activity = activity if activity is not None else ActivityLog()
    conn = KalturaConnection(
        ConnectionSettings(
            profile.service_url,
            profile.partner_id,
            profile.admin_user_id,
            resolved.admin_secret,
            **connection,
        ),
        activity=activity,
    )
    cache = cache if cache is not None else Cache(profile.partner_id, profile.service_url)
    kme = None
    if profile.kme_launch_url and profile.kme_key and resolved.kme_secret:
        kme = KmeSettings(profile.kme_launch_url, profile.kme_key, resolved.kme_secret)
    settings = AccountSettings(
        partner_id=profile.partner_id,
        admin_secret=resolved.admin_secret,
        service_url=profile.service_url,
        player_uiconf_id=profile.player_uiconf_id,
        cnc_uiconf_id=profile.cnc_uiconf_id,
        cnc_service_url=profile.cnc_service_url,
        cnc_app_token=resolved.cnc_app_token,
        kme=kme,
        profile_name=resolved.settings.profile_name,
    )
    vault = resolved.secrets.cnc_token_vault(cache.account, cache.ttl_for(CacheKind.CNC_TOKEN))
    return Account(conn=conn, cache=cache, activity=activity, settings=settings, vault=vault)


def close(account: Account) -> None:
    """Close the account's HTTP connections and save the cache's counters."""
    account.conn.close()
    closer = getattr(account.cache, "close", None)
    if callable(closer):
        closer()


# --- checking the account ----------------------------------------------------------------------


@dataclass(frozen=True)
class Checked:
    """What one check of an account found.

    Attributes:
        admin_user_found: The admin user exists on the account.
        admin_user_problem: Why it was not found (one sentence), or "".
        cnc_token_source: ``environment``/``keyring`` (given by the user), ``remembered``
            (found earlier, in the keyring or memory), ``appToken.list`` (found now), or None.
        cnc_token_problem: Why no CnC token is known (one sentence), or "".
    """

    admin_user_found: bool
    admin_user_problem: str
    cnc_token_source: str | None
    cnc_token_problem: str
    not_granted: tuple[str, ...] = ()
    #: Permissions the role lacks that make kproducer work around something (one sentence
    #: each, naming the permission): not failures, but worth knowing.
    role_limits: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Every check passed."""
        return (self.admin_user_found and self.cnc_token_source is not None
                and not self.not_granted)


#: What kproducer needs of an account that ``check(needs=True)`` probes, each with a read
#: that costs nothing (one object): a role or a plugin that does not grant it answers
#: SERVICE_FORBIDDEN. The admin user (``user.get``) and app tokens are checked anyway.
NEEDS: tuple[tuple[str, Callable[[Any], Any]], ...] = (
    ("virtual events (virtualEvent.list)",
     lambda c: c.virtualEvent.virtualEvent.list(None, KalturaFilterPager(pageSize=1))),
    ("sessions (baseEntry.list)", lambda c: c.baseEntry.list(None, KalturaFilterPager(pageSize=1))),
    ("moderators groups (group.list)",
     lambda c: c.group.group.list(None, KalturaFilterPager(pageSize=1))),
)

#: Admin-role permissions whose absence Kaltura does not refuse but silently works around
#: (the field is dropped), with what that means for kproducer.
ROLE_LIMITS = {
    "CONTENT_INGEST_REFERENCE_MODIFY": (
        "CONTENT_INGEST_REFERENCE_MODIFY is not granted: Kaltura drops a session's "
        "referenceId, so a create whose answer is lost is looked for by name instead"),
    "CONTENT_MANAGE_SCHEDULE": (
        "CONTENT_MANAGE_SCHEDULE is not granted: Kaltura drops an entry's own start and end "
        "dates, so older sessions scheduled that way cannot be rescheduled in place (moving "
        "them to a schedule event works)"),
}


def role_limits(permissions: str) -> tuple[str, ...]:
    """What ``permission.getCurrentPermissions``'s answer lacks of :data:`ROLE_LIMITS`."""
    held = {p.strip() for p in str(permissions).split(",")}
    return tuple(text for name, text in ROLE_LIMITS.items() if name not in held)


def check(account: Account, resolved: Resolved, needs: bool = False) -> Checked:
    """Prove the account works and resolve its CnC app token, in ONE request.

    With ``needs``, the same request also probes :data:`NEEDS`; those the account's role
    (or a plugin switched off) does not grant are reported in ``not_granted``.

    ``user.get`` of the admin user (authenticates the admin secret), plus ``appToken.list``
    unless the user gave the CnC token (environment/keyring) (DESIGN §2: "resolved at connect
    time"). A remembered token is listed again, in the same request, so a token deleted or
    replaced on the server since is noticed at the next connect: the current one replaces
    it, or, with none left, it is forgotten and the problem said.

    Raises:
        KalturaError: The account cannot be reached or the admin secret was rejected.
    """
    user_id = account.conn.settings.admin_user_id
    given = resolved.cnc_app_token
    remembered = None if given else account.vault.get_cnc_token()
    found: list[str] = []
    cnc = None if given else facts.cnc_step(account, found)

    probes = NEEDS if needs else ()

    def queue(c: Any) -> list[Any]:
        calls = [c.user.get(user_id)]
        if cnc is not None:
            calls.append(cnc.queue(c))
        calls += [probe(c) for _, probe in probes]
        if needs:
            calls.append(c.permission.getCurrentPermissions())
        return calls

    results = account.conn.multi(queue)
    limits: tuple[str, ...] = ()
    if needs:
        permissions = results.pop()
        if permissions.ok:  # else the role cannot be told: the probes above still say
            limits = role_limits(permissions.value)
    user_found, user_problem = _settled_user(results[0])
    probed = results[len(results) - len(probes):] if probes else []
    not_granted = tuple(what for (what, _), result in zip(probes, probed, strict=True)
                        if result.failed_with("SERVICE_FORBIDDEN"))
    source: str | None
    problem = ""
    if given:
        token_source = resolved.source(SecretKind.CNC_APP_TOKEN)
        source = str(token_source) if token_source is not None else "profile"
    else:
        assert cnc is not None
        try:
            cnc.settle(results[1])
            source = "remembered" if found == [remembered] else "appToken.list"
        except KalturaError as exc:
            if remembered and exc.code == "CNC_APP_TOKEN":
                with contextlib.suppress(SecretStoreError):  # the keyring says so itself
                    account.vault.forget()  # deleted on the server: never sign with it again
            source, problem = None, str(exc)
    return Checked(user_found, user_problem, source, problem, not_granted, limits)


def _settled_user(result: CallResult) -> tuple[bool, str]:
    if result.ok:
        return True, ""
    assert result.error is not None
    if result.error.exit_code == 2:  # not found
        return False, str(result.error)
    raise result.error
