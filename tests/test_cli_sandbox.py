"""``kproducer sandbox serve`` (and the GUI placeholder) as real processes, over real HTTP."""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
from KalturaClient import KalturaClient, KalturaConfiguration
from KalturaClient.Plugins.Core import KalturaUser

from kproducer import cli

CONTRACT_KEYS = [
    "service_url",
    "partner_id",
    "admin_user_id",
    "admin_secret",
    "player_uiconf_id",
    "cnc_uiconf_id",
    "kme_launch_url",
    "kme_key",
    "kme_secret",
]
START_TIMEOUT = 30
STOP_TIMEOUT = 5


def kproducer(*args: str) -> list[str]:
    return [sys.executable, "-m", "kproducer", *args]


def run(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        kproducer(*args), capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
    )


def read_line(proc: subprocess.Popen[str], timeout: float = START_TIMEOUT) -> str:
    """The next stdout line, or fail (with stderr) if none comes in time."""
    lines: queue.Queue[str] = queue.Queue()
    assert proc.stdout is not None
    stdout = proc.stdout
    threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
    try:
        line = lines.get(timeout=timeout)
    except queue.Empty:
        proc.kill()
        pytest.fail(f"no output within {timeout}s")
    if not line:
        proc.wait(timeout=STOP_TIMEOUT)
        assert proc.stderr is not None
        pytest.fail(f"exited {proc.returncode} without output: {proc.stderr.read()}")
    return line


@contextmanager
def started(*args: str) -> Iterator[subprocess.Popen[str]]:
    """A running ``kproducer`` process; killed at the end if the test left it running."""
    with subprocess.Popen(
        kproducer(*args),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        try:
            yield proc
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=STOP_TIMEOUT)


@contextmanager
def serving(data_dir: Path, *extra: str) -> Iterator[tuple[subprocess.Popen[str], dict[str, Any]]]:
    with started("sandbox", "serve", "--port", "0", "--data-dir", str(data_dir), *extra) as proc:
        yield proc, json.loads(read_line(proc))


def stop(proc: subprocess.Popen[str], sig: signal.Signals = signal.SIGTERM) -> tuple[int, str]:
    proc.send_signal(sig)
    code = proc.wait(timeout=STOP_TIMEOUT)
    assert proc.stderr is not None
    return code, proc.stderr.read()


def client(info: dict[str, Any]) -> KalturaClient:
    config = KalturaConfiguration()
    config.serviceUrl = info["service_url"]
    kaltura = KalturaClient(config)
    ks = KalturaClient.generateSessionV2(
        info["admin_secret"], info["admin_user_id"], 2, info["partner_id"], 3600, ""
    )
    kaltura.setKs(ks.decode())
    return kaltura


def assert_one_sentence(stderr: str) -> None:
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("kproducer")


def test_first_line_is_the_contract_json(tmp_path: Path) -> None:
    with serving(tmp_path / "sb") as (proc, info):
        assert list(info) == CONTRACT_KEYS
        assert info["service_url"].startswith("http://127.0.0.1:")
        assert not info["service_url"].endswith(":0")
        assert isinstance(info["partner_id"], int)
        assert isinstance(info["player_uiconf_id"], int)
        assert isinstance(info["cnc_uiconf_id"], int)
        for key in ("admin_user_id", "admin_secret", "kme_launch_url", "kme_key", "kme_secret"):
            assert isinstance(info[key], str) and info[key], key
        assert info["kme_launch_url"].startswith(info["service_url"])
        assert stop(proc) == (0, "")


