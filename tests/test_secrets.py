"""Secrets: OS keyring only, never a plaintext file; memory for this run when there is no keyring.

The ``keyring``-marked tests use a real Secret Service (gnome-keyring in a private D-Bus
session: ``make test`` / ``scripts/with-keyring``) and skip with the reason otherwise. The
others use keyring's own ``fail`` backend (what a headless machine has) and small backends
that fail the way a locked or vanished keyring does.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

import keyring
import keyring.core
import keyring.errors
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import SecretService, chainer, fail, null

from kproducer.local import redact
from kproducer.local.account_profile import Profile
from kproducer.local.cache_types import DAY, account_key
from kproducer.local.profiles import ProfileStore
from kproducer.local.secret_store import (
    SERVICE_NAME,
    CncTokenVault,
    SecretKind,
    SecretSource,
    SecretStore,
    SecretStoreError,
    choose_backend,
    refusal_reason,
    username,
)

ADMIN = SecretKind.ADMIN_SECRET
NO_KEYRING = (
    "No system keyring is available, so the admin secret is kept for this session only and "
    "will be asked for again next time."
)


def unique_secret() -> str:
    return f"s3cret-{uuid.uuid4().hex}"


def files_containing(folder: Path, needle: str) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and needle.encode() in p.read_bytes()]


@pytest.fixture
def no_keyring() -> Iterator[None]:
    """keyring's own 'fail' backend: what keyring chooses on a machine without a keyring."""
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)


_B = TypeVar("_B", bound=type[KeyringBackend])


def unregistered(cls: _B) -> _B:
    """Keep a test backend out of keyring's registry, so keyring's own choice ignores it."""
    KeyringBackend._classes.discard(cls)
    return cls


@unregistered
class _TestBackend(KeyringBackend):
    """A keyring in a dict, with switchable failures (like a keyring that gets locked)."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}
        self.fail_get: Exception | None = None
        self.fail_set: Exception | None = None
        self.fail_delete: Exception | None = None

    def get_password(self, service: str, username: str) -> str | None:
        if self.fail_get:
            raise self.fail_get
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        if self.fail_set:
            raise self.fail_set
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.fail_delete:
            raise self.fail_delete
        if self.items.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("No such password!")


# --- no keyring: memory for this run ---------------------------------------------------------


@pytest.mark.usefixtures("no_keyring")
def test_without_a_keyring_secrets_are_kept_in_memory(kproducer_home: Path) -> None:
    store = SecretStore(environ={})
    assert store.is_persistent is False
    assert store.backend_name == "memory (this run only)"
    assert store.message_for(ADMIN) == NO_KEYRING
    assert store.status_message == (
        "No system keyring is available, so secrets are kept for this session only and will "
        "be asked for again next time."
    )
    assert store.status_detail == "no system keyring was found"
    secret = unique_secret()
    assert store.get("prod", ADMIN) is None
    assert store.set("prod", ADMIN, secret) is SecretSource.SESSION
    assert store.get("prod", ADMIN) == secret
    assert store.source("prod", ADMIN) is SecretSource.SESSION
    assert store.get("other", ADMIN) is None
    assert SecretStore(environ={}).get("prod", ADMIN) is None  # "next time" knows nothing
    assert store.delete("prod", ADMIN) is True
    assert store.delete("prod", ADMIN) is False
    assert store.get("prod", ADMIN) is None
    assert files_containing(kproducer_home, secret) == []


def test_keyring_messages_per_kind(no_keyring: None) -> None:
    store = SecretStore(environ={})
    assert "so the CnC app token is kept" in str(store.message_for(SecretKind.CNC_APP_TOKEN))
    assert "so the KME secret is kept" in str(store.message_for(SecretKind.KME_SECRET))


def test_an_empty_secret_is_refused(no_keyring: None) -> None:
    with pytest.raises(ValueError, match="The admin secret must not be empty"):
        SecretStore(environ={}).set("prod", ADMIN, "")


def test_values_are_masked_in_logs(no_keyring: None) -> None:
    secret = unique_secret()
    SecretStore(environ={}).set("prod", SecretKind.KME_SECRET, secret)
    assert redact.redact(f"oops {secret}") == f"oops {redact.SECRET_MASK}"


# --- environment ------------------------------------------------------------------------------


def test_environment_wins_over_the_store(no_keyring: None) -> None:
    env = {
        "KALTURA_ADMIN_SECRET": "from-env-admin",
        "KALTURA_CNC_APP_TOKEN": "  ",
        "KALTURA_KME_SECRET": "kme-env",
    }
    store = SecretStore(environ=env)
    store.set("prod", ADMIN, "stored-admin")
    store.set("prod", SecretKind.CNC_APP_TOKEN, "stored-token")
    assert store.get("prod", ADMIN) == "from-env-admin"
    assert store.source("prod", ADMIN) is SecretSource.ENVIRONMENT
    assert store.get("prod", SecretKind.CNC_APP_TOKEN) == "stored-token"  # blank env is unset
    assert store.get(None, SecretKind.KME_SECRET) == "kme-env"  # environment-only account
    assert store.get(None, SecretKind.CNC_APP_TOKEN) is None
    assert store.source(None, SecretKind.CNC_APP_TOKEN) is None
    store.delete("prod", ADMIN)
    assert store.get("prod", ADMIN) == "from-env-admin"  # the environment is not touched


def test_os_environ_is_the_default(no_keyring: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KALTURA_ADMIN_SECRET", "env-default-secret")
    assert SecretStore().get("any", ADMIN) == "env-default-secret"


# --- choosing the backend ---------------------------------------------------------------------


@unregistered
class PlaintextKeyring(_TestBackend):
    """Named like keyrings.alt's file backend."""


