"""Secrets in the OS keyring, and only there (DESIGN §6).

The admin secret, the CnC app token and the KME secret of each profile are kept in the
system keyring under service ``kproducer``, user ``{profile}:{kind}``. There is never a
plaintext fallback: when no usable keyring exists (keyring's ``fail``/``null`` backends, a
plaintext backend such as ``keyrings.alt``, or a Secret Service that cannot be reached or
unlocked), secrets are kept in memory for this run only and :attr:`SecretStore.status_message`
says so in one plain sentence for the UI or the command line.

``KALTURA_ADMIN_SECRET``, ``KALTURA_CNC_APP_TOKEN`` and ``KALTURA_KME_SECRET`` win over the
keyring when set. Values are registered with :mod:`kproducer.local.redact` so that logs mask them;
this module never logs a value.

:class:`CncTokenVault` remembers a CnC app token found through ``appToken.list`` (seed:
cache it) in the same keyring, with the cache's TTL, because the token is a secret and must
not go to the cache file.

(The module is not called ``secrets.py``: a file of that name inside the package shadows the
standard library's ``secrets`` whenever the package folder lands on ``sys.path`` — a script run
from inside it, or PyInstaller's analysis of an entry script there — and oauthlib then silently
falls back from ``secrets.randbits`` to ``random.getrandbits`` for OAuth nonces.)
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from enum import StrEnum

import keyring
import keyring.errors
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null

from . import redact, secret_env

SERVICE_NAME = "kproducer"
#: The keyring user under which a discovered CnC app token is remembered, per account.
CNC_FOUND_KIND = "cnc_app_token_found"
_PROBE_USER = "kproducer:probe"


class SecretKind(StrEnum):
    """The secrets of a profile."""

    ADMIN_SECRET = "admin_secret"
    CNC_APP_TOKEN = "cnc_app_token"
    KME_SECRET = "kme_secret"


class SecretSource(StrEnum):
    """Where a secret was found or put."""

    ENVIRONMENT = "environment"
    KEYRING = "keyring"
    SESSION = "session"  # in memory, for this run only


#: Environment variables that override the stored secret of each kind.
ENV_VARS: Mapping[SecretKind, str] = {
    SecretKind.ADMIN_SECRET: "KALTURA_ADMIN_SECRET",
    SecretKind.CNC_APP_TOKEN: "KALTURA_CNC_APP_TOKEN",
    SecretKind.KME_SECRET: "KALTURA_KME_SECRET",
}

DESCRIPTIONS: Mapping[SecretKind, str] = {
    SecretKind.ADMIN_SECRET: "the admin secret",
    SecretKind.CNC_APP_TOKEN: "the CnC app token",
    SecretKind.KME_SECRET: "the KME secret",
}

#: Backends that write secrets to a file we would call plaintext (keyrings.alt and kin).
_REFUSED_NAMES = ("plaintext", "uncrypted", "encryptedkeyring", "file")


def _backend_errors() -> tuple[type[BaseException], ...]:
    """Exceptions that mean "the keyring cannot be used", across the backends."""
    errors: list[type[BaseException]] = [keyring.errors.KeyringError, OSError]
    try:
        from secretstorage.exceptions import SecretStorageException

        errors.append(SecretStorageException)
    except ImportError:  # pragma: no cover - secretstorage is a keyring dependency on Linux
        pass
    try:
        from jeepney.wrappers import DBusErrorResponse

        errors.append(DBusErrorResponse)
    except ImportError:  # pragma: no cover - as above
        pass
    return tuple(errors)


_BACKEND_ERRORS = _backend_errors()


class SecretStoreError(Exception):
    """A secret could not be removed from the keyring; ``str()`` is one clear sentence."""


def username(profile: str, kind: SecretKind | str) -> str:
    """The keyring user name of a profile's secret, e.g. ``"Production:admin_secret"``."""
    return f"{profile}:{kind}"


def refusal_reason(backend: KeyringBackend) -> str | None:
    """Why kproducer will not keep secrets in ``backend``, or None when it is acceptable.

    Refused: keyring's ``fail`` and ``null`` backends, anything from ``keyrings.alt`` or
    named like a file/plaintext store, and backends whose priority is not positive.
    """
    cls = type(backend)
    if isinstance(backend, fail.Keyring | null.Keyring):
        return "no system keyring was found"
    name = f"{cls.__module__}.{cls.__qualname__}".lower()
    if name.startswith("keyrings.alt") or any(word in name for word in _REFUSED_NAMES):
        return f"the keyring backend {cls.__qualname__} stores secrets in a file"
    try:
        priority = float(cls.priority)
    except Exception:  # a backend's priority check may raise anything: it is not viable
        return f"the keyring backend {cls.__qualname__} is not usable here"
    if priority <= 0:
        return f"the keyring backend {cls.__qualname__} is not usable here"
    return None


