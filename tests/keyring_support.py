"""A real Secret Service for the tests that need one (gnome-keyring over D-Bus).

``make test`` runs the suite inside ``scripts/with-keyring`` (a private D-Bus session with an
unlocked gnome-keyring) when gnome-keyring and dbus are installed; otherwise the tests that
use :func:`detected_backend` skip and say why. Nothing here unlocks or creates a collection,
so no password prompt can appear.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import closing

import keyring
import keyring.core
import pytest
from keyring.backend import KeyringBackend


def secret_service_problem() -> str | None:
    """Why no Secret Service can be used without a prompt, or None when one can."""
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return "no D-Bus session bus (run 'make test', which uses scripts/with-keyring)"
    try:
        import secretstorage
    except ImportError:
        return "SecretStorage is not installed"
    try:
        with closing(secretstorage.dbus_init()) as bus:
            if not secretstorage.check_service_availability(bus):
                return "no Secret Service on the session bus (gnome-keyring not running)"
            try:
                default = secretstorage.Collection(bus)  # the 'default' alias
            except secretstorage.ItemNotFoundException:
                return "the Secret Service has no default collection (creating one would prompt)"
            if default.is_locked():
                return "the default keyring collection is locked (unlocking would prompt)"
    except secretstorage.SecretStorageException as exc:
        return f"the Secret Service cannot be reached: {exc}"
    return None


@pytest.fixture
def detected_backend(monkeypatch: pytest.MonkeyPatch) -> Iterator[KeyringBackend]:
    """The backend keyring picks on its own (ignoring any backend a test set up earlier)."""
    problem = secret_service_problem()
    if problem:
        pytest.skip(problem)
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    previous = keyring.get_keyring()
    keyring.core.init_backend()
    try:
        yield keyring.get_keyring()
    finally:
        keyring.set_keyring(previous)
