"""The one way the UI runs service calls: jobs on a QThreadPool, results back on the GUI thread.

A job is a plain function of a :class:`JobContext` run on a pool thread::

    job = worker.run(
        "Loading events",
        lambda ctx: events.list_events(account),
        on_done=self._show_events,
        controls=[self.refresh_button],
    )

Every job ends in exactly one of ``finished(result)``, ``failed(Failure)`` or ``cancelled()``,
then ``settled()``; all four are emitted on the GUI thread. The controls named when the job
started are disabled while it runs and always enabled again when it settles (a control shared
by several jobs stays disabled until the last one settles). A failure is one readable sentence
(:attr:`Failure.message`) plus technical details for a "Details" button; it is also logged and
announced through :attr:`Worker.jobFailed`, so an exception can never vanish.

Cancelling sets :attr:`JobContext.cancel_event`; a job that notices returns early (its partial
result is still delivered through ``finished``) or raises :class:`Cancelled`. A job started
with a ``key`` supersedes the running job with the same key: the old one is cancelled and its
outcome is dropped (only the newest list of entries ever reaches the table).

With an activity log, each job is one of the producer's operations there, named by its title:
the calls its function makes (and the sentence its ``on_done`` says, through
:meth:`kproducer.activity.ActivityLog.describe`) are listed under it in the Activity dock.

A call already sent cannot be interrupted, and on a slow network it may take until the read
timeout to come back. A job that only reads (a list being loaded) is therefore started with
``abandon_on_cancel``: Cancel settles it at once (``cancelled`` then ``settled``; its controls
work again) and whatever its call brings back later is dropped.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from .failure import Failure, describe
from .job_context import Cancelled, JobContext

if TYPE_CHECKING:
    from ..activity import ActivityLog, Ending

log = logging.getLogger(__name__)

T = TypeVar("T")
Control = QWidget | QAction


class _Runnable(QRunnable):
    """Runs the job's function on a pool thread and hands the outcome to the job."""

    def __init__(self, job: Job[Any]) -> None:
        super().__init__()
        self._job = job
        self.setAutoDelete(True)

    def run(self) -> None:
        job = self._job
        if job.context.cancelled:
            job._outcome.emit("cancelled", None)
            return
        try:
            with job.within():
                result = job.function(job.context)
        except Cancelled:
            job._outcome.emit("cancelled", None)
        except BaseException as exc:  # every failure must reach the GUI thread
            job._outcome.emit("failed", exc)
        else:
            job._outcome.emit("finished", result)


class Job(QObject, Generic[T]):
    """One background job; lives on the GUI thread, its function runs on a pool thread.

    Signals:
        progressed(int, int, str): rows done, rows total, a short note.
        finished(object): the function's result.
        failed(Failure): why it failed.
        cancelled(): it was cancelled (or superseded) before it delivered a result.
        settled(): always last, whatever happened.
    """

    progressed = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(object)
    cancelled = Signal()
    settled = Signal()
    #: The function of a job abandoned on cancel has returned (its outcome was dropped).
    returned = Signal()
    _outcome = Signal(str, object)
    _progress = Signal(int, int, str)

    def __init__(self, title: str, function: Callable[[JobContext], T], key: str | None,
                 abandon_on_cancel: bool = False) -> None:
        super().__init__()
        self.title = title
        self.function = function
        self.key = key
        self.abandon_on_cancel = abandon_on_cancel
        self.context = JobContext(self._progress.emit)
        self.superseded = False
        self.quiet = False  #: failures go to the job's own handler only (see Worker.run)
        self.abandoned = False
        self.running = True
        self.last_progress: tuple[int, int, str] = (0, 0, "")
        #: The activity log and this job's operation in it, when the worker has a log.
        self.activity: ActivityLog | None = None
        self.operation = 0
        self._outcome.connect(self._deliver)
        self._progress.connect(self._relay_progress)

    def within(self) -> contextlib.AbstractContextManager[object]:
        """Calls and sentences in this block belong to the job's operation (if it has one)."""
        if self.activity is None:
            return contextlib.nullcontext()
        return self.activity.within(self.operation)

    @property
    def is_cancelled(self) -> bool:
        """Cancel was requested."""
        return self.context.cancelled

    def cancel(self) -> None:
        """Ask the job to stop (it stops at its next check; nothing is interrupted).

        A job started with ``abandon_on_cancel`` settles now, as cancelled; what its function
        returns later is dropped.
        """
        self.context.cancel_event.set()
        if self.abandon_on_cancel and self.running:
            self.abandoned = True
            self._deliver("cancelled", None)

    @Slot(int, int, str)
    def _relay_progress(self, done: int, total: int, text: str) -> None:
        if self.running and not self.superseded:
            self.last_progress = (done, total, text)
            self.progressed.emit(done, total, text)

    @Slot(str, object)
    def _deliver(self, outcome: str, value: object) -> None:
        if not self.running:  # abandoned: it settled when cancelled, this comes too late
            self.returned.emit()
            return
        self.running = False
        try:
            if self.superseded or outcome == "cancelled":
                self.cancelled.emit()
            elif outcome == "finished":
                self.finished.emit(value)
            else:
                assert isinstance(value, BaseException)
                self.failed.emit(describe(self.title, value))
        finally:
            self.settled.emit()


