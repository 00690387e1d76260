"""``kproducer token inspect TOKEN``: what a KS or a CnC JWT says, and whether it is genuine.

A KS v2 is encrypted with the partner's admin secret: with an account (``--profile`` or the
``KALTURA_*`` variables) of the same partner it is decrypted and thereby verified; without
one only its version and partner can be read. A JWT's header and claims are always readable;
its signature is checked with the account's CnC app token when that is known (given, or
remembered, or found with one ``appToken.list``). The token itself is never printed.

``TOKEN`` may be ``-``: the token is then read from standard input, which keeps it out of the
process list (``ps``). Exit codes: 0 when the token verifies or could not be checked (no
account, no secret), 1 when it was checked and does not verify (a forged or foreign token:
``verified`` is false and ``checked`` true), 2 when it is not a token at all.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from typing import Any

import jwt

from kproducer.kaltura.errors import InvalidInput, KalturaError
from kproducer.kaltura.ks import KsInfo, KsUnreadable, inspect_ks
from kproducer.local.cache_types import DEFAULT_TTLS, CacheKind, account_key
from kproducer.services import connect, facts

from .base import OK, SOME_FAILED, Command
from .common import account_options, actions, handles, iso, print_json

SESSION_TYPES = {0: "USER", 2: "ADMIN"}


def configure(parser: argparse.ArgumentParser) -> None:
    """Add ``inspect`` to ``kproducer token``."""
    sub = actions(parser)
    inspect = sub.add_parser(
        "inspect",
        help="show what a KS or a CnC JWT contains and whether it verifies",
        description=(
            "Show a Kaltura session (KS) or a CnC JWT: partner, user, type, expiry (UTC), "
            "privileges or claims. With an account (--profile or KALTURA_* variables) a KS v2 "
            "is decrypted and a JWT's signature is checked with the CnC app token."
        ),
    )
    inspect.add_argument(
        "token", metavar="TOKEN",
        help="the KS or JWT, or - to read it from standard input (kept out of the process list)",
    )
    account_options(inspect)
    handles(inspect, inspect_command)


@dataclass(frozen=True)
class Context:
    """The account a token is checked against, if any."""

    resolved: connect.Resolved | None
    label: str


def account_context(profile: str | None) -> Context:
    """The account of ``--profile``/environment; none (not an error) when nothing names one."""
    try:
        resolved = connect.resolve(profile)
    except connect.NoAccount:
        if profile is not None:
            raise
        return Context(None, "")
    label = (
        f"profile {resolved.settings.profile_name!r}"
        if resolved.settings.profile_name
        else "the KALTURA_* account"
    )
    return Context(resolved, label)


def inspect_command(args: argparse.Namespace) -> int:
    """Print what the token says; exit 1 when it was checked and does not verify."""
    text = _read_stdin() if args.token == "-" else args.token
    token = "".join(text.split())
    if not token:
        raise InvalidInput("The token is empty.", "BAD_TOKEN")
    context = account_context(args.profile)
    if token.count(".") == 2:
        document = inspect_jwt(token, context)
    else:
        document = inspect_session(token, context)
    if args.json:
        print_json(document)
    else:
        print_human(document)
    return SOME_FAILED if document["checked"] and not document["verified"] else OK


#: The most read from standard input (a KS or a JWT is a few kilobytes at most).
MAX_STDIN_CHARS = 65_536


def _read_stdin() -> str:
    try:
        text = sys.stdin.read(MAX_STDIN_CHARS + 1)
    except UnicodeDecodeError:
        raise InvalidInput("The token on standard input is not text.", "BAD_TOKEN") from None
    if len(text) > MAX_STDIN_CHARS:
        raise InvalidInput(
            f"Standard input holds more than {MAX_STDIN_CHARS} characters: not one token.",
            "BAD_TOKEN",
        )
    return text


# --- KS ------------------------------------------------------------------------------------------


def inspect_session(ks: str, context: Context) -> dict[str, Any]:
    """A KS as JSON-ready data (decrypted/verified with the account's secret when possible)."""
    try:
        info = inspect_ks(ks)
    except KsUnreadable as exc:
        _, _, why = str(exc).rstrip(".").partition(": ")
        detail = f" ({why})" if why else ""
        raise InvalidInput(
            f"This is neither a Kaltura session (KS){detail} nor a JWT.", "BAD_TOKEN"
        ) from None
    resolved = context.resolved
    note = ""
    checked = True
    if resolved is None or not resolved.admin_secret:
        checked = False
        how = (
            "give an account (--profile or KALTURA_*)"
            if resolved is None
            else f"the admin secret of {context.label} is not known, set KALTURA_ADMIN_SECRET"
        )
        if info.version == 2:
            note = f"Encrypted: {how} to decrypt it."
        else:
            note = f"Not verified: {how} to check it."
    elif resolved.settings.profile.partner_id != info.partner_id:
        note = (
            f"Not verified: it belongs to partner {info.partner_id}, not to {context.label} "
            f"(partner {resolved.settings.profile.partner_id})."
        )
    else:
        try:
            info = inspect_ks(ks, resolved.admin_secret)
        except KsUnreadable as exc:
            note = f"{str(exc).rstrip('.')} ({context.label})."
        else:
            note = f"Verified with the admin secret of {context.label}."
    return {**ks_document(info, note), "checked": checked}


def ks_document(info: KsInfo, note: str) -> dict[str, Any]:
    """Stable JSON of a KS."""
    now = time.time()
    return {
        "type": "ks",
        "version": info.version,
        "partner_id": info.partner_id,
        "session_type": SESSION_TYPES.get(info.session_type, str(info.session_type))
        if info.session_type is not None
        else None,
        "user_id": info.user_id,
        "expires_at": iso(info.expires_at),
        "expired": None if not info.expires_at else info.expires_at <= now,
        "privileges": info.privileges,
        "readable": info.session_type is not None,
        "verified": info.verified,
        "note": note,
    }


# --- JWT -----------------------------------------------------------------------------------------


def inspect_jwt(token: str, context: Context) -> dict[str, Any]:
    """A JWT's header and claims, and whether its signature verifies with the CnC token."""
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError as exc:
        raise InvalidInput(
            f"This looks like a JWT but cannot be read ({str(exc).rstrip('.')}).", "BAD_TOKEN"
        ) from None
    key, note = cnc_token(context)
    verified: bool | None = None
    if key is not None:
        try:
            jwt.decode(token, key, algorithms=["HS256"], options={"verify_exp": False,
                                                                 "verify_aud": False})
            verified = True
            note = f"The signature verifies with the CnC app token of {context.label}."
        except jwt.InvalidTokenError as exc:
            verified = False
            note = (
                f"The signature does not verify with the CnC app token of {context.label} "
                f"({str(exc).rstrip('.')})."
            )
    exp = claims.get("exp")
    expires = int(exp) if isinstance(exp, int | float) else None
    return {
        "type": "jwt",
        "header": header,
        "claims": claims,
        "expires_at": iso(expires),
        "expired": None if expires is None else expires <= time.time(),
        "verified": verified,
        "checked": verified is not None,
        "note": note,
    }


def cnc_token(context: Context) -> tuple[str | None, str]:
    """The account's CnC app token, or None and why not."""
    resolved = context.resolved
    if resolved is None:
        return None, "Signature not checked: give an account (--profile or KALTURA_*)."
    if resolved.cnc_app_token:
        return resolved.cnc_app_token, ""
    profile = resolved.settings.profile
    vault = resolved.secrets.cnc_token_vault(
        account_key(profile.partner_id, profile.service_url), DEFAULT_TTLS[CacheKind.CNC_TOKEN]
    )
    remembered = vault.get_cnc_token()
    if remembered:
        return remembered, ""
    try:
        account = connect.account_from(resolved)
    except connect.NoAccount as exc:
        return None, f"Signature not checked: {str(exc)[0].lower()}{str(exc)[1:]}"
    try:
        found: list[str] = []
        facts.run(account, [facts.cnc_step(account, found)])
        return found[0], ""
    except KalturaError as exc:
        return None, f"Signature not checked: {str(exc)[0].lower()}{str(exc)[1:]}"
    finally:
        connect.close(account)


# --- text ----------------------------------------------------------------------------------------


def print_human(document: dict[str, Any]) -> None:
    """Aligned ``label: value`` lines."""
    lines: list[tuple[str, Any]]
    if document["type"] == "ks":
        print(f"Kaltura session (KS) v{document['version']}")
        lines = [("partner", document["partner_id"])]
        if document["readable"]:
            lines += [
                ("type", document["session_type"]),
                ("user", document["user_id"] or "(none)"),
                ("expires", _expiry(document)),
                ("privileges", document["privileges"] or "(none)"),
            ]
    else:
        print("JSON Web Token (JWT)")
        lines = [("header", _compact(document["header"]))]
        lines += [(f"claim {k}", _compact(v)) for k, v in document["claims"].items()]
        lines.append(("expires", _expiry(document)))
    if document["note"]:
        lines.append(("note", document["note"]))
    width = max(len(label) for label, _ in lines)
    for label, value in lines:
        print(f"  {label.ljust(width)}  {value}")


def _expiry(document: dict[str, Any]) -> str:
    when = document["expires_at"]
    if when is None:
        return "(none)"
    return f"{when} (expired)" if document["expired"] else str(when)


def _compact(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=(", ", ": "))


COMMAND = Command("token", "inspect a KS or a CnC JWT", configure)
