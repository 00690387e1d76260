"""The activity log (records, counters, listeners, file) and redaction."""

from __future__ import annotations

import json
import logging
import threading

import jwt
import pytest
from conftest import make_ks
from KalturaClient import KalturaClient

from kproducer import activity as activity_module
from kproducer import paths
from kproducer.activity import ActivityLog, default_log
from kproducer.local.redact import (
    JWT_MASK,
    KS_MASK,
    SECRET_MASK,
    RedactingFilter,
    forget_secret,
    redact,
    register_secret,
)

# --- records and counters -------------------------------------------------------------------


def test_record_and_read_back():
    log = ActivityLog()
    entry = log.record("user.get", "fetched", 12.5, "")
    assert log.records() == [entry]
    assert (entry.action, entry.outcome, entry.ms) == ("user.get", "fetched", 12.5)
    assert entry.time.tzinfo is not None
    assert entry.as_dict()["time"].endswith("+00:00")


def test_unknown_outcome_is_refused():
    with pytest.raises(ValueError, match="unknown outcome"):
        ActivityLog().record("user.get", "maybe", 1)  # type: ignore[arg-type]


def test_memory_is_bounded_but_counters_keep_counting():
    log = ActivityLog(capacity=3)
    for i in range(10):
        log.record(f"user.get{i}", "fetched", 1)
    assert [r.action for r in log.records()] == ["user.get7", "user.get8", "user.get9"]
    assert log.records(last=1)[0].action == "user.get9"
    assert log.counters().total == 10


def test_counters_and_cache_hit_rate():
    log = ActivityLog()
    assert log.counters().cache_hit_rate is None
    for outcome, ms in [("fetched", 10), ("cached", 0), ("cached", 0), ("cached", 0),
                        ("created", 20), ("error", 5)]:
        log.record("x.y", outcome, ms)
    counters = log.counters()
    assert counters.by_outcome == {"fetched": 1, "cached": 3, "created": 1, "updated": 0,
                                   "deleted": 0, "error": 1}
    assert counters.total == 6 and counters.api_calls == 3
    assert counters.cache_hit_rate == 0.5  # 3 answered here, 3 sent (writes count too)
    assert counters.total_ms == 35
    log.clear()
    assert log.records() == [] and log.counters().total == 0


@pytest.mark.allow_warning_logs("kproducer.activity", r"activity listener .* failed")
def test_listeners_get_every_record_until_unsubscribed(caplog):
    log = ActivityLog()
    seen = []
    unsubscribe = log.subscribe(seen.append)

    def broken(_record):
        raise RuntimeError("listener bug")

    log.subscribe(broken)
    with caplog.at_level(logging.ERROR):
        first = log.record("user.get", "fetched", 1)
    assert seen == [first]
    assert "listener" in caplog.text
    unsubscribe()
    log.record("user.get", "fetched", 1)
    assert seen == [first]


def test_thread_safe_under_concurrent_recording():
    log = ActivityLog(capacity=100)
    counted = []
    log.subscribe(lambda r: counted.append(1))

    def work():
        for _ in range(500):
            log.record("user.get", "fetched", 1)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert log.counters().by_outcome["fetched"] == 4000
    assert len(counted) == 4000
    assert len(log.records()) == 100


def test_default_log_is_one_per_process():
    assert default_log() is default_log()


# --- file -----------------------------------------------------------------------------------


def test_file_log_is_private_json_lines_in_the_log_folder():
    log = ActivityLog()
    path = log.write_to()
    assert path == paths.log_dir() / "activity.log"
    log.record("user.get", "fetched", 3.21, "")
    log.record("user.add", "error", 4, 'User "bob" already exists (DUPLICATE_USER_BY_ID).')
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [(x["action"], x["outcome"]) for x in lines] == [("user.get", "fetched"),
                                                            ("user.add", "error")]
    assert lines[0]["ms"] == 3.2
    assert (path.stat().st_mode & 0o777) == 0o600
    log.stop_writing()
    log.record("user.get", "fetched", 1)
    assert len(path.read_text().splitlines()) == 2
    assert log.log_file is None


def test_existing_file_is_made_private(tmp_path):
    path = tmp_path / "a.log"
    path.write_text("")
    path.chmod(0o644)
    ActivityLog(log_file=path).record("user.get", "fetched", 1)
    assert (path.stat().st_mode & 0o777) == 0o600


def test_file_is_rotated_when_large(tmp_path, monkeypatch):
    monkeypatch.setattr(activity_module, "MAX_FILE_BYTES", 400)
    path = tmp_path / "activity.log"
    log = ActivityLog(log_file=path)
    for _ in range(10):
        log.record("user.get", "fetched", 1, "x" * 50)
    rotated = path.with_name("activity.log.1")
    assert rotated.exists() and path.stat().st_size <= 400
    assert (rotated.stat().st_mode & 0o777) == 0o600


# --- redaction ------------------------------------------------------------------------------


def test_records_and_file_are_redacted(info, tmp_path):
    ks = make_ks(info)
    token = jwt.encode({"uid": "bob", "exp": 2_000_000_000}, "s" * 32, algorithm="HS256")
    register_secret("app-token-0123456789abcdef")
    log = ActivityLog(log_file=tmp_path / "a.log")
    entry = log.record("user.get", "error",
                       1, f'Invalid KS "{ks}" jwt={token} app-token-0123456789abcdef')
    for text in (entry.detail, (tmp_path / "a.log").read_text()):
        assert ks not in text and token not in text and "app-token-0123456789abcdef" not in text
    assert KS_MASK in entry.detail and JWT_MASK in entry.detail and SECRET_MASK in entry.detail
    forget_secret("app-token-0123456789abcdef")


