"""Helpers of the preview tests: an account on a sandbox with everything a preview needs."""

from __future__ import annotations

import json
import re
from typing import Any

from kproducer.activity import ActivityLog
from kproducer.kaltura.client import KalturaConnection, settings_from
from kproducer.local.cache import Cache
from kproducer.sandbox import SandboxInfo
from kproducer.services import entries
from kproducer.services.account import Account, AccountSettings, MemoryVault
from kproducer.services.kme import KmeSettings
from kproducer.services.models import Entry, EntryKind


def open_account(info: SandboxInfo) -> Account:
    """A connected account with player/CnC uiconfs and KME settings, cache under KPRODUCER_HOME."""
    activity = ActivityLog()
    settings = AccountSettings(
        partner_id=info.partner_id,
        admin_secret=info.admin_secret,
        service_url=info.service_url,
        player_uiconf_id=info.player_uiconf_id,
        cnc_uiconf_id=info.cnc_uiconf_id,
        kme=KmeSettings(info.kme_launch_url, info.kme_key, info.kme_secret),
    )
    return Account(
        KalturaConnection(settings_from(info.as_dict()), activity=activity),
        Cache(info.partner_id, info.service_url),
        activity,
        settings,
        MemoryVault(),
    )


def close_account(account: Account) -> None:
    account.conn.close()
    account.cache.close()  # type: ignore[attr-defined]


#: The sessions the sandbox seeds (other tests may add more of each kind).
SEEDED = {
    EntryKind.VOD: "Opening keynote (recording)",
    EntryKind.LIVE: "Live panel: the future of events",
    EntryKind.ROOM: "Speaker green room",
}


def seeded(account: Account, kind: EntryKind) -> Entry:
    """The seeded session of a kind (listing caches every entry)."""
    return next(e for e in entries.list_entries(account)
                if e.kind is kind and e.name == SEEDED[kind])


def page_config(html: str) -> dict[str, Any]:
    """The JSON block of an embed page."""
    match = re.search(r'<script type="application/json" id="kp-config">(.*?)</script>', html, re.S)
    assert match is not None
    data: dict[str, Any] = json.loads(match.group(1))
    return data
