"""Kaltura Sessions made and read locally (the seed: never ``session.start``)."""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from urllib.parse import parse_qsl

from Crypto.Cipher import AES
from KalturaClient import KalturaClient

USER_SESSION = 0
ADMIN_SESSION = 2


def generate_ks(
    secret: str,
    partner_id: int,
    user_id: str,
    session_type: int,
    seconds: int,
    privileges: str = "",
) -> str:
    """A KS v2 signed with the partner's admin secret, valid for ``seconds`` from now."""
    raw: bytes = KalturaClient.generateSessionV2(
        secret, user_id, session_type, partner_id, seconds, privileges
    )
    return raw.decode("ascii")


@dataclass(frozen=True)
class KsInfo:
    """What a KS says about itself."""

    version: int
    partner_id: int
    session_type: int | None = None
    user_id: str | None = None
    expires_at: int | None = None
    privileges: str | None = None
    verified: bool = False


class KsUnreadable(ValueError):
    """The text is not a KS, or it cannot be decrypted with the given secret."""


def _b64(text: str) -> bytes:
    text = text.strip().replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise KsUnreadable("This is not a Kaltura session (KS): it is not base64.") from exc


def inspect_ks(ks: str, secret: str | None = None) -> KsInfo:
    """Read a KS. A v2 KS is encrypted: without the admin secret only its partner is known.

    Raises:
        KsUnreadable: Not a KS, or the secret does not open it.
    """
    raw = _b64(ks)
    if raw.startswith(b"v2|"):
        parts = raw.split(b"|", 2)
        if len(parts) != 3 or not parts[1].isdigit():
            raise KsUnreadable("This is not a Kaltura session (KS): its header is damaged.")
        partner_id = int(parts[1])
        if secret is None:
            return KsInfo(version=2, partner_id=partner_id)
        if len(parts[2]) % 16:
            raise KsUnreadable("This KS is damaged: its encrypted part has the wrong length.")
        key = hashlib.sha1(secret.encode()).digest()[:16]
        plain = AES.new(key, AES.MODE_CBC, b"\0" * 16).decrypt(parts[2]).rstrip(b"\0")
        if hashlib.sha1(plain[20:]).digest() != plain[:20]:
            raise KsUnreadable("This KS was not signed with this account's admin secret.")
        fields = parse_qsl(plain[36:].decode("utf-8", "replace"), keep_blank_values=True)
        reserved = {k: v for k, v in fields if k.startswith("_")}
        privileges = ",".join(f"{k}:{v}" if v else k for k, v in fields if not k.startswith("_"))
        return KsInfo(
            version=2,
            partner_id=partner_id,
            session_type=int(reserved.get("_t", "0")),
            user_id=reserved.get("_u", ""),
            expires_at=int(reserved.get("_e", "0")),
            privileges=privileges,
            verified=True,
        )
    signature, sep, info = raw.partition(b"|")
    v1_fields = info.split(b";")
    if not sep or len(v1_fields) < 7 or not v1_fields[0].isdigit():
        raise KsUnreadable("This is not a Kaltura session (KS).")
    text = [f.decode("utf-8", "replace") for f in v1_fields]
    verified = (
        secret is not None
        and hashlib.sha1(secret.encode() + info).hexdigest().encode() == signature
    )
    if secret is not None and not verified:
        raise KsUnreadable("This KS was not signed with this account's admin secret.")
    return KsInfo(
        version=1,
        partner_id=int(text[0]),
        session_type=int(text[3]) if text[3].isdigit() else None,
        user_id=text[5],
        expires_at=int(text[2]) if text[2].isdigit() else None,
        privileges=text[6],
        verified=verified,
    )
