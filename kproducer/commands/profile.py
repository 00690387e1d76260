"""``kproducer profile add | list | remove | test``: saved accounts and their secrets.

A profile holds only non-secret settings (``profiles.json``); the admin secret, the CnC app
token and the KME secret go to the OS keyring. Secrets are never taken from the command line
(it shows in ``ps`` and shell history): ``profile add`` reads them from
``KALTURA_ADMIN_SECRET``, ``KALTURA_CNC_APP_TOKEN`` and ``KALTURA_KME_SECRET``, or asks for
them (without echo) when run in a terminal.
"""

from __future__ import annotations

import argparse
import getpass
import os
from typing import Any

from kproducer.local import secret_env
from kproducer.local.account_profile import ENV_VARS, Profile
from kproducer.local.profiles import ProfileStore
from kproducer.local.secret_store import ENV_VARS as SECRET_ENV_VARS
from kproducer.local.secret_store import SecretKind, SecretStore
from kproducer.services import connect

from .base import OK, SOME_FAILED, USAGE, Command, CommandError
from .common import (
    account_options,
    actions,
    handles,
    print_json,
    stdin_is_terminal,
    table,
    warn,
)

#: ``profile add`` options → profile fields (each falls back to its KALTURA_* variable).
FIELD_OPTIONS = {
    "url": "service_url",
    "partner_id": "partner_id",
    "admin_user_id": "admin_user_id",
    "player_uiconf_id": "player_uiconf_id",
    "cnc_uiconf_id": "cnc_uiconf_id",
    "cnc_service_url": "cnc_service_url",
    "kme_url": "kme_launch_url",
    "kme_key": "kme_key",
}
PROMPTS = {
    SecretKind.ADMIN_SECRET: "Admin secret: ",
    SecretKind.CNC_APP_TOKEN: "CnC app token (Enter to find it with appToken.list): ",
    SecretKind.KME_SECRET: "KME secret (Enter to skip): ",
}


def configure(parser: argparse.ArgumentParser) -> None:
    """Add ``add``, ``list``, ``remove`` and ``test`` to ``kproducer profile``."""
    sub = actions(parser)
    add = sub.add_parser(
        "add",
        help="save (or replace) an account profile; secrets go to the keyring",
        description=(
            "Save the account's settings as a profile. Each option left out is taken from its "
            "KALTURA_* variable. Secrets are read from KALTURA_ADMIN_SECRET, "
            "KALTURA_CNC_APP_TOKEN and KALTURA_KME_SECRET, or asked for in a terminal; never "
            "from the command line."
        ),
    )
    add.add_argument("name", metavar="NAME", nargs="?", help="the profile's name")
    add.add_argument("--url", metavar="URL", help="service URL (KALTURA_URL)")
    add.add_argument("--partner-id", metavar="ID", help="partner ID (KALTURA_PARTNER_ID)")
    add.add_argument("--admin-user-id", metavar="U", help="admin user ID (KALTURA_ADMIN_USER_ID)")
    add.add_argument("--player-uiconf-id", metavar="ID", help="player uiconf ID")
    add.add_argument("--cnc-uiconf-id", metavar="ID", help="CnC (chat) widget uiconf ID")
    add.add_argument("--cnc-service-url", metavar="URL", help="CnC chat service URL")
    add.add_argument("--kme-url", metavar="URL", help="KME room LTI launch URL")
    add.add_argument("--kme-key", metavar="KEY", help="KME LTI consumer key")
    add.add_argument("--sandbox", action="store_true", help="the account is a kproducer sandbox")
    account_options(add)
    handles(add, add_command)

    listing = sub.add_parser("list", help="list the saved profiles (never their secrets)")
    account_options(listing)
    handles(listing, list_command)

    remove = sub.add_parser("remove", help="delete a profile and its keyring secrets")
    remove.add_argument("name", metavar="NAME", nargs="?", help="the profile's name")
    account_options(remove)
    handles(remove, remove_command)

    test = sub.add_parser(
        "test", help="connect (one request), check the admin secret, find the CnC app token"
    )
    test.add_argument("name", metavar="NAME", nargs="?", help="the profile (default: --profile)")
    account_options(test)
    handles(test, test_command)


