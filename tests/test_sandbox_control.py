"""Sandbox control endpoints, fault injection, keep-alive, restarts and shutdown."""

from __future__ import annotations

import socket
import time

import pytest
import requests
from conftest import make_client, reset_stats, set_faults, stats
from KalturaClient.exceptions import KalturaClientException
from KalturaClient.Plugins.Core import KalturaUser

from kproducer.sandbox import Sandbox


def test_stats_count_requests_calls_and_actions(fresh_sandbox):
    info = fresh_sandbox.info
    client = make_client(info)
    reset_stats(info)
    client.user.get(info.admin_user_id)
    client.startMultiRequest()
    for _ in range(3):
        client.user.get(info.admin_user_id)
    client.user.list()
    client.doMultiRequest()
    data = stats(info)
    assert set(data) == {"http_requests", "api_calls", "connections", "by_action"}
    assert data["http_requests"] == 2
    assert data["api_calls"] == 5
    assert data["by_action"] == {"user.get": 4, "user.list": 1}
    assert data["connections"] == 2  # the stock client opens a connection per call
    reset_stats(info)
    assert stats(info) == {"http_requests": 0, "api_calls": 0, "connections": 0, "by_action": {}}


def test_keep_alive_reuses_one_connection(fresh_sandbox):
    info = fresh_sandbox.info
    reset_stats(info)
    with requests.Session() as session:
        for _ in range(5):
            response = session.post(
                f"{info.service_url}/api_v3/service/user/action/get", json={"ks": "x"}, timeout=5
            )
            assert response.status_code == 200
    assert stats(info)["connections"] == 1
    assert stats(info)["http_requests"] == 5


def test_faults_validation_and_clearing(fresh_sandbox):
    url = f"{fresh_sandbox.info.service_url}/_sandbox/faults"
    assert (
        requests.post(url, json={"latency_ms": 5, "drop_rate": 0.5}, timeout=5).json()["drop_rate"]
        == 0.5
    )
    for bad in ({"latency_ms": -1}, {"http_500_rate": 2}, {"drop_rate": "x"}, {"nope": 1}, [1]):
        response = requests.post(url, json=bad, timeout=5)
        assert response.status_code == 400 and response.json()["error"]
    assert requests.post(url, data=b"{not json", timeout=5).status_code == 400
    cleared = requests.post(url, json={}, timeout=5).json()
    assert cleared == {
        "latency_ms": 0,
        "http_500_rate": 0.0,
        "drop_rate": 0.0,
        "malformed_rate": 0.0,
    }


def test_latency_fault(fresh_sandbox):
    info = fresh_sandbox.info
    client = make_client(info)
    set_faults(info, latency_ms=300)
    started = time.perf_counter()
    client.user.get(info.admin_user_id)
    assert time.perf_counter() - started >= 0.3
    started = time.perf_counter()
    requests.get(
        f"{info.service_url}/_sandbox/stats", timeout=5
    )  # control endpoints are never slowed
    assert time.perf_counter() - started < 0.3


def test_http_500_drop_and_malformed_faults(fresh_sandbox):
    info = fresh_sandbox.info
    url = f"{info.service_url}/api_v3/service/user/action/get"
    set_faults(info, http_500_rate=1.0)
    assert requests.post(url, json={}, timeout=5).status_code == 500
    set_faults(info, drop_rate=1.0)
    with pytest.raises(requests.ConnectionError):
        requests.post(url, json={}, timeout=5)
    set_faults(info, malformed_rate=1.0)
    client = make_client(info)
    with pytest.raises(KalturaClientException):
        client.user.get(info.admin_user_id)
    set_faults(info)
    assert client.user.get(info.admin_user_id).id == info.admin_user_id


def test_state_survives_restart(tmp_path):
    with Sandbox(tmp_path / "sb") as first:
        info1 = first.info
        make_client(info1).user.add(KalturaUser(id="persisted@example.com"))
    with Sandbox(tmp_path / "sb") as second:
        info2 = second.info
        assert (info2.partner_id, info2.admin_secret, info2.kme_secret) == (
            info1.partner_id,
            info1.admin_secret,
            info1.kme_secret,
        )
        assert make_client(info2).user.get("persisted@example.com").id == "persisted@example.com"
    assert (tmp_path / "sb" / "sandbox.sqlite3").stat().st_mode & 0o077 == 0


