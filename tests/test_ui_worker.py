"""ui/worker.py: results on the GUI thread, failures as sentences, cancel, controls re-enabled."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication, QPushButton

from kproducer.kaltura.errors import NotFound
from kproducer.ui.failure import Failure, describe
from kproducer.ui.job_context import Cancelled
from kproducer.ui.worker import Worker


@pytest.fixture
def worker(qtbot):
    w = Worker()
    yield w
    w.shutdown(10_000)


def test_result_arrives_on_gui_thread_and_controls_come_back(qtbot, worker):
    button = QPushButton()
    qtbot.addWidget(button)
    release = threading.Event()
    seen = {}

    def job(ctx):
        seen["thread"] = threading.current_thread()
        release.wait(10)
        return 42

    def done(value):
        seen["value"] = value
        seen["gui"] = QThread.currentThread() is QApplication.instance().thread()

    started = worker.run("Answering", job, on_done=done, controls=[button])
    assert not button.isEnabled()
    with qtbot.waitSignal(started.settled, timeout=10_000):
        release.set()
    assert seen["value"] == 42 and seen["gui"] is True
    assert seen["thread"] is not threading.main_thread()
    assert button.isEnabled()
    assert worker.jobs == []


def test_failure_is_one_sentence_with_details_and_controls_usable(qtbot, worker):
    button = QPushButton()
    qtbot.addWidget(button)
    failures: list[Failure] = []

    def job(ctx):
        raise NotFound('Entry "0_nothere" was not found (ENTRY_ID_NOT_FOUND).', "ENTRY_ID_NOT_FOUND")

    with qtbot.waitSignal(worker.jobFailed, timeout=10_000) as blocker:
        worker.run("Loading the entry", job, on_error=failures.append, controls=[button])
    failure = blocker.args[1]
    assert failures == [failure]
    assert failure.message == 'Entry "0_nothere" was not found (ENTRY_ID_NOT_FOUND).'
    assert "Traceback" not in failure.message and "\n" not in failure.message
    assert "Traceback" in failure.details and "ENTRY_ID_NOT_FOUND" in failure.details
    qtbot.waitUntil(button.isEnabled, timeout=5_000)


def test_unexpected_error_never_vanishes(qtbot, worker):
    with qtbot.waitSignal(worker.jobFailed, timeout=10_000) as blocker:
        worker.run("Counting", lambda ctx: 1 / 0)
    failure = blocker.args[1]
    assert failure.message == (
        "Counting failed because of an unexpected error (ZeroDivisionError); "
        "the details show where."
    )
    assert "ZeroDivisionError" in failure.details


def test_a_bug_in_the_gui_callback_is_reported_too(qtbot, worker):
    def broken(value):
        raise KeyError("oops")

    with qtbot.waitSignal(worker.jobFailed, timeout=10_000) as blocker:
        worker.run("Showing", lambda ctx: 1, on_done=broken)
    assert "KeyError" in blocker.args[1].details


def test_cancel_delivers_the_partial_result(qtbot, worker):
    progressed = threading.Event()

    def job(ctx):
        done = 0
        while not ctx.cancelled:
            done += 1
            ctx.progress(done, 1000)
            progressed.set()
            ctx.cancel_event.wait(0.01)
        return done

    results = []
    job_handle = worker.run("Counting", job, on_done=results.append)
    assert progressed.wait(10)
    with qtbot.waitSignal(job_handle.settled, timeout=10_000):
        job_handle.cancel()
    assert results and results[0] >= 1


def test_cancelled_exception_means_cancelled(qtbot, worker):
    def job(ctx):
        ctx.cancel_event.wait(10)
        ctx.check_cancelled()
        return "not reached"

    results = []
    handle = worker.run("Waiting", job, on_done=results.append)
    with qtbot.waitSignal(handle.cancelled, timeout=10_000):
        handle.cancel()
    assert results == []
    assert isinstance(Cancelled(), Exception)


def test_newer_job_with_the_same_key_wins(qtbot, worker):
    gate, running = threading.Event(), threading.Event()
    shown = []

    def slow(ctx):
        running.set()
        gate.wait(10)
        return "old"

    first = worker.run("Loading", slow, on_done=shown.append, key="list")
    assert running.wait(10)
    second = worker.run("Loading", lambda ctx: "new", on_done=shown.append, key="list")
    with qtbot.waitSignal(second.settled, timeout=10_000):
        pass
    with qtbot.waitSignal(first.cancelled, timeout=10_000):
        gate.set()
    assert shown == ["new"]


def test_a_read_abandoned_on_cancel_settles_at_once_and_its_late_result_is_dropped(qtbot):
    worker = Worker(max_threads=1)
    button = QPushButton()
    qtbot.addWidget(button)
    gate, running = threading.Event(), threading.Event()

    def hung(ctx):  # a call that cannot be interrupted, on a slow network
        running.set()
        gate.wait(10)
        return "late"

    shown = []
    job = worker.run("Loading", hung, on_done=shown.append, controls=[button],
                     abandon_on_cancel=True)
    try:
        assert running.wait(10) and not button.isEnabled()
        with qtbot.waitSignals([job.cancelled, job.settled], timeout=1000):
            job.cancel()
        assert button.isEnabled() and worker.jobs == [] and not job.running
        assert worker.abandoned == [job]
        # The hung call keeps its thread, but new work does not queue behind it.
        # Held in a name: a job nobody references is collected once it settles, and the
        # wait's disconnect from a deleted object fails ("Failed to disconnect ... settled()").
        next_job = worker.run("Next", lambda ctx: "next", on_done=shown.append)
        with qtbot.waitSignal(next_job.settled, timeout=10_000):
            pass
        with qtbot.waitSignal(job.returned, timeout=10_000):
            gate.set()
        assert shown == ["next"]
        assert worker.abandoned == [] and worker.pool.maxThreadCount() == 1
    finally:
        gate.set()
        worker.shutdown(10_000)


def test_shared_control_stays_disabled_until_the_last_job(qtbot, worker):
    button = QPushButton()
    qtbot.addWidget(button)
    gates = [threading.Event(), threading.Event()]
    jobs = [worker.run("Job", lambda ctx, g=g: g.wait(10), controls=[button]) for g in gates]
    with qtbot.waitSignal(jobs[0].settled, timeout=10_000):
        gates[0].set()
    assert not button.isEnabled()
    with qtbot.waitSignal(jobs[1].settled, timeout=10_000):
        gates[1].set()
    assert button.isEnabled()


def test_progress_is_relayed(qtbot, worker):
    seen = []

    def job(ctx):
        for n in range(1, 4):
            ctx.progress(n, 3, "rows")
        return None

    handle = worker.run("Importing", job, on_progress=lambda d, t, n: seen.append((d, t)))
    with qtbot.waitSignal(handle.settled, timeout=10_000):
        pass
    assert seen[-1] == (3, 3)
    assert handle.last_progress[:2] == (3, 3)


def test_describe_file_errors():
    failure = describe("Saving", FileNotFoundError(2, "No such file or directory", "/x/y.csv"))
    assert failure.message == "Saving failed: No such file or directory (/x/y.csv)."


def test_on_cancelled_is_for_the_producers_cancel_not_for_a_newer_job(qtbot, worker):
    release = threading.Event()
    told: list[str] = []

    def slow(ctx):
        release.wait(10)
        return "late"

    first = worker.run("Loading", slow, key="load", abandon_on_cancel=True,
                       on_cancelled=lambda: told.append("first"))
    second = worker.run("Loading", slow, key="load", abandon_on_cancel=True,
                        on_cancelled=lambda: told.append("second"))  # replaces the first
    assert first.superseded and told == []
    second.cancel()  # the producer's Cancel
    assert told == ["second"] and not worker.jobs
    release.set()
    qtbot.waitUntil(lambda: not worker.abandoned, timeout=10_000)
    assert told == ["second"]


def test_a_quiet_job_is_not_announced_and_its_failure_goes_to_its_handler_only(
    qtbot, worker
):
    """A poll nobody asked for: no progress, no status-bar sentence, no busy window."""
    announced: list[object] = []
    for signal in (worker.jobStarted, worker.jobSettled, worker.jobFailed, worker.busyChanged):
        signal.connect(lambda *args: announced.append(args))
    failures: list[Failure] = []
    settled: list[bool] = []

    def fail(ctx):
        raise NotFound("Session 0_gone does not exist.", "ENTRY_ID_NOT_FOUND")

    job = worker.run("Checking which sessions are live", fail, on_error=failures.append,
                     on_settled=lambda: settled.append(True), quiet=True)
    assert worker.jobs == []  # running, but not among the jobs the window shows
    qtbot.waitUntil(lambda: bool(settled), timeout=5000)
    assert [f.message for f in failures] == ["Session 0_gone does not exist."]
    assert announced == [] and job.quiet


def test_the_activity_says_replaced_for_a_newer_job_and_cancelled_for_the_producers_cancel(
    qtbot
):
    """A job a newer one of its key replaced is not something the producer cancelled: the
    Activity dock says "Replaced" (the preview built twice at startup read "Cancelled")."""
    from kproducer.activity import ActivityLog
    from kproducer.ui.activity_tree import ENDING_WORDS

    log = ActivityLog()
    worker = Worker(activity=log)
    release = threading.Event()
    try:
        first = worker.run("Building the preview", lambda ctx: release.wait(10),
                           key="preview", abandon_on_cancel=True)
        second = worker.run("Building the preview", lambda ctx: release.wait(10),
                            key="preview", abandon_on_cancel=True)
        second.cancel()
        endings = {job.operation: log.operation(job.operation) for job in (first, second)}
        assert [(endings[j.operation].ending, endings[j.operation].result)
                for j in (first, second)] == [("replaced", "A newer one took its place."),
                                              ("cancelled", "Cancelled.")]
        assert ENDING_WORDS["replaced"] == "Replaced"
    finally:
        release.set()
        qtbot.waitUntil(lambda: not worker.abandoned, timeout=10_000)
        worker.shutdown(10_000)
