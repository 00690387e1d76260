"""The Kaltura access layer against the sandbox: real KalturaClient, real HTTP, no mocks.

Fault tests count HTTP attempts at the sandbox's fault injector: its random source is
replaced by one that counts draws (one draw per API request while a single fault rate is set).
"""

from __future__ import annotations

import logging
import random
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from conftest import reset_stats, set_faults, stats
from KalturaClient.Plugins.Core import (
    KalturaAppTokenFilter,
    KalturaAppTokenStatus,
    KalturaGroupUser,
    KalturaUser,
)
from KalturaClient.Plugins.Group import KalturaGroup

from kproducer import paths
from kproducer.activity import ActivityLog
from kproducer.kaltura import (
    AlreadyExists,
    AuthenticationError,
    CallResult,
    ConnectionFailed,
    KalturaConnection,
    NotFound,
    RequestTimedOut,
    ServiceUnavailable,
    settings_from,
)
from kproducer.kaltura.transport import HttpPolicy
from kproducer.sandbox import Sandbox, SandboxInfo
from kproducer.sandbox import ks as sandbox_ks


class CountingRandom(random.Random):
    """The sandbox's fault dice, counting throws and optionally following a script."""

    def __init__(self, script: list[float] | None = None) -> None:
        super().__init__(1)
        self.draws = 0
        self.script = list(script or [])

    def random(self) -> float:
        self.draws += 1
        return self.script.pop(0) if self.script else super().random()


@pytest.fixture
def activity() -> ActivityLog:
    return ActivityLog()


@pytest.fixture
def connect(activity: ActivityLog) -> Iterator[Callable[..., KalturaConnection]]:
    """Build connections (closed at teardown): ``connect(info, read_timeout=1)``."""
    made: list[KalturaConnection] = []

    def build(info: SandboxInfo, clock: Callable[[], float] = time.time,
              **overrides: Any) -> KalturaConnection:
        conn = KalturaConnection(settings_from(info.as_dict(), **overrides), activity, clock)
        made.append(conn)
        return conn

    yield build
    for conn in made:
        conn.close()


@pytest.fixture
def dice(fresh_sandbox: Sandbox) -> CountingRandom:
    counter = CountingRandom()
    fresh_sandbox.server.random = counter
    return counter


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


# --- admin KS -------------------------------------------------------------------------------


def test_local_admin_ks_works_and_session_start_is_never_called(fresh_sandbox, connect):
    info = fresh_sandbox.info
    reset_stats(info)
    conn = connect(info)
    assert conn.client.user.get(info.admin_user_id).id == info.admin_user_id
    by_action = stats(info)["by_action"]
    assert by_action == {"user.get": 1}
    decoded = sandbox_ks.decode(conn.admin_session.current(), lambda _pid: [info.admin_secret])
    assert (decoded.type, decoded.user_id, decoded.partner_id) == (2, info.admin_user_id,
                                                                   info.partner_id)
    assert 7200 - 60 < decoded.expiry - time.time() <= 7200


def test_admin_ks_is_renewed_before_expiry(info, connect):
    now = [1_000_000.0]
    conn = connect(info, clock=lambda: now[0], ks_lifetime=120, ks_renew_before=30)
    conn.client.user.get(info.admin_user_id)
    first = conn.admin_session.current()
    now[0] += 80  # 40 s left: still more than the 30 s margin
    conn.client.user.get(info.admin_user_id)
    assert conn.admin_session.current() == first
    now[0] += 15  # 25 s left: renewed on the next call
    assert conn.client.user.get(info.admin_user_id).id == info.admin_user_id
    second = conn.admin_session.current()
    assert second != first
    assert conn.admin_session.generated == 2
    assert conn.admin_session.expires_at == now[0] + 120
    decoded = sandbox_ks.decode(second, lambda _pid: [info.admin_secret])
    assert 60 < decoded.expiry - time.time() <= 120  # the real KS is short-lived too


def test_settings_repr_hides_the_admin_secret(info, connect):
    conn = connect(info)
    assert info.admin_secret not in repr(conn.settings)


# --- keep-alive -----------------------------------------------------------------------------


def test_sequential_calls_share_one_connection(fresh_sandbox, connect):
    info = fresh_sandbox.info
    conn = connect(info)
    reset_stats(info)
    for _ in range(10):
        conn.client.user.get(info.admin_user_id)
    counts = stats(info)
    assert counts["http_requests"] == 10
    assert counts["connections"] == 1


