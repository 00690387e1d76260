"""One account profile: the non-secret settings of a Kaltura account, checked on creation.

A :class:`Profile` names an account (service URL, partner ID, admin user ID, player/CnC uiconf
IDs, CnC chat service URL, KME launch URL and key). Profiles never hold a secret: the admin
secret, the CnC app token and the KME secret live in the OS keyring
(:mod:`kproducer.local.secret_store`), and any field that looks like a secret is refused.

:func:`connection_settings` applies the ``KALTURA_*`` environment overrides (DESIGN §5).
:mod:`.profiles` keeps the saved profiles.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, urlsplit

from . import redact

DEFAULT_SERVICE_URL = "https://www.kaltura.com"
#: The profile name used when only environment variables describe the account.
ENVIRONMENT_PROFILE = "(environment)"
MAX_NAME_LENGTH = 64

#: Environment variable overriding each profile field (DESIGN §5).
ENV_VARS: Mapping[str, str] = {
    "service_url": "KALTURA_URL",
    "partner_id": "KALTURA_PARTNER_ID",
    "admin_user_id": "KALTURA_ADMIN_USER_ID",
    "player_uiconf_id": "KALTURA_PLAYER_UICONF_ID",
    "cnc_uiconf_id": "KALTURA_CNC_UICONF_ID",
    "cnc_service_url": "KALTURA_CNC_SERVICE_URL",
    "kme_launch_url": "KALTURA_KME_URL",
    "kme_key": "KALTURA_KME_KEY",
}

_LABELS: Mapping[str, str] = {
    "name": "The profile name",
    "service_url": "The service URL",
    "partner_id": "The partner ID",
    "admin_user_id": "The admin user ID",
    "player_uiconf_id": "The player uiconf ID",
    "cnc_uiconf_id": "The CnC uiconf ID",
    "cnc_service_url": "The CnC chat service URL",
    "kme_launch_url": "The KME launch URL",
    "kme_key": "The KME key",
    "sandbox": "The sandbox flag",
}
_SECRET_NAME = re.compile(r"secret|token|passw|pwd|credential|private|(^|_)ks($|_)", re.I)
_KS_V2 = re.compile(r"djJ8[A-Za-z0-9_\-+/]{16,}")
_KS_PARAM = re.compile(r"(?i)[?&]ks=")


class ProfileError(ValueError):
    """A profile or an environment override is invalid; ``str()`` is one clear sentence."""


# --- validation ------------------------------------------------------------------------------


def _looks_secret(value: str) -> bool:
    masked = redact.redact(value)
    return (
        redact.SECRET_MASK in masked
        or redact.JWT_MASK in masked
        or bool(_KS_V2.search(value) or _KS_PARAM.search(value))
    )


def _text(value: Any, label: str, *, required: bool = False) -> str:
    if not isinstance(value, str):
        raise ProfileError(f"{label} must be text, not {value!r}.")
    text: str = value.strip()
    if required and not text:
        raise ProfileError(f"{label} must not be empty.")
    if not text.isprintable():
        raise ProfileError(f"{label} must not contain control characters.")
    if _looks_secret(text):
        raise ProfileError(
            f"{label} looks like a secret (a KS, a token or a known secret); profiles never "
            "hold secrets, they are kept in the system keyring."
        )
    return text


def _positive_int(value: Any, label: str, *, optional: bool = False) -> int | None:
    if optional and (value is None or (isinstance(value, str) and not value.strip())):
        return None
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().isdecimal():
        number = int(value.strip())
    if number is None or number <= 0:
        raise ProfileError(f"{label} must be a positive whole number, not {value!r}.")
    return number


def _url(value: Any, label: str, *, optional: bool = False) -> str:
    text = _text(value, label, required=not optional)
    if not text:
        return ""
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:  # "http://[::1": an unclosed IPv6 address, a bad port...
        host = None
    if host is None or parts.scheme.lower() not in ("http", "https"):
        raise ProfileError(f"{label} must be an http:// or https:// address, not {text!r}.")
    _check_address(text, parts, label)
    return text.rstrip("/")


_LABEL = r"[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?"
#: A host name (after IDNA encoding) or an IPv4 address: dot-separated labels.
_HOST_NAME = re.compile(rf"^{_LABEL}(?:\.{_LABEL})*\.?$")


def _check_address(text: str, parts: SplitResult, label: str) -> None:
    """Refuse credentials in a URL (they would be in every link) and malformed host names."""
    if parts.username is not None or parts.password is not None:
        host = parts.netloc.rpartition("@")[2]
        raise ProfileError(
            f"{label} must not carry a user name or password (as in "
            f"'{parts.scheme}://…@{host}'): they would end up in every link kproducer signs."
        )
    if any(char.isspace() for char in text):
        raise ProfileError(f"{label} must not contain spaces, not {text!r}.")
    host = parts.hostname or ""
    if "[" in parts.netloc:
        return  # an IPv6 literal: urlsplit has checked its brackets
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        ascii_host = ""
    if not _HOST_NAME.match(ascii_host.lower()):
        raise ProfileError(f"{label} has an invalid host name {host!r}.")


@dataclass(frozen=True, kw_only=True)
class Profile:
    """The non-secret settings of one Kaltura account.

    Values are checked and normalised on creation (text stripped, numbers from digit
    strings accepted, trailing ``/`` removed from URLs); invalid values raise
    :class:`ProfileError`.

    Attributes:
        name: How the user calls the account; unique among profiles.
        partner_id: The Kaltura partner ID.
        admin_user_id: The user the admin KS is generated for.
        service_url: The Kaltura API base URL.
        player_uiconf_id: The player (embedPlaykitJs) uiconf ID.
        cnc_uiconf_id: The CnC (chat and collaboration) widget uiconf ID.
        cnc_service_url: The CnC chat service URL.
        kme_launch_url: The KME (meeting room) LTI launch URL.
        kme_key: The KME LTI consumer key (the KME secret lives in the keyring).
        sandbox: The account is a local kproducer sandbox.
    """

    name: str
    partner_id: int
    admin_user_id: str = ""
    service_url: str = DEFAULT_SERVICE_URL
    player_uiconf_id: int | None = None
    cnc_uiconf_id: int | None = None
    cnc_service_url: str = ""
    kme_launch_url: str = ""
    kme_key: str = ""
    sandbox: bool = False

    def __post_init__(self) -> None:
        name = _text(self.name, _LABELS["name"], required=True)
        if len(name) > MAX_NAME_LENGTH:
            raise ProfileError(f"The profile name must be at most {MAX_NAME_LENGTH} characters.")
        if not isinstance(self.sandbox, bool):
            raise ProfileError(f"The sandbox flag must be true or false, not {self.sandbox!r}.")
        values = {
            "name": name,
            "partner_id": _positive_int(self.partner_id, _LABELS["partner_id"]),
            "admin_user_id": _text(self.admin_user_id, _LABELS["admin_user_id"]),
            "service_url": _url(self.service_url, _LABELS["service_url"]),
            "player_uiconf_id": _positive_int(
                self.player_uiconf_id, _LABELS["player_uiconf_id"], optional=True
            ),
            "cnc_uiconf_id": _positive_int(
                self.cnc_uiconf_id, _LABELS["cnc_uiconf_id"], optional=True
            ),
            "cnc_service_url": _url(
                self.cnc_service_url, _LABELS["cnc_service_url"], optional=True
            ),
            "kme_launch_url": _url(self.kme_launch_url, _LABELS["kme_launch_url"], optional=True),
            "kme_key": _text(self.kme_key, _LABELS["kme_key"]),
        }
        for key, value in values.items():
            object.__setattr__(self, key, value)

    def to_dict(self) -> dict[str, Any]:
        """The profile as plain JSON-ready data."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Profile:
        """Build a profile from plain data, refusing secrets and unknown settings.

        Args:
            data: Field names to values, e.g. one profile of ``profiles.json``.

        Returns:
            The validated profile.

        Raises:
            ProfileError: A secret-looking or unknown setting, a missing name or partner
                ID, or an invalid value.
        """
        if not isinstance(data, Mapping):
            raise ProfileError(f"A profile must be a set of named settings, not {data!r}.")
        known = {f.name for f in dataclasses.fields(cls)}
        for key in data:
            if _SECRET_NAME.search(str(key)):
                raise ProfileError(
                    f"Profiles never hold secrets, so the setting {key!r} is not accepted; "
                    "kproducer keeps secrets in the system keyring."
                )
            if key not in known:
                raise ProfileError(f"{key!r} is not a profile setting.")
        for key in ("name", "partner_id"):
            if key not in data:
                raise ProfileError(f"{_LABELS[key]} is missing.")
        return cls(**data)


