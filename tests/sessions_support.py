"""Shared by the session, live and encoder tests: an account, sandbox control, raw reads."""

from __future__ import annotations

from typing import Any

import requests
from conftest import make_client
from KalturaClient.Plugins.Schedule import (
    KalturaEntryScheduleEventFilter,
    KalturaScheduleEventStatus,
)
from preview_support import close_account

from kproducer.activity import ActivityLog
from kproducer.kaltura.client import KalturaConnection, settings_from
from kproducer.local.cache import Cache
from kproducer.sandbox import SandboxInfo
from kproducer.services.account import Account, AccountSettings

HOUR = 3600


def open_account(info: SandboxInfo, **settings: Any) -> Account:
    """What a fresh process does: a new connection, the cache re-opened from disk.

    Args:
        **settings: :class:`ConnectionSettings` overrides (``wire_log=True``...).
    """
    activity = ActivityLog()
    return Account(KalturaConnection(settings_from(info.as_dict(), **settings),
                                     activity=activity),
                   Cache(info.partner_id, info.service_url), activity,
                   AccountSettings(info.partner_id, info.admin_secret, info.service_url))


#: Closing an account is the same here as for the preview tests.
close = close_account


def set_live(info: SandboxInfo, entry_id: str, broadcasting: bool) -> None:
    """An encoder starts or stops pushing (``POST /_sandbox/live``)."""
    requests.post(f"{info.service_url}/_sandbox/live",
                  json={"entry_id": entry_id, "broadcasting": broadcasting},
                  timeout=5).raise_for_status()


def schedule_events(info: SandboxInfo, entry_id: str) -> list[Any]:
    """The entry's active schedule events, as a second admin client sees them."""
    admin = make_client(info)
    flt = KalturaEntryScheduleEventFilter(templateEntryIdEqual=entry_id,
                                     statusEqual=KalturaScheduleEventStatus.ACTIVE)
    return list(admin.schedule.scheduleEvent.list(flt).objects or [])


def seed_first_hit_only(sandbox: Any, rate: float, then_missed: int = 1) -> None:
    """Seed the sandbox's fault dice so the next request is hit and ``then_missed`` are not."""
    seed_hits(sandbox, rate, [True] + [False] * then_missed)


def seed_hits(sandbox: Any, rate: float, hits: list[bool]) -> None:
    """Seed the sandbox's fault dice so the next requests are hit (True) or not, in order."""
    import random

    for seed in range(100_000):
        dice = random.Random(seed)
        if all((dice.random() < rate) is hit for hit in hits):
            sandbox.server.random.seed(seed)
            return
    raise AssertionError("no seed found")