@unregistered
class AltLookalike(_TestBackend):
    pass


AltLookalike.__module__ = "keyrings.alt.file"


@unregistered
class ZeroPriority(_TestBackend):
    priority = 0


@unregistered
class BrokenPriority(_TestBackend):
    @keyring.compat.properties.classproperty
    def priority(cls) -> float:  # type: ignore[override]
        raise RuntimeError("SecretStorage required")


def test_refused_backends() -> None:
    assert refusal_reason(fail.Keyring()) == "no system keyring was found"
    assert refusal_reason(null.Keyring()) == "no system keyring was found"
    assert (
        refusal_reason(PlaintextKeyring())
        == "the keyring backend PlaintextKeyring stores secrets in a file"
    )
    assert (
        refusal_reason(AltLookalike())
        == "the keyring backend AltLookalike stores secrets in a file"
    )
    assert refusal_reason(ZeroPriority()) == "the keyring backend ZeroPriority is not usable here"
    assert (
        refusal_reason(BrokenPriority()) == "the keyring backend BrokenPriority is not usable here"
    )
    assert refusal_reason(_TestBackend()) is None


def test_a_chain_uses_its_best_acceptable_member() -> None:
    good = _TestBackend()

    @unregistered
    class Chain(chainer.ChainerBackend):
        backends = (PlaintextKeyring(), good)

    assert choose_backend(Chain()) == (good, "")

    @unregistered
    class PlaintextOnly(chainer.ChainerBackend):
        backends = (PlaintextKeyring(),)

    assert choose_backend(PlaintextOnly()) == (
        None,
        "the keyring backend PlaintextKeyring stores secrets in a file",
    )


def test_a_plaintext_backend_is_never_used(kproducer_home: Path) -> None:
    backend = PlaintextKeyring()
    store = SecretStore(backend, environ={})
    assert store.set("prod", ADMIN, unique_secret()) is SecretSource.SESSION
    assert backend.items == {}
    assert store.message_for(ADMIN) == NO_KEYRING


