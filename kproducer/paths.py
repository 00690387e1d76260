"""Every on-disk location of kproducer, in one place.

By default the platform's folders (platformdirs: config, cache, data, logs). With
``KPRODUCER_HOME`` set, everything lives under that one folder instead — for tests,
portable use, and a clean slate.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "kproducer"
HOME_ENV = "KPRODUCER_HOME"


def _home() -> Path | None:
    value = os.environ.get(HOME_ENV)
    return Path(value).expanduser() if value else None


def _private(path: Path) -> Path:
    home = _home()
    if home is not None and path.is_relative_to(home):
        # mkdir(parents=True) gives missing parents the default mode (0755): make the home
        # folder itself owner-only first when kproducer is the one creating it.
        home.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def config_dir() -> Path:
    """Profiles and settings (no secrets: those live in the OS keyring)."""
    home = _home()
    return _private(home / "config" if home else platformdirs.user_config_path(APP_NAME))


def cache_dir() -> Path:
    """The API cache; safe to delete at any time."""
    home = _home()
    return _private(home / "cache" if home else platformdirs.user_cache_path(APP_NAME))


def data_dir() -> Path:
    """Application data, e.g. the embedded sandbox's account."""
    home = _home()
    return _private(home / "data" if home else platformdirs.user_data_path(APP_NAME))


def log_dir() -> Path:
    """Log files."""
    home = _home()
    return _private(home / "logs" if home else platformdirs.user_log_path(APP_NAME))


def sandbox_dir() -> Path:
    """Where the embedded sandbox keeps its database."""
    return _private(data_dir() / "sandbox")
