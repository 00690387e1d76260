"""Account profiles: the non-secret settings of each Kaltura account, and where they live.

A :class:`Profile` names an account (service URL, partner ID, admin user ID, player/CnC uiconf
IDs, CnC chat service URL, KME launch URL and key). Profiles never hold a secret: the admin
secret, the CnC app token and the KME secret live in the OS keyring (:mod:`kproducer.secrets`),
and any field that looks like a secret is refused.

:class:`ProfileStore` keeps them in ``profiles.json`` in :func:`kproducer.paths.config_dir`,
written atomically and owner-only. A file that cannot be read or understood is never
overwritten: every operation stops with :class:`ProfileFileError` (one clear sentence) until
the user fixes the file or explicitly calls :meth:`ProfileStore.move_aside`.

:func:`connection_settings` applies the ``KALTURA_*`` environment overrides (DESIGN §5).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, urlsplit

from .. import paths
from . import atomic, redact

DEFAULT_SERVICE_URL = "https://www.kaltura.com"
FILE_NAME = "profiles.json"
#: Format of profiles.json; bump it when a field is added, removed or changes meaning.
FORMAT_VERSION = 1
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


class ProfileNotFoundError(LookupError):
    """No profile has the requested name."""


class ProfileFileError(Exception):
    """``profiles.json`` cannot be read, understood or saved; it was left untouched.

    Attributes:
        path: The profiles file.
    """

    def __init__(self, message: str, path: Path) -> None:
        super().__init__(message)
        self.path = path


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


# --- the store -------------------------------------------------------------------------------


class ProfileStore:
    """The saved profiles, in ``profiles.json`` (JSON, with a format version).

    Every method reads the file afresh, so two kproducer processes see each other's
    changes; changes are read-modify-write under a lock and written atomically (0600).

    Args:
        path: The profiles file; default ``config_dir()/profiles.json``.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path if path is not None else paths.config_dir() / FILE_NAME
        self._lock = threading.Lock()

    def all(self) -> list[Profile]:
        """Every profile, sorted by name.

        Raises:
            ProfileFileError: The file cannot be read or understood (it is left untouched).
        """
        return sorted(self._load().values(), key=lambda p: p.name.casefold())

    def names(self) -> list[str]:
        """The profile names, sorted."""
        return [p.name for p in self.all()]

    def get(self, name: str) -> Profile:
        """The profile called ``name``.

        Raises:
            ProfileNotFoundError: No such profile (the message lists the existing ones).
            ProfileFileError: The file cannot be read or understood.
        """
        profiles = self._load()
        if name in profiles:
            return profiles[name]
        known = ", ".join(sorted(profiles)) or "none yet"
        raise ProfileNotFoundError(f"There is no profile named {name!r} (profiles: {known}).")

    def save(self, profile: Profile) -> bool:
        """Add ``profile``, or replace the one with the same name.

        Returns:
            True when an existing profile was replaced, False when it was added.

        Raises:
            ProfileFileError: The file cannot be read, understood or written; nothing changed.
        """
        with self._locked():
            profiles = self._load()
            replaced = profile.name in profiles
            profiles[profile.name] = profile
            self._write(profiles)
        return replaced

    def remove(self, name: str) -> Profile:
        """Delete the profile called ``name`` (its keyring secrets are not touched here).

        Returns:
            The removed profile.

        Raises:
            ProfileNotFoundError: No such profile.
            ProfileFileError: The file cannot be read, understood or written; nothing changed.
        """
        with self._locked():
            profiles = self._load()
            if name not in profiles:
                raise ProfileNotFoundError(f"There is no profile named {name!r}.")
            removed = profiles.pop(name)
            self._write(profiles)
        return removed

    def move_aside(self) -> Path | None:
        """Rename the profiles file to ``profiles.json.corrupt-<UTC time>``, keeping it.

        Only for an explicit user decision (e.g. after :class:`ProfileFileError`): the
        store then starts empty and the old file stays next to it for repair.

        Returns:
            The new path of the old file, or None when there was no file.

        Raises:
            ProfileFileError: The file cannot be renamed.
        """
        with self._locked():
            if not self.path.exists():
                return None
            stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
            target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
            counter = 1
            while target.exists():
                counter += 1
                target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{counter}")
            try:
                os.replace(self.path, target)
            except OSError as exc:
                raise ProfileFileError(
                    f"The profiles file {self.path} could not be moved aside ({exc.strerror}).",
                    self.path,
                ) from exc
            return target

    # --- file format ---

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Serialise read-modify-write in this process, and across processes on POSIX."""
        with self._lock:
            try:
                import fcntl
            except ImportError:  # Windows: in-process lock only
                yield
                return
            lock_path = self.path.with_name(f".{self.path.name}.lock")
            try:
                fd = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o600)
            except OSError as exc:
                raise self._error(f"could not be locked for writing ({exc.strerror})") from exc
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                os.close(fd)

    def _error(self, problem: str, *, untouched: bool = True) -> ProfileFileError:
        tail = "; kproducer left it untouched." if untouched else "."
        problem = problem.rstrip(".")  # a quoted sentence must not end in ".;"
        return ProfileFileError(f"The profiles file {self.path} {problem}{tail}", self.path)

    def _load(self) -> dict[str, Profile]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise self._error(f"could not be read ({exc.strerror})") from exc
        try:
            data = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise self._error("is not UTF-8 text") from exc
        except json.JSONDecodeError as exc:
            raise self._error(f"is not valid JSON (line {exc.lineno}, column {exc.colno})") from exc
        except RecursionError as exc:
            raise self._error("is not a kproducer profiles file (it is nested too deeply)") from exc
        if not isinstance(data, dict) or not isinstance(data.get("version"), int):
            raise self._error("is not a kproducer profiles file (it has no format version)")
        if data["version"] > FORMAT_VERSION:
            raise self._error(
                f"was written by a newer kproducer (format {data['version']}; this version "
                f"reads up to {FORMAT_VERSION})"
            )
        if data["version"] < 1 or not isinstance(data.get("profiles"), list):
            raise self._error("is not a kproducer profiles file (no list of profiles)")
        profiles: dict[str, Profile] = {}
        for index, item in enumerate(data["profiles"], start=1):
            try:
                profile = Profile.from_dict(item)
            except ProfileError as exc:
                raise self._error(f"has an invalid profile (number {index}): {exc}") from exc
            if profile.name in profiles:
                raise self._error(f"has two profiles named {profile.name!r}")
            profiles[profile.name] = profile
        return profiles

    def _write(self, profiles: Mapping[str, Profile]) -> None:
        document = {
            "version": FORMAT_VERSION,
            "profiles": [profiles[name].to_dict() for name in sorted(profiles)],
        }
        try:
            atomic.write_text(self.path, json.dumps(document, indent=2) + "\n")
        except OSError as exc:
            raise self._error(
                f"could not be saved ({exc.strerror}); the previous version is unchanged",
                untouched=False,
            ) from exc


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
