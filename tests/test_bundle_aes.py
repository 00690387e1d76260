"""The bundle's stand-in for cryptography (bundle_hooks/aes_for_secretstorage.py, issue 16 item 12).

The bundle leaves ``cryptography`` out and gives SecretStorage AES-CBC from pycryptodome:
the same bytes as ``cryptography``, the same refusals, and a real Secret Service round trip
(gnome-keyring, through keyring) with only the stand-in loaded.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from keyring_support import secret_service_problem

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bundle_hooks"))

import aes_for_secretstorage as stand_in  # noqa: E402


@pytest.mark.parametrize("key_size", [16, 24, 32])
@pytest.mark.parametrize("cuts", [(), (1,), (15, 16, 17), (5, 40)])
def test_the_same_bytes_as_cryptography(key_size: int, cuts: tuple[int, ...]) -> None:
    key, iv, data = os.urandom(key_size), os.urandom(16), os.urandom(64)
    pieces = [data[a:b] for a, b in zip((0, *cuts), (*cuts, len(data)), strict=True)]

    def run(context) -> bytes:
        return b"".join(context.update(p) for p in pieces) + context.finalize()

    real = Cipher(algorithms.AES(key), modes.CBC(iv))
    mine = stand_in.Cipher(stand_in.AESAlgorithm(key), stand_in.CBCMode(iv), None)
    encrypted = run(real.encryptor())
    assert run(mine.encryptor()) == encrypted
    assert run(mine.decryptor()) == run(real.decryptor())
    assert run(stand_in.Cipher(stand_in.AESAlgorithm(key), stand_in.CBCMode(iv)).decryptor()
               ) == run(real.decryptor())
    back = stand_in.Cipher(stand_in.AESAlgorithm(key), stand_in.CBCMode(iv)).decryptor()
    assert back.update(encrypted) + back.finalize() == data


def test_the_same_refusals() -> None:
    with pytest.raises(ValueError, match="Invalid key size"):
        stand_in.AESAlgorithm(b"short")
    with pytest.raises(ValueError, match="Invalid IV size"):
        stand_in.CBCMode(b"x" * 8)
    context = stand_in.Cipher(stand_in.AESAlgorithm(b"k" * 16), stand_in.CBCMode(b"i" * 16)
                              ).encryptor()
    assert context.update(b"x" * 20) != b""
    with pytest.raises(ValueError, match="multiple of the block length"):
        context.finalize()


ROUND_TRIP = """
import sys
sys.path.insert(0, sys.argv[1])
import aes_for_secretstorage
aes_for_secretstorage.install()
import jwt
from keyring.backends.SecretService import Keyring
backend = Keyring()
backend.set_password("kproducer-bundle-aes-test", "someone", "s3cret-value")
got = backend.get_password("kproducer-bundle-aes-test", "someone")
backend.delete_password("kproducer-bundle-aes-test", "someone")
assert got == "s3cret-value", got
assert not any(name.startswith("cryptography.hazmat.bindings") for name in sys.modules)
assert jwt.algorithms.has_crypto is False
assert jwt.decode(jwt.encode({"a": 1}, "k" * 32, algorithm="HS256"), "k" * 32,
                  algorithms=["HS256"]) == {"a": 1}
print("ok")
"""


def test_a_secret_service_round_trip_with_the_stand_in_only() -> None:
    problem = secret_service_problem()
    if problem:
        pytest.skip(problem)
    env = {k: v for k, v in os.environ.items() if k != "PYTHON_KEYRING_BACKEND"}
    done = subprocess.run([sys.executable, "-c", ROUND_TRIP, str(ROOT / "bundle_hooks")],
                          capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
