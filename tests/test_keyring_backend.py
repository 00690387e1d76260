"""The OS keyring as kproducer uses it: a real Secret Service (gnome-keyring over D-Bus).

``make test`` runs the suite inside ``scripts/with-keyring`` (a private D-Bus session with an
unlocked gnome-keyring) when gnome-keyring and dbus are installed; otherwise these tests skip.
They never unlock or create a collection, so they cannot raise a password prompt.
"""

from __future__ import annotations

import uuid

import keyring
import keyring.core
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import SecretService

pytestmark = pytest.mark.keyring


def test_secret_service_is_the_backend(detected_backend: KeyringBackend) -> None:
    assert isinstance(detected_backend, SecretService.Keyring), type(detected_backend)


def test_password_round_trip(detected_backend: KeyringBackend) -> None:
    service = f"kproducer-test-{uuid.uuid4().hex}"
    secret = f"s3cret-{uuid.uuid4().hex} with spaces and ünïcode"
    assert keyring.get_password(service, "admin_secret") is None
    keyring.set_password(service, "admin_secret", secret)
    try:
        assert keyring.get_password(service, "admin_secret") == secret
        keyring.set_password(service, "admin_secret", secret + "-2")
        assert keyring.get_password(service, "admin_secret") == secret + "-2"
    finally:
        keyring.delete_password(service, "admin_secret")
    assert keyring.get_password(service, "admin_secret") is None
    with pytest.raises(keyring.errors.PasswordDeleteError):
        keyring.delete_password(service, "admin_secret")