def test_binds_loopback_and_stops_cleanly(tmp_path):
    sandbox = Sandbox(tmp_path / "sb")
    info = sandbox.start()
    assert info.service_url.startswith("http://127.0.0.1:")
    port = int(info.service_url.rsplit(":", 1)[1])
    with requests.Session() as session:  # a kept-alive connection must not block stopping
        session.get(f"{info.service_url}/_sandbox/stats", timeout=5)
        sandbox.stop()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


def test_seeded_account(info, admin):
    assert admin.user.get(info.admin_user_id).isAdmin is True
    assert admin.user.get("alice@example.com").firstName == "Alice"
    assert info.player_uiconf_id and info.cnc_uiconf_id and info.kme_key and info.kme_secret


def _clock(info, body):
    return requests.post(f"{info.service_url}/_sandbox/clock", json=body, timeout=5)


def test_clock_moves_ks_expiry_and_object_times(fresh_sandbox):
    from conftest import make_ks
    from KalturaClient.exceptions import KalturaException

    info = fresh_sandbox.info
    client = make_client(info, make_ks(info, expiry=3600))
    before = int(time.time())
    assert client.user.get(info.admin_user_id).id == info.admin_user_id
    answer = _clock(info, {"offset_s": 7200})
    assert answer.status_code == 200 and answer.json()["offset_s"] == 7200
    assert answer.json()["now"] >= before + 7200
    with pytest.raises(KalturaException) as err:
        client.user.get(info.admin_user_id)
    assert err.value.code == "INVALID_KS" and "EXPIRED" in err.value.message
    fresh = make_client(info, make_ks(info, expiry=3 * 3600))  # signed by the machine's clock
    assert fresh.user.add(KalturaUser(id="later@example.com")).createdAt >= before + 7200
    assert _clock(info, {"offset_s": 0}).json()["offset_s"] == 0
    assert client.user.get(info.admin_user_id).id == info.admin_user_id


def test_clock_moves_session_start_and_the_stand_in_check(fresh_sandbox):
    info = fresh_sandbox.info
    admin = make_client(info)
    live = next(e for e in admin.baseEntry.list().objects if e.type.getValue() == "7")
    _clock(info, {"offset_s": 2 * 86400})
    ks = make_client(info, "").session.start(
        info.admin_secret, "viewer", 0, info.partner_id, 3600, f"sview:{live.id}"
    )
    _clock(info, {"offset_s": 0})
    assert make_client(info, ks).baseEntry.get(live.id).id == live.id  # valid for 2 days more
    verify = f"{info.service_url}/_standin/verify/ks"
    body = {"ks": ks, "entryId": live.id, "partnerId": info.partner_id}
    assert requests.post(verify, json=body, timeout=5).json()["ok"] is True
    _clock(info, {"offset_s": 3 * 86400})
    result = requests.post(verify, json=body, timeout=5).json()
    assert (result["ok"], result["code"]) == (False, "EXPIRED")
    _clock(info, {"offset_s": 0})


def test_clock_refusals(fresh_sandbox):
    info = fresh_sandbox.info
    bound = 10 * 365 * 86400
    for body, message in [
        ({"offset_s": "60"}, f"offset_s must be an integer from -{bound} to {bound}"),
        ({"offset_s": True}, f"offset_s must be an integer from -{bound} to {bound}"),
        ({"offset_s": bound + 1}, f"offset_s must be an integer from -{bound} to {bound}"),
        ({"offset_s": 1.5}, f"offset_s must be an integer from -{bound} to {bound}"),
        ({"seconds": 5}, "unknown field: seconds"),
        ([5], "the body must be a JSON object"),
    ]:
        response = _clock(info, body)
        assert (response.status_code, response.json()) == (400, {"error": message})
    bad = requests.post(f"{info.service_url}/_sandbox/clock", data=b"{", timeout=5)
    assert bad.status_code == 400
    assert requests.get(f"{info.service_url}/_sandbox/clock", timeout=5).status_code == 405
    assert _clock(info, {}).json()["offset_s"] == 0  # {} resets the clock
