"""The ``kproducer`` command line (DESIGN §5): parsing, dispatch, exit codes.

Sub-commands live in :mod:`kproducer.commands`, one module each. Every failure reaches the
user as one sentence on stderr, never a traceback (set ``KPRODUCER_DEBUG=1`` to get one).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import traceback
from collections.abc import Sequence
from typing import NoReturn

from kproducer import __version__
from kproducer.commands import COMMANDS, CommandError
from kproducer.commands.base import SOME_FAILED, USAGE
from kproducer.commands.common import escaped_output
from kproducer.local import secret_env, temp_files
from kproducer.local.redact import redact

INTERRUPTED = 130


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one sentence, raised rather than printed."""

    def error(self, message: str) -> NoReturn:
        raise CommandError(f"{self.prog}: {_quiet(message)} (see '{self.prog} --help').", USAGE)


def _quiet(message: str) -> str:
    """A usage error without echoing stray values: they may be a secret typed by mistake."""
    prefix = "unrecognized arguments: "
    if message.startswith(prefix):
        words = message[len(prefix):].split()
        options = [w.split("=", 1)[0] for w in words if w.startswith("-")]
        shown = " ".join(options) if options else "values that are not options"
        message = prefix + shown
    return redact(message)


def build_parser(chosen: str | None = None) -> argparse.ArgumentParser:
    """The command line: top-level options plus the sub-parsers.

    Args:
        chosen: The sub-command being run: only its module is imported and configured.
            None configures every sub-command (for ``--help``).
    """
    parser = _Parser(
        prog="kproducer",
        description="Produce Kaltura virtual events: sessions, moderators, previews, links.",
        epilog="Plain 'kproducer' opens the desktop window; 'kproducer --sandbox' opens it "
        "on the embedded demo sandbox.",
    )
    parser.add_argument("--version", action="version", version=f"kproducer {__version__}")
    parser.add_argument(
        "--sandbox",
        dest="top_sandbox",
        action="store_true",
        help="open the desktop window on the embedded sandbox (same as 'gui --sandbox')",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS:
        if chosen is not None and module.name != chosen:
            commands.add_parser(module.name)  # known, so it is a valid choice; not loaded
            continue
        command = module.load()
        sub = commands.add_parser(command.name, help=command.help, description=command.help)
        command.configure(sub)
    return parser


def _chosen(argv: Sequence[str]) -> str | None:
    """The sub-command ``argv`` runs ("gui" when none), or None when help is asked for."""
    first = next((a for a in argv if not a.startswith("-")), None)
    if first is None:
        return None if {"-h", "--help"} & set(argv) else "gui"
    return first


def parse(argv: Sequence[str]) -> argparse.Namespace:
    """Parse ``argv``; no sub-command means the GUI."""
    parser = build_parser(_chosen(argv))
    args = parser.parse_args(argv)
    if args.command is None:
        return parser.parse_args(["gui", *(["--sandbox"] if args.top_sandbox else [])])
    if args.top_sandbox and args.command != "gui":
        raise CommandError(
            f"--sandbox opens the desktop window and does not go with '{args.command}'.", USAGE
        )
    if args.top_sandbox:
        args.sandbox = True
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``kproducer`` with ``argv`` (default: ``sys.argv[1:]``); returns the exit code.

    Run as the process itself (no ``argv``), it first takes the secret variables out of the
    environment, so that no child process inherits them, and removes the browser pages a
    crashed run left in the temporary folder. Everything printed has its control characters
    escaped (:func:`escaped_output`).
    """
    if argv is None:
        secret_env.take()
        temp_files.sweep_at_start()
    with escaped_output():
        return _main(argv)


def _main(argv: Sequence[str] | None) -> int:
    try:
        args = parse(sys.argv[1:] if argv is None else list(argv))
        code: int = args.handler(args)
        return code
    except CommandError as exc:
        _say(exc.message)
        return exc.code
    except SystemExit as exc:  # --help and --version
        return exc.code if isinstance(exc.code, int) else 0 if exc.code is None else USAGE
    except KeyboardInterrupt:
        _say("Interrupted.")
        return INTERRUPTED
    except BrokenPipeError:
        # Whoever read our output has gone; nothing more can be said there.
        _silence_stdout()
        return SOME_FAILED
    except Exception as exc:
        if os.environ.get("KPRODUCER_DEBUG"):
            traceback.print_exc()
        detail = " ".join(str(exc).split()) or "no details"
        _say(
            f"Unexpected error ({type(exc).__name__}: {detail}); "
            "run again with KPRODUCER_DEBUG=1 to see where it happened."
        )
        return SOME_FAILED


def _say(message: str) -> None:
    text = message if message.startswith("kproducer") else f"kproducer: {message}"
    with contextlib.suppress(OSError, ValueError):
        print(text, file=sys.stderr, flush=True)


def _silence_stdout() -> None:
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


if __name__ == "__main__":
    sys.exit(main())
