"""The status bar: messages, failures with details on demand, job progress, connection state."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QStatusBar,
    QToolButton,
    QWidget,
)

from . import plain_text
from .common import failure_box
from .failure import Failure
from .worker import Job, Worker

MESSAGE_MS = 8000


class JobProgress(QWidget):
    """What runs in the background: the newest job's title, its progress, and Cancel.

    Signals:
        stopped(str): a job was cancelled and settled at once (its title).
    """

    stopped = Signal(str)

    def __init__(self, worker: Worker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.label = QLabel(self)
        self.bar = QProgressBar(self)
        self.bar.setMaximumWidth(self.fontMetrics().horizontalAdvance("M") * 12)
        self.bar.setTextVisible(False)
        self.cancel = QToolButton(self)
        self.cancel.setText("Cancel")
        self.cancel.setToolTip("Cancel the newest background job")
        self.cancel.clicked.connect(self._cancel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel)
        worker.busyChanged.connect(lambda _: self.update_view())
        worker.jobStarted.connect(self._watch)
        self.update_view()

    def _watch(self, job: Job[Any]) -> None:
        job.progressed.connect(lambda *_: self.update_view())

    def _cancel(self) -> None:
        jobs = [j for j in self.worker.jobs if not j.superseded]
        if not jobs:
            return
        job = jobs[-1]  # the one shown
        job.cancel()
        if job.running:  # it stops at its next check: between two batches, say
            self.label.setText(f"Cancelling: {job.title[:1].lower()}{job.title[1:]}…")
            self.cancel.setEnabled(False)
        else:  # abandoned: the view moved on to the next job, or hid
            self.stopped.emit(job.title)

    def update_view(self) -> None:
        """Show the newest running job, or hide."""
        jobs = [j for j in self.worker.jobs if not j.superseded]
        self.setVisible(bool(jobs))
        if not jobs:
            return
        job = jobs[-1]
        more = f" (+{len(jobs) - 1} more)" if len(jobs) > 1 else ""
        done, total, note = job.last_progress
        if total:
            self.bar.setRange(0, total)
            self.bar.setValue(done)
            text = f"{job.title}… {note or f'{done} of {total}'}{more}"
        else:
            self.bar.setRange(0, 0)
            text = f"{job.title}…{more}"
        metrics = self.label.fontMetrics()
        room = 64 if note else 48  # a note (an upload's speed and time left) is worth more
        self.label.setText(metrics.elidedText(text, Qt.TextElideMode.ElideMiddle,
                                              metrics.averageCharWidth() * room))
        self.label.setToolTip(plain_text.tooltip(text))  # job titles hold names
        self.cancel.setEnabled(not job.is_cancelled)


class ElidedLabel(QLabel):
    """A one-line label that ends in "…" where its room ends (``text()`` stays whole).

    The status bar's sentence shares the line with the job progress and the connection: at
    1024 px it was cut mid-word ("Uploading 1 reco") under the progress label.
    """

    def paintEvent(self, event: QPaintEvent) -> None:
        """Draw the text elided to the label's width when it does not fit."""
        rect = self.contentsRect()
        metrics = self.fontMetrics()
        if metrics.horizontalAdvance(self.text()) <= rect.width():
            super().paintEvent(event)
            return
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(rect, int(self.alignment() | Qt.AlignmentFlag.AlignVCenter),
                         metrics.elidedText(self.text(), Qt.TextElideMode.ElideRight,
                                            rect.width()))
        painter.end()


class StatusBar(QStatusBar):
    """Messages on the left; job progress and the connection state on the right.

    Messages are a label of our own (not ``showMessage``, which would hide "Details…").
    """

    def __init__(self, worker: Worker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.failure: Failure | None = None
        self.message = ElidedLabel(self)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # A long sentence ends in "…" at its room's edge (whole in its tooltip) rather than
        # making the window wider than a 1024-pixel screen.
        self.message.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.details = QPushButton("Details…", self)
        self.details.setFlat(True)
        self.details.setToolTip("What went wrong, in technical terms")
        self.details.clicked.connect(self._show_details)
        self.details.hide()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._expire)
        self.jobs = JobProgress(worker, self)
        self.connection = QLabel("Not connected", self)
        self.live = QLabel(self)
        self.live.hide()
        self.addWidget(self.message, 1)
        self.addWidget(self.details)
        self.addPermanentWidget(self.jobs)
        self.addPermanentWidget(self.live)
        self.addPermanentWidget(self.connection)
        worker.jobFailed.connect(lambda job, failure: self.show_failure(failure))
        self.jobs.stopped.connect(lambda title: self.say(f"{title} cancelled."))

    def text(self) -> str:
        """The sentence shown now."""
        return self.message.text()

    def say(self, text: str) -> None:
        """Show an informational sentence for a while."""
        self.failure = None
        self.details.hide()
        self.message.setText(text)
        self.message.setToolTip(plain_text.tooltip(text))
        self._timer.start(MESSAGE_MS)

    def show_failure(self, failure: Failure) -> None:
        """Show a failure's sentence until the next message, with "Details…"."""
        self._timer.stop()
        self.failure = failure
        self.message.setText(f"⚠ {failure.title} failed: {failure.message}")
        self.message.setToolTip(plain_text.tooltip(self.message.text()))
        self.details.show()

    def _expire(self) -> None:
        if self.failure is None:
            self.message.clear()

    def _show_details(self) -> None:
        if self.failure is not None:
            failure_box(self.window(), self.failure)

    def set_connection(self, text: str, tooltip: str = "") -> None:
        """Show the connection state (always visible)."""
        self.connection.setText(text)
        self.connection.setToolTip(plain_text.tooltip(tooltip))  # profile name, URL

    def set_live(self, text: str, tooltip: str = "") -> None:
        """Show which sessions are on air ("" hides it)."""
        self.live.setText(text)
        self.live.setToolTip(plain_text.tooltip(tooltip))  # session names
        self.live.setVisible(bool(text))
