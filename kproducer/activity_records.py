"""What the activity log holds: API call records, the producer's operations, and totals.

Plain frozen dataclasses (no Qt); :mod:`kproducer.activity` keeps and counts them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, get_args

Outcome = Literal["fetched", "cached", "created", "updated", "deleted", "error"]
OUTCOMES: tuple[str, ...] = get_args(Outcome)
#: How an operation ended (or that it still runs).
Ending = Literal["running", "done", "failed", "cancelled", "replaced"]
#: The operation of calls made outside any named operation (a script, a test, the CLI).
OTHER_CALLS = 0
OTHER_TITLE = "Other calls"

@dataclass(frozen=True)
class ActivityRecord:
    """One API call (or one cache hit standing in for it).

    Attributes:
        time: When the call finished (UTC).
        action: ``service.action``, e.g. ``groupUser.add``.
        outcome: fetched, cached, created, updated, deleted or error.
        ms: Wall time in milliseconds (for a multirequest sub-call: the whole request's).
        detail: A short redacted note: the error sentence, retries, multirequest position.
    """

    time: datetime
    action: str
    outcome: Outcome
    ms: float
    detail: str = ""
    operation: int = OTHER_CALLS

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready fields (time in ISO 8601)."""
        return {
            "time": self.time.isoformat(timespec="milliseconds"),
            "action": self.action,
            "outcome": self.outcome,
            "ms": round(self.ms, 1),
            "detail": self.detail,
            "operation": self.operation,
        }


@dataclass(frozen=True)
class Operation:
    """One thing the producer did (or a background check), as the log last saw it.

    Attributes:
        id: Its number in this log (:data:`OTHER_CALLS` for calls outside any operation).
        title: Its name, given once where it started ("Importing moderators").
        started: When it (or, for a background check, its latest run) started (UTC).
        ending: running, done, failed or cancelled.
        result: What came of it, in words ("Imported 196 moderators…"), or why it failed.
        ended: When it ended, if it has.
        calls: API calls sent to Kaltura (sub-calls of a multirequest each count).
        cached: Lookups answered here by the local cache instead.
        errors: Calls Kaltura refused or that did not come back.
        background: A check the producer did not ask for (the live badge's poll).
        runs: How many times a background check ran (it is one row, not one per run).
    """

    id: int
    title: str
    started: datetime
    ending: Ending = "running"
    result: str = ""
    ended: datetime | None = None
    calls: int = 0
    cached: int = 0
    errors: int = 0
    background: bool = False
    runs: int = 1

    @property
    def seconds(self) -> float | None:
        """How long it took, once it ended."""
        return (self.ended - self.started).total_seconds() if self.ended else None



@dataclass(frozen=True)
class ActivityCounters:
    """Totals since the log was created or cleared.

    Attributes:
        by_outcome: Number of records per outcome (every outcome present, possibly 0).
        total_ms: Sum of ``ms`` over records that reached the API (not ``cached``).
        requests: HTTP requests Kaltura answered (a multirequest is one; a resend after an
            expired KS is another), as ``/_sandbox/stats`` counts ``http_requests``.
        operations: Operations begun (background checks count once).
    """

    by_outcome: dict[str, int] = field(default_factory=dict)
    total_ms: float = 0.0
    requests: int = 0
    operations: int = 0

    @property
    def total(self) -> int:
        """All records, cache hits included."""
        return sum(self.by_outcome.values())

    @property
    def api_calls(self) -> int:
        """Records that went to the API (everything but ``cached``)."""
        return self.total - self.by_outcome.get("cached", 0)

    @property
    def cache_hit_rate(self) -> float | None:
        """Share answered here: cached / (cached + every call sent to Kaltura); None if none.

        Every call sent counts, writes too: the figure says how much of the work the cache
        kept off the network, not how often a read happened to be cached.
        """
        cached = self.by_outcome.get("cached", 0)
        asked = cached + self.api_calls
        return cached / asked if asked else None
