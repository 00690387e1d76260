"""``kproducer gui`` (and plain ``kproducer``): the desktop window.

``--sandbox`` connects to the embedded sandbox (started in the background, so the window
shows at once); ``--profile NAME`` to a saved profile; neither reopens the last account.
``--smoke-test`` starts the window, connects, loads events and entries, prints ONE line of
JSON timings and exits (0, or non-zero on any failure); ``--screenshot DIR`` also saves a
PNG of each tab. Qt is imported only here, never by the rest of the command line.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from .base import Command, CommandError, runs


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``kproducer gui``."""
    parser.add_argument(
        "--sandbox", action="store_true", help="use the embedded sandbox's demo account"
    )
    parser.add_argument("--profile", metavar="NAME", help="connect with this account profile")
    parser.add_argument(
        "--smoke-test",
        action="store_true",
        help="start, connect, load events and sessions, print timings as JSON and exit",
    )
    parser.add_argument(
        "--screenshot", metavar="DIR", type=Path, help="with --smoke-test, save a PNG per tab"
    )
    runs(parser, gui_command)


def gui_command(args: argparse.Namespace) -> int:
    """Open the window; with ``--smoke-test``, report and exit."""
    if args.screenshot is not None and not args.smoke_test:
        raise CommandError("--screenshot works together with --smoke-test.")
    if args.sandbox and args.profile:
        raise CommandError("Choose either --sandbox or --profile, not both.")
    from kproducer import app

    problem = app.display_problem()
    if problem:
        raise CommandError(problem, app.FAILED)
    outcome = app.run(app.GuiOptions(
        sandbox=bool(args.sandbox),
        profile=args.profile,
        smoke_test=bool(args.smoke_test),
        screenshot=args.screenshot,
    ))
    if outcome.error:
        raise CommandError(outcome.error, outcome.code or app.FAILED)
    if outcome.report is not None:
        print(json.dumps(outcome.report), flush=True)
    return outcome.code


COMMAND = Command("gui", "open the desktop window (plain 'kproducer' does the same)", configure)
