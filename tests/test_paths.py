"""Every on-disk location comes from kproducer.paths, under KPRODUCER_HOME when it is set."""

from __future__ import annotations

import stat
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from kproducer import paths

LOCATIONS: dict[str, Callable[[], Path]] = {
    "config": paths.config_dir,
    "cache": paths.cache_dir,
    "data": paths.data_dir,
    "logs": paths.log_dir,
    "sandbox": paths.sandbox_dir,
}


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_kproducer_home_holds_every_location(kproducer_home: Path) -> None:
    found = {name: where() for name, where in LOCATIONS.items()}
    for name, path in found.items():
        assert path.is_relative_to(kproducer_home), name
        assert path.is_dir(), name
    assert len(set(found.values())) == len(found), "two locations share a folder"
    assert found["sandbox"].is_relative_to(found["data"])


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_folders_are_owner_only(kproducer_home: Path) -> None:
    for name, where in LOCATIONS.items():
        assert mode(where()) == 0o700, name


def test_home_is_expanded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("KPRODUCER_HOME", "~/portable")
    assert paths.config_dir() == tmp_path / "portable" / "config"


def test_calls_are_idempotent(kproducer_home: Path) -> None:
    for where in LOCATIONS.values():
        assert where() == where()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG folders are Linux's")
def test_without_home_the_platform_folders_are_used(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("KPRODUCER_HOME")
    for var in ("CONFIG", "CACHE", "DATA", "STATE"):
        monkeypatch.setenv(f"XDG_{var}_HOME", str(tmp_path / var.lower()))
    assert paths.config_dir() == tmp_path / "config" / "kproducer"
    assert paths.cache_dir() == tmp_path / "cache" / "kproducer"
    assert paths.data_dir() == tmp_path / "data" / "kproducer"
    assert paths.sandbox_dir() == tmp_path / "data" / "kproducer" / "sandbox"
    assert paths.log_dir().is_relative_to(tmp_path)
    for where in LOCATIONS.values():
        assert mode(where()) == 0o700
