"""Wire-level fidelity of the sandbox: envelope, errors, multirequest, KS checks, bad input.

Uses the real KalturaClient where it can express the case, raw HTTP where it cannot.
"""

from __future__ import annotations

import base64
import json

import pytest
import requests
from conftest import make_client, make_ks
from KalturaClient import KalturaClient
from KalturaClient.exceptions import KalturaException
from KalturaClient.Plugins.Core import KalturaFilterPager, KalturaUser, KalturaUserFilter
from lxml import etree


def post(info, path, body=None, content_type="application/json", **kwargs):
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    return requests.post(
        f"{info.service_url}{path}",
        data=data,
        headers={"Content-Type": content_type},
        timeout=10,
        **kwargs,
    )


def result_of(response):
    root = etree.fromstring(response.content)
    return root.find("result")


def error_of(response):
    error = result_of(response).find("error")
    assert error is not None, response.text
    return error.findtext("code"), error.findtext("message")


# --- envelope ------------------------------------------------------------------------------------


def test_xml_envelope_and_object_shape(info):
    response = post(
        info,
        "/api_v3/service/user/action/get",
        {"ks": make_ks(info), "userId": info.admin_user_id, "format": "2"},
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/xml")
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?><xml><result>')
    root = etree.fromstring(response.content)
    assert float(root.findtext("executionTime")) >= 0
    result = root.find("result")
    assert result[0].tag == "objectType" and result[0].text == "KalturaUser"
    assert result.findtext("id") == info.admin_user_id
    assert result.findtext("isAdmin") == "1"  # booleans are 1/0
    assert (
        result.find("lastLoginTime") is not None and result.findtext("lastLoginTime") == ""
    )  # nulls are empty


def test_error_envelope_is_http_200_with_args(info):
    response = post(
        info,
        "/api_v3/service/user/action/add",
        {"ks": make_ks(info), "user": {"objectType": "KalturaUser", "id": info.admin_user_id}},
    )
    assert response.status_code == 200
    error = result_of(response).find("error")
    assert error.findtext("objectType") == "KalturaAPIException"
    assert error.findtext("code") == "DUPLICATE_USER_BY_ID"
    args = error.find("args")
    assert [(i.findtext("name"), i.findtext("value")) for i in args] == [
        ("UID", info.admin_user_id)
    ]


def test_list_response_shape(admin):
    result = admin.user.list(KalturaUserFilter(), KalturaFilterPager(pageSize=1))
    assert type(result).__name__ == "KalturaUserListResponse"
    assert len(result.objects) == 1 and result.totalCount >= 3


def test_json_format(info):
    response = post(
        info,
        "/api_v3/service/user/action/get",
        {"ks": make_ks(info), "userId": info.admin_user_id, "format": "1"},
    )
    data = response.json()
    assert data["objectType"] == "KalturaUser" and data["id"] == info.admin_user_id
    error = post(info, "/api_v3/service/user/action/get", {"ks": "garbage", "format": "1"}).json()
    assert error["code"] == "INVALID_KS" and error["objectType"] == "KalturaAPIException"


def test_form_encoded_and_query_params(info):
    response = requests.post(
        f"{info.service_url}/api_v3/index.php?service=user&action=get",
        data={"ks": make_ks(info), "userId": info.admin_user_id},
        timeout=10,
    )
    assert result_of(response).findtext("id") == info.admin_user_id


def test_path_params_override_body(info):
    response = post(
        info,
        "/api_v3/service/user/action/get",
        {"ks": make_ks(info), "service": "nope", "action": "nope", "userId": info.admin_user_id},
    )
    assert result_of(response).findtext("id") == info.admin_user_id


# --- dispatch order and framework errors -------------------------------------------------------------


def test_unknown_service_and_action(info):
    ks = make_ks(info)
    assert error_of(post(info, "/api_v3/service/nosuch/action/get", {"ks": ks})) == (
        "SERVICE_DOES_NOT_EXISTS",
        'Service "nosuch" does not exists',
    )
    assert error_of(post(info, "/api_v3/service/user/action/fly", {"ks": ks})) == (
        "ACTION_DOES_NOT_EXISTS",
        'Action "fly" does not exists for service "user"',
    )


def test_missing_parameter(info):
    assert error_of(post(info, "/api_v3/service/user/action/add", {"ks": make_ks(info)})) == (
        "MISSING_MANDATORY_PARAMETER",
        'Missing parameter "user"',
    )


def test_invalid_ks_checked_before_parameters_and_expiry_after(info):
    # KS parsing (step 2) comes before parameters (step 4) ...
    code, _ = error_of(post(info, "/api_v3/service/user/action/add", {"ks": "bad"}))
    assert code == "INVALID_KS"
    # ... and KS validity (step 5) after them.
    expired = make_ks(info, expiry=-10)
    assert (
        error_of(post(info, "/api_v3/service/user/action/add", {"ks": expired}))[0]
        == "MISSING_MANDATORY_PARAMETER"
    )


def test_wrong_types(info):
    ks = make_ks(info)
    assert error_of(post(info, "/api_v3/service/user/action/add", {"ks": ks, "user": "abc"})) == (
        "PROPERTY_VALIDATION_WRONG_FORMAT",
        'The property "user" must match format array',
    )
    code, message = error_of(
        post(
            info,
            "/api_v3/service/user/action/add",
            {"ks": ks, "user": {"objectType": "KalturaUser", "id": "e1", "status": "9"}},
        )
    )
    assert code == "INVALID_ENUM_VALUE"
    assert (
        message
        == 'Invalid enumeration value "9" for parameter "status", expecting enumeration type "KalturaUserStatus"'
    )
    code, message = error_of(
        post(
            info,
            "/api_v3/service/user/action/add",
            {"ks": ks, "user": {"objectType": "KalturaUser", "id": "e2", "firstName": "a\x01"}},
        )
    )
    assert (code, message) == ("INVALID_PARAMETER_CHAR", 'Invalid char in "firstName" field')


def test_readonly_property_on_add(info):
    code, message = error_of(
        post(
            info,
            "/api_v3/service/user/action/add",
            {
                "ks": make_ks(info),
                "user": {"objectType": "KalturaUser", "id": "ro1", "createdAt": "5"},
            },
        )
    )
    assert (code, message) == (
        "PROPERTY_VALIDATION_NOT_UPDATABLE",
        'The property "KalturaUser::createdAt" cannot be updated',
    )


def test_object_type_only_honoured_for_subclasses(info, unique):
    uid = unique("ot")
    response = post(
        info,
        "/api_v3/service/user/action/add",
        {"ks": make_ks(info), "user": {"objectType": "KalturaMediaEntry", "id": uid}},
    )
    assert result_of(response).findtext("objectType") == "KalturaUser"


# --- bad input never crashes it ----------------------------------------------------------------------


def test_malformed_json_is_read_as_no_parameters(info):
    response = post(
        info, "/api_v3/service/user/action/add", b'{"ks": "x", "user": ', "application/json"
    )
    assert error_of(response) == ("MISSING_MANDATORY_PARAMETER", 'Missing parameter "user"')
    response = post(
        info, "/api_v3/service/user/action/add", b'{"ks": "\xff\xfe"}', "application/json"
    )
    assert error_of(response)[0] == "MISSING_MANDATORY_PARAMETER"
    response = post(info, "/api_v3/service/multirequest", b"not json at all", "application/json")
    assert response.status_code == 200 and list(result_of(response)) == []


def test_huge_body_is_refused_and_server_keeps_serving(info, admin):
    response = post(
        info, "/api_v3/service/user/action/get", b"{" + b" " * (17 * 1024 * 1024) + b"}"
    )
    assert response.status_code == 413
    assert admin.user.get(info.admin_user_id).id == info.admin_user_id


def test_unknown_paths_and_bad_lengths(info, admin):
    assert requests.get(f"{info.service_url}/nothing/here", timeout=5).status_code == 404
    assert requests.get(f"{info.service_url}/_sandbox/nothing", timeout=5).status_code == 404
    assert requests.post(f"{info.service_url}/_sandbox/stats", timeout=5).status_code == 405
    import socket

    host, port = info.service_url.split("//")[1].split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(
            b"POST /api_v3/service/user/action/get HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"
        )
        assert sock.recv(100).startswith(b"HTTP/1.1 400")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(b"\x16\x03\x01garbage that is not http\r\n\r\n")
        sock.recv(100)
    assert admin.user.get(info.admin_user_id).id == info.admin_user_id


# --- multirequest ------------------------------------------------------------------------------------


def test_multirequest_python_client_zero_based_with_placeholders(admin, unique):
    uid = unique("mr")
    admin.startMultiRequest()
    added = admin.user.add(KalturaUser(id=uid, firstName="Multi"))
    admin.user.get(added.id)
    admin.user.add(KalturaUser(id=uid))  # duplicate: fails
    admin.user.get(uid)  # still runs after the failure
    results = admin.doMultiRequest()
    assert [type(r).__name__ for r in results] == [
        "KalturaUser",
        "KalturaUser",
        "KalturaException",
        "KalturaUser",
    ]
    assert results[1].firstName == "Multi"
    assert results[2].code == "DUPLICATE_USER_BY_ID"


def test_multirequest_one_based_and_placeholder_to_failed_call(info, unique):
    uid = unique("mr1")
    body = {
        "ks": make_ks(info),
        "1": {"service": "user", "action": "add", "user": {"objectType": "KalturaUser", "id": uid}},
        "2": {
            "service": "user",
            "action": "add",
            "user": {"objectType": "KalturaUser", "id": info.admin_user_id},
        },
        # 2 failed: its placeholder becomes '' -> the id is invalid
        "3": {
            "service": "user",
            "action": "add",
            "user": {"objectType": "KalturaUser", "id": "{2:result:id}"},
        },
        "4": {"service": "user", "action": "get", "userId": "{1:result:id}"},
        "5": {
            "service": "user",
            "action": "list",
            "filter": {"objectType": "KalturaUserFilter", "idEqual": uid},
        },
        "6": {"service": "user", "action": "get", "userId": "{5:result:objects:0:id}"},
        "7": {"service": "user", "action": "get", "userId": "{5:result:totalCount}x"},
    }
    items = list(result_of(post(info, "/api_v3/service/multirequest", body)))
    assert len(items) == 7
    assert items[0].findtext("id") == uid
    assert items[1].find("error").findtext("code") == "DUPLICATE_USER_BY_ID"
    assert items[2].find("error").findtext("code") == "INVALID_FIELD_VALUE"
    assert items[3].findtext("id") == uid
    assert items[5].findtext("id") == uid
    assert items[6].find("error").findtext("code") == "INVALID_USER_ID"  # "1x"


def test_multirequest_stops_at_first_gap_and_copies_common_ks(info):
    body = {
        "ks": make_ks(info),
        "1": {"service": "user", "action": "get", "userId": info.admin_user_id},
        "2": {"service": "user", "action": "get", "userId": info.admin_user_id, "ks": "broken"},
        "4": {"service": "user", "action": "get", "userId": info.admin_user_id},
    }
    items = list(result_of(post(info, "/api_v3/service/multirequest", body)))
    assert len(items) == 2
    assert items[0].findtext("id") == info.admin_user_id
    assert items[1].find("error").findtext("code") == "INVALID_KS"  # a sub-request's own ks wins


def test_multirequest_form_style_keys(info):
    response = requests.post(
        f"{info.service_url}/api_v3/service/multirequest",
        data={
            "ks": make_ks(info),
            "1:service": "user",
            "1:action": "get",
            "1:userId": info.admin_user_id,
        },
        timeout=10,
    )
    assert result_of(response)[0].findtext("id") == info.admin_user_id


# --- KS validation -------------------------------------------------------------------------------------


def _user_get(info, ks):
    client = make_client(info, ks)
    with pytest.raises(KalturaException) as err:
        client.user.get(info.admin_user_id)
    return err.value


def test_expired_ks(info):
    error = _user_get(info, make_ks(info, expiry=-1))
    assert (error.code, error.message) == (
        "INVALID_KS",
        'Invalid KS "EXPIRED", Error "-1,INVALID_STR"',
    )


def test_tampered_and_wrong_secret_ks(info):
    ks = make_ks(info)
    raw = bytearray(base64.urlsafe_b64decode(ks))
    raw[-5] ^= 0xFF
    tampered = base64.urlsafe_b64encode(bytes(raw)).decode()
    for bad in (tampered, make_ks(info, secret="not-the-secret"), "not a ks at all"):
        error = _user_get(info, bad)
        assert (error.code, error.message) == (
            "INVALID_KS",
            f'Invalid KS "{bad}", Error "-1,INVALID_STR"',
        )


def test_wrong_partner_ks(info):
    ks = make_ks(info, partner_id=999)
    error = _user_get(info, ks)
    assert (error.code, error.message) == (
        "INVALID_KS",
        f'Invalid KS "{ks}", Error "-1,INVALID_STR"',
    )


def test_ks_v1_accepted_and_verified(info):
    v1 = KalturaClient.generateSession(
        info.admin_secret, info.admin_user_id, 2, info.partner_id, 3600
    ).decode()
    assert make_client(info, v1).user.get(info.admin_user_id).id == info.admin_user_id
    forged = KalturaClient.generateSession(
        "wrong", info.admin_user_id, 2, info.partner_id, 3600
    ).decode()
    assert _user_get(info, forged).code == "INVALID_KS"
    expired = KalturaClient.generateSession(
        info.admin_secret, info.admin_user_id, 2, info.partner_id, -5
    ).decode()
    assert _user_get(info, expired).message == 'Invalid KS "EXPIRED", Error "-1,INVALID_STR"'


def test_actions_limit(info):
    client = make_client(info, make_ks(info, privileges="actionslimit:2"))
    client.user.get(info.admin_user_id)
    client.user.get(info.admin_user_id)
    with pytest.raises(KalturaException) as err:
        client.user.get(info.admin_user_id)
    assert err.value.message == 'Invalid KS "EXCEEDED_ACTIONS_LIMIT", Error "-1,INVALID_STR"'
    bad = _user_get(info, make_ks(info, privileges="actionslimit:abc"))
    assert (bad.code, bad.message) == ("INVALID_ACTIONS_LIMIT", "Invalid actions limit")


def test_no_ks_and_user_ks_forbidden(info):
    assert error_of(post(info, "/api_v3/service/user/action/list", {})) == (
        "SERVICE_FORBIDDEN",
        "The access to service [user->list] is forbidden",
    )
    error = _user_get(info, make_ks(info, user_id="bob@example.com", session_type=0))
    assert error.code == "CANNOT_RETRIEVE_ANOTHER_USER_USING_NON_ADMIN_SESSION"
    user_client = make_client(info, make_ks(info, user_id="bob@example.com", session_type=0))
    with pytest.raises(KalturaException) as err:
        user_client.user.list()
    assert err.value.message == "The access to service [user->list] is forbidden"


def test_blocked_user(admin, info, unique):
    uid = unique("blocked")
    admin.user.add(KalturaUser(id=uid, status=0))
    error = _user_get(info, make_ks(info, user_id=uid, session_type=0))
    assert (error.code, error.message) == ("USER_BLOCKED", "this user is blocked")
