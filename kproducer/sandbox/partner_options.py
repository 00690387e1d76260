"""Account settings a real Kaltura partner may have, set through ``/_sandbox/partner``.

``{"admin_role_without": [...], "plugins_disabled": [...]}`` (``{}`` restores the
defaults). Stored with the partner, so an account keeps them across restarts.

- ``admin_role_without``: permissions the partner's admin role lacks. Without
  ``CONTENT_INGEST_REFERENCE_MODIFY`` an entry's ``referenceId``, and without
  ``CONTENT_MANAGE_SCHEDULE`` its ``startDate``/``endDate``, are dropped silently on add and
  update (``KalturaObject::validateForInsert``/``validateForUpdate`` null a property the
  role may not set, per ``deployment/permissions/object.KalturaBaseEntry.ini``).
- ``plugins_disabled``: ``virtualEvent`` off makes every ``virtualevent_virtualevent``
  action ``SERVICE_FORBIDDEN`` (the plugin's permissions are the partner's only when
  ``VirtualEventPlugin::isAllowedPartner``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from . import errors
from .errors import ApiError
from .store import Store

#: Admin-role permissions the sandbox can take away, and the entry properties each guards.
ENTRY_PROPERTY_PERMISSIONS = {
    "CONTENT_INGEST_REFERENCE_MODIFY": ("referenceId",),
    "CONTENT_MANAGE_SCHEDULE": ("startDate", "endDate"),
}
#: Plugins that can be switched off, and the services each serves.
PLUGIN_SERVICES = {"virtualEvent": ("virtualevent_virtualevent",)}

_META_KEY = "partner_options"


@dataclass(frozen=True)
class PartnerOptions:
    """What the sandbox partner's account lacks."""

    admin_role_without: frozenset[str] = frozenset()
    plugins_disabled: frozenset[str] = frozenset()

    def as_dict(self) -> dict[str, list[str]]:
        """The JSON document of the control endpoint."""
        return {
            "admin_role_without": sorted(self.admin_role_without),
            "plugins_disabled": sorted(self.plugins_disabled),
        }

    @property
    def dropped_entry_properties(self) -> frozenset[str]:
        """Entry properties an ADMIN session's add and update silently drop."""
        return frozenset(
            prop
            for permission in self.admin_role_without
            for prop in ENTRY_PROPERTY_PERMISSIONS[permission]
        )

    def service_disabled(self, service: str) -> bool:
        """Whether ``service`` belongs to a disabled plugin."""
        return any(service in PLUGIN_SERVICES[p] for p in self.plugins_disabled)

    @classmethod
    def parse(cls, data: Any) -> PartnerOptions:
        """Validate a ``/_sandbox/partner`` body."""
        if not isinstance(data, dict):
            raise ValueError("the body must be a JSON object")
        unknown = set(data) - {"admin_role_without", "plugins_disabled"}
        if unknown:
            raise ValueError(f"unknown partner option: {', '.join(sorted(unknown))}")
        values = {}
        for name, allowed in (
            ("admin_role_without", ENTRY_PROPERTY_PERMISSIONS),
            ("plugins_disabled", PLUGIN_SERVICES),
        ):
            items = data.get(name, [])
            if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
                raise ValueError(f"{name} must be a list of names")
            bad = sorted(set(items) - set(allowed))
            if bad:
                raise ValueError(f"{name}: unknown {', '.join(bad)} (known: {', '.join(allowed)})")
            values[name] = frozenset(items)
        return cls(**values)


def load(db: Store) -> PartnerOptions:
    """The stored options (the defaults when none were set)."""
    text = db.get_meta(_META_KEY)
    return PartnerOptions.parse(json.loads(text)) if text else PartnerOptions()


def save(db: Store, options: PartnerOptions) -> None:
    """Store the options."""
    with db.transaction():
        db.set_meta(_META_KEY, json.dumps(options.as_dict()))


def role_permitted(
    db: Store, is_admin: bool, entry: dict[str, Any], for_update: bool = False
) -> dict[str, Any]:
    """An entry to add or update without what the admin role may not set.

    Each dropped property is reported as the server reports it: no error, a
    ``KalturaBaseEntry-{property}-error`` response header with the error's message.
    """
    if not is_admin:
        return entry
    dropped = load(db).dropped_entry_properties & {
        k for k, v in entry.items() if v is not None
    }
    if not dropped:
        return entry
    from .api import add_response_header  # api imports this module

    error = (
        errors.PROPERTY_VALIDATION_NO_UPDATE_PERMISSION
        if for_update
        else errors.PROPERTY_VALIDATION_NO_INSERT_PERMISSION
    )
    for prop in sorted(dropped):
        message = ApiError(error, f"{entry.get('objectType', 'KalturaBaseEntry')}::{prop}").message
        add_response_header(f"KalturaBaseEntry-{prop}-error", message)
    return {k: v for k, v in entry.items() if k not in dropped}