def test_three_threads_use_at_most_three_connections(fresh_sandbox, connect):
    info = fresh_sandbox.info
    conn = connect(info)
    reset_stats(info)
    barrier = threading.Barrier(3)
    clients: list[object] = []
    failures: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait(timeout=10)
            for _ in range(5):
                conn.client.user.get(info.admin_user_id)
            clients.append(conn.client)
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not failures
    assert len({id(c) for c in clients}) == 3  # one client per thread
    counts = stats(info)
    assert counts["http_requests"] == 15
    assert 1 <= counts["connections"] <= 3


# --- multirequest ---------------------------------------------------------------------------


def test_multi_returns_results_and_typed_errors_in_order_in_one_request(
        fresh_sandbox, connect, unique, activity):
    info = fresh_sandbox.info
    conn = connect(info)
    existing, new = unique("mr-old"), unique("mr-new")
    conn.client.user.add(KalturaUser(id=existing))
    reset_stats(info)

    def queue(c):
        added = c.user.add(KalturaUser(id=new, firstName="New"))
        c.user.add(KalturaUser(id=existing))
        c.user.get("no-such-user-" + new)
        c.user.get(added.id)  # a placeholder for the first call's result

    results = conn.multi(queue)
    counts = stats(info)
    assert counts["http_requests"] == 1
    assert counts["api_calls"] == 4
    assert [r.action for r in results] == ["user.add", "user.add", "user.get", "user.get"]
    assert results[0].ok and results[0].value.id == new
    assert isinstance(results[1].error, AlreadyExists)
    assert results[1].failed_with("DUPLICATE_USER_BY_ID")
    assert isinstance(results[2].error, NotFound)
    assert results[2].error.code == "INVALID_USER_ID"
    assert "no-such-user-" in str(results[2].error)
    with pytest.raises(NotFound):
        results[2].unwrap()
    assert results[3].unwrap().firstName == "New"
    outcomes = [(r.action, r.outcome) for r in activity.records()[-4:]]
    assert outcomes == [("user.add", "created"), ("user.add", "error"),
                        ("user.get", "error"), ("user.get", "fetched")]
    assert all("in one multirequest" in r.detail for r in activity.records()[-4:])


def test_multi_with_nothing_queued_sends_nothing(fresh_sandbox, connect):
    info = fresh_sandbox.info
    conn = connect(info)
    reset_stats(info)
    assert conn.multi(lambda c: None) == []
    assert stats(info)["http_requests"] == 0


def test_multi_with_a_rejected_admin_secret_raises(info, connect):
    conn = connect(info, admin_secret="f" * 32)
    with pytest.raises(AuthenticationError):
        conn.multi(lambda c: [c.user.get(info.admin_user_id), c.user.get("x")])


def test_client_is_usable_after_a_failed_multirequest(fresh_sandbox, connect, unique):
    info = fresh_sandbox.info
    conn = connect(info, retry_backoff=0.01)
    set_faults(info, http_500_rate=1.0)
    with pytest.raises(ServiceUnavailable):
        conn.multi(lambda c: [c.user.get(info.admin_user_id)])
    with pytest.raises(ValueError):
        conn.multi(lambda c: [c.user.get(info.admin_user_id), int("not a number")])
    set_faults(info)
    assert not conn.client.isMultiRequest()
    assert conn.client.user.get(info.admin_user_id).id == info.admin_user_id
    assert [r.ok for r in conn.multi(lambda c: [c.user.get(info.admin_user_id)])] == [True]


def test_call_helper_runs_one_call_and_types_errors(info, connect):
    conn = connect(info)
    assert conn.call(lambda c: c.user.get(info.admin_user_id)).id == info.admin_user_id
    with pytest.raises(NotFound) as err:
        conn.call(lambda c: c.user.get("nobody-here"))
    assert err.value.exit_code == 2
    assert isinstance(CallResult("user.get", value=1).unwrap(), int)


# --- retries --------------------------------------------------------------------------------


def test_reads_are_retried_twice_on_http_500_and_writes_never(fresh_sandbox, connect, dice,
                                                              unique):
    info = fresh_sandbox.info
    conn = connect(info)
    set_faults(info, http_500_rate=1.0)

    started = time.monotonic()
    with pytest.raises(ServiceUnavailable) as err:
        conn.client.user.get(info.admin_user_id)
    assert time.monotonic() - started < 3
    assert (dice.draws, err.value.attempts, err.value.code) == (3, 3, "HTTP_500")
    assert "HTTP 500" in str(err.value) and info.service_url in str(err.value)

    dice.draws = 0
    with pytest.raises(ServiceUnavailable):
        conn.client.user.add(KalturaUser(id=unique("w500")))
    assert dice.draws == 1

    dice.draws = 0
    with pytest.raises(ServiceUnavailable):
        conn.multi(lambda c: [c.user.get(info.admin_user_id), c.user.list()])
    assert dice.draws == 3  # all reads: retried

    dice.draws = 0
    with pytest.raises(ServiceUnavailable):
        conn.multi(lambda c: [c.user.get(info.admin_user_id), c.user.add(KalturaUser(id="x1"))])
    assert dice.draws == 1  # one write: not retried


