"""``permission.getCurrentPermissions`` (``api_v3/services/PermissionService.php``).

The server answers ``kPermissionManager::getCurrentPermissions()`` joined by commas: the
permission names the current KS's role holds (its partner's admin role for an ADMIN KS,
``setrole``'s role when given). The sandbox models the permissions kproducer's calls depend
on: the admin role's, minus what the partner options take away
(``/_sandbox/partner`` ``admin_role_without``), plus each enabled plugin's permission.
"""

from __future__ import annotations

from .. import partner_options, roles
from ..api import Access, Context, action

#: The sandbox admin role's permissions (names as in deployment/permissions/*.ini).
ADMIN_PERMISSIONS = (
    "ADMIN_BASE", "ADMIN_USER_ADD", "ADMIN_USER_UPDATE", "ADMIN_USER_DELETE",
    "CONTENT_INGEST_BASE", "CONTENT_INGEST_REFERENCE_MODIFY", "CONTENT_MANAGE_BASE",
    "CONTENT_MANAGE_SCHEDULE", "LIVE_STREAM_BASE", "LIVE_STREAM_ADD", "LIVE_STREAM_UPDATE",
)
#: Each plugin's own permission (``{PLUGIN}_PLUGIN_PERMISSION``), held while it is enabled.
PLUGIN_PERMISSIONS = {"virtualEvent": "VIRTUALEVENT_PLUGIN_PERMISSION"}
#: What a ``setrole`` role holds, by role name.
ROLE_PERMISSIONS = {
    "PLAYBACK_BASE_ROLE": ("PLAYBACK_BASE_PERMISSION",),
    "WIDGET_SESSION_ROLE": ("WIDGET_SESSION_PERMISSION",),
}


@action("permission", "getCurrentPermissions", access=Access.NONE)
def get_current_permissions(ctx: Context) -> str:
    """The current KS's permission names, comma-separated (none without a KS)."""
    session = ctx.session
    if session is None:
        return ""
    role = (session.privileges.get("setrole") or [""])[0]
    if role and role != "null":
        name = roles.resolve(role)
        return ",".join(ROLE_PERMISSIONS.get(name or "", ()))
    if not session.is_admin:
        return "USER_SESSION_PERMISSION"
    options = partner_options.load(ctx.db)
    held = [p for p in ADMIN_PERMISSIONS if p not in options.admin_role_without]
    held += [p for plugin, p in PLUGIN_PERMISSIONS.items()
             if plugin not in options.plugins_disabled]
    return ",".join(held)