class _ControlLocks:
    """Disables each control while at least one job that named it runs."""

    def __init__(self) -> None:
        self._counts: dict[int, tuple[Control, int]] = {}

    def acquire(self, controls: Iterable[Control]) -> None:
        for control in controls:
            held, count = self._counts.get(id(control), (control, 0))
            if count == 0:
                control.setEnabled(False)
            self._counts[id(control)] = (held, count + 1)

    def release(self, controls: Iterable[Control]) -> None:
        for control in controls:
            held, count = self._counts.get(id(control), (control, 1))
            if count <= 1:
                self._counts.pop(id(control), None)
                with contextlib.suppress(RuntimeError):  # the widget was deleted meanwhile
                    held.setEnabled(True)
            else:
                self._counts[id(control)] = (held, count - 1)

    def held(self, control: Control) -> bool:
        return id(control) in self._counts


class Worker(QObject):
    """Starts jobs and tracks them; one per main window.

    Signals:
        jobStarted(Job): a job was queued.
        jobSettled(Job): a job ended (any outcome).
        jobFailed(Job, Failure): a job failed (the window shows the sentence).
        busyChanged(int): the number of running jobs changed.
    """

    jobStarted = Signal(object)
    jobSettled = Signal(object)
    jobFailed = Signal(object, object)
    busyChanged = Signal(int)

    def __init__(self, max_threads: int = 4, parent: QObject | None = None,
                 activity: ActivityLog | None = None) -> None:
        super().__init__(parent)
        #: Where each job is recorded as one operation (None: jobs are not recorded).
        self.activity = activity
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self._jobs: list[Job[Any]] = []
        #: Jobs abandoned on cancel whose function still runs (kept until it returns).
        self._abandoned: set[Job[Any]] = set()
        self._max_threads = max_threads
        self._locks = _ControlLocks()

    @property
    def jobs(self) -> list[Job[Any]]:
        """The running jobs the window shows, oldest first (quiet polls are not among them)."""
        return [j for j in self._jobs if not j.quiet]

    @property
    def abandoned(self) -> list[Job[Any]]:
        """Jobs abandoned on cancel whose function has not returned yet."""
        return list(self._abandoned)

    def is_held(self, control: Control) -> bool:
        """Whether a running job keeps ``control`` disabled."""
        return self._locks.held(control)

    def run(
        self,
        title: str,
        function: Callable[[JobContext], T],
        *,
        on_done: Callable[[T], object] | None = None,
        on_error: Callable[[Failure], object] | None = None,
        on_progress: Callable[[int, int, str], None] | None = None,
        on_settled: Callable[[], object] | None = None,
        on_cancelled: Callable[[], object] | None = None,
        controls: Sequence[Control] = (),
        key: str | None = None,
        abandon_on_cancel: bool = False,
        quiet: bool = False,
    ) -> Job[T]:
        """Run ``function(context)`` on a pool thread.

        Args:
            title: What the job does, as a phrase ("Importing moderators").
            function: The work; it must not touch widgets.
            on_done: Called on the GUI thread with the result.
            on_error: Called on the GUI thread with a :class:`Failure` (the window's
                status bar shows it too).
            on_progress: Called on the GUI thread with (done, total, note).
            on_settled: Called on the GUI thread last, whatever happened.
            on_cancelled: Called on the GUI thread when the producer cancelled the job (not
                when a newer job with the same key replaced it).
            controls: Widgets and actions to disable while the job runs.
            key: Supersede the running job with this key (its outcome is dropped).
            abandon_on_cancel: The job only reads, so nothing is lost by not waiting for
                it: Cancel (or a newer job with the same key) settles it at once and
                enables its controls again; what it returns later is dropped.
            quiet: A background refresh the producer did not ask for (a poll): it is not
                announced (no jobStarted, jobSettled or busyChanged, so the status bar shows
                no progress for it), and its failure goes to ``on_error`` only, never over
                the status bar's sentence.

        Returns:
            The job (for its signals and :meth:`Job.cancel`).
        """
        if key is not None:
            for old in list(self._jobs):  # an abandoned one leaves the list as it settles
                if old.key == key and not old.superseded:
                    old.superseded = True
                    old.cancel()
        job: Job[T] = Job(title, function, key, abandon_on_cancel)
        job.quiet = quiet
        if self.activity is not None:
            job.activity = self.activity
            job.operation = self.activity.begin(title, background=quiet)
        held = list(controls)
        self._locks.acquire(held)
        if on_cancelled is not None:
            job.cancelled.connect(
                lambda: None if job.superseded else self._guard(job, lambda _: on_cancelled(),
                                                                None))
        if on_progress is not None:
            job.progressed.connect(on_progress)
        if on_done is not None:
            job.finished.connect(lambda result: self._guard(job, on_done, result))
        job.failed.connect(lambda failure: self._failed(job, failure, on_error))
        job.finished.connect(lambda _: self._ended(job, "done"))
        job.cancelled.connect(lambda: self._ended(job, "replaced", "A newer one took its place.")
                              if job.superseded else self._ended(job, "cancelled", "Cancelled."))
        job.settled.connect(lambda: self._settle(job, held, on_settled))
        job.returned.connect(lambda: self._forget_abandoned(job))
        self._jobs.append(job)
        if not job.quiet:
            self.jobStarted.emit(job)
            self.busyChanged.emit(self._shown())
        self.pool.start(_Runnable(job))
        return job

    def cancel_all(self) -> None:
        """Cancel every running job."""
        for job in list(self._jobs):
            job.cancel()

    def shutdown(self, wait_ms: int = 5000) -> bool:
        """Cancel every job and wait for the pool threads (at exit). True when all stopped."""
        self.cancel_all()
        return bool(self.pool.waitForDone(wait_ms))

    def _forget_abandoned(self, job: Job[Any]) -> None:
        """An abandoned job's function returned: its thread is free again."""
        self._abandoned.discard(job)
        self.pool.setMaxThreadCount(self._max_threads + len(self._abandoned))

    def _guard(self, job: Job[Any], callback: Callable[[Any], object], value: Any) -> None:
        """Run a GUI-thread callback; a bug in it is reported like a failed job."""
        try:
            with job.within():  # what it says is what came of the operation
                callback(value)
        except Exception as exc:
            self._failed(job, describe(job.title, exc), None)

    def _failed(
        self, job: Job[Any], failure: Failure, on_error: Callable[[Failure], object] | None
    ) -> None:
        # Shown in the window (status bar or dialog, with the details); logged for the record
        # below WARNING so a terminal or the smoke test's stderr never gets a second copy.
        log.info("%s failed: %s", failure.title, failure.message)
        log.debug("%s", failure.details)
        self._ended(job, "failed", failure.message)
        if on_error is not None:
            try:
                on_error(failure)
            except Exception:
                log.exception("the error handler of %r failed", job.title)
        if not job.quiet:
            self.jobFailed.emit(job, failure)

    def _ended(self, job: Job[Any], ending: Ending, result: str = "") -> None:
        """Tell the activity log how the job's operation ended."""
        if job.activity is None:
            return
        now = job.activity.operation(job.operation)
        if now is not None and now.ending == "failed":  # on_done raised: it stays failed
            return
        job.activity.end(job.operation, ending, result)

    def _settle(
        self, job: Job[Any], held: list[Control], on_settled: Callable[[], object] | None
    ) -> None:
        self._locks.release(held)
        if job in self._jobs:
            self._jobs.remove(job)
        if job.abandoned:
            # Its thread still runs it: keep it (not deleted under that thread), and give the
            # pool a thread more meanwhile so that new jobs do not queue behind a hung call.
            self._abandoned.add(job)
            self.pool.setMaxThreadCount(self._max_threads + len(self._abandoned))
        if on_settled is not None:
            self._guard(job, lambda _: on_settled(), None)
        if not job.quiet:
            self.jobSettled.emit(job)
            self.busyChanged.emit(self._shown())

    def _shown(self) -> int:
        """Running jobs the window shows (a quiet poll is not one of them)."""
        return sum(1 for j in self._jobs if not j.quiet)
