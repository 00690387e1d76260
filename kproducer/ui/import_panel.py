"""The moderator import panel: progress, Cancel, a per-row result table, save, retry, re-import.

The panel belongs to one session: its title names it, Retry and "Import the file again" work on
it, and the Moderators tab resets the panel when the producer picks another session (unless an
import is running, which then finishes for the session it names).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .common import Deps, heading
from .failure import Failure
from .job_context import JobContext
from .table import Column, RowsModel, make_view
from .worker import Job

if TYPE_CHECKING:
    from ..services.account import Account
    from ..services.moderator_import import ImportReport
    from ..services.moderators import RowResult

HELP = ("CSV columns: user_id (or email), optional first_name, last_name, email, role. Rows "
        "with role “attendee” are skipped. Importing a file again only adds who is missing.")
RETRY = "Re&try failed rows"
STATUS_WORDS = {"added": "added", "already": "already a moderator", "failed": "failed",
                "skipped": "skipped"}


def _tone(row: RowResult) -> str:
    return {"failed": "error", "added": "good", "skipped": "muted"}.get(row.status, "")


COLUMNS: list[Column[RowResult]] = [
    Column("Line", lambda r: str(r.line), sort=lambda r: r.line, numeric=True, width=6),
    Column("User ID", lambda r: r.user_id, width=28),
    Column("Result", lambda r: STATUS_WORDS.get(r.status, r.status), tone=_tone, width=20),
    Column("Error", lambda r: r.error, tooltip=lambda r: r.error),
]


class ImportPanel(QWidget):
    """Runs one CSV import at a time and shows how every row went.

    Signals:
        imported(object): an import (or retry) ended with this :class:`ImportReport`;
            the moderators list should be reloaded.
    """

    imported = Signal(object)

    def __init__(self, deps: Deps, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.deps = deps
        self.job: Job[ImportReport] | None = None
        self.report: ImportReport | None = None
        #: The session this panel imports into: (entry ID, its label), once started.
        self.target: tuple[str, str] | None = None
        self._path: Path | None = None
        self.model: RowsModel[RowResult] = RowsModel(COLUMNS, self)
        self.view = make_view(self.model, "import.results", self, stretch=3, min_rows=5)

        self.title = heading("Import from CSV", self)
        self.title.setToolTip(HELP)
        self.source = QLabel(self)
        self.source.setWordWrap(True)
        self.source.setToolTip(HELP)
        self.progress = QProgressBar(self)
        self.progress.setFormat("%v of %m rows")
        self.cancel_button = QPushButton("&Cancel import", self)
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setToolTip("Stop the import (Esc); rows already sent are finished")
        escape = QShortcut(QKeySequence(QKeySequence.StandardKey.Cancel), self, self.cancel)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.failed_only = QCheckBox("Show failed rows only", self)
        self.failed_only.toggled.connect(
            lambda on: self.model.set_filter(
                predicate=(lambda r: r.status == "failed") if on else None))
        self.save_button = QPushButton("&Save results…", self)
        self.save_button.clicked.connect(self.save)
        self.retry_button = QPushButton(RETRY, self)
        self.retry_button.clicked.connect(self.retry)
        self.retry_button.setToolTip("Try the rows Kaltura did not do again (rows invalid in "
                                     "the file would fail the same way: fix the file and "
                                     "import it again)")
        self.again_button = QPushButton("Import the file a&gain", self)
        self.again_button.clicked.connect(self.import_again)
        self.again_button.setToolTip("Read the file again (after you fixed it) and import it "
                                     "into the same session; who is already a moderator is "
                                     "skipped")
        self.close_button = QPushButton("Close", self)
        self.close_button.clicked.connect(self.close_panel)

        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addWidget(self.progress, 1)
        top.addWidget(self.cancel_button)
        actions = QHBoxLayout()
        actions.addWidget(self.failed_only)
        actions.addStretch(1)
        for button in (self.save_button, self.retry_button, self.again_button,
                       self.close_button):
            actions.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.source)
        layout.addWidget(self.summary)
        layout.addWidget(self.view, 1)
        layout.addLayout(actions)
        self._idle()

    @property
    def running(self) -> bool:
        """An import is in progress."""
        return self.job is not None

    def _idle(self) -> None:
        self.cancel_button.setEnabled(False)
        report = self.report
        again = len(report.retryable()) if report is not None else 0
        self.save_button.setEnabled(report is not None)
        self.retry_button.setEnabled(bool(again))
        self.retry_button.setText(
            f"Re&try {_rows(again, 'failed ')}" if again else RETRY)
        self.again_button.setEnabled(self._path is not None and self.target is not None)
        self.close_button.setEnabled(True)

    def start(self, account: Account, entry_id: str, entry_label: str, path: Path) -> None:
        """Import ``path`` into the moderators of ``entry_id``."""
        self.target, self._path = (entry_id, entry_label), path
        self._begin(f"Importing {path.name} into the moderators of {entry_label}.")

        def run(ctx: JobContext) -> ImportReport:
            from ..services import moderator_import

            return moderator_import.import_csv(
                account, entry_id, path, progress=ctx.progress, cancel=ctx.cancel_event)

        self._launch(f"Importing moderators into {entry_label}", run)  # names the session

    def import_again(self) -> None:
        """Read the same file again (the producer fixed it) into the same session."""
        account = self.deps.account()
        if account is None or self.running or self.target is None or self._path is None:
            return
        self.start(account, *self.target, self._path)

    def retry(self) -> None:
        """Try the rows Kaltura did not do again (not those the file gets wrong)."""
        account, report = self.deps.account(), self.report
        if account is None or report is None or self.running or self.target is None:
            return
        again = len(report.retryable())
        left = (f" The {_rows(report.invalid)} invalid in the file stay as they are: fix the "
                "file and import it again." if report.invalid else "")
        self._begin(f"Retrying {_rows(again)} for the moderators of {self.target[1]}.{left}")

        def run(ctx: JobContext) -> ImportReport:
            from ..services import moderator_import

            return moderator_import.retry(
                account, report, progress=ctx.progress, cancel=ctx.cancel_event)

        self._launch(f"Retrying failed rows for {self.target[1]}", run)

    def reset(self) -> None:
        """Forget the last import and hide (another session was picked)."""
        if self.running:
            return
        self.report, self.target, self._path = None, None, None
        self.model.set_rows([])
        self.summary.clear()
        self.source.clear()
        self.hide()
        self._idle()

    def close_panel(self) -> None:
        """Close the panel (its results stay until another session or import)."""
        self.hide()

    def cancel(self) -> None:
        """Stop starting new batches; the ones on their way finish and are reported."""
        if self.job is not None:
            self.job.cancel()
            self.cancel_button.setEnabled(False)
            self.summary.setText("Cancelling: waiting for the requests already sent…")

    def _begin(self, text: str) -> None:
        self.show()
        self.source.setText(text)
        self.summary.setText("Reading the file…")
        self.progress.setRange(0, 0)
        self.progress.show()
        self.model.set_rows([])

    def _launch(self, title: str, function: Callable[[JobContext], ImportReport]) -> None:
        self.job = self.deps.worker.run(
            title,
            function,
            on_done=self._finished,
            on_error=self._failed,
            on_progress=self._progressed,
            on_settled=self._settled,
            controls=[self.save_button, self.retry_button, self.again_button,
                      self.close_button],
        )
        self.cancel_button.setEnabled(True)

    def _progressed(self, done: int, total: int, _note: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        if self.job is not None and not self.job.is_cancelled:
            self.summary.setText(f"{done} of {total} rows done…")

    def _finished(self, report: ImportReport) -> None:
        self.report = report
        self.model.set_rows(report.results)
        total = len(report.results)
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(total - report.not_started)
        lead = "Import cancelled: " if report.cancelled else "Import finished: "
        if self.target is not None:
            what = report.source.name if report.source is not None else "The rows"
            self.source.setText(f"{what} → the moderators of {self.target[1]}.")
        advice = report.advice()
        self.summary.setText(lead + report.summary() + (f"\n{advice}" if advice else ""))
        self.deps.say(lead + report.summary())
        self.imported.emit(report)

    def _failed(self, failure: Failure) -> None:
        self.progress.hide()
        self.summary.setText(f"Nothing was imported: {failure.message}")

    def _settled(self) -> None:
        self.job = None
        self._idle()

    def save(self) -> None:
        """Save the per-row results as CSV."""
        if self.report is None:
            return
        suggested = "moderator-import-results.csv"
        if self.report.source is not None:
            suggested = str(self.report.source.with_name(
                f"{self.report.source.stem}-results.csv"))
        from PySide6.QtWidgets import QFileDialog

        name, _ = QFileDialog.getSaveFileName(self, "Save import results", suggested,
                                              "CSV files (*.csv)")
        if not name:
            return
        self.save_to(Path(name))

    def save_to(self, path: Path) -> Job[Path]:
        """Write the results to ``path`` (on a worker; atomic, owner-only)."""
        results = list(self.report.results) if self.report else []

        def save(ctx: JobContext) -> Path:
            from ..services import moderator_import

            return moderator_import.save_report(results, path)

        return self.deps.worker.run(
            "Saving the import results",
            save,
            on_done=lambda saved: self.deps.say(f"Saved the import results to {saved}."),
            controls=[self.save_button],
        )


def _rows(count: int, kind: str = "") -> str:
    """``1 row`` / ``3 failed rows``."""
    return f"{count} {kind}row{'' if count == 1 else 's'}"
