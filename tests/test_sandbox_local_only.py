"""The sandbox's own endpoints answer this machine only; the API answers any page (issue 15.8)."""

from __future__ import annotations

import socket

import requests
from conftest import make_client, reset_stats, stats

from kproducer.sandbox import SandboxInfo


def _port(info: SandboxInfo) -> int:
    return int(info.service_url.rsplit(":", 1)[1])


def _raw(info: SandboxInfo, request: bytes) -> bytes:
    """Send one raw HTTP request (any Host header) and return the whole answer."""
    with socket.create_connection(("127.0.0.1", _port(info)), timeout=10) as conn:
        conn.sendall(request)
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_a_foreign_origin_cannot_set_faults_or_read_stats(fresh_sandbox):
    info = fresh_sandbox.info
    evil = {"Origin": "http://evil.example"}
    faults = requests.post(f"{info.service_url}/_sandbox/faults", json={"drop_rate": 1},
                           headers=evil, timeout=5)
    assert faults.status_code == 403
    assert "other origins" in faults.json()["error"]
    assert "Access-Control-Allow-Origin" not in faults.headers
    read = requests.get(f"{info.service_url}/_sandbox/stats", headers=evil, timeout=5)
    assert read.status_code == 403 and "Access-Control-Allow-Origin" not in read.headers
    for origin in ("null", "https://127.0.0.1", f"http://127.0.0.1:{_port(info) + 1}"):
        refused = requests.get(f"{info.service_url}/_sandbox/stats", headers={"Origin": origin},
                               timeout=5)
        assert refused.status_code == 403, origin
    # nothing was set: the API still answers
    assert make_client(info).user.get(info.admin_user_id).id == info.admin_user_id


def test_the_sandbox_origin_and_no_origin_are_served_without_cors(fresh_sandbox):
    info = fresh_sandbox.info
    own = requests.get(f"{info.service_url}/_sandbox/stats",
                       headers={"Origin": info.service_url}, timeout=5)
    assert own.status_code == 200 and "Access-Control-Allow-Origin" not in own.headers
    plain = requests.post(f"{info.service_url}/_sandbox/stats/reset", timeout=5)
    assert plain.status_code == 200 and "Access-Control-Allow-Origin" not in plain.headers


def test_control_bodies_must_be_json(fresh_sandbox):
    info = fresh_sandbox.info
    url = f"{info.service_url}/_sandbox/faults"
    # what a cross-site <form> or a no-cors fetch can send
    for ctype in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data"):
        sent = requests.post(url, data=b'{"drop_rate": 1}', headers={"Content-Type": ctype},
                             timeout=5)
        assert sent.status_code == 415, ctype
        assert sent.json() == {"error": "send the body as application/json"}
    assert requests.get(url, timeout=5).json()["drop_rate"] == 0.0
    ok = requests.post(url, data=b"{}", headers={"Content-Type": "application/json; charset=utf-8"},
                       timeout=5)
    assert ok.status_code == 200


def test_a_rebound_dns_name_is_refused(fresh_sandbox):
    info = fresh_sandbox.info
    port = _port(info)
    body = b'{"drop_rate": 1}'
    for host in (f"evil.example:{port}", "127.0.0.1", f"127.0.0.1:{port + 1}", "[::1"):
        answer = _raw(info, (
            f"POST /_sandbox/faults HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode() + body)
        assert answer.startswith(b"HTTP/1.1 403"), host
        assert b"Access-Control-Allow-Origin" not in answer
    for host in (f"localhost:{port}", f"[::1]:{port}", f"127.0.0.1:{port}"):
        answer = _raw(info, (
            f"GET /_sandbox/faults HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        ).encode())
        assert answer.startswith(b"HTTP/1.1 200"), host
    assert requests.get(f"{info.service_url}/_sandbox/faults", timeout=5).json()["drop_rate"] == 0


def test_preflight_is_refused_for_own_endpoints_and_answered_for_the_api(fresh_sandbox):
    info = fresh_sandbox.info
    preflight = {"Origin": "http://evil.example", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type"}
    for path in ("/_sandbox/faults", "/_standin/verify/ks"):
        answer = requests.options(f"{info.service_url}{path}", headers=preflight, timeout=5)
        assert answer.status_code == 403, path
        assert not any(h.lower().startswith("access-control") for h in answer.headers)
    api = requests.options(f"{info.service_url}/api_v3/service/user/action/get",
                           headers=preflight, timeout=5)
    assert api.status_code == 204 and api.headers["Access-Control-Allow-Origin"] == "*"


def test_stand_in_verify_answers_the_sandbox_origin_only(fresh_sandbox):
    info = fresh_sandbox.info
    url = f"{info.service_url}/_standin/verify/ks"
    body = {"ks": "nope", "entryId": "0_x", "partnerId": info.partner_id}
    foreign = requests.post(url, json=body, headers={"Origin": "http://evil.example"}, timeout=5)
    assert foreign.status_code == 403 and "Access-Control-Allow-Origin" not in foreign.headers
    own = requests.post(url, json=body, headers={"Origin": info.service_url}, timeout=5)
    assert own.status_code == 200 and own.json()["ok"] is False
    assert "Access-Control-Allow-Origin" not in own.headers


def test_the_api_still_answers_every_origin_and_client_content_type(fresh_sandbox):
    info = fresh_sandbox.info
    reset_stats(info)
    url = f"{info.service_url}/api_v3/service/user/action/get"
    evil = {"Origin": "http://evil.example"}
    as_json = requests.post(url, json={"format": 1}, headers=evil, timeout=5)
    assert as_json.status_code == 200 and as_json.headers["Access-Control-Allow-Origin"] == "*"
    as_form = requests.post(url, data={"format": "1"}, headers=evil, timeout=5)
    assert as_form.status_code == 200 and as_form.headers["Access-Control-Allow-Origin"] == "*"
    as_multipart = requests.post(url, files={"format": (None, "1")}, headers=evil, timeout=5)
    assert as_multipart.status_code == 200
    assert stats(info)["http_requests"] == 3