def test_a_read_succeeds_after_two_transient_500s(fresh_sandbox, connect, activity):
    info = fresh_sandbox.info
    conn = connect(info)
    fresh_sandbox.server.random = CountingRandom(script=[0.0, 0.0, 0.99])
    set_faults(info, http_500_rate=0.5)
    reset_stats(info)
    assert conn.client.user.get(info.admin_user_id).id == info.admin_user_id
    assert stats(info)["by_action"] == {"user.get": 1}
    last = activity.records()[-1]
    assert (last.action, last.outcome, last.detail) == ("user.get", "fetched", "3 attempts.")


def test_dropped_connections_retry_reads_only(fresh_sandbox, connect, dice, unique):
    info = fresh_sandbox.info
    conn = connect(info)
    set_faults(info, drop_rate=1.0)
    started = time.monotonic()
    with pytest.raises(ConnectionFailed) as err:
        conn.client.user.get(info.admin_user_id)
    assert time.monotonic() - started < 15
    assert err.value.code == "CONNECTION_DROPPED"
    assert info.service_url in str(err.value)
    assert dice.draws == 3
    dice.draws = 0
    with pytest.raises(ConnectionFailed):
        conn.client.user.add(KalturaUser(id=unique("drop")))
    assert dice.draws == 1


def test_malformed_responses_retry_reads_and_never_repeat_a_write(fresh_sandbox, connect,
                                                                   unique):
    info = fresh_sandbox.info
    conn = connect(info)
    set_faults(info, malformed_rate=1.0)
    reset_stats(info)
    with pytest.raises(ServiceUnavailable) as err:
        conn.client.user.get(info.admin_user_id)
    assert err.value.code == "MALFORMED_RESPONSE"
    # A malformed answer comes after the server did the work, so the sandbox counts each try.
    assert stats(info)["by_action"] == {"user.get": 3}
    reset_stats(info)
    with pytest.raises(ServiceUnavailable):
        conn.client.user.add(KalturaUser(id=unique("mal")))
    assert stats(info)["by_action"] == {"user.add": 1}


# --- failures -------------------------------------------------------------------------------


def test_dead_url_fails_fast_naming_the_url(info, connect, activity):
    url = closed_port_url()
    conn = connect(info, service_url=url)
    started = time.monotonic()
    with pytest.raises(ConnectionFailed) as err:
        conn.client.user.get("anyone")
    elapsed = time.monotonic() - started
    assert elapsed < 15
    assert str(err.value) == f"Could not reach Kaltura at {url}: connection refused."
    assert err.value.exit_code == 3
    assert err.value.attempts == 3
    record = activity.records()[-1]
    assert (record.action, record.outcome) == ("user.get", "error")
    assert url in record.detail


def test_unanswered_connect_times_out_within_the_retry_window(info, connect):
    # A listening socket whose backlog is full drops new SYNs: the connect never completes.
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    url = f"http://127.0.0.1:{server.getsockname()[1]}"
    fillers = []
    try:
        for _ in range(4):
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(server.getsockname())
            fillers.append(filler)
        time.sleep(0.2)
        conn = connect(info, service_url=url, connect_timeout=0.5, retry_window=0.8)
        started = time.monotonic()
        with pytest.raises(ConnectionFailed) as err:
            conn.client.user.get("anyone")
        elapsed = time.monotonic() - started
    finally:
        for filler in fillers:
            filler.close()
        server.close()
    assert err.value.code == "CONNECT_TIMEOUT"
    assert url in str(err.value)
    assert elapsed < 0.8 + 0.5 + 0.5  # window + one connect timeout + slack


def test_default_policy_bounds_a_dead_url_below_15_seconds():
    policy = HttpPolicy()
    assert policy.max_retries <= 2
    # A retry starts only inside the window; the last attempt can take one connect timeout.
    assert policy.retry_window + policy.connect_timeout <= 15


def test_wrong_admin_secret_is_an_authentication_error(info, connect, activity):
    wrong = "0123456789abcdef" * 2
    conn = connect(info, admin_secret=wrong)
    with pytest.raises(AuthenticationError) as err:
        conn.client.user.get(info.admin_user_id)
    assert "the admin secret was rejected (invalid_ks)" in str(err.value).lower()
    assert err.value.code == "INVALID_KS"
    assert err.value.exit_code == 3
    assert wrong not in repr(err.value) and "djJ8" not in err.value.server_message
    assert activity.records()[-1].outcome == "error"