def test_service_answers_stats_and_the_real_client(tmp_path: Path) -> None:
    with serving(tmp_path / "sb") as (proc, info):
        stats = requests.get(f"{info['service_url']}/_sandbox/stats", timeout=5).json()
        assert set(stats) == {"http_requests", "api_calls", "connections", "by_action"}
        user = client(info).user.get(info["admin_user_id"])
        assert user.id == info["admin_user_id"]
        after = requests.get(f"{info['service_url']}/_sandbox/stats", timeout=5).json()
        assert after["api_calls"] == stats["api_calls"] + 1
        assert after["by_action"].get("user.get") == 1
        assert stop(proc) == (0, "")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_stops_cleanly(tmp_path: Path, sig: signal.Signals) -> None:
    with serving(tmp_path / "sb") as (proc, info):
        code, stderr = stop(proc, sig)
        assert code == 0
        assert stderr == ""
        assert proc.stdout is not None
        assert proc.stdout.read() == ""  # exactly one line was printed
        with pytest.raises(requests.ConnectionError):
            requests.get(f"{info['service_url']}/_sandbox/stats", timeout=2)


def test_state_survives_a_restart(tmp_path: Path) -> None:
    data_dir = tmp_path / "sb"
    with serving(data_dir) as (proc, first):
        client(first).user.add(KalturaUser(id="survivor@example.com", firstName="Still"))
        assert stop(proc)[0] == 0
    with serving(data_dir) as (proc, second):
        assert second["partner_id"] == first["partner_id"]
        assert second["admin_secret"] == first["admin_secret"]
        assert second["kme_secret"] == first["kme_secret"]
        assert client(second).user.get("survivor@example.com").firstName == "Still"
        assert stop(proc)[0] == 0


def test_default_data_dir_is_under_kproducer_home(kproducer_home: Path) -> None:
    with started("sandbox", "serve") as proc:
        json.loads(read_line(proc))
        assert stop(proc)[0] == 0
    assert (kproducer_home / "data" / "sandbox").is_dir()
    assert any((kproducer_home / "data" / "sandbox").iterdir())


def test_port_in_use_is_one_sentence(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("sandbox", "serve", "--port", str(port), "--data-dir", str(tmp_path / "sb"))
    assert result.returncode == 2
    assert result.stdout == ""
    assert_one_sentence(result.stderr)
    assert str(port) in result.stderr
    assert "in use" in result.stderr


def test_unusable_data_dir_is_one_sentence(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    result = run("sandbox", "serve", "--data-dir", str(not_a_folder))
    assert result.returncode == 2
    assert_one_sentence(result.stderr)
    assert str(not_a_folder) in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["sandbox"],
        ["sandbox", "serve", "--port", "nope"],
        ["sandbox", "serve", "--port", "70000"],
        ["sandbox", "serve", "--bogus"],
        ["sandbox", "launch"],
        ["no-such-command"],
        ["--sandbox", "sandbox", "serve"],
    ],
)
def test_bad_usage_exits_2(args: list[str]) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert_one_sentence(result.stderr)


# The desktop window replaced the placeholder that only served the sandbox: its command
# line (smoke test, screenshots, errors) is tested in tests/test_ui_smoke.py.


def test_help_and_version_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--help"]) == 0
    assert "sandbox" in capsys.readouterr().out
    assert cli.main(["--version"]) == 0
    assert "kproducer" in capsys.readouterr().out
    assert cli.main(["sandbox", "serve", "--help"]) == 0
    assert "--data-dir" in capsys.readouterr().out


def test_unexpected_error_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from kproducer.commands import sandbox

    def explode(*args: object) -> None:
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(sandbox, "start_sandbox", explode)
    monkeypatch.delenv("KPRODUCER_DEBUG", raising=False)
    assert cli.main(["sandbox", "serve"]) == 1
    err = capsys.readouterr().err
    assert_one_sentence(err)
    assert "RuntimeError: boom second line" in err


def test_keyboard_interrupt_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from kproducer.commands import sandbox

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(sandbox, "start_sandbox", interrupted)
    assert cli.main(["sandbox", "serve"]) == 130
    assert_one_sentence(capsys.readouterr().err)


def test_python_dash_m_is_the_console_script() -> None:
    script = Path(sys.executable).with_name("kproducer")
    if not script.exists():
        pytest.skip("the kproducer console script is not installed in this environment")
    result = subprocess.run(
        [str(script), "--version"], capture_output=True, text=True, timeout=30, env=os.environ
    )
    assert result.returncode == 0
    assert result.stdout == run("--version").stdout