def _name(args: argparse.Namespace, required: bool = True) -> str | None:
    name: str | None = args.name or args.profile
    if args.name and args.profile and args.name != args.profile:
        raise CommandError(f"Two profiles were named ({args.name!r} and {args.profile!r}).")
    if required and not name:
        raise CommandError(f"Name the profile: 'kproducer profile {args.action} NAME'.")
    return name


def keyring_json(secrets: SecretStore) -> dict[str, Any]:
    """Whether secrets survive this run, and where they are kept."""
    return {
        "backend": secrets.backend_name,
        "persistent": secrets.is_persistent,
        "message": secrets.status_message,
    }


def secrets_json(secrets: SecretStore, profile: str | None) -> dict[str, str | None]:
    """Where each secret of the profile comes from (never the value)."""
    result: dict[str, str | None] = {}
    for kind in SecretKind:
        source = secrets.source(profile, kind)
        result[str(kind)] = None if source is None else str(source)
    return result


def profile_json(profile: Profile) -> dict[str, Any]:
    """A profile's settings as stable JSON (profiles hold no secrets)."""
    return profile.to_dict()


# --- add -----------------------------------------------------------------------------------------


def add_command(args: argparse.Namespace) -> int:
    """Validate, read the secrets, then save the profile and the secrets."""
    name = _name(args)
    values: dict[str, Any] = {"name": name, "sandbox": bool(args.sandbox)}
    for option, field in FIELD_OPTIONS.items():
        given = getattr(args, option)
        value = given if given is not None else os.environ.get(ENV_VARS[field], "").strip()
        if value:
            values[field] = value
    for field, what in (("partner_id", "--partner-id"), ("admin_user_id", "--admin-user-id")):
        if field not in values:
            raise CommandError(
                f"The profile needs {what} (or {ENV_VARS[field]} in the environment)."
            )
    profile = Profile.from_dict(values)
    secrets = connect.default_secret_store()
    wanted = [SecretKind.ADMIN_SECRET, SecretKind.CNC_APP_TOKEN]
    if profile.kme_launch_url or profile.kme_key:
        wanted.append(SecretKind.KME_SECRET)
    given = {kind: _read_secret(kind) for kind in wanted}
    if not given[SecretKind.ADMIN_SECRET]:
        raise CommandError(
            "The admin secret is needed: set KALTURA_ADMIN_SECRET, or run this in a terminal "
            "to be asked for it (secrets are never taken from the command line).",
            USAGE,
        )
    replaced = ProfileStore().save(profile)
    stored: dict[str, str | None] = {}
    for kind in SecretKind:
        value = given.get(kind)
        if value:
            stored[str(kind)] = str(secrets.set(profile.name, kind, value))
        else:
            secrets.delete(profile.name, kind)  # a replaced profile keeps no stale secret
            stored[str(kind)] = None
    message = secrets.status_message
    if args.json:
        print_json({
            "profile": profile_json(profile),
            "replaced": replaced,
            "secrets": stored,
            "keyring": keyring_json(secrets),
        })
    else:
        verb = "Replaced" if replaced else "Saved"
        print(f"{verb} profile {profile.name!r} (partner {profile.partner_id}, "
              f"{profile.service_url}).")
        kept = ", ".join(k.replace("_", " ") for k, v in stored.items() if v)
        where = "the system keyring" if secrets.is_persistent else "memory for this run only"
        print(f"Secrets ({kept}) are kept in {where}.")
        print(f"Check it with: kproducer profile test {profile.name!r}")
    if message:
        warn(message)
    return OK


def _read_secret(kind: SecretKind) -> str:
    """From the environment, else asked (no echo) in a terminal, else empty."""
    from_env = secret_env.ENVIRONMENT.get(SECRET_ENV_VARS[kind], "").strip()
    if from_env:
        return from_env
    if not stdin_is_terminal():
        return ""
    try:
        return getpass.getpass(PROMPTS[kind]).strip()
    except EOFError:
        return ""