def test_latency_beyond_the_read_timeout_fails_quickly(fresh_sandbox, connect, dice):
    info = fresh_sandbox.info
    conn = connect(info, read_timeout=0.3)
    set_faults(info, latency_ms=1500)
    started = time.monotonic()
    with pytest.raises(RequestTimedOut) as err:
        conn.client.user.get(info.admin_user_id)
    assert time.monotonic() - started < 1.2
    assert err.value.code == "READ_TIMEOUT"
    assert str(err.value) == f"Kaltura at {info.service_url} did not answer within 0.3 s."
    assert err.value.attempts == 1  # a slow server is not asked again
    set_faults(info)


# --- activity -------------------------------------------------------------------------------


def test_every_call_is_recorded_with_outcome_and_ms(info, connect, activity, unique):
    conn = connect(info)
    uid = unique("act")
    client = conn.client
    client.user.add(KalturaUser(id=uid))
    client.user.get(uid)
    client.user.update(uid, KalturaUser(firstName="Z"))
    client.user.list()
    client.user.delete(uid)
    with pytest.raises(NotFound):
        client.user.get(uid)
    records = activity.records()
    assert [(r.action, r.outcome) for r in records] == [
        ("user.add", "created"), ("user.get", "fetched"), ("user.update", "updated"),
        ("user.list", "fetched"), ("user.delete", "deleted"), ("user.get", "error")]
    assert all(r.ms > 0 for r in records)
    counters = activity.counters()
    assert counters.api_calls == 6 and counters.by_outcome["error"] == 1


def test_secrets_and_ks_never_reach_activity_or_the_log_file(info, connect, activity, caplog):
    log_file = activity.write_to()
    assert log_file.parent == paths.log_dir()
    wrong = "feedfacecafebeef" * 2
    good = connect(info, wire_log=True)
    bad = connect(info, admin_secret=wrong, wire_log=True)
    with caplog.at_level(logging.DEBUG, logger="kproducer.kaltura.wire"):
        good.client.user.get(info.admin_user_id)
        with pytest.raises(NotFound):
            good.client.user.get("nobody")
        with pytest.raises(AuthenticationError):
            bad.client.user.get(info.admin_user_id)
        good.multi(lambda c: [c.user.get(info.admin_user_id), c.user.get("nobody")])
    activity.stop_writing()
    assert caplog.records, "wire logging produced nothing"
    texts = {
        "file": log_file.read_text(),
        "records": "\n".join(repr(r) for r in activity.records()),
        "wire log": caplog.text,
    }
    forbidden = [info.admin_secret, wrong, good.admin_session.current(),
                 bad.admin_session.current(), "djJ8"]
    for where, text in texts.items():
        for secret in forbidden:
            assert secret not in text, f"{secret[:8]}… leaked into the {where}"
    assert len(texts["file"].splitlines()) == 5
    assert (log_file.stat().st_mode & 0o777) == 0o600


def test_preview_prerequisites_fit_in_one_request(fresh_sandbox, connect, unique, activity):
    """Ensure user + group + membership, get the entry, list app tokens: ONE http request."""
    info = fresh_sandbox.info
    conn = connect(info)
    entry = conn.client.baseEntry.list().objects[0]
    uid, group_id = unique("mod"), f"{entry.id}_moderators"

    def prerequisites(c):
        c.user.add(KalturaUser(id=uid))
        c.group.group.add(KalturaGroup(id=group_id))
        c.groupUser.add(KalturaGroupUser(userId=uid, groupId=group_id))
        c.baseEntry.get(entry.id)
        c.appToken.list(KalturaAppTokenFilter(statusEqual=KalturaAppTokenStatus.ACTIVE))

    reset_stats(info)
    cold = conn.multi(prerequisites)
    again = conn.multi(prerequisites)
    assert stats(info)["http_requests"] == 2
    assert [r.action for r in cold] == ["user.add", "group.add", "groupUser.add",
                                        "baseEntry.get", "appToken.list"]
    assert all(r.ok for r in cold), [str(r.error) for r in cold if r.error]
    assert [r.error.code if r.error else None for r in again[:3]] == [
        "DUPLICATE_USER_BY_ID", "DUPLICATE_USER_BY_ID", "GROUP_USER_ALREADY_EXISTS"]
    assert all(isinstance(r.error, AlreadyExists) for r in again[:3])
    assert again[3].unwrap().id == entry.id
    assert again[4].unwrap().totalCount >= 1
    assert [r.outcome for r in activity.records()[-5:]] == [
        "error", "error", "error", "fetched", "fetched"]
