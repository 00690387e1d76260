"""Kaltura API errors as the real server phrases them.

Each constant mirrors a ``"CODE;ARG1,ARG2;message with @ARG1@"`` definition of
kaltura/server (``KalturaErrors`` overriding ``APIErrors``). The message is built the
way ``APIErrors::getErrorData`` builds it: ``@ARG@`` placeholders are replaced in order,
a missing argument becomes ``N/A`` and surplus arguments are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TAGS = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class ErrorDef:
    """One Kaltura error definition: code, argument names and message template."""

    code: str
    arg_names: tuple[str, ...]
    template: str

    @classmethod
    def parse(cls, spec: str) -> ErrorDef:
        """Build from the server's ``CODE;ARGS;message`` string."""
        code, args, template = spec.split(";", 2)
        return cls(code, tuple(a for a in args.split(",") if a), template)


class ApiError(Exception):
    """An API error returned to the caller as ``<error>`` with HTTP 200."""

    def __init__(self, error: ErrorDef, *values: object) -> None:
        self.code = error.code
        self.args_map: dict[str, str] = {}
        message = error.template
        for i, name in enumerate(error.arg_names):
            value = (
                _TAGS.sub("", str(values[i]))
                if i < len(values) and values[i] is not None
                else "N/A"
            )
            self.args_map[name] = value
            message = message.replace(f"@{name}@", value)
        self.message = message
        super().__init__(f"{message} ({self.code})")


def _e(spec: str) -> ErrorDef:
    return ErrorDef.parse(spec)


