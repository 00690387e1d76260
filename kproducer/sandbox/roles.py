"""User roles a KS can take with ``setrole``, as kaltura/server's permission files grant them.

``kPermissionManager::getRoleIds`` replaces the session's roles by the ``setrole`` one
(looked up by system name, or by numeric id, among the global roles); an unknown role
fails the call (``kCoreException::ID_NOT_FOUND``, which the front controller answers with
``INVALID_OBJECT_ID``), and ``session.start`` refuses it up front
(``ks::validatePrivileges``: ``UNKNOWN_ROLE_ID``). A negative numeric id is
``INVALID_SET_ROLE`` (``ks::getRole``).

The actions a role grants are those whose permission items
(``deployment/permissions/service.*.ini``) list one of the role's permissions
(``deployment/base/scripts/init_data/03.UserRole.ini``) or ``ALWAYS_ALLOWED_ACTIONS``,
which every role that is not a restricting one gets. Only the roles below are modelled
action by action; any other global role keeps the session type's access.
"""

from __future__ import annotations

from . import errors
from .errors import ApiError

#: Global roles (partner 0) in the order ``03.UserRole.ini`` creates them, so that a
#: numeric ``setrole`` id N names the Nth.
GLOBAL_ROLES = (
    "BASE_USER_SESSION_ROLE", "PARTNER_ADMIN_ROLE", "NO_SESSION_ROLE", "BULK_LOG_VIEWER",
    "REPORT_VIEWER_ROLE", "WIDGET_SESSION_ROLE", "PLAYBACK_BASE_ROLE",
    "EXTERNAL_INTEGRATION_SERVICES_ROLE", "KMS_WEBCAST_WIDGET_SESSION_ROLE",
    "IVQ_WIDGET_SESSION_ROLE", "CAPTURE_DEVICE_ROLE", "WEBCAST_PRODUCER_DEVICE_ROLE",
    "KMS_USER_ROLE", "REACH_VENDOR_ROLE", "UPLOAD_BASE_ROLE", "CAPTIONS_EDITOR_ROLE",
    "CONFIGURATION_EDITOR_ROLE", "CONFIGURATION_VIEW_ROLE", "SSO_ADMIN_ROLE",
    "KMC_ANALYTICS_ROLE", "RESTORE_DELETED_ENTRY_ROLE", "EP_USER_ANALYTICS",
    "KMS_RESTRICTED_ROLE",
)

#: ALWAYS_ALLOWED_ACTIONS items of the services the sandbox serves.
_ALWAYS_ALLOWED = frozenset({
    "session.start", "session.end", "session.impersonate", "session.startwidgetsession",
    "user.login", "user.loginbyloginid", "user.resetpassword", "user.setinitialpassword",
    "user.updatelogindata", "user.generateqrcode", "user.validatehashkey",
    "baseentry.flag", "baseentry.serveplaybackkey", "media.flag",
    "livestream.islive", "livestream.getdetails", "livestream.getlivestreamstats",
})

#: WIDGET_SESSION_PERMISSION items (service.session, user, baseentry, media, livestream,
#: appToken, uploadtoken, uiconf .ini).
_WIDGET_SESSION = frozenset({
    "session.start", "session.end", "session.impersonate", "session.startwidgetsession",
    "user.get", "user.login", "user.loginbyloginid", "user.resetpassword",
    "baseentry.anonymousrank", "baseentry.count", "baseentry.flag", "baseentry.get",
    "baseentry.getbyids", "baseentry.getcontextdata", "baseentry.getremotepaths",
    "baseentry.list", "baseentry.listbyreferenceid", "baseentry.getplaybackcontext",
    "media.anonymousrank", "media.count", "media.flag", "media.get", "media.list",
    "media.getvolumemap", "livestream.get", "livestream.list",
    "apptoken.startsession", "uploadtoken.get", "uploadtoken.list", "uiconf.get",
})

#: PLAYBACK_BASE_PERMISSION items.
_PLAYBACK_BASE = frozenset({
    "session.startwidgetsession", "baseentry.flag", "baseentry.get", "baseentry.getbyids",
    "baseentry.getcontextdata", "baseentry.list", "baseentry.listbyreferenceid",
    "baseentry.getplaybackcontext", "livestream.islive", "livestream.getdetails",
    "livestream.getlivestreamstats", "uiconf.get",
})

#: Roles modelled action by action: role → the ``service.action`` names it may call.
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    "PLAYBACK_BASE_ROLE": _PLAYBACK_BASE | _WIDGET_SESSION | _ALWAYS_ALLOWED,
    "WIDGET_SESSION_ROLE": _WIDGET_SESSION | _ALWAYS_ALLOWED,
}


def resolve(role: str) -> str | None:
    """The global role's system name for a ``setrole`` value, or None when there is none.

    Raises:
        ApiError: ``INVALID_SET_ROLE`` for a negative numeric id.
    """
    if role.lstrip("-").isdigit():
        number = int(role)
        if number < 0:
            raise ApiError(errors.INVALID_SET_ROLE)
        return GLOBAL_ROLES[number - 1] if 0 < number <= len(GLOBAL_ROLES) else None
    return role if role in GLOBAL_ROLES else None


def validate_privileges(privileges: str) -> None:
    """``ks::validatePrivileges`` at session creation: every ``setrole`` role must exist.

    Raises:
        ApiError: ``UNKNOWN_ROLE_ID`` (or ``INVALID_SET_ROLE`` for a negative id).
    """
    for item in privileges.split(","):
        name, _, value = item.partition(":")
        if name == "setrole" and resolve(value) is None:
            raise ApiError(errors.UNKNOWN_ROLE_ID)


def granted_actions(privileges: dict[str, list[str]]) -> frozenset[str] | None:
    """What a KS's ``setrole`` lets it call; None when the session type decides.

    Raises:
        ApiError: ``INVALID_OBJECT_ID`` for a role that does not exist, as a call made
            with such a KS fails on the server.
    """
    roles = privileges.get("setrole")
    if not roles or roles[0] == "null":
        return None
    name = resolve(roles[0])
    if name is None:
        raise ApiError(errors.INVALID_OBJECT_ID)
    return ROLE_ACTIONS.get(name)
