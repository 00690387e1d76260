"""``kproducer moderators list | add | remove | import``: an entry's moderators group."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from kproducer.services import entries, moderators
from kproducer.services.emails import check_email
from kproducer.services.facts import Person
from kproducer.services.moderators import RowResult
from kproducer.services.tokens import moderators_group

from . import importing
from .base import OK, SOME_FAILED, Command, CommandError
from .common import account_options, actions, connected, handles, print_json, table


def configure(parser: argparse.ArgumentParser) -> None:
    """Add ``list``, ``add``, ``remove`` and ``import`` to ``kproducer moderators``."""
    sub = actions(parser)
    listing = sub.add_parser("list", help="list a session's moderators")
    listing.add_argument("--entry", metavar="E", required=True, help="the session's entry ID")
    account_options(listing)
    handles(listing, list_command)

    add = sub.add_parser("add", help="make someone a moderator (creating the user if needed)")
    add.add_argument("--entry", metavar="E", required=True, help="the session's entry ID")
    add.add_argument("--user", metavar="U", required=True, help="the Kaltura user ID")
    add.add_argument("--email", default="", help="e-mail, for a new user")
    add.add_argument("--first-name", default="", help="first name, for a new user")
    add.add_argument("--last-name", default="", help="last name, for a new user")
    account_options(add)
    handles(add, add_command)

    remove = sub.add_parser("remove", help="take someone off a session's moderators")
    remove.add_argument("--entry", metavar="E", required=True, help="the session's entry ID")
    remove.add_argument("--user", metavar="U", required=True, help="the Kaltura user ID")
    account_options(remove)
    handles(remove, remove_command)

    bulk = sub.add_parser(
        "import",
        help="make everyone in a CSV a moderator (re-run to finish what failed)",
        description=(
            "Read a CSV with a header row and a user_id (or email) column, optionally "
            "first_name, last_name, email and role; rows whose role is 'attendee' are skipped. "
            "Exit code 1 when some rows failed: the rest are done, and running the same "
            "command again finishes only what failed."
        ),
    )
    bulk.add_argument("--entry", metavar="E", required=True, help="the session's entry ID")
    bulk.add_argument("--csv", metavar="FILE", required=True, type=Path, help="the people CSV")
    bulk.add_argument(
        "--report", metavar="FILE", type=Path, help="also write every row's outcome to this CSV"
    )
    account_options(bulk)
    handles(bulk, importing.import_command)


def list_command(args: argparse.Namespace) -> int:
    """Print an entry's moderators."""
    entry_id = entries.check_entry_id(args.entry)
    with connected(args) as account:
        entries.get(account, entry_id)  # a mistyped entry is an error, not an empty list
        found = moderators.list_moderators(account, entry_id)
    if args.json:
        print_json({
            "entry_id": entry_id,
            "moderators": [
                {
                    "user_id": m.user_id,
                    "first_name": m.first_name,
                    "last_name": m.last_name,
                    "email": m.email,
                }
                for m in found
            ],
        })
    else:
        rows = [(m.user_id, m.display_name, m.email) for m in found]
        table(("USER_ID", "NAME", "EMAIL"), rows, f"{entry_id} has no moderators.")
    return OK


def add_command(args: argparse.Namespace) -> int:
    """Make one person a moderator: user, group and membership, in one request when cold."""
    entry_id = entries.check_entry_id(args.entry)
    user_id = moderators.check_user_id(args.user.strip())
    email = args.email.strip()
    if email:
        check_email(email)
    person = Person(user_id, args.first_name.strip(), args.last_name.strip(), email)
    with connected(args) as account:
        importing.verify_entry(account, entry_id)
        (result,) = moderators.import_people(account, entry_id, [(1, person)], workers=1)
    if result.status == "failed":
        raise CommandError(f"Could not make {user_id} a moderator of {entry_id}: "
                           f"{result.error.rstrip('.')}.", SOME_FAILED)
    if args.json:
        print_json(_outcome(entry_id, result))
    elif result.status == "already":
        print(f"{user_id} was already a moderator of {entry_id}.")
    else:
        print(f"{user_id} is now a moderator of {entry_id}.")
    return OK


def remove_command(args: argparse.Namespace) -> int:
    """Take one person off an entry's moderators (0 also when they were not one)."""
    entry_id = entries.check_entry_id(args.entry)
    user_id = moderators.check_user_id(args.user.strip())
    with connected(args) as account:
        removed = moderators.remove(account, entry_id, user_id)
    if args.json:
        print_json({"entry_id": entry_id, "user_id": user_id,
                    "status": "removed" if removed else "already"})
    elif removed:
        print(f"{user_id} is no longer a moderator of {entry_id}.")
    else:
        print(f"{user_id} was not a moderator of {entry_id}; nothing to remove.")
    return OK


def _outcome(entry_id: str, result: RowResult) -> dict[str, Any]:
    return {
        "entry_id": entry_id,
        "user_id": result.user_id,
        "status": result.status,
        "group": moderators_group(entry_id),
    }


COMMAND = Command("moderators", "list, add, remove and import a session's moderators", configure)