# --- framework (KalturaErrors.php / APIErrors.class.php) -------------------------------------
INTERNAL_SERVERL_ERROR = _e("INTERNAL_SERVERL_ERROR;;Internal server error occurred")
MISSING_KS = _e("MISSING_KS;;Missing KS, session not established")
INVALID_KS = _e(
    'INVALID_KS;KSID,ERR_CODE,ERR_DESC;Invalid KS "@KSID@", Error "@ERR_CODE@,@ERR_DESC@"'
)
SERVICE_DOES_NOT_EXISTS = _e(
    'SERVICE_DOES_NOT_EXISTS;SRV_NAME;Service "@SRV_NAME@" does not exists'
)
ACTION_DOES_NOT_EXISTS = _e(
    "ACTION_DOES_NOT_EXISTS;ACTION_NAME,SERVICE_NAME;"
    'Action "@ACTION_NAME@" does not exists for service "@SERVICE_NAME@"'
)
INVALID_PARAMETER_CHAR = _e('INVALID_PARAMETER_CHAR;XML_FIELD;Invalid char in "@XML_FIELD@" field')
MISSING_MANDATORY_PARAMETER = _e(
    'MISSING_MANDATORY_PARAMETER;PARAM_NAME;Missing parameter "@PARAM_NAME@"'
)
INVALID_ENUM_VALUE = _e(
    "INVALID_ENUM_VALUE;ENUM_VAL,PARAM_NAME,ENUM_TYPE;"
    'Invalid enumeration value "@ENUM_VAL@" for parameter "@PARAM_NAME@", '
    'expecting enumeration type "@ENUM_TYPE@"'
)
OBJECT_TYPE_ABSTRACT = _e(
    "OBJECT_TYPE_ABSTRACT;OBJ_TYPE;"
    'The object type "@OBJ_TYPE@" is abstract, use one of the object implementations'
)
PROPERTY_VALIDATION_CANNOT_BE_NULL = _e(
    'PROPERTY_VALIDATION_CANNOT_BE_NULL;PROP_NAME;The property "@PROP_NAME@" cannot be null'
)
PROPERTY_VALIDATION_MIN_LENGTH = _e(
    "PROPERTY_VALIDATION_MIN_LENGTH;PROP_NAME,MIN_LEN;"
    'The property "@PROP_NAME@" must have a min length of @MIN_LEN@ characters'
)
PROPERTY_VALIDATION_MAX_LENGTH = _e(
    "PROPERTY_VALIDATION_MAX_LENGTH;PROP_NAME,MAX_LEN;"
    'The property "@PROP_NAME@" cannot have more than @MAX_LEN@ characters'
)
PROPERTY_VALIDATION_WRONG_FORMAT = _e(
    "PROPERTY_VALIDATION_WRONG_FORMAT;PROP_NAME,FORMAT;"
    'The property "@PROP_NAME@" must match format @FORMAT@'
)
PROPERTY_VALIDATION_NOT_UPDATABLE = _e(
    'PROPERTY_VALIDATION_NOT_UPDATABLE;PROP_NAME;The property "@PROP_NAME@" cannot be updated'
)
INVALID_OBJECT_ID = _e("INVALID_OBJECT_ID;ID;Invalid object id [@ID@]")
INVALID_ACTIONS_LIMIT = _e("INVALID_ACTIONS_LIMIT;;Invalid actions limit")
PROPERTY_VALIDATION_NO_INSERT_PERMISSION = _e(
    "PROPERTY_VALIDATION_NO_INSERT_PERMISSION;PROP;"
    'Current user does not have permission to insert property "@PROP@"'
)
PROPERTY_VALIDATION_NO_UPDATE_PERMISSION = _e(
    "PROPERTY_VALIDATION_NO_UPDATE_PERMISSION;PROP;"
    'Current user does not have permission to update property "@PROP@"'
)
#: Not a Kaltura error: the sandbox refuses a filter property it cannot apply.
SANDBOX_FILTER_NOT_IMPLEMENTED = _e(
    "SANDBOX_FILTER_NOT_IMPLEMENTED;PROPERTY,FILTER;"
    'The sandbox does not implement the filter property "@PROPERTY@" of @FILTER@'
)
INVALID_SET_ROLE = _e("INVALID_SET_ROLE;;Invalid set role id")
#: Not a Kaltura error: a kind of object or request the sandbox does not model.
SANDBOX_NOT_IMPLEMENTED = _e("SANDBOX_NOT_IMPLEMENTED;WHAT;The sandbox does not implement @WHAT@")
#: ``KalturaErrors::SPHINX_CRITERIA_EXCEEDED_MAX_MATCHES_ALLOWED`` (SphinxCriteria's cap).
QUERY_EXCEEDED_MAX_MATCHES_ALLOWED = _e(
    "QUERY_EXCEEDED_MAX_MATCHES_ALLOWED;;Unable to generate list. max matches value was reached"
)
UNKNOWN_ROLE_ID = _e("UNKNOWN_ROLE_ID;;Unknown role id")
SERVICE_FORBIDDEN = _e("SERVICE_FORBIDDEN;SERVICE;The access to service [@SERVICE@] is forbidden")
USER_BLOCKED = _e("USER_BLOCKED;;this user is blocked")
INVALID_FIELD_VALUE = _e(
    "INVALID_FIELD_VALUE;FIELD_NAME;value in field [@FIELD_NAME@] is not valid"
)

# --- users and groups -------------------------------------------------------------------------
INVALID_USER_ID = _e("INVALID_USER_ID;;Invalid user id")
CANNOT_RETRIEVE_ANOTHER_USER_USING_NON_ADMIN_SESSION = _e(
    "CANNOT_RETRIEVE_ANOTHER_USER_USING_NON_ADMIN_SESSION;USER_ID;"
    'cannot retrieve another user "@USER_ID@" using non-admin session'
)
DUPLICATE_USER_BY_ID = _e("DUPLICATE_USER_BY_ID;UID;User with id [@UID@] already exists in system")
USER_ID_NOT_PROVIDED_OR_EMPTY = _e(
    "USER_ID_NOT_PROVIDED_OR_EMPTY;;User ID not found neither on the object or KS"
)
USER_NOT_FOUND = _e("USER_NOT_FOUND;;User was not found")
GROUP_NOT_FOUND = _e("GROUP_NOT_FOUND;;Group was not found")
GROUP_USER_NOT_FOUND = _e("GROUP_USER_NOT_FOUND;;Group user was not found")
GROUP_USER_ALREADY_EXISTS = _e("GROUP_USER_ALREADY_EXISTS;;GroupUser already exists")
USER_EXCEEDED_MAX_GROUPS = _e("USER_EXCEEDED_MAX_GROUPS;;User exceeded max number of groups")
GROUP_USER_DOES_NOT_EXIST = _e(
    "GROUP_USER_DOES_NOT_EXISTS;USER,GROUP;"
    'Invalid GroupUser for group ["@GROUP@"] and for user ["@USER@"]'
)
INVALID_GROUP_ID = _e("INVALID_GROUP_ID;ID;Invalid group id - @ID@")