def test_redact_masks_ks_v2_and_v1(info):
    v2 = make_ks(info, user_id="bob", session_type=0, privileges="sview:0_x")
    v1 = KalturaClient.generateSession(info.admin_secret, "bob", 0, info.partner_id).decode()
    assert redact(f"ks {v2} end") == f"ks {KS_MASK} end"
    assert v1 not in redact(f"got {v1}")
    assert redact(f"https://cdn/p/1/embed?entry_id=0_x&ks={v2}&x=1").endswith(
        f"&ks={KS_MASK}&x=1")


def test_redact_masks_ks_parameters_of_any_shape():
    assert redact('{"ks": "short-ks-value", "format": "2"}') == \
        f'{{"ks": "{KS_MASK}", "format": "2"}}'
    assert redact("ks=abc123") == f"ks={KS_MASK}"
    assert redact(f'"ks": "{KS_MASK}"') == f'"ks": "{KS_MASK}"'  # idempotent


def test_redact_masks_jwts():
    token = jwt.encode({"partnerId": 1, "groups": []}, "k" * 32, algorithm="HS256",
                       headers={"kid": "1"})
    assert redact(f"Bearer {token}.") == f"Bearer {JWT_MASK}."


def test_registered_secrets_are_masked_and_short_values_ignored():
    register_secret("0123456789abcdef0123456789abcdef")
    register_secret("abc")
    register_secret(None)
    try:
        assert redact("secret=0123456789abcdef0123456789abcdef!") == f"secret={SECRET_MASK}!"
        assert redact("abc def") == "abc def"
    finally:
        forget_secret("0123456789abcdef0123456789abcdef")
    assert redact("0123456789abcdef0123456789abcdef") == "0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize("text", [
    "https://www.kaltura.com/api_v3/service/user/action/get",
    'Entry "0_abc123de" was not found (ENTRY_ID_NOT_FOUND).',
    "producer@sandbox.kproducer thanks: 5",
    "a.b.c and 1.2.3",
    "",
])
def test_redact_leaves_ordinary_text_alone(text):
    assert redact(text) == text


def test_redacting_filter_cleans_log_records(info, caplog):
    ks = make_ks(info)
    logger = logging.getLogger("kproducer.test.redact")
    caplog.handler.addFilter(RedactingFilter())
    with caplog.at_level(logging.INFO, logger="kproducer.test.redact"):
        logger.info("request json: %s", {"ks": ks})
    assert ks not in caplog.text
    assert KS_MASK in caplog.text


# --- operations -----------------------------------------------------------------------------


def test_calls_belong_to_the_operation_they_run_within():
    import contextvars
    from concurrent.futures import ThreadPoolExecutor

    log = ActivityLog()
    outside = log.record("user.get", "fetched", 1)
    op = log.begin("Importing moderators")
    with log.within(op):
        inside = log.record("user.add", "created", 2)
        log.record("groupUser.list", "cached", 0)
        with ThreadPoolExecutor(2) as pool:  # a copied context carries the operation
            pool.submit(contextvars.copy_context().run, log.record, "groupUser.add",
                        "created", 3).result()
            stray = pool.submit(log.record, "user.get", "fetched", 1).result()
        log.describe("Imported 2 moderators into Launch keynote.")
    other = ActivityLog()
    with log.within(op):
        foreign = other.record("user.get", "fetched", 1)  # another log: not this operation
    assert (outside.operation, inside.operation, stray.operation, foreign.operation) == (
        activity_module.OTHER_CALLS, op, activity_module.OTHER_CALLS,
        activity_module.OTHER_CALLS)
    log.end(op, "done")
    found = log.operation(op)
    assert found is not None
    assert (found.title, found.ending, found.calls, found.cached) == (
        "Importing moderators", "done", 2, 1)
    assert found.result == "Imported 2 moderators into Launch keynote."
    assert found.seconds is not None and found.seconds >= 0
    assert log.describe("said outside any operation") is None
    assert log.operation(op).result == "Imported 2 moderators into Launch keynote."
    assert [o.title for o in log.operations()] == ["Other calls", "Importing moderators"]
    assert log.counters().operations == 1


def test_a_background_check_is_one_operation_that_counts_its_runs():
    log = ActivityLog()
    seen = []
    log.subscribe_operations(seen.append)
    first = log.begin("Checking which sessions are live", background=True)
    log.end(first, "done")
    again = log.begin("Checking which sessions are live", background=True)
    assert again == first
    current = log.operation(first)
    assert current is not None and (current.runs, current.ending) == (2, "running")
    assert log.begin("Loading events") != log.begin("Loading events")  # the producer's: each
    assert seen[-1].title == "Loading events" and len(seen) == 5


def test_ending_keeps_the_result_and_failures_say_why():
    log = ActivityLog()
    op = log.begin("Adding the moderator")
    log.end(op, "failed", "User  “bob” cannot be added:\nthe group is gone.")
    failed = log.operation(op)
    assert failed is not None and failed.ending == "failed"
    assert failed.result == "User “bob” cannot be added: the group is gone."


def test_clear_keeps_running_operations_and_counts_requests():
    log = ActivityLog()
    running = log.begin("Importing moderators")
    done = log.begin("Loading events")
    log.end(done, "done")
    log.count_request()
    with log.within(running):
        log.record("user.add", "created", 1)
    assert log.counters().requests == 1
    log.clear()
    assert [o.id for o in log.operations()] == [running]
    assert log.operation(running).calls == 0 and log.counters().requests == 0
