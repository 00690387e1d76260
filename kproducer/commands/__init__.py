"""The sub-commands of ``kproducer``, one module each, loaded only when needed.

To add one: write ``kproducer/commands/NAME.py`` with a ``configure(parser)`` that adds its
arguments and calls ``runs(parser, handler)``, and a ``COMMAND = Command(...)``; then list
its module in :data:`COMMANDS`. Handlers return an exit code and raise
:class:`CommandError` for anything the user should read.

Only the sub-command being run is imported (``--help`` imports them all): most of them pull
in the Kaltura client, which would otherwise slow every start, the desktop window's first.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from .base import Command, CommandError


@dataclass(frozen=True)
class CommandModule:
    """A sub-command's name and the module that defines it."""

    name: str
    module: str

    def load(self) -> Command:
        """Import the module and return its :class:`Command`."""
        command: Command = importlib.import_module(self.module).COMMAND
        return command


#: In the order ``kproducer --help`` lists them.
COMMANDS: tuple[CommandModule, ...] = tuple(
    CommandModule(name, f"{__name__}.{name}")
    for name in (
        "gui", "sandbox", "profile", "events", "entries", "moderators", "links", "token", "cache",
    )
)

__all__ = ["COMMANDS", "Command", "CommandError", "CommandModule"]