def choose_backend(candidate: KeyringBackend | None = None) -> tuple[KeyringBackend | None, str]:
    """Pick the keyring backend to use, refusing plaintext and dummy ones.

    Args:
        candidate: A backend to consider; default ``keyring.get_keyring()``. For a chain of
            backends, the best acceptable member is chosen.

    Returns:
        The backend (or None) and, when None, why there is none.
    """
    backend = keyring.get_keyring() if candidate is None else candidate
    members = backend.backends if isinstance(backend, chainer.ChainerBackend) else [backend]
    reason = "no system keyring was found"
    for member in members:
        refused = refusal_reason(member)
        if refused is None:
            return member, ""
        reason = refused
    return None, reason


class SecretStore:
    """Get, set and delete a profile's secrets: environment, then keyring (or this run's memory).

    The backend is chosen and probed on first use. After any keyring failure the store
    switches to memory for the rest of the run (no repeated D-Bus timeouts) and says so in
    :attr:`status_message`. Thread-safe.

    Args:
        backend: The keyring backend to use (default: keyring's choice, filtered by
            :func:`choose_backend`).
        environ: The environment (default: :data:`kproducer.local.secret_env.ENVIRONMENT`, which
            holds the secret variables taken out of ``os.environ`` at start).
    """

    def __init__(
        self, backend: KeyringBackend | None = None, *, environ: Mapping[str, str] | None = None
    ) -> None:
        self._candidate = backend
        self._environ = secret_env.ENVIRONMENT if environ is None else environ
        self._lock = threading.RLock()
        self._backend: KeyringBackend | None = None
        self._checked = False
        self._failed = False
        self._detail = ""
        self._memory: dict[str, str] = {}

    # --- status ---

    @property
    def backend_name(self) -> str:
        """The keyring in use, e.g. ``"SecretService Keyring"``, or ``"memory (this run only)"``."""
        backend = self._ensure_backend()
        if backend is None:
            return "memory (this run only)"
        return str(getattr(type(backend), "name", type(backend).__qualname__))

    @property
    def is_persistent(self) -> bool:
        """True when secrets are saved in the system keyring and survive this run."""
        return self._ensure_backend() is not None

    @property
    def status_message(self) -> str | None:
        """One plain sentence for the UI/CLI when secrets are kept for this run only."""
        return self.message_for(None)

    @property
    def status_detail(self) -> str:
        """The technical reason behind :attr:`status_message` (for logs; no secrets)."""
        self._ensure_backend()
        return self._detail

    def message_for(self, kind: SecretKind | None) -> str | None:
        """The :attr:`status_message` worded for one secret ("... so the admin secret is ...")."""
        if self.is_persistent:
            return None
        what = "secrets are" if kind is None else f"{DESCRIPTIONS[SecretKind(kind)]} is"
        start = (
            "The system keyring could not be used"
            if self._failed
            else "No system keyring is available"
        )
        return (
            f"{start}, so {what} kept for this session only and will be asked for again next time."
        )

    # --- secrets of a profile ---

    def get(self, profile: str | None, kind: SecretKind) -> str | None:
        """The secret: from the environment when set, else the keyring (or this run's memory).

        Args:
            profile: The profile name, or None when only the environment describes the account.
            kind: Which secret.

        Returns:
            The secret, or None when it is not known.
        """
        value, _ = self._lookup(profile, kind)
        return value

    def source(self, profile: str | None, kind: SecretKind) -> SecretSource | None:
        """Where :meth:`get` finds the secret, or None when it is not known."""
        return self._lookup(profile, kind)[1]

    def set(self, profile: str, kind: SecretKind, value: str) -> SecretSource:
        """Save a secret in the keyring, or in memory for this run when there is none.

        A set environment variable still wins over the saved value in :meth:`get`.

        Returns:
            :attr:`SecretSource.KEYRING` or :attr:`SecretSource.SESSION`.

        Raises:
            ValueError: The value is empty.
        """
        if not value:
            raise ValueError(f"{DESCRIPTIONS[SecretKind(kind)].capitalize()} must not be empty.")
        redact.register_secret(value)
        return self._write(username(profile, SecretKind(kind)), value)

    def delete(self, profile: str, kind: SecretKind) -> bool:
        """Forget a saved secret (the environment is not touched).

        Returns:
            True when something was removed.

        Raises:
            SecretStoreError: The keyring refused to remove it.
        """
        return self._remove(username(profile, SecretKind(kind)), DESCRIPTIONS[SecretKind(kind)])

    def delete_profile(self, profile: str) -> None:
        """Forget every saved secret of a profile (after the profile was removed).

        Raises:
            SecretStoreError: The keyring refused to remove one of them.
        """
        for kind in SecretKind:
            self.delete(profile, kind)

    def cnc_token_vault(
        self, account: str, ttl: float, clock: Callable[[], float] = time.time
    ) -> CncTokenVault:
        """A :class:`CncTokenVault` for one account (see :func:`.cache_types.account_key`)."""
        return CncTokenVault(self, account, ttl, clock)

    # --- internals ---

    def _lookup(
        self, profile: str | None, kind: SecretKind
    ) -> tuple[str | None, SecretSource | None]:
        from_env = self._environ.get(ENV_VARS[SecretKind(kind)], "").strip()
        if from_env:
            redact.register_secret(from_env)
            return from_env, SecretSource.ENVIRONMENT
        if profile is None:
            return None, None
        return self._read(username(profile, SecretKind(kind)))

    def _ensure_backend(self) -> KeyringBackend | None:
        with self._lock:
            if not self._checked:
                self._checked = True
                backend, reason = choose_backend(self._candidate)
                self._detail = reason
                if backend is not None:
                    try:  # reachable and unlocked? (may show the desktop's unlock prompt)
                        backend.get_password(SERVICE_NAME, _PROBE_USER)
                    except _BACKEND_ERRORS as exc:
                        self._give_up(exc)
                        backend = None
                self._backend = backend
            return self._backend

    def _give_up(self, exc: BaseException) -> None:
        """Switch to memory for the rest of the run after a keyring failure."""
        self._backend = None
        self._failed = True
        self._detail = redact.redact(f"{type(exc).__name__}: {exc}")

    def _read(self, user: str) -> tuple[str | None, SecretSource | None]:
        with self._lock:
            backend = self._ensure_backend()
            if backend is not None:
                try:
                    value = backend.get_password(SERVICE_NAME, user)
                except _BACKEND_ERRORS as exc:
                    self._give_up(exc)
                else:
                    if not value:
                        self._memory.pop(user, None)
                        return None, None
                    redact.register_secret(value)
                    self._memory[user] = value  # still known this run if the keyring fails
                    return value, SecretSource.KEYRING
            value = self._memory.get(user)
            return (value, SecretSource.SESSION) if value else (None, None)

    def _write(self, user: str, value: str) -> SecretSource:
        with self._lock:
            backend = self._ensure_backend()
            if backend is not None:
                try:
                    backend.set_password(SERVICE_NAME, user, value)
                except _BACKEND_ERRORS as exc:
                    self._give_up(exc)
                else:
                    self._memory[user] = value
                    return SecretSource.KEYRING
            self._memory[user] = value
            return SecretSource.SESSION

    def _remove(self, user: str, what: str) -> bool:
        with self._lock:
            removed = self._memory.pop(user, None) is not None
            backend = self._ensure_backend()
            if backend is None:
                return removed
            try:
                if backend.get_password(SERVICE_NAME, user) is None:
                    return removed
                backend.delete_password(SERVICE_NAME, user)
            except _BACKEND_ERRORS as exc:
                self._give_up(exc)
                raise SecretStoreError(
                    f"{what.capitalize()} could not be removed from the system keyring; remove "
                    f"it with your keyring manager (service {SERVICE_NAME!r}, user {user!r})."
                ) from exc
            return True


