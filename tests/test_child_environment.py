"""No child process inherits a secret variable (issue 15.9).

``kproducer gui --profile …`` runs for real with the three secrets in its environment; while
its preview runs, the environment of every QtWebEngineProcess it started is read from
``/proc/<pid>/environ``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_support import ACCOUNT_VARS, SECRET_VARS, run_process, sandbox_env
from conftest import make_client

from kproducer.sandbox import SandboxInfo

pytestmark = pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc")


def _children_of(root: int) -> set[int]:
    """Every live descendant of ``root``."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: set[int] = set()
    frontier = {root}
    while frontier:
        frontier = {pid for pid, ppid in parents.items() if ppid in frontier} - found
        found |= frontier
    return found


def _environ(pid: int) -> tuple[str, list[bytes]] | None:
    try:
        name = Path(f"/proc/{pid}/comm").read_text().strip()
        return name, Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return None


def test_qtwebengine_children_hold_no_secret(info: SandboxInfo, tmp_path: Path) -> None:
    cnc_token = next(t.token for t in make_client(info).appToken.list().objects
                     if t.sessionPrivileges == "cncAuth:true")
    secrets = {"KALTURA_ADMIN_SECRET": info.admin_secret, "KALTURA_CNC_APP_TOKEN": cnc_token,
               "KALTURA_KME_SECRET": info.kme_secret}
    assert set(secrets) == set(SECRET_VARS)
    account = sandbox_env(
        info, KALTURA_PLAYER_UICONF_ID=str(info.player_uiconf_id),
        KALTURA_CNC_UICONF_ID=str(info.cnc_uiconf_id), KALTURA_KME_URL=info.kme_launch_url,
        KALTURA_KME_KEY=info.kme_key, **secrets)
    added = run_process("profile", "add", "children", "--sandbox", env=account)
    assert added.code == 0, added.err

    env = {k: v for k, v in os.environ.items() if k not in ACCOUNT_VARS}
    env.update({"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
                "QT_QPA_PLATFORM": "offscreen", "QTWEBENGINE_DISABLE_SANDBOX": "1", **secrets})
    seen: dict[int, tuple[str, list[bytes]]] = {}
    with subprocess.Popen(
        [sys.executable, "-m", "kproducer", "gui", "--profile", "children", "--smoke-test"],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    ) as gui:
        while gui.poll() is None:
            for pid in _children_of(gui.pid) - set(seen):
                found = _environ(pid)
                if found is not None and found[1] != [b""]:
                    seen[pid] = found
            time.sleep(0.02)
        out, err = gui.communicate(timeout=60)
    assert gui.returncode == 0, err.decode()
    assert b"preview_ready_ms" in out
    web = {pid: env for pid, (name, env) in seen.items() if name.startswith("QtWebEngine")}
    assert web, f"no QtWebEngineProcess was seen among {sorted(n for n, _ in seen.values())}"
    for pid, (name, variables) in seen.items():
        names = {v.split(b"=", 1)[0].decode(errors="replace") for v in variables}
        assert not names & set(SECRET_VARS), f"{name} ({pid}) inherited {names & set(SECRET_VARS)}"
        blob = b"\0".join(variables)
        for var, secret in secrets.items():
            assert secret.encode() not in blob, f"{name} ({pid}) holds the value of {var}"
