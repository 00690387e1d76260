"""``kproducer cache stats | clear``: the account's local cache of facts and entries."""

from __future__ import annotations

import argparse
from typing import Any

from kproducer.local.cache import Cache
from kproducer.local.cache_types import CacheKind, CacheStats
from kproducer.services import connect

from .base import OK, Command
from .common import account_options, actions, handles, print_json

#: Stands in for an account when clearing every account's items.
_ANY_ACCOUNT = (0, "http://any-account")


def configure(parser: argparse.ArgumentParser) -> None:
    """Add ``stats`` and ``clear`` to ``kproducer cache``."""
    sub = actions(parser)
    stats = sub.add_parser("stats", help="items per kind, hits and misses of the account's cache")
    account_options(stats)
    handles(stats, stats_command)

    clear = sub.add_parser("clear", help="forget everything cached for the account")
    clear.add_argument(
        "--all-accounts", action="store_true", help="forget what is cached for every account"
    )
    account_options(clear)
    handles(clear, clear_command)


def account_cache(profile: str | None) -> Cache:
    """The cache of ``--profile``/the environment (no secret and no network needed)."""
    settings = connect.resolve(profile).settings.profile
    return Cache(settings.partner_id, settings.service_url)


def stats_json(stats: CacheStats) -> dict[str, Any]:
    """Stable JSON of the cache figures."""
    return {
        "account": stats.account,
        "path": str(stats.path),
        "entries": {str(kind): stats.entries.get(kind, 0) for kind in _KINDS},
        "expired": stats.expired,
        "hits": stats.hits,
        "misses": stats.misses,
        "hit_rate": None if stats.hit_rate is None else round(stats.hit_rate, 4),
        "file_size": stats.file_size,
        "available": stats.available,
        "message": stats.message,
    }


_KINDS = [k for k in CacheKind if k is not CacheKind.CNC_TOKEN]


def stats_command(args: argparse.Namespace) -> int:
    """Print the cache figures of the account."""
    with account_cache(args.profile) as cache:
        figures = stats_json(cache.stats())
    if args.json:
        print_json(figures)
        return OK
    print(f"Cache of account {figures['account']} ({figures['path']})")
    rows = [(kind.replace("_", " "), count) for kind, count in figures["entries"].items()]
    rows.append(("expired, not yet purged", figures["expired"]))
    width = max(len(label) for label, _ in rows)
    for label, count in rows:
        print(f"  {label.ljust(width)}  {count}")
    rate = figures["hit_rate"]
    rate_text = "no lookups yet" if rate is None else f"hit rate {rate:.0%}"
    print(f"  {figures['hits']} hits, {figures['misses']} misses ({rate_text})")
    print(f"  file size {figures['file_size'] / 1024:.0f} KiB")
    if figures["message"]:
        print(f"  {figures['message']}")
    return OK


def clear_command(args: argparse.Namespace) -> int:
    """Forget the account's cached items (or every account's)."""
    resolved = None
    if args.all_accounts and args.profile is None:
        cache = Cache(*_ANY_ACCOUNT)
    else:
        resolved = connect.resolve(args.profile)
        settings = resolved.settings.profile
        cache = Cache(settings.partner_id, settings.service_url)
    with cache:
        removed = cache.clear(all_accounts=args.all_accounts)
        account = None if args.all_accounts else cache.account
        if resolved is not None:
            # The CnC app token found through appToken.list is cached in the keyring.
            vault = resolved.secrets.cnc_token_vault(cache.account, 0)
            vault.forget()
    if args.json:
        print_json({"account": account, "removed": removed})
    else:
        whose = "every account" if account is None else f"account {account}"
        print(f"Cleared the cache of {whose}: {removed} items removed.")
    return OK


COMMAND = Command("cache", "show or clear the local cache", configure)
