"""``kproducer gui`` (and plain ``kproducer``): the desktop window.

The window itself arrives in a later release; until then ``--sandbox`` runs the embedded
sandbox so its demo account can be used from other tools.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from kproducer import paths
from kproducer.sandbox import SandboxInfo

from .base import Command, CommandError, runs
from .serving import serve_until_stopped, start_sandbox


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``kproducer gui``."""
    parser.add_argument(
        "--sandbox", action="store_true", help="use the embedded sandbox's demo account"
    )
    parser.add_argument("--profile", metavar="NAME", help="connect with this account profile")
    parser.add_argument(
        "--smoke-test",
        action="store_true",
        help="start, connect, open a preview, print timings as JSON and exit",
    )
    parser.add_argument(
        "--screenshot", metavar="DIR", type=Path, help="with --smoke-test, save a PNG per tab"
    )
    runs(parser, gui_command)


def gui_command(args: argparse.Namespace) -> int:
    """Run the GUI; for now, the embedded sandbox only."""
    if args.smoke_test or args.screenshot is not None:
        raise CommandError("The GUI smoke test is not yet available in this release.")
    if not args.sandbox:
        raise CommandError(
            "The desktop window is not yet available in this release; "
            "'kproducer --sandbox' runs the demo sandbox."
        )
    sandbox = start_sandbox(paths.sandbox_dir(), "127.0.0.1", 0)
    return serve_until_stopped(sandbox, announce)


def announce(info: SandboxInfo) -> None:
    """Tell the person what is running and how to use it."""
    print(
        "The kproducer desktop window arrives in a later release; "
        "the embedded sandbox is running meanwhile.\n"
        f"  Service URL:   {info.service_url}\n"
        f"  Partner ID:    {info.partner_id}\n"
        f"  Admin user ID: {info.admin_user_id}\n"
        "('kproducer sandbox serve' prints every detail of the demo account as JSON.)\n"
        "Press Ctrl+C to stop.",
        flush=True,
    )


COMMAND = Command("gui", "open the desktop window (plain 'kproducer' does the same)", configure)
