"""The plain data of a link export: what to export, and what it did (no Qt, no Kaltura)."""

from __future__ import annotations

import enum
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from . import bulk
from .link_output import INDEX_NAME
from .models import Entry, Role
from .tokens import ExpiryPolicy

#: Failed rows listed in the summary (every row is in the output file).
LISTED_FAILURES = 100
#: Distinct failure reasons counted in the summary.
LISTED_REASONS = 50


class LinkFormat(enum.Enum):
    """What each person gets."""

    URL = "url"  #: the player v7 share URL with the person's USER KS (DESIGN §3)
    PAGE = "page"  #: an HTML page: player + CnC with the JWT, or a signed KME room launch


class ExportError(ValueError):
    """The export cannot start as asked (bad input or usage, exit code 2): one sentence."""

    exit_code = 2


class OutputError(Exception):
    """The links file could not be written (disk full, folder gone...): one sentence.

    Whatever the run did on the server (people created, moderators added) is remembered, so
    the export run again finishes quickly; the previous output, if any, is untouched.
    """

    exit_code = 1


@dataclass(frozen=True)
class ExportRequest:
    """What to export.

    Attributes:
        out: The output CSV (``url``), or the folder of pages with ``links.csv`` (``page``).
        role: Every row's role; None uses the CSV's ``role`` column (blank: attendee).
        event_id: The virtual event; None uses the entry's own event tag.
        workers: Batches in flight at once.
    """

    entry_id: str
    csv_path: Path
    out: Path
    link_format: LinkFormat = LinkFormat.URL
    role: Role | None = None
    event_id: int | None = None
    policy: ExpiryPolicy = field(default_factory=ExpiryPolicy)
    workers: int = bulk.WORKERS

    @property
    def csv_out(self) -> Path:
        """Where the output CSV goes."""
        return self.out / INDEX_NAME if self.link_format is LinkFormat.PAGE else self.out

    @property
    def folder(self) -> Path | None:
        """The pages' folder (page format)."""
        return self.out if self.link_format is LinkFormat.PAGE else None


@dataclass(frozen=True)
class RowFailure:
    """A failed row, for the summary."""

    line: int
    user_id: str
    error: str


@dataclass
class ExportSummary:
    """What an export did (counts; the rows themselves are in the output file).

    Attributes:
        rows: Data rows read.
        ok: Rows with a link (new or kept); ``kept`` of them were kept from the last run.
        flagged: ``ok`` rows with a warning (the link may end before the session does).
        reasons: Failure reasons (particulars left out) and how many rows had each.
        failures: The first :data:`LISTED_FAILURES` failed rows.
        unused_columns: Input columns the export does not read (carried through).
        ks_expires_at: When the new links' KS expire (None: no KS in them).
        jwt_expires_at: When the new links' JWTs expire (None: no JWT in them).
        warnings: The new links' warnings.
        export_id: The export's ID in the link ledger (None: not recorded).
        ledger_note: Why some links cannot be revoked (ledger set aside, locked...), or None.
    """

    request: ExportRequest
    rows: int = 0
    ok: int = 0
    kept: int = 0
    failed: int = 0
    flagged: int = 0
    cancelled: bool = False
    reasons: Counter[str] = field(default_factory=Counter)
    failures: list[RowFailure] = field(default_factory=list)
    unused_columns: tuple[str, ...] = ()
    entry: Entry | None = None
    event_id: int | None = None
    ks_expires_at: int | None = None
    jwt_expires_at: int | None = None
    warnings: tuple[str, ...] = ()
    seconds: float = 0.0
    export_id: str | None = None
    ledger_note: str | None = None

    @property
    def not_started(self) -> int:
        """Rows not tried because the export was cancelled."""
        return self.reasons.get("cancelled", 0)

    def count_failure(self, line: int, user_id: str, error: str) -> None:
        """Record one failed row."""
        self.failed += 1
        if len(self.failures) < LISTED_FAILURES:
            self.failures.append(RowFailure(line, user_id, error))
        reason = reason_of(error)
        if reason in self.reasons or len(self.reasons) < LISTED_REASONS:
            self.reasons[reason] += 1
        else:
            self.reasons["other reasons"] += 1

    def sentence(self) -> str:
        """One sentence: rows ok (and kept), failed, flagged, and whether it was cancelled."""
        kept = f" ({self.kept} kept from the last run)" if self.kept else ""
        flagged = f", {self.flagged} with a warning" if self.flagged else ""
        cancelled = (f" Cancelled: {self.not_started} rows were not started."
                     if self.cancelled and self.not_started else "")
        return f"{self.ok} ok{kept}, {self.failed} failed{flagged}.{cancelled}"


def reason_of(error: str) -> str:
    """An error with its particulars (quoted values, line numbers) left out, for counting."""
    return re.sub(r"line \d+", "line …", re.sub(r'"[^"]*"', "“…”", error))
