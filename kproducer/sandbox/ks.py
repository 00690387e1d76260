"""Kaltura Sessions (KS) v1 and v2: decode and verify with the partner's admin secret.

Follows ``kSessionBase`` in kaltura/server: the string is base64 (``-``/``_`` mapped back
to ``+``/``/``); ``v2|pid|`` + AES-128-CBC(sha1(secret)[:16], zero IV) of
``sha1(R+F) + R + F`` with F url-encoded fields; v1 is ``sha1hex(secret+info)|info`` with
``info = pid;pid;expiry;type;rand;user;privileges[;master;data]``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode

from Crypto.Cipher import AES

ADMIN = 2
USER = 0

_RESERVED = {"_e": "expiry", "_t": "type", "_u": "user", "_m": "master", "_d": "data"}


class KsError(Exception):
    """The KS could not be read or verified; ``reason`` is the server's error string."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Session:
    """A verified KS."""

    raw: str
    partner_id: int
    type: int
    user_id: str
    expiry: int
    privileges: dict[str, list[str]] = field(default_factory=dict)
    version: int = 2

    @property
    def is_admin(self) -> bool:
        """``ks::isAdmin``: any type >= 1 (ADMIN is 2)."""
        return self.type >= 1

    def privilege_string(self) -> str:
        """Privileges as the server prints them: ``name:value`` pairs joined with commas."""
        parts: list[str] = []
        for name, values in self.privileges.items():
            parts.extend(f"{name}:{v}" if v else name for v in values)
        return ",".join(parts)

    def hash(self) -> str:
        """The identity used for action limits (``ks::getHash``)."""
        return hashlib.md5(self.raw.encode()).hexdigest()


def _b64decode(ks: str) -> bytes:
    text = ks.replace("-", "+").replace("_", "/")
    text += "=" * (-len(text) % 4)
    return base64.b64decode(text.encode("ascii"), validate=True)


def _privileges(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    privileges: dict[str, list[str]] = {}
    for name, value in pairs:
        privileges.setdefault(name, []).extend(value.split("/") if value else [""])
    return privileges


def _privileges_from_string(text: str) -> dict[str, list[str]]:
    pairs = []
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        if item == "*":
            item = "all:*"
        name, _, value = item.partition(":")
        pairs.append((name, value))
    return _privileges(pairs)


def decode(ks: str, secrets_for: Callable[[int], list[str]]) -> Session:
    """Decode and verify a KS; does not check expiry.

    Args:
        ks: The KS string as received.
        secrets_for: Returns the admin secrets of a partner (empty when unknown).

    Raises:
        KsError: ``INVALID_STR`` for anything unreadable, unsigned or of an unknown partner.
    """
    try:
        raw = _b64decode(ks)
    except (binascii.Error, ValueError, UnicodeEncodeError) as exc:
        raise KsError("INVALID_STR") from exc
    if raw.startswith(b"v2|"):
        return _decode_v2(ks, raw, secrets_for)
    return _decode_v1(ks, raw, secrets_for)


def _decode_v2(ks: str, raw: bytes, secrets_for: Callable[[int], list[str]]) -> Session:
    parts: list[bytes] = raw.split(b"|", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        raise KsError("INVALID_STR")
    partner_id = int(parts[1])
    encrypted = parts[2]
    if not encrypted or len(encrypted) % 16:
        raise KsError("INVALID_STR")
    for secret in secrets_for(partner_id):
        key = hashlib.sha1(secret.encode()).digest()[:16]
        plain = AES.new(key, AES.MODE_CBC, b"\0" * 16).decrypt(encrypted).rstrip(b"\0")
        digest, rest = plain[:20], plain[20:]
        if len(rest) < 16 or hashlib.sha1(rest).digest() != digest:
            continue
        try:
            pairs = parse_qsl(rest[16:].decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError:
            continue
        fields: dict[str, str] = {}
        privileges: list[tuple[str, str]] = []
        for name, value in pairs:
            if name in _RESERVED:
                fields[_RESERVED[name]] = value
            else:
                privileges.append((name, value))
        try:
            return Session(
                raw=ks,
                partner_id=partner_id,
                type=int(fields.get("type", "0") or 0),
                user_id=fields.get("user", ""),
                expiry=int(fields.get("expiry", "0") or 0),
                privileges=_privileges(privileges),
                version=2,
            )
        except ValueError:
            continue
    raise KsError("INVALID_STR")


def _decode_v1(ks: str, raw: bytes, secrets_for: Callable[[int], list[str]]) -> Session:
    signature, sep, info = raw.partition(b"|")
    if not sep:
        raise KsError("INVALID_STR")
    fields = info.split(b";")
    if len(fields) < 7 or not fields[0].isdigit():
        raise KsError("INVALID_STR")
    partner_id = int(fields[0])
    for secret in secrets_for(partner_id):
        if hashlib.sha1(secret.encode() + info).hexdigest().encode() != signature:
            continue
        try:
            text = [f.decode("utf-8") for f in fields]
            return Session(
                raw=ks,
                partner_id=partner_id,
                type=int(text[3]),
                user_id=text[5],
                expiry=int(text[2]),
                privileges=_privileges_from_string(text[6]),
                version=1,
            )
        except (UnicodeDecodeError, ValueError):
            continue
    raise KsError("INVALID_STR")


def encode_v2(
    secret: str,
    partner_id: int,
    user_id: str,
    session_type: int,
    expiry_seconds: int,
    privileges: str = "",
    now: int | None = None,
) -> str:
    """Create a KS v2 exactly as the server's ``session.start`` does (at ``now``)."""
    fields: list[tuple[str, str]] = []
    for name, values in _privileges_from_string(privileges).items():
        fields.extend((name, v) for v in values)
    fields += [
        ("_e", str((int(time.time()) if now is None else now) + expiry_seconds)),
        ("_t", str(session_type)),
        ("_u", user_id),
    ]
    body = os.urandom(16) + urlencode(fields).encode()
    plain = hashlib.sha1(body).digest() + body
    plain += b"\0" * (-len(plain) % 16)
    key = hashlib.sha1(secret.encode()).digest()[:16]
    encrypted = AES.new(key, AES.MODE_CBC, b"\0" * 16).encrypt(plain)
    return base64.urlsafe_b64encode(f"v2|{partner_id}|".encode() + encrypted).decode()