class CncTokenVault:
    """Remembers the CnC app token found through ``appToken.list``, in the keyring, with a TTL.

    Implements the services' ``TokenVault`` protocol. The token is a secret, so it never goes
    to the cache file: it is stored with its expiry time as one keyring item per account
    (user ``{account}:cnc_app_token_found``), or in memory for this run when there is no
    keyring. An expired or unreadable item counts as missing.

    Args:
        store: The secret store to keep it in.
        account: The account key (partner ID and service URL), so accounts never share it.
        ttl: Seconds to trust the token (the cache's CnC token TTL); 0 or less remembers nothing.
        clock: Current time in seconds (injectable for tests).
    """

    def __init__(
        self,
        store: SecretStore,
        account: str,
        ttl: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._user = username(account, CNC_FOUND_KIND)
        self._ttl = ttl
        self._clock = clock

    def get_cnc_token(self) -> str | None:
        """The remembered token, or None when unknown or expired."""
        raw, _ = self._store._read(self._user)
        if raw is None:
            return None
        try:
            data = json.loads(raw)
            token, expires_at = str(data["token"]), float(data["expires_at"])
        except (ValueError, TypeError, KeyError):
            return None
        if not token or expires_at <= self._clock():
            return None
        redact.register_secret(token)
        return token

    def set_cnc_token(self, token: str) -> None:
        """Remember ``token`` for the TTL (keyring, or memory for this run)."""
        if self._ttl <= 0 or not token:
            return
        redact.register_secret(token)
        payload = json.dumps({"token": token, "expires_at": self._clock() + self._ttl})
        self._store._write(self._user, payload)

    def forget(self) -> None:
        """Drop the remembered token (e.g. when the account's app tokens changed).

        Raises:
            SecretStoreError: The keyring refused to remove it.
        """
        self._store._remove(self._user, "the remembered CnC app token")
