"""Running ``kproducer`` for real in tests: in-process (``cli.main``) and as a subprocess.

In-process runs use a keyring kept in a dict (a real keyring backend as far as kproducer can
tell), so nothing touches the developer's own keyring; each run gets a fresh
:class:`SecretStore`, as a new process would. Subprocesses use keyring's ``fail`` backend
(secrets in memory for that run) and take their secrets from the environment.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keyring
import keyring.errors
import pytest
from keyring.backend import KeyringBackend

from kproducer import cli
from kproducer.sandbox import SandboxInfo
from kproducer.services import connect

SECRET_VARS = ("KALTURA_ADMIN_SECRET", "KALTURA_CNC_APP_TOKEN", "KALTURA_KME_SECRET")
ACCOUNT_VARS = (
    "KALTURA_URL",
    "KALTURA_PARTNER_ID",
    "KALTURA_ADMIN_USER_ID",
    "KALTURA_PLAYER_UICONF_ID",
    "KALTURA_CNC_UICONF_ID",
    "KALTURA_CNC_SERVICE_URL",
    "KALTURA_KME_URL",
    "KALTURA_KME_KEY",
    *SECRET_VARS,
)


class DictKeyring(KeyringBackend):
    """A keyring in a dict: behaves like a system keyring for one test."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.items.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("No such password!")


KeyringBackend._classes.discard(DictKeyring)  # keyring's own choice never picks it


@pytest.fixture
def dict_keyring() -> Iterator[DictKeyring]:
    """Install a dict keyring for in-process runs (and restore the previous one)."""
    previous = keyring.get_keyring()
    backend = DictKeyring()
    keyring.set_keyring(backend)
    connect.default_secret_store.cache_clear()
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)
        connect.default_secret_store.cache_clear()


@pytest.fixture
def no_account_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No KALTURA_* variable from the developer's shell leaks into a test."""
    for var in ACCOUNT_VARS:
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def account_env(info: SandboxInfo, monkeypatch: pytest.MonkeyPatch, no_account_env: None) -> SandboxInfo:
    """The shared sandbox's account in the KALTURA_* variables (no CnC token: it is found)."""
    set_account_env(monkeypatch, info)
    return info


def set_account_env(monkeypatch: pytest.MonkeyPatch, info: SandboxInfo, **extra: str) -> None:
    """Describe a sandbox's account with KALTURA_* variables."""
    monkeypatch.setenv("KALTURA_URL", info.service_url)
    monkeypatch.setenv("KALTURA_PARTNER_ID", str(info.partner_id))
    monkeypatch.setenv("KALTURA_ADMIN_USER_ID", info.admin_user_id)
    monkeypatch.setenv("KALTURA_ADMIN_SECRET", info.admin_secret)
    for name, value in extra.items():
        monkeypatch.setenv(name, value)


@dataclass
class Result:
    """One run: exit code and what was printed."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        """stdout as ONE JSON document."""
        return json.loads(self.out)

    @property
    def sentence(self) -> str:
        """The error sentence (the one stderr line), without the ``kproducer:`` prefix."""
        lines = [line for line in self.err.splitlines() if line.strip()]
        assert len(lines) == 1, f"expected one line on stderr, got {self.err!r}"
        return lines[0].removeprefix("kproducer: ")


class Runner:
    """``kproducer ARGS`` in-process, capturing stdout/stderr; keeps every output seen."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self.capsys = capsys
        self.seen: list[str] = []

    def __call__(self, *args: str) -> Result:
        connect.default_secret_store.cache_clear()  # a new process, as far as secrets go
        self.capsys.readouterr()
        code = cli.main(list(args))
        captured = self.capsys.readouterr()
        self.seen += [captured.out, captured.err]
        assert "Traceback" not in captured.err
        return Result(code, captured.out, captured.err)


@pytest.fixture
def kp(capsys: pytest.CaptureFixture[str], dict_keyring: DictKeyring) -> Runner:
    """Run kproducer in-process: ``kp("events", "list", "--json")``."""
    return Runner(capsys)


def run_process(*args: str, env: dict[str, str] | None = None, timeout: float = 60,
                stdin: str | None = None) -> Result:
    """``python -m kproducer ARGS`` as a real process (no real keyring: secrets in memory)."""
    full_env = {k: v for k, v in os.environ.items() if k not in ACCOUNT_VARS}
    full_env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    full_env.update(env or {})
    proc = subprocess.run(
        [sys.executable, "-m", "kproducer", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full_env,
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return Result(proc.returncode, proc.stdout, proc.stderr)


def sandbox_env(info: SandboxInfo, **extra: str) -> dict[str, str]:
    """KALTURA_* variables of a sandbox's account, for subprocesses."""
    return {
        "KALTURA_URL": info.service_url,
        "KALTURA_PARTNER_ID": str(info.partner_id),
        "KALTURA_ADMIN_USER_ID": info.admin_user_id,
        "KALTURA_ADMIN_SECRET": info.admin_secret,
        **extra,
    }


def closed_port_url() -> str:
    """An http URL on 127.0.0.1 where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def write_csv(path: Path, header: str, rows: list[str]) -> Path:
    """A UTF-8 CSV file."""
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def files_under(folder: Path) -> list[Path]:
    """Every file below ``folder``."""
    return [p for p in folder.rglob("*") if p.is_file()]
