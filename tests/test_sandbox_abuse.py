"""The sandbox under abuse: deep JSON, bursts of connects, half-sent requests (issue 15.13)."""

from __future__ import annotations

import select
import socket
import time

import requests
from conftest import make_ks, reset_stats, stats

from kproducer.sandbox import SandboxInfo
from kproducer.sandbox.server import SandboxServer
from kproducer.sandbox.store import Store

DEEP = b"[" * 100_000 + b"]" * 100_000
JSON = {"Content-Type": "application/json"}


def _port(info: SandboxInfo) -> int:
    return int(info.service_url.rsplit(":", 1)[1])


def _read_answer(conn: socket.socket) -> bytes:
    """One complete HTTP answer (headers and a Content-Length body) from ``conn``."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        assert chunk, "the server dropped the connection"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length:"))
    while len(body) < length:
        body += conn.recv(65536)
    return head + b"\r\n\r\n" + body


def test_deep_json_gets_400_and_the_connection_lives_on(fresh_sandbox):
    info = fresh_sandbox.info
    port = _port(info)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        for path in ("/_sandbox/faults", "/_standin/verify/ks", "/_standin/verify/jwt"):
            conn.sendall((f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                          f"Content-Type: application/json\r\nContent-Length: {len(DEEP)}\r\n\r\n"
                          ).encode() + DEEP)
            answer = _read_answer(conn)
            assert answer.startswith(b"HTTP/1.1 400"), path
            assert b"JSON nested deeper than 512 levels" in answer
        # the same connection still serves
        conn.sendall(f"GET /_sandbox/faults HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        assert _read_answer(conn).startswith(b"HTTP/1.1 200")


def test_deep_json_to_the_api_is_no_json_as_on_the_server(fresh_sandbox):
    """``json_decode`` (depth 512) gives null, so the server reads no body parameters."""
    info = fresh_sandbox.info
    url = f"{info.service_url}/api_v3/service/user/action/get"
    reset_stats(info)
    for body in (DEEP, b'{"ks": "x", "a": ' + b"[" * 600 + b"]" * 600 + b"}"):
        answer = requests.post(url, data=body, headers=JSON, timeout=30)
        assert answer.status_code == 200
        assert "<code>MISSING_KS</code>" in answer.text or "<error>" in answer.text
    shallow = requests.post(url, data=b'{"ks": "x", "a": [[[1]]]}', headers=JSON, timeout=10)
    assert "<code>INVALID_KS</code>" in shallow.text
    assert stats(info)["http_requests"] == 3


def test_deep_registration_form_schema_is_refused_as_invalid_json(fresh_sandbox):
    info = fresh_sandbox.info
    ks = make_ks(info)
    deep = "[" * 5000 + "]" * 5000
    answer = requests.post(
        f"{info.service_url}/api_v3/service/virtualevent_virtualevent/action/add",
        json={"ks": ks, "virtualEvent": {"objectType": "KalturaVirtualEvent", "name": "Deep",
                                         "registrationFormSchema": '{"a": ' + deep + "}"}},
        timeout=30)
    assert "<code>VIRTUAL_EVENT_INVALID_REGISTRATION_FORM_SCHEMA</code>" in answer.text


def test_200_connects_at_once_are_all_queued(tmp_path):
    """Nobody accepts yet: only the listen backlog holds the handshakes (was 5)."""
    store = Store(tmp_path / "sandbox.db")
    server = SandboxServer(("127.0.0.1", 0), store)
    sockets = []
    try:
        port = int(server.server_address[1])
        for _ in range(200):
            conn = socket.socket()
            conn.setblocking(False)
            conn.connect_ex(("127.0.0.1", port))
            sockets.append(conn)
        pending = list(sockets)
        deadline = time.monotonic() + 10
        while pending and time.monotonic() < deadline:
            _, writable, _ = select.select([], pending, [], 0.2)
            pending = [s for s in pending if s not in writable]
        established = [s for s in sockets if s not in pending
                       and s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0]
        # with a backlog of 5, connects past the 6th never complete while nobody accepts
        assert len(established) == 200
    finally:
        for conn in sockets:
            conn.close()
        server.server_close()
        store.close()


def test_200_concurrent_connections_are_all_answered(fresh_sandbox):
    info = fresh_sandbox.info
    port = _port(info)
    reset_stats(info)
    conns = [socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(200)]
    request = (f"POST /api_v3/service/user/action/get HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
               "Content-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ks\": \"x\"}")
    try:
        for conn in conns:
            conn.sendall(request.encode())
        answers = [_read_answer(conn) for conn in conns]
    finally:
        for conn in conns:
            conn.close()
    assert all(a.startswith(b"HTTP/1.1 200") and b"<error>" in a for a in answers)
    assert stats(info) | {"by_action": {}} == {
        "http_requests": 200, "api_calls": 200, "connections": 200, "by_action": {}}


def test_half_sent_requests_do_not_hold_a_thread(fresh_sandbox):
    info = fresh_sandbox.info
    server = fresh_sandbox.server
    server.idle_timeout_s = 0.3
    port = _port(info)
    halves = (
        b"GET /_sandbox/stats HTTP/1.1\r\nHo",  # headers never finish
        f"POST /_sandbox/faults HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{".encode(),  # body never does
        b"",  # connects and says nothing
    )
    conns = []
    for half in halves:
        conn = socket.create_connection(("127.0.0.1", port), timeout=10)
        conn.sendall(half)
        conns.append(conn)
    for conn in conns:
        with conn:
            assert conn.recv(65536) == b""  # the server gave up and closed it
    deadline = time.monotonic() + 10
    while server.open_connections and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not server.open_connections
    assert requests.get(f"{info.service_url}/_sandbox/stats", timeout=5).status_code == 200
