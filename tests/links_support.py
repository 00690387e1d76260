"""Helpers of the link-export tests: people CSVs, reading exports, proving what is in them."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
from preview_support import page_config

from kproducer.sandbox import SandboxInfo
from kproducer.sandbox import ks as sandbox_ks

#: Every KS kproducer makes starts with base64url("v2|").
KS_PATTERN = re.compile(r"djJ8[A-Za-z0-9_\-%=]+")
JWT_PATTERN = re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


def people_csv(path: Path, users: list[str], header: str = "user_id,first_name,last_name",
               extra: str = "") -> Path:
    """A UTF-8 people CSV: one row per user ID (``extra`` appended to every row)."""
    rows = [f"{u},First {n},Last{extra}" for n, u in enumerate(users)]
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def read_out(path: Path) -> list[dict[str, str]]:
    """The rows of an output CSV by column name."""
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def ks_of(link: str) -> str:
    """The KS of a player share URL."""
    return parse_qs(urlsplit(link).query)["ks"][0]


def decode_ks(info: SandboxInfo, ks: str) -> sandbox_ks.Session:
    """Decode and verify a KS exactly as the sandbox (Kaltura) does."""
    return sandbox_ks.decode(ks, lambda pid: [info.admin_secret])


def assert_user_ks(info: SandboxInfo, ks: str, user_id: str, entry_id: str,
                   event_id: int | None) -> sandbox_ks.Session:
    """A USER KS (type 0) of that person, limited to that entry (and event)."""
    session = decode_ks(info, ks)
    assert session.type == 0 and not session.is_admin
    assert session.partner_id == info.partner_id
    assert session.user_id == user_id
    assert session.privileges["sview"] == [entry_id]
    assert session.privileges["setrole"] == ["PLAYBACK_BASE_ROLE"]
    assert session.privileges["disableentitlementforentry"] == [entry_id]
    assert len(session.privileges["sessionid"]) == 1
    if event_id is not None:
        assert session.privileges["virtualeventid"] == [str(event_id)]
    return session


def export_texts(out: Path) -> list[tuple[Path, str]]:
    """Every file an export wrote (the CSV, or the folder's CSV and pages)."""
    files = [p for p in out.rglob("*") if p.is_file()] if out.is_dir() else [out]
    return [(p, p.read_text(encoding="utf-8")) for p in files]


def scan_export(info: SandboxInfo, out: Path, cnc_token: str | None = None,
                admin_ks: list[str] | None = None) -> dict[str, int]:
    """Prove an export holds USER KS and JWTs only: decode every KS, verify every JWT.

    Returns the number of KS and JWTs found.
    """
    found = {"ks": 0, "jwt": 0}
    secrets = [info.admin_secret, info.kme_secret, *([cnc_token] if cnc_token else []),
               *(admin_ks or [])]
    for path, text in export_texts(out):
        for secret in secrets:
            assert secret not in text, f"a secret is in {path.name}"
        for match in KS_PATTERN.findall(text):
            ks = match.replace("%3D", "=").replace("%2B", "+").replace("%2F", "/")
            session = decode_ks(info, ks)
            assert session.type == 0, f"not a USER KS in {path.name}"
            assert "sview" in session.privileges
            found["ks"] += 1
        for token in JWT_PATTERN.findall(text):
            claims = jwt.decode(token, options={"verify_signature": False})
            assert claims["isAdmin"] is False and claims["isScopedUser"] is True
            if cnc_token:
                jwt.decode(token, cnc_token, algorithms=["HS256"])
            found["jwt"] += 1
    return found


def page_tokens(page: Path) -> dict[str, Any]:
    """The KS, JWT and config of an exported page."""
    config = page_config(page.read_text(encoding="utf-8"))
    player = config.get("player") or {}
    cnc = config.get("cnc") or {}
    return {
        "config": config,
        "ks": player.get("ks"),
        "jwt": ((cnc.get("config") or {}).get("server") or {}).get("jwtToken"),
    }
