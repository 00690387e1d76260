"""What every sub-command shares: the error type, exit codes and the command table entry."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass

#: Exit codes (DESIGN §5).
OK = 0
SOME_FAILED = 1
USAGE = 2
UNREACHABLE = 3


class CommandError(Exception):
    """A failure to report as one sentence on stderr, with an exit code.

    Args:
        message: One plain sentence for the person at the terminal.
        code: The exit code (2 for bad input or usage, 3 for Kaltura unreachable...).
    """

    def __init__(self, message: str, code: int = USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Command:
    """One top-level sub-command.

    Attributes:
        name: What the user types (``sandbox``, ``events``...).
        help: One line for ``kproducer --help``.
        configure: Adds the sub-command's arguments (and its own sub-parsers) to its parser.
    """

    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]


def runs(parser: argparse.ArgumentParser, handler: Callable[[argparse.Namespace], int]) -> None:
    """Make ``handler(args) -> exit code`` the function run when ``parser`` matched."""
    parser.set_defaults(handler=handler)
