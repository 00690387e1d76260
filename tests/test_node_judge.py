"""The sandbox judged from outside: Kaltura's official Node client drives it (issue 14).

``tests/node_judge/judge.js`` uses ``kaltura-client`` from npm (version pinned in
``package.json``/``package-lock.json``, installed by ``make setup``/``make test`` with
``npm ci``) as its own users do, for the calls kproducer makes. Neither the sandbox nor
kproducer shares a line with it. The connection details go on the judge's stdin, never into
its environment. Without node the test skips locally; under CI (``CI=true``) it fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from kproducer.sandbox import SandboxInfo

JUDGE = Path(__file__).parent / "node_judge"

#: Every check judge.js makes; each must be there and pass.
CHECKS = {
    "user.get admin (KS v2 generated locally)", "user.add",
    "user.add duplicate is DUPLICATE_USER_BY_ID", "user.get / user.list idIn", "group.add",
    "groupUser.add / list / delete", "liveStream.add / get", "baseEntry.get / update / list",
    "appToken.list", "virtualEvent.add / list", "multirequest with {1:result:id}",
    "baseEntry.delete",
}


def _node() -> str:
    node = shutil.which("node")
    if node is None or not (JUDGE / "node_modules" / "kaltura-client").is_dir():
        reason = ("node is not installed" if node is None else
                  "tests/node_judge/node_modules is missing (make setup runs npm ci)")
        if os.environ.get("CI"):
            pytest.fail(f"the Node judge must run in CI, but {reason}")
        pytest.skip(reason)
    return node


def test_the_official_node_client_agrees_with_the_sandbox(info: SandboxInfo) -> None:
    node = _node()
    given = {"serviceUrl": info.service_url, "partnerId": info.partner_id,
             "adminSecret": info.admin_secret, "adminUserId": info.admin_user_id,
             "run": uuid.uuid4().hex[:8]}
    env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")}
    done = subprocess.run([node, str(JUDGE / "judge.js")], input=json.dumps(given), env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    failed = [f"{c['check']}: {c['detail']}" for c in lines if not c["ok"]]
    assert not failed, "\n".join(failed) + done.stderr
    assert done.returncode == 0, done.stderr
    assert {c["check"] for c in lines} == CHECKS
