"""What a go-live check finds: one sentence per check, the fix in words, and a fix action.

Plain data for the window and the command line (``events check --json``, DESIGN §5).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from .models import Entry, Event


class Fix(enum.Enum):
    """A fix the app itself can make or open, offered as a button by the window."""

    #: Create the session's ``{entryId}_moderators`` group (the moderators service).
    CREATE_GROUP = "create_group"
    #: Open the Moderators tab on the session to add the first moderator.
    ADD_MODERATORS = "add_moderators"
    #: Open the session's editor to set or move its start and end.
    EDIT_SCHEDULE = "edit_schedule"
    #: Show the live session's encoder kit (Entries tab, the session selected).
    OPEN_ENCODER = "open_encoder"
    #: Open the export dialog on the session, to make links that last long enough.
    REEXPORT = "reexport"
    #: Open File › Accounts to set what the account's profile lacks.
    EDIT_ACCOUNT = "edit_account"


#: Names of the checks (the ``check`` field), in the order a session's findings are shown.
CHECK_ORDER = (
    "sessions", "cnc_token", "player_uiconf", "cnc_uiconf",
    "entry", "encoder_kit", "kme_launch", "schedule", "moderators", "broadcasting",
    "links", "revoked_links",
)


@dataclass(frozen=True)
class Finding:
    """One check of one session (or of the whole event when ``entry_id`` is None).

    Attributes:
        entry_id: The session checked, or None for what every session of the event shares
            (the CnC app token, the uiconfs, the event having sessions at all).
        check: What was checked (one of :data:`CHECK_ORDER`).
        ok: Whether it is in place.
        message: One sentence for the producer.
        fix: What to do, in words (None when ok).
        action: The fix the app can make or open, or None.
    """

    entry_id: str | None
    check: str
    ok: bool
    message: str
    fix: str | None = None
    action: Fix | None = None

    def as_json(self) -> dict[str, Any]:
        """The finding of ``events check --json`` (DESIGN §5)."""
        return {"entry_id": self.entry_id, "check": self.check, "ok": self.ok,
                "message": self.message, "fix": self.fix}


@dataclass(frozen=True)
class Readiness:
    """The go-live check of one event.

    Attributes:
        event: The event checked.
        sessions: Its sessions, soonest first (unscheduled last).
        findings: Every check made, event-wide ones first.
        checked_at: When (unix seconds).
    """

    event: Event
    sessions: tuple[Entry, ...]
    findings: tuple[Finding, ...]
    checked_at: float
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ready(self) -> bool:
        """Every check passed."""
        return all(f.ok for f in self.findings)

    def of(self, entry_id: str | None) -> list[Finding]:
        """The findings about one session (None: the event-wide ones)."""
        return [f for f in self.findings if f.entry_id == entry_id]

    def problems(self, entry_id: str | None) -> list[Finding]:
        """The failed findings about one session (None: the event-wide ones)."""
        return [f for f in self.of(entry_id) if not f.ok]

    def as_json(self) -> dict[str, Any]:
        """``events check --json``: ``{"event_id", "ready", "findings"}``."""
        return {"event_id": self.event.id, "ready": self.ready,
                "findings": [f.as_json() for f in self.findings]}


def sort_key(finding: Finding) -> tuple[int, str]:
    """Orders a session's findings as :data:`CHECK_ORDER` lists the checks."""
    order = CHECK_ORDER.index(finding.check) if finding.check in CHECK_ORDER else len(CHECK_ORDER)
    return order, finding.check
