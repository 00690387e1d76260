"""``kproducer events check ID [--json]``: go-live readiness of an event (DESIGN §5).

Text: a traffic light per session (and one for what the whole event shares), then each
problem with its fix. ``--json``: ``{"event_id", "ready", "findings": [...]}``. Exit 0 when
ready, 1 when not, 2 for an unknown event, 3 when Kaltura cannot be reached.
"""

from __future__ import annotations

import argparse

from kproducer.services import events, readiness
from kproducer.services.readiness_model import Readiness

from .base import OK, SOME_FAILED
from .common import account_options, connected, handles, iso, print_json, table, warn

#: The light a session gets: every check passed, or something to fix.
GREEN, RED = "green", "red"


def configure(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``check`` to ``kproducer events``."""
    check = sub.add_parser("check", help="go-live readiness: every session's dependencies")
    check.add_argument("event_id", metavar="ID", help="the event's ID")
    account_options(check)
    handles(check, check_command)


def check_command(args: argparse.Namespace) -> int:
    """Check the event; exit 0 when ready, 1 when not."""
    event_id = events.check_event_id(args.event_id)
    with connected(args) as account:
        report = readiness.check(account, event_id)
    for note in report.notes:
        warn(f"note: {note}")
    if args.json:
        print_json(report.as_json())
    else:
        print_report(report)
    return OK if report.ready else SOME_FAILED


def light(report: Readiness, entry_id: str | None) -> str:
    """The session's traffic light (None: the event-wide checks)."""
    return RED if report.problems(entry_id) else GREEN


def print_report(report: Readiness) -> None:
    """The traffic-light table, then every problem with its fix."""
    problems = [f for f in report.findings if not f.ok]
    verdict = "ready" if report.ready else (
        f"not ready, {len(problems)} thing{'s' if len(problems) != 1 else ''} to fix")
    print(f'Go-live check of event {report.event.id} "{report.event.name}": {verdict}.')
    print(f"Checked at {iso(report.checked_at)}.")
    print()
    rows: list[tuple[str, str, str, str, str | None, int]] = [
        (light(report, None), "The whole event (account settings)", "", "", "",
         len(report.problems(None)))]
    for entry in report.sessions:
        start = iso(entry.schedule.start) if entry.schedule is not None else "not scheduled"
        if entry.kind.value == "vod":
            start = "on demand"
        rows.append((light(report, entry.id), entry.name, entry.id, entry.kind.value,
                     start, len(report.problems(entry.id))))
    table(("LIGHT", "SESSION", "ID", "KIND", "STARTS (UTC)", "TO FIX"), rows, "")
    if not problems:
        return
    names = {e.id: f"{e.name} ({e.id})" for e in report.sessions}
    print()
    print("To fix:")
    for finding in problems:
        where = names.get(finding.entry_id or "", "The whole event")
        print(f"- {where}, {finding.check.replace('_', ' ')}: {finding.message}")
        if finding.fix:
            print(f"  Fix: {finding.fix}")
