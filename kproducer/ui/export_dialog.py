"""The Export links dialog: a people CSV in, a signed link per person out (issue 6).

Self-contained: give it the window's :class:`~.common.Deps` and the entries/events to offer;
it runs :func:`kproducer.services.links.export` through the worker, with a progress bar,
Cancel, a summary (ok/failed, and why), and "Open output". Running it again on the same
output finishes only the rows that are not ok.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..services.link_record import REVOCATION_LIFETIME
from ..services.models import Entry, Event, Role
from .common import Deps, hint
from .desktop_open import open_path
from .failure import Failure
from .job_context import JobContext
from .plain_text import make_plain
from .table import Column, RowsModel, make_view
from .worker import Job

if TYPE_CHECKING:
    from ..services.link_models import ExportRequest, ExportSummary, RowFailure

#: Role choices: a role for everyone, or each row's ``role`` column.
ROLE_CHOICES: list[tuple[str, Role | None]] = [
    ("Attendee (everyone)", Role.ATTENDEE),
    ("Moderator (everyone)", Role.MODERATOR),
    ("From the CSV's role column (blank: attendee)", None),
]

#: Failure reasons listed in the summary (every failed row is in the table below it).
REASONS_SHOWN = 5
#: How the dialog's line about opening the output starts (replaced, not piled up).
OUTPUT_NOTE = "Output: "

FAILURE_COLUMNS: list[Column[RowFailure]] = [
    Column("Line", lambda r: str(r.line), sort=lambda r: r.line, numeric=True, width=6),
    Column("User ID", lambda r: r.user_id, width=28),
    Column("Why it failed", lambda r: r.error, tooltip=lambda r: r.error, tone=lambda r: "error"),
]


class ExportDialog(QDialog):
    """Export signed links for a list of people.

    Signals:
        exported(object): an export ended with this :class:`ExportSummary`.
    """

    exported = Signal(object)

    def __init__(self, deps: Deps, entries: Sequence[Entry] = (), events: Sequence[Event] = (),
                 entry_id: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.deps = deps
        self.job: Job[ExportSummary] | None = None
        self.summary: ExportSummary | None = None
        self.setWindowTitle("Export signed links")

        self.entry = QComboBox(self)
        self.entry.setEditable(True)
        for entry in entries:
            self.entry.addItem(f"{entry.name}  ({entry.id}, {entry.kind.value})", entry.id)
        if entry_id:
            index = self.entry.findData(entry_id)
            if index >= 0:
                self.entry.setCurrentIndex(index)
            else:
                self.entry.setEditText(entry_id)
        self.event_picker = QComboBox(self)
        self.event_picker.addItem("The session's own event", None)
        for event in events:
            self.event_picker.addItem(f"{event.name}  (ID {event.id})", event.id)
        self.role = QComboBox(self)
        for label, role in ROLE_CHOICES:
            self.role.addItem(label, role)

        self.url_format = QRadioButton("Player &link (URL with the person's own KS)", self)
        self.page_format = QRadioButton("HTML &page per person (player and chat, or room)", self)
        self.url_format.setChecked(True)
        formats = QButtonGroup(self)
        formats.addButton(self.url_format)
        formats.addButton(self.page_format)
        self.page_format.toggled.connect(self._suggest_output)

        self.automatic = QRadioButton("Si&zed to the session (VOD length + margin, live end "
                                      "+ 10 min)", self)
        self.fixed = QRadioButton("&Fixed lifetime:", self)
        self.automatic.setChecked(True)
        lifetimes = QButtonGroup(self)
        lifetimes.addButton(self.automatic)
        lifetimes.addButton(self.fixed)
        self.hours = QSpinBox(self)
        self.hours.setRange(1, 24 * 366)
        self.hours.setValue(4)
        self.hours.setSuffix(" h")
        self.hours.setEnabled(False)
        self.fixed.toggled.connect(self.hours.setEnabled)
        # Said before the export, not only after it: a revocation lasts about 24 hours.
        self.lifetime_note = hint(
            "Links that work longer than 24 hours stay revoked only while kproducer is open "
            "(Kaltura keeps a revocation about 24 hours): a shorter lifetime is safer.")
        self.lifetime_note.hide()
        self.fixed.toggled.connect(self._lifetime_changed)
        self.hours.valueChanged.connect(self._lifetime_changed)
        self.embed_style = QComboBox(self)
        self.embed_style.addItem("One page for the whole session (chat token lasts as long)",
                                 "single-page")
        self.embed_style.addItem("Every page load gets a new chat token (short token)",
                                 "per-page")

        self.source = QLineEdit(self)
        self.source.setPlaceholderText("people.csv: user_id (or email), first_name, …")
        self.source.editingFinished.connect(self._suggest_output)
        browse_source = QPushButton("Browse…", self)
        browse_source.clicked.connect(self._choose_source)
        self.output = QLineEdit(self)
        browse_output = QPushButton("Browse…", self)
        browse_output.clicked.connect(self._choose_output)

        self.progress = QProgressBar(self)
        self.progress.setFormat("%v of %m rows")
        self.progress.hide()
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.model: RowsModel[RowFailure] = RowsModel(FAILURE_COLUMNS, self)
        # Five failed rows stay readable under the summary: the dialog grows to show them.
        self.failures = make_view(self.model, "export.failures", self, stretch=2, min_rows=5)
        self.failures.hide()

        self.export_button = QPushButton("&Export", self)
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("&Cancel", self)
        self.cancel_button.clicked.connect(self.cancel)
        self.open_button = QPushButton("&Open output", self)
        self.open_button.clicked.connect(self.open_output)
        self.open_button.setEnabled(False)
        self.close_button = QPushButton("Close", self)
        self.close_button.clicked.connect(self.reject)

        form = QFormLayout()
        form.addRow("&Session:", self.entry)
        form.addRow("E&vent:", self.event_picker)
        form.addRow("&Role:", self.role)
        form.addRow("Format:", self.url_format)
        form.addRow("", self.page_format)
        form.addRow("Links last:", self.automatic)
        fixed_row = QHBoxLayout()
        fixed_row.addWidget(self.fixed)
        fixed_row.addWidget(self.hours)
        fixed_row.addStretch(1)
        form.addRow("", fixed_row)
        form.addRow("", self.lifetime_note)
        form.addRow("Chat &token:", self.embed_style)
        form.addRow("&Input CSV:", _with_button(self.source, browse_source))
        form.addRow("O&utput:", _with_button(self.output, browse_output))
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        for button in (self.export_button, self.cancel_button, self.close_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint(
            "Each person gets a link with their own Kaltura session (KS) for this session only "
            "— a personal credential: send it to that person alone. Running the export again "
            "with the same output keeps the links already made and finishes the rest.", self))
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.failures, 1)
        layout.addLayout(buttons)
        self.resize(720, 560)
        make_plain(self)  # file names, entry names and failure messages are CSV/account data
        self._buttons()

    # --- the request ---

    @property
    def running(self) -> bool:
        """An export is in progress."""
        return self.job is not None

    def entry_id(self) -> str:
        """The chosen entry ID (or the typed one)."""
        data = self.entry.currentData()
        text = self.entry.currentText().strip()
        if data and self.entry.itemText(self.entry.currentIndex()) == text:
            return str(data)
        return text

    def request(self) -> ExportRequest:
        """The export the dialog describes.

        Raises:
            ValueError: Something needed is missing (one sentence).
        """
        from ..services.link_models import ExportRequest, LinkFormat
        from ..services.tokens import EmbedStyle, ExpiryPolicy

        entry_id = self.entry_id()
        if not entry_id:
            raise ValueError("Choose the session to export links for.")
        if not self.source.text().strip():
            raise ValueError("Choose the CSV of people.")
        if not self.output.text().strip():
            raise ValueError("Choose where the links go.")
        link_format = LinkFormat.PAGE if self.page_format.isChecked() else LinkFormat.URL
        fixed = self.hours.value() * 3600 if self.fixed.isChecked() else None
        return ExportRequest(
            entry_id=entry_id,
            csv_path=Path(self.source.text().strip()).expanduser(),
            out=Path(self.output.text().strip()).expanduser(),
            link_format=link_format,
            role=self.role.currentData(),
            event_id=self.event_picker.currentData(),
            policy=ExpiryPolicy(fixed, EmbedStyle(self.embed_style.currentData())),
        )

    # --- running ---

    def _lifetime_changed(self, *_: object) -> None:
        long = self.fixed.isChecked() and self.hours.value() * 3600 > REVOCATION_LIFETIME
        self.lifetime_note.setVisible(long)

    def start(self) -> Job[ExportSummary] | None:
        """Start the export (through the worker); None when the form is incomplete."""
        account = self.deps.account()
        if self.running:
            return None
        if account is None:
            self.status.setText("Connect to an account first.")
            return None
        try:
            request = self.request()
        except ValueError as exc:
            self.status.setText(str(exc))
            return None
        self.summary = None
        self.model.set_rows([])
        self.failures.hide()
        self.progress.setRange(0, 0)
        self.progress.show()
        self.status.setText(f"Reading {request.csv_path.name}…")

        def run(ctx: JobContext) -> ExportSummary:
            from ..services import links

            return links.export(account, request, progress=ctx.progress,
                                cancel=ctx.cancel_event)

        self.job = self.deps.worker.run(
            "Exporting links", run, on_done=self._finished, on_error=self._failed,
            on_progress=self._progressed, on_settled=self._settled,
            controls=[self.export_button, self.close_button, self.open_button],
        )
        self.job.cancelled.connect(self._cancelled_early)
        self._buttons()
        return self.job

    def cancel(self) -> None:
        """Stop a running export (the batches on their way finish and are reported)."""
        if self.job is None:
            return
        self.job.cancel()
        self.cancel_button.setEnabled(False)
        self.status.setText("Cancelling: waiting for the requests already sent…")

    def _progressed(self, done: int, total: int, _note: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        if self.job is not None and not self.job.is_cancelled:
            self.status.setText(f"{done} of {total} rows done…")

    def _finished(self, summary: ExportSummary) -> None:
        self.summary = summary
        self.progress.setRange(0, max(summary.rows, 1))
        self.progress.setValue(summary.rows - summary.not_started)
        lead = "Export cancelled: " if summary.cancelled else "Export finished: "
        lines = [lead + summary.sentence()]
        lines += [f"Warning: {w}" for w in summary.warnings]
        if summary.reasons:
            lines.append("Why rows failed:")
            lines += [f"• {reason}" for reason in summary.reason_lines(REASONS_SHOWN)]
        lines += summary.advice()
        lines.append(f"Every row's outcome is in {summary.request.csv_out}.")
        if summary.export_id:
            lines.append(f"Recorded as export {summary.export_id}: the Links tab can revoke "
                         "these links.")
        if summary.ledger_note:
            lines.append(summary.ledger_note)
        from ..services.link_record import outlives_note

        note = outlives_note(summary.ks_expires_at)
        if note:
            lines.append(note)
        self.status.setText("\n".join(lines))
        self.model.set_rows(summary.failures)
        self.failures.setVisible(bool(summary.failures))
        self.deps.say(lead + summary.sentence())
        self.exported.emit(summary)

    def _cancelled_early(self) -> None:
        """Cancelled before the export started: nothing was sent or written."""
        self.progress.hide()
        self.status.setText("Export cancelled before it started: nothing was written.")

    def _failed(self, failure: Failure) -> None:
        from ..services.link_models import OutputError

        self.progress.hide()
        if isinstance(failure.error, OutputError):  # the work ran; only the file did not
            self.status.setText(failure.message)
        else:
            self.status.setText(f"Nothing was exported: {failure.message}")

    def _settled(self) -> None:
        self.job = None
        self._buttons()

    def _buttons(self) -> None:
        """Cancel while an export runs; Open output once one has finished."""
        self.cancel_button.setEnabled(True)
        self.cancel_button.setVisible(self.running)
        if not self.running:
            self.open_button.setEnabled(self.summary is not None)

    # --- files ---

    def output_path(self) -> Path | None:
        """What "Open output" opens: the pages' folder, or the links CSV."""
        if self.summary is None:
            return None
        request = self.summary.request
        return request.folder or request.csv_out

    def open_output(self) -> None:
        """Show the output in the desktop's file manager or CSV application, or say why not."""
        path = self.output_path()
        if path is None:
            self.status.setText("Nothing to open yet: export first.")
            return
        what = "the pages' folder" if path.is_dir() else "the links file"
        if open_path(self, path, what, self._say_here):
            self._say_here(f"Opened {path}.")

    def _say_here(self, text: str) -> None:
        """A sentence about the output, in the dialog and in the status bar."""
        lines = [line for line in self.status.text().splitlines()
                 if not line.startswith(OUTPUT_NOTE)]
        self.status.setText("\n".join([*lines, OUTPUT_NOTE + text]))
        self.deps.say(text)

    def _choose_source(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "People to export links for",
                                              self.source.text(), "CSV files (*.csv);;All (*)")
        if name:
            self.source.setText(name)
            self._suggest_output(force=True)

    def _choose_output(self) -> None:
        if self.page_format.isChecked():
            name = QFileDialog.getExistingDirectory(self, "Folder for the pages",
                                                    self.output.text())
        else:
            name, _ = QFileDialog.getSaveFileName(self, "Save the links as", self.output.text(),
                                                  "CSV files (*.csv)")
        if name:
            self.output.setText(name)

    def _suggest_output(self, *_args: object, force: bool = False) -> None:
        """Next to the input: ``people-links.csv``, or a ``people-links`` folder for pages."""
        source = self.source.text().strip()
        current = self.output.text().strip()
        if not source or (current and not force and not current.startswith(
                str(Path(source).with_suffix("")))):
            return
        base = Path(source).with_name(f"{Path(source).stem}-links")
        self.output.setText(str(base if self.page_format.isChecked()
                                else base.with_suffix(".csv")))


def _with_button(field: QWidget, button: QPushButton) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addWidget(field, 1)
    row.addWidget(button)
    return row
