"""Identifier formats of kaltura/server."""

from __future__ import annotations

import secrets
import string

_BASE36 = string.digits + string.ascii_lowercase


def object_id(dc: int = 0) -> str:
    """An entry or app-token id: ``{dc}_{8 base36 chars}``, e.g. ``0_ab12cd34``."""
    return f"{dc}_" + "".join(secrets.choice(_BASE36) for _ in range(8))


def token_value() -> str:
    """An app-token secret: 32 lowercase hex characters."""
    return secrets.token_hex(16)
