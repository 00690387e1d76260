"""Bundle only: the AES-CBC that SecretStorage asks ``cryptography`` for, from pycryptodome.

A PyInstaller runtime hook (kproducer.spec ``runtime_hooks``): it runs before kproducer, in
the bundle only (the venv keeps the real ``cryptography``). SecretStorage, keyring's Secret
Service backend, imports ``cryptography`` for one thing: AES-128-CBC on the secrets it sends
over D-Bus (``secretstorage/util.py`` and ``item.py``: ``Cipher(algorithms.AES(key),
modes.CBC(iv), default_backend())``, ``encryptor()/decryptor()``, ``update() + finalize()``;
the padding and the Diffie-Hellman exchange are its own code). ``cryptography`` is 12 MB in
the bundle (its Rust core carries a whole OpenSSL); pycryptodome, already there for the KS
(kproducer.kaltura.ks), does AES-CBC. So the bundle leaves ``cryptography`` out and these
modules stand in for exactly that API. Anything else asked of them is a
ModuleNotFoundError, as for a package that is not installed: PyJWT then uses only its HMAC
algorithms (HS256, what kproducer signs), as it does without ``cryptography``.

tests/test_bundle_aes.py checks the output against ``cryptography`` and a Secret Service
round trip (gnome-keyring) through keyring with these modules in place.
"""

from __future__ import annotations

import sys
import types
from typing import Any

from Crypto.Cipher import AES as _AES

BLOCK = 16


class AESAlgorithm:
    """``algorithms.AES(key)``: a 128-, 192- or 256-bit key."""

    name = "AES"
    block_size = 128

    def __init__(self, key: bytes) -> None:
        key = bytes(key)
        if len(key) not in (16, 24, 32):
            raise ValueError(f"Invalid key size ({len(key) * 8}) for AES.")
        self.key = key
        self.key_size = len(key) * 8


class CBCMode:
    """``modes.CBC(iv)``: a 16-byte initialisation vector."""

    name = "CBC"

    def __init__(self, initialization_vector: bytes) -> None:
        iv = bytes(initialization_vector)
        if len(iv) != BLOCK:
            raise ValueError(f"Invalid IV size ({len(iv)}) for CBC.")
        self.initialization_vector = iv


class CipherContext:
    """An encryptor or decryptor: whole blocks out of ``update``, nothing left at the end."""

    def __init__(self, key: bytes, iv: bytes, encrypt: bool) -> None:
        cipher = _AES.new(key, _AES.MODE_CBC, iv=iv)
        self._run = cipher.encrypt if encrypt else cipher.decrypt
        self._pending = b""
        self._done = False

    def update(self, data: bytes) -> bytes:
        """Encrypt or decrypt the whole blocks so far; keep the rest for the next call."""
        if self._done:
            raise ValueError("Context was already finalized.")
        data = self._pending + bytes(data)
        whole = len(data) - len(data) % BLOCK
        self._pending = data[whole:]
        return self._run(data[:whole]) if whole else b""

    def finalize(self) -> bytes:
        """End; CBC has no padding of its own, so a partial block left is an error."""
        self._done = True
        if self._pending:
            raise ValueError(
                "The length of the provided data is not a multiple of the block length.")
        return b""


class Cipher:
    """``Cipher(algorithms.AES(key), modes.CBC(iv), backend)`` (the backend is ignored)."""

    def __init__(self, algorithm: AESAlgorithm, mode: CBCMode, backend: Any = None) -> None:
        if not isinstance(algorithm, AESAlgorithm) or not isinstance(mode, CBCMode):
            raise ModuleNotFoundError("only AES-CBC is in this bundle (no cryptography)")
        self.algorithm, self.mode = algorithm, mode

    def encryptor(self) -> CipherContext:
        """A context that encrypts."""
        return CipherContext(self.algorithm.key, self.mode.initialization_vector, True)

    def decryptor(self) -> CipherContext:
        """A context that decrypts."""
        return CipherContext(self.algorithm.key, self.mode.initialization_vector, False)


def default_backend() -> None:
    """``cryptography.hazmat.backends.default_backend()``: there is only one here."""
    return None


def _package(name: str, **attributes: Any) -> types.ModuleType:
    module = types.ModuleType(name, f"Bundle stand-in for {name} (AES-CBC only).")
    module.__path__ = []  # a package with no other submodules to find

    def missing(attribute: str) -> Any:
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        raise ModuleNotFoundError(f"No module named '{name}.{attribute}' (not in the bundle)",
                                  name=f"{name}.{attribute}")

    module.__getattr__ = missing  # type: ignore[method-assign]
    module.__dict__.update(attributes)
    return module


def install() -> None:
    """Put the stand-in modules in ``sys.modules`` (before anything imports SecretStorage)."""
    algorithms = _package("cryptography.hazmat.primitives.ciphers.algorithms", AES=AESAlgorithm)
    modes = _package("cryptography.hazmat.primitives.ciphers.modes", CBC=CBCMode)
    ciphers = _package("cryptography.hazmat.primitives.ciphers", Cipher=Cipher,
                       algorithms=algorithms, modes=modes)
    primitives = _package("cryptography.hazmat.primitives", ciphers=ciphers)
    backends = _package("cryptography.hazmat.backends", default_backend=default_backend)
    hazmat = _package("cryptography.hazmat", primitives=primitives, backends=backends)
    root = _package("cryptography", hazmat=hazmat)
    for module in (root, hazmat, backends, primitives, ciphers, algorithms, modes):
        sys.modules[module.__name__] = module


if getattr(sys, "frozen", False):  # run as the bundle's runtime hook
    install()