# --- list / remove -------------------------------------------------------------------------------


def list_command(args: argparse.Namespace) -> int:
    """Print the profiles and where their secrets are (never the secrets)."""
    profiles = ProfileStore().all()
    secrets = connect.default_secret_store()
    if args.json:
        print_json({
            "profiles": [
                {**profile_json(p), "secrets": secrets_json(secrets, p.name)} for p in profiles
            ],
            "keyring": keyring_json(secrets),
        })
        return OK
    rows = []
    for p in profiles:
        sources = secrets_json(secrets, p.name)
        known = ", ".join(f"{k.replace('_', ' ')} ({v})" for k, v in sources.items() if v)
        rows.append((p.name, p.partner_id, p.service_url, p.admin_user_id, known or "none"))
    table(("NAME", "PARTNER", "SERVICE_URL", "ADMIN_USER", "SECRETS"), rows,
          "No profiles yet: add one with 'kproducer profile add NAME'.", full=("SECRETS",))
    if secrets.status_message:
        warn(secrets.status_message)
    return OK


def remove_command(args: argparse.Namespace) -> int:
    """Delete a profile and forget its secrets."""
    name = _name(args)
    assert name is not None
    removed = ProfileStore().remove(name)
    connect.default_secret_store().delete_profile(removed.name)
    if args.json:
        print_json({"removed": removed.name})
    else:
        print(f"Removed profile {removed.name!r} and its secrets.")
    return OK


# --- test ----------------------------------------------------------------------------------------


def test_command(args: argparse.Namespace) -> int:
    """Connect with one request; report partner, keyring, admin user and CnC token."""
    name = _name(args, required=False)
    resolved = connect.resolve(name)
    account = connect.account_from(resolved)
    try:
        checked = connect.check(account, resolved, needs=True)
    finally:
        connect.close(account)
    profile = resolved.settings.profile
    document = {
        "profile": resolved.settings.profile_name,
        "service_url": profile.service_url,
        "partner_id": profile.partner_id,
        "admin_user_id": profile.admin_user_id,
        "admin_user_found": checked.admin_user_found,
        "admin_user_problem": checked.admin_user_problem,
        "from_environment": list(resolved.settings.from_environment),
        "secrets": secrets_json(resolved.secrets, resolved.settings.profile_name),
        "keyring": keyring_json(resolved.secrets),
        "cnc_app_token": {
            "found": checked.cnc_token_source is not None,
            "source": checked.cnc_token_source,
            "problem": checked.cnc_token_problem,
        },
        "not_granted": list(checked.not_granted),
        "role_limits": list(checked.role_limits),
        "ok": checked.ok,
    }
    if args.json:
        print_json(document)
    else:
        _print_test(document)
    return OK if checked.ok else SOME_FAILED


def _print_test(doc: dict[str, Any]) -> None:
    who = f"profile {doc['profile']!r}" if doc["profile"] else "the KALTURA_* account"
    print(f"Connected to {doc['service_url']} as partner {doc['partner_id']} ({who}).")
    if doc["admin_user_found"]:
        admin = f"{doc['admin_user_id']} (found)"
    else:
        admin = f"{doc['admin_user_id']} — {doc['admin_user_problem']}"
    keyring = doc["keyring"]
    store = keyring["backend"] if keyring["persistent"] else "memory for this run only"
    cnc = doc["cnc_app_token"]
    token = f"found ({cnc['source']})" if cnc["found"] else f"not found — {cnc['problem']}"
    lines = [
        ("Admin secret", "accepted"),
        ("Admin user", admin),
        ("Keyring", store),
        ("CnC app token", token),
        ("Role grants", "everything kproducer needs" if not doc["not_granted"] else
         "not: " + ", ".join(doc["not_granted"])),
    ]
    lines += [("Role limits", limit) for limit in doc["role_limits"]]
    width = max(len(label) for label, _ in lines)
    for label, value in lines:
        print(f"  {label.ljust(width)}  {value}")
    if keyring["message"]:
        warn(keyring["message"])


COMMAND = Command("profile", "add, list, remove and test account profiles", configure)
