"""The sub-commands of ``kproducer``, one module each.

To add one: write ``kproducer/commands/NAME.py`` with a ``configure(parser)`` that adds its
arguments and calls ``runs(parser, handler)``, and a ``COMMAND = Command(...)``; then list it
in :data:`COMMANDS`. Handlers return an exit code and raise :class:`CommandError` for
anything the user should read.
"""

from __future__ import annotations

from . import cache, entries, events, gui, moderators, profile, sandbox, token
from .base import Command, CommandError

#: In the order ``kproducer --help`` lists them.
COMMANDS: tuple[Command, ...] = (
    gui.COMMAND,
    sandbox.COMMAND,
    profile.COMMAND,
    events.COMMAND,
    entries.COMMAND,
    moderators.COMMAND,
    token.COMMAND,
    cache.COMMAND,
)

__all__ = ["COMMANDS", "Command", "CommandError"]
