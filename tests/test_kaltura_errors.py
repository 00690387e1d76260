"""Kaltura error codes → typed errors with one sentence and the right exit code."""

from __future__ import annotations

import pytest
from conftest import make_ks
from KalturaClient.exceptions import KalturaClientException, KalturaException

from kproducer.kaltura.errors import (
    AlreadyExists,
    AuthenticationError,
    ConnectionFailed,
    InvalidInput,
    KalturaError,
    NotFound,
    PermissionDenied,
    RequestTimedOut,
    ServiceUnavailable,
    error_class,
    from_api_error,
    from_exception,
)


@pytest.mark.parametrize(("code", "cls", "exit_code"), [
    ("INVALID_KS", AuthenticationError, 3),
    ("MISSING_KS", AuthenticationError, 3),
    ("USER_BLOCKED", AuthenticationError, 3),
    ("SERVICE_FORBIDDEN", PermissionDenied, 3),
    ("ENTRY_ID_NOT_FOUND", NotFound, 2),
    ("INVALID_USER_ID", NotFound, 2),
    ("USER_NOT_FOUND", NotFound, 2),
    ("GROUP_NOT_FOUND", NotFound, 2),
    ("INVALID_GROUP_ID", NotFound, 2),
    ("APP_TOKEN_ID_NOT_FOUND", NotFound, 2),
    ("VIRTUAL_EVENT_NOT_FOUND", NotFound, 2),
    ("GROUP_USER_DOES_NOT_EXISTS", NotFound, 2),
    ("GROUP_USER_NOT_FOUND", NotFound, 2),
    ("SOMETHING_NEW_NOT_FOUND", NotFound, 2),
    ("DUPLICATE_USER_BY_ID", AlreadyExists, 1),
    ("GROUP_USER_ALREADY_EXISTS", AlreadyExists, 1),
    ("INVALID_FIELD_VALUE", InvalidInput, 2),
    ("PROPERTY_VALIDATION_CANNOT_BE_NULL", InvalidInput, 2),
    ("PROPERTY_VALIDATION_MIN_LENGTH", InvalidInput, 2),
    ("MISSING_MANDATORY_PARAMETER", InvalidInput, 2),
    ("INVALID_ENUM_VALUE", InvalidInput, 2),
    ("INTERNAL_SERVERL_ERROR", KalturaError, 1),
    ("USER_EXCEEDED_MAX_GROUPS", KalturaError, 1),
])
def test_codes_map_to_typed_errors(code, cls, exit_code):
    error = from_api_error(code, "Some message")
    assert type(error) is error_class(code) is cls
    assert error.code == code
    assert error.exit_code == exit_code
    assert str(error).endswith(f"({code}).")


def test_transport_errors_exit_3():
    for cls in (ServiceUnavailable, ConnectionFailed, RequestTimedOut):
        assert cls("x", "X").exit_code == 3
    assert issubclass(RequestTimedOut, ConnectionFailed)
    assert issubclass(ConnectionFailed, ServiceUnavailable)


def test_invalid_ks_names_the_admin_secret_and_hides_the_ks(info):
    ks = make_ks(info, secret="0" * 32)
    error = from_api_error("INVALID_KS", f'Invalid KS "{ks}", Error "-1,INVALID_STR"',
                           action="user.get")
    assert str(error) == "The admin secret was rejected (INVALID_KS)."
    assert ks not in error.server_message and ks not in repr(error)
    assert "-1,INVALID_STR" in error.server_message


def test_expired_ks_points_at_the_clock():
    error = from_api_error("INVALID_KS", 'Invalid KS "EXPIRED", Error "-1,INVALID_STR"')
    assert isinstance(error, AuthenticationError)
    assert "expired" in str(error) and "clock" in str(error)


def test_invalid_ks_of_a_user_session():
    error = from_api_error("INVALID_KS", "Invalid KS", admin_session=False)
    assert str(error) == "The Kaltura session was rejected (INVALID_KS)."


