"""``token inspect -`` reads stdin; a token that does not verify exits 1; gui.ini is 0600 (15.12)."""

from __future__ import annotations

import io
import os
import stat
import time

import jwt
import pytest
from cli_support import Runner, kp, run_process, sandbox_env  # noqa: F401 - the kp fixture
from conftest import make_client

from kproducer.kaltura.ks import USER_SESSION, generate_ks
from kproducer.sandbox import SandboxInfo
from kproducer.services import tokens
from kproducer.services.models import Entry, EntryKind, Role


def sandbox_cnc_token(info: SandboxInfo) -> str:
    return str(next(t.token for t in make_client(info).appToken.list().objects
                    if t.sessionPrivileges == "cncAuth:true"))


def _issued(info: SandboxInfo) -> tokens.IssuedTokens:
    entry = Entry("0_abcdefgh", "Panel", EntryKind.LIVE, "2", end_date=int(time.time()) + 3600)
    return tokens.issue(admin_secret=info.admin_secret, cnc_app_token=sandbox_cnc_token(info),
                        partner_id=info.partner_id, user_id="bob@example.com",
                        role=Role.MODERATOR, entry=entry, event_id=7)


def test_the_token_comes_from_stdin_in_a_real_process(fresh_sandbox) -> None:
    info = fresh_sandbox.info
    issued = _issued(info)
    env = sandbox_env(info, KALTURA_CNC_APP_TOKEN=sandbox_cnc_token(info))
    for token in (issued.ks, issued.jwt):
        done = run_process("token", "inspect", "-", "--json", env=env, stdin=f"  {token}\n")
        assert done.code == 0, done.err
        doc = done.json()
        assert doc["verified"] is True and doc["checked"] is True
        assert token not in done.out


def test_a_token_that_does_not_verify_exits_1(
    kp: Runner, fresh_sandbox, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    info = fresh_sandbox.info  # its one cncAuth app token (others' tests add more)
    for name, value in sandbox_env(info, KALTURA_CNC_APP_TOKEN=sandbox_cnc_token(info)).items():
        monkeypatch.setenv(name, value)
    forged = jwt.encode({"uid": "eve", "exp": int(time.time()) + 60}, "not-the-token" * 3,
                        algorithm="HS256")
    wrong_secret = generate_ks("f" * 32, info.partner_id, "x", USER_SESSION, 600)
    foreign = generate_ks("f" * 32, 999, "x", USER_SESSION, 600)
    for token in (forged, wrong_secret, foreign):
        result = kp("token", "inspect", token, "--json")
        assert result.code == 1, result.err
        assert result.json()["verified"] is False and result.json()["checked"] is True
        human = kp("token", "inspect", token)
        assert human.code == 1 and "note" in human.out
    monkeypatch.setattr("sys.stdin", io.StringIO(forged))
    assert kp("token", "inspect", "-").code == 1
    genuine = _issued(info)
    assert kp("token", "inspect", genuine.ks).code == 0


def test_a_token_that_cannot_be_checked_exits_0(kp: Runner, monkeypatch) -> None:  # noqa: F811
    for name in ("KALTURA_URL", "KALTURA_PARTNER_ID", "KALTURA_ADMIN_SECRET"):
        monkeypatch.delenv(name, raising=False)
    ks = generate_ks("0123456789abcdef0123456789abcdef", 1234, "amy", USER_SESSION, 600)
    result = kp("token", "inspect", ks, "--json")
    assert result.code == 0 and result.json()["checked"] is False


@pytest.mark.parametrize(("stdin", "sentence"), [
    ("", "The token is empty."),
    (" \n\t", "The token is empty."),
    ("x" * 70_000, "Standard input holds more than 65536 characters: not one token."),
])
def test_bad_stdin_is_one_sentence(kp: Runner, monkeypatch, stdin: str, sentence: str) -> None:  # noqa: F811
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    result = kp("token", "inspect", "-")
    assert result.code == 2 and result.sentence == sentence


def test_stdin_that_is_not_text_is_one_sentence(kp: Runner, monkeypatch) -> None:  # noqa: F811
    stdin = io.TextIOWrapper(io.BytesIO(b"\xff\xfe\x00bad"), encoding="utf-8")
    monkeypatch.setattr("sys.stdin", stdin)
    result = kp("token", "inspect", "-")
    assert result.code == 2 and result.sentence == "The token on standard input is not text."


def test_gui_ini_is_owner_only(qtbot, tmp_path) -> None:
    from kproducer import paths
    from kproducer.ui.settings import FILE_NAME, gui_settings

    path = paths.config_dir() / FILE_NAME
    old = os.umask(0o022)
    try:
        settings = gui_settings()
        settings.setValue("window/last_profile", "prod")
        settings.sync()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        path.chmod(0o644)  # written by an older kproducer
        again = gui_settings()
        again.setValue("window/last_profile", "other")
        again.sync()
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "other" in path.read_text()