# --- environment overrides -------------------------------------------------------------------


@dataclass(frozen=True)
class ConnectionSettings:
    """The settings a connection actually uses: a profile with the environment applied.

    Attributes:
        profile: The effective values; named after the chosen profile, or
            :data:`ENVIRONMENT_PROFILE` when only environment variables were given.
        profile_name: The saved profile these came from, or None (environment only);
            secrets are looked up under this name.
        from_environment: The environment variables that were applied, in field order.
    """

    profile: Profile
    profile_name: str | None
    from_environment: tuple[str, ...]


def connection_settings(
    profile: Profile | None, environ: Mapping[str, str] | None = None
) -> ConnectionSettings:
    """Apply the ``KALTURA_*`` environment variables over ``profile`` (DESIGN §5).

    A variable that is set and not blank wins over the profile's value. Secrets
    (``KALTURA_ADMIN_SECRET``, ``KALTURA_CNC_APP_TOKEN``, ``KALTURA_KME_SECRET``) are not
    handled here: :class:`kproducer.secrets.SecretStore` reads them.

    Args:
        profile: The chosen profile, or None to use the environment alone.
        environ: The environment (default ``os.environ``).

    Returns:
        The effective settings and which variables were applied.

    Raises:
        ProfileError: A variable has an invalid value (the message names it), or there is
            neither a profile nor ``KALTURA_PARTNER_ID``.
    """
    env = os.environ if environ is None else environ
    values: dict[str, Any] = profile.to_dict() if profile else {"name": ENVIRONMENT_PROFILE}
    applied: list[str] = []
    for field, var in ENV_VARS.items():
        raw = env.get(var, "").strip()
        if not raw:
            continue
        if field == "partner_id":
            values[field] = _positive_int(raw, var)
        elif field.endswith("_uiconf_id"):
            values[field] = _positive_int(raw, var, optional=True)
        elif field.endswith("_url"):
            values[field] = _url(raw, var)
        else:
            values[field] = _text(raw, var)
        applied.append(var)
    if "partner_id" not in values:
        raise ProfileError(
            "No account is chosen: pick a profile (--profile NAME) or set KALTURA_PARTNER_ID "
            "and the other KALTURA_* variables."
        )
    return ConnectionSettings(
        profile=Profile(**values),
        profile_name=profile.name if profile else None,
        from_environment=tuple(applied),
    )