@pytest.mark.parametrize(("code", "message", "action", "params", "sentence"), [
    ("INVALID_USER_ID", "Invalid user id", "user.get", {"userId": "bob"},
     'User "bob" was not found (INVALID_USER_ID).'),
    ("USER_NOT_FOUND", "User was not found", "groupUser.add",
     {"groupUser": {"userId": "bob", "groupId": "0_x_moderators"}},
     'User "bob" was not found (USER_NOT_FOUND).'),
    ("GROUP_NOT_FOUND", "Group was not found", "groupUser.add",
     {"groupUser": {"userId": "bob", "groupId": "0_x_moderators"}},
     'Group "0_x_moderators" was not found (GROUP_NOT_FOUND).'),
    ("INVALID_GROUP_ID", "Invalid group id - N/A", "group.get", {"groupId": "g1"},
     'Group "g1" was not found (INVALID_GROUP_ID).'),
    ("INVALID_GROUP_ID", "Invalid group id - g9", "virtualEvent.add", {},
     'Group "g9" was not found (INVALID_GROUP_ID).'),
    ("ENTRY_ID_NOT_FOUND", 'Entry id "0_abc" not found', "baseEntry.get", {"entryId": "0_abc"},
     'Entry "0_abc" was not found (ENTRY_ID_NOT_FOUND).'),
    ("ENTRY_ID_NOT_FOUND", 'Entry id "0_abc" not found', None, {},
     'Entry "0_abc" was not found (ENTRY_ID_NOT_FOUND).'),
    ("APP_TOKEN_ID_NOT_FOUND", 'Application token id "0_t" not found', "appToken.get",
     {"id": "0_t"}, 'App token "0_t" was not found (APP_TOKEN_ID_NOT_FOUND).'),
    ("VIRTUAL_EVENT_NOT_FOUND", "Virtual Event [42] not found", "virtualEvent.get", {},
     'Virtual event "42" was not found (VIRTUAL_EVENT_NOT_FOUND).'),
    ("GROUP_USER_DOES_NOT_EXISTS", 'Invalid GroupUser for group ["g"] and for user ["u"]',
     "groupUser.delete", {"userId": "u", "groupId": "g"},
     'User "u" is not in group "g" (GROUP_USER_DOES_NOT_EXISTS).'),
    ("GROUP_USER_ALREADY_EXISTS", "GroupUser already exists", "groupUser.add",
     {"groupUser": {"userId": "u", "groupId": "g"}},
     'User "u" is already in group "g" (GROUP_USER_ALREADY_EXISTS).'),
    ("DUPLICATE_USER_BY_ID", "User with id [bob] already exists in system", "user.add",
     {"user": {"id": "bob"}}, 'User "bob" already exists (DUPLICATE_USER_BY_ID).'),
    ("DUPLICATE_USER_BY_ID", "User with id [g1] already exists in system", "group.add", {},
     'A user or group with ID "g1" already exists (DUPLICATE_USER_BY_ID).'),
    ("SERVICE_FORBIDDEN", "The access to service [virtualEvent->list] is forbidden",
     "virtualEvent.list", {},
     "This Kaltura account may not use virtualEvent->list: its Virtual Events plugin is not "
     "enabled; ask Kaltura to enable it (SERVICE_FORBIDDEN)."),
    ("SERVICE_FORBIDDEN", "The access to service [liveStream->add] is forbidden",
     "liveStream.add", {},
     "This Kaltura account may not use liveStream->add: the admin's role does not grant it; "
     "ask the account's administrator for that permission (SERVICE_FORBIDDEN)."),
    ("INVALID_FIELD_VALUE", "value in field [id] is not valid", "user.add", {},
     "Kaltura rejected user.add: value in field [id] is not valid (INVALID_FIELD_VALUE)."),
    ("INTERNAL_SERVERL_ERROR", "Internal server error occurred", "user.get", {},
     "The Kaltura call user.get failed: Internal server error occurred "
     "(INTERNAL_SERVERL_ERROR)."),
])
def test_sentences_name_the_object(code, message, action, params, sentence):
    error = from_api_error(code, message, action=action, params=params)
    assert str(error) == sentence
    assert error.action == action
    assert error.server_message == message


def test_sentences_without_names_still_read_well():
    assert str(from_api_error("INVALID_USER_ID", "Invalid user id")) == \
        "The user was not found (INVALID_USER_ID)."
    assert str(from_api_error("", "")) == "The Kaltura request failed: no details (no code)."


def test_params_never_leak_the_ks_into_sentences(info):
    ks = make_ks(info)
    error = from_api_error("INVALID_USER_ID", "Invalid user id", action="user.get",
                           params={"ks": ks, "userId": "bob"})
    assert ks not in str(error)


@pytest.mark.parametrize(("code", "cls", "our_code"), [
    (KalturaClientException.ERROR_INVALID_XML, ServiceUnavailable, "MALFORMED_RESPONSE"),
    (KalturaClientException.ERROR_RESULT_NOT_FOUND, ServiceUnavailable, "MALFORMED_RESPONSE"),
    (KalturaClientException.ERROR_CONNECTION_FAILED, ConnectionFailed, "CONNECTION_FAILED"),
    (KalturaClientException.ERROR_READ_TIMEOUT, RequestTimedOut, "READ_TIMEOUT"),
    (KalturaClientException.ERROR_INVALID_OBJECT_TYPE, KalturaError, "CLIENT_ERROR_7"),
])
def test_client_exceptions_map_to_typed_errors(code, cls, our_code):
    error = from_exception(KalturaClientException("boom", code), action="user.get")
    assert type(error) is cls
    assert error.code == our_code
    assert str(error).endswith(".")


def test_kaltura_exception_maps_through_its_code():
    error = from_exception(KalturaException("Group was not found", "GROUP_NOT_FOUND"),
                           action="groupUser.add")
    assert isinstance(error, NotFound) and error.code == "GROUP_NOT_FOUND"
    assert from_exception(error) is error


def test_typed_errors_are_exceptions_with_the_sentence():
    error = NotFound("Entry \"0_x\" was not found (ENTRY_ID_NOT_FOUND).", "ENTRY_ID_NOT_FOUND")
    with pytest.raises(KalturaError, match="was not found"):
        raise error
    assert error.attempts == 1