# --- entries, app tokens, virtual events ----------------------------------------------------------
ENTRY_ID_NOT_FOUND = _e('ENTRY_ID_NOT_FOUND;ENTRY_ID;Entry id "@ENTRY_ID@" not found')
#: ``APIErrors::INVALID_UI_CONF_ID`` (alpha/apps/kaltura/lib/webservices/APIErrors.class.php),
#: what ``UiConfService`` throws for an unknown id (not ``UICONF_ID_NOT_FOUND``, unused there).
INVALID_UI_CONF_ID = _e("INVALID_UI_CONF_ID;UI_CONF_ID;Unknown uiConf [@UI_CONF_ID@]")
APP_TOKEN_ID_NOT_FOUND = _e('APP_TOKEN_ID_NOT_FOUND;ID;Application token id "@ID@" not found')
APP_TOKEN_NOT_ACTIVE = _e('APP_TOKEN_NOT_ACTIVE;ID;Application token id "@ID@" not active')
APP_TOKEN_EXPIRED = _e('APP_TOKEN_EXPIRED;ID;Application token id "@ID@" expired')
INVALID_APP_TOKEN_HASH = _e("INVALID_APP_TOKEN_HASH;;Invalid application token hash")
VIRTUAL_EVENT_NOT_FOUND = _e("VIRTUAL_EVENT_NOT_FOUND;ID;Virtual Event [@ID@] not found")
VIRTUAL_EVENT_INVALID_REGISTRATION_FORM_SCHEMA = _e(
    "VIRTUAL_EVENT_INVALID_REGISTRATION_FORM_SCHEMA;;"
    "Registration Form Schema must be a valid json string"
)

# --- sessions ---------------------------------------------------------------------------------
START_SESSION_ERROR = _e("START_SESSION_ERROR;PID;Error while starting session for partner [@PID@]")
PARTNER_ACCESS_FORBIDDEN = _e(
    "PARTNER_ACCESS_FORBIDDEN;ACCESSING_PID,ACCESSED_PID;"
    "Partner [@ACCESSING_PID@] cannot access partner [@ACCESSED_PID@]"
)

# --- entries (KalturaErrors.php) -----------------------------------------------------------------
PROPERTY_VALIDATION_ADMIN_PROPERTY = _e(
    "PROPERTY_VALIDATION_ADMIN_PROPERTY;PROP_NAME;"
    'The property "@PROP_NAME@" is updatable with admin session only'
)
INVALID_ENTRY_SCHEDULE_DATES = _e("INVALID_ENTRY_SCHEDULE_DATES;;Invalid entry schedule dates")
ENTRY_SOURCE_TYPE_NOT_SUPPORTED = _e(
    'ENTRY_SOURCE_TYPE_NOT_SUPPORTED;SOURCE_TYPE;Entry source type "@SOURCE_TYPE@" not supported'
)
ENTRY_DISPLAY_IN_SEARCH_VALUE_NOT_ALLOWED = _e(
    "ENTRY_DISPLAY_IN_SEARCH_VALUE_NOT_ALLOWED;DISPLAY_IN_SEARCH_NEW_VALUE;"
    'Cannot set the value of DISPLAY_IN_SEARCH to ["@DISPLAY_IN_SEARCH_NEW_VALUE@"]'
)
