"""The saved account profiles, and where they live.

:class:`ProfileStore` keeps the :class:`~.account_profile.Profile` of each account in
``profiles.json`` in :func:`kproducer.paths.config_dir`, written atomically and owner-only. A
file that cannot be read or understood is never overwritten: every operation stops with
:class:`ProfileFileError` (one clear sentence) until the user fixes the file or explicitly
calls :meth:`ProfileStore.move_aside`.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

from .. import paths
from . import atomic
from .account_profile import Profile, ProfileError

FILE_NAME = "profiles.json"
#: Format of profiles.json; bump it when a field is added, removed or changes meaning.
FORMAT_VERSION = 1


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