def test_an_unreachable_secret_service_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/kproducer-bus")
    store = SecretStore(SecretService.Keyring(), environ={})
    assert store.is_persistent is False
    assert store.set("prod", ADMIN, unique_secret()) is SecretSource.SESSION
    assert store.status_detail == "the keyring backend Keyring is not usable here"


# --- a keyring that fails -----------------------------------------------------------------------


def test_a_locked_keyring_falls_back_to_memory() -> None:
    backend = _TestBackend()
    backend.fail_get = keyring.errors.KeyringLocked("Failed to unlock the collection!")
    store = SecretStore(backend, environ={})
    assert store.is_persistent is False
    assert store.message_for(ADMIN) == (
        "The system keyring could not be used, so the admin secret is kept for this session "
        "only and will be asked for again next time."
    )
    assert store.status_detail == "KeyringLocked: Failed to unlock the collection!"
    assert store.set("prod", ADMIN, "memory-only") is SecretSource.SESSION
    assert store.get("prod", ADMIN) == "memory-only"


@pytest.mark.parametrize(
    "error",
    [
        keyring.errors.PasswordSetError("refused"),
        keyring.errors.InitError("Failed to create the collection"),
        ConnectionRefusedError(111, "Connection refused"),
    ],
)
def test_a_keyring_failing_mid_run_switches_to_memory(error: Exception) -> None:
    backend = _TestBackend()
    store = SecretStore(backend, environ={})
    assert store.set("prod", ADMIN, "saved-before") is SecretSource.KEYRING
    assert store.get("prod", ADMIN) == "saved-before"
    backend.fail_set = error
    backend.fail_get = error
    assert store.set("prod", SecretKind.KME_SECRET, "kme-after") is SecretSource.SESSION
    assert store.is_persistent is False
    assert "could not be used" in str(store.status_message)
    assert store.get("prod", SecretKind.KME_SECRET) == "kme-after"
    assert store.get("prod", ADMIN) == "saved-before"  # read earlier this run: still known
    assert store.source("prod", ADMIN) is SecretSource.SESSION


def test_a_dbus_error_on_read_switches_to_memory() -> None:
    from secretstorage.exceptions import SecretServiceNotAvailableException

    backend = _TestBackend()
    store = SecretStore(backend, environ={})
    assert store.is_persistent
    backend.fail_get = SecretServiceNotAvailableException("Cannot connect to the bus")
    assert store.get("prod", ADMIN) is None
    assert store.is_persistent is False


def test_a_keyring_refusing_to_delete_is_a_sentence() -> None:
    backend = _TestBackend()
    store = SecretStore(backend, environ={})
    store.set("prod", ADMIN, "hard-to-remove")
    backend.fail_delete = keyring.errors.PasswordDeleteError("denied")
    with pytest.raises(SecretStoreError) as caught:
        store.delete("prod", ADMIN)
    assert str(caught.value) == (
        "The admin secret could not be removed from the system keyring; remove it with your "
        "keyring manager (service 'kproducer', user 'prod:admin_secret')."
    )


def test_delete_profile_forgets_every_kind() -> None:
    backend = _TestBackend()
    store = SecretStore(backend, environ={})
    for kind in SecretKind:
        store.set("prod", kind, f"value-of-{kind}")
    store.set("keep", ADMIN, "kept-value")
    store.delete_profile("prod")
    assert backend.items == {(SERVICE_NAME, "keep:admin_secret"): "kept-value"}
    assert store.delete("prod", ADMIN) is False


def test_a_backend_value_is_returned_as_keyring() -> None:
    backend = _TestBackend()
    backend.items[(SERVICE_NAME, username("prod", ADMIN))] = "put-by-another-process"
    store = SecretStore(backend, environ={})
    assert store.get("prod", ADMIN) == "put-by-another-process"
    assert store.source("prod", ADMIN) is SecretSource.KEYRING
    assert store.backend_name.endswith("_TestBackend")  # keyring's own naming: "<module> <class>"
    del backend.items[(SERVICE_NAME, username("prod", ADMIN))]
    assert store.get("prod", ADMIN) is None  # removed elsewhere: not served from memory


# --- the discovered CnC app token ---------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize("backend", [_TestBackend(), fail.Keyring()], ids=["keyring", "no-keyring"])
def test_cnc_token_vault_remembers_with_a_ttl(
    backend: KeyringBackend, kproducer_home: Path
) -> None:
    clock = Clock()
    store = SecretStore(backend, environ={})
    account = account_key(1234, "https://www.kaltura.com")
    vault = store.cnc_token_vault(account, ttl=30 * DAY, clock=clock)
    assert vault.get_cnc_token() is None
    token = f"cnc-token-{uuid.uuid4().hex}"
    vault.set_cnc_token(token)
    assert vault.get_cnc_token() == token
    assert (
        CncTokenVault(
            store, account_key(1234, "https://WWW.kaltura.com/"), 30 * DAY, clock
        ).get_cnc_token()
        == token
    )
    assert (
        store.cnc_token_vault(
            account_key(9999, "https://www.kaltura.com"), 30 * DAY, clock
        ).get_cnc_token()
        is None
    )
    clock.now += 30 * DAY - 1
    assert vault.get_cnc_token() == token
    clock.now += 2
    assert vault.get_cnc_token() is None
    vault.set_cnc_token(token)
    vault.forget()
    assert vault.get_cnc_token() is None
    assert files_containing(kproducer_home, token) == []
    assert redact.redact(token) == redact.SECRET_MASK


def test_cnc_token_vault_ignores_garbage_and_zero_ttl() -> None:
    backend = _TestBackend()
    store = SecretStore(backend, environ={})
    vault = store.cnc_token_vault("1@https://x", ttl=0)
    vault.set_cnc_token("never-kept-token")
    assert backend.items == {}
    user = username("1@https://x", "cnc_app_token_found")
    for garbage in ("not json", '{"token": "t"}', '{"token": "", "expires_at": 9e99}', "[1]"):
        backend.items[(SERVICE_NAME, user)] = garbage
        assert store.cnc_token_vault("1@https://x", ttl=DAY).get_cnc_token() is None


# --- a real Secret Service ------------------------------------------------------------------------


@pytest.mark.keyring
@pytest.mark.usefixtures("detected_backend")
def test_secret_service_round_trip(kproducer_home: Path) -> None:
    profile = f"kproducer-test-{uuid.uuid4().hex}"
    secret = unique_secret() + " with spaces and ünïcode"
    store = SecretStore(environ={})
    account = account_key(1, "https://www.kaltura.com")
    vault = store.cnc_token_vault(account, ttl=DAY)
    assert store.is_persistent is True
    assert store.status_message is None
    assert store.message_for(ADMIN) is None
    assert "SecretService" in store.backend_name
    try:
        assert store.get(profile, ADMIN) is None
        assert store.set(profile, ADMIN, secret) is SecretSource.KEYRING
        assert store.get(profile, ADMIN) == secret
        assert SecretStore(environ={}).get(profile, ADMIN) == secret  # survives this store
        assert keyring.get_password(SERVICE_NAME, f"{profile}:admin_secret") == secret
        store.set(profile, ADMIN, secret + "-2")
        assert store.get(profile, ADMIN) == secret + "-2"
        ProfileStore().save(Profile(name=profile, partner_id=1))
        vault.set_cnc_token(secret + "-cnc")
        assert (
            SecretStore(environ={}).cnc_token_vault(account, ttl=DAY).get_cnc_token()
            == secret + "-cnc"
        )
    finally:
        store.delete_profile(profile)
        vault.forget()
    assert vault.get_cnc_token() is None
    assert store.get(profile, ADMIN) is None
    assert store.delete(profile, ADMIN) is False
    assert files_containing(kproducer_home, secret) == []
    assert any(kproducer_home.rglob("profiles.json"))  # something was written, without secrets
