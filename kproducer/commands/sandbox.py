"""``kproducer sandbox serve``: a local Kaltura-compatible server (DESIGN §4)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from kproducer import paths
from kproducer.sandbox import SandboxInfo

from .base import Command, runs
from .serving import serve_until_stopped, start_sandbox


def port_number(text: str) -> int:
    """An argparse type: a TCP port from 0 (any free port) to 65535."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port number (0 to 65535)")
    return value


def configure(parser: argparse.ArgumentParser) -> None:
    """Add ``serve`` (and later actions) to ``kproducer sandbox``."""
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    serve = actions.add_parser(
        "serve",
        help="run the sandbox in the foreground",
        description=(
            "Start a local server that speaks the Kaltura API, print one line of JSON with "
            "how to reach it, and serve until interrupted (Ctrl+C or SIGTERM)."
        ),
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s)"
    )
    serve.add_argument(
        "--port", type=port_number, default=0, help="TCP port; 0 picks any free port (default)"
    )
    serve.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="folder of the sandbox's database (default: the app's own sandbox folder)",
    )
    runs(serve, serve_command)


def serve_command(args: argparse.Namespace) -> int:
    """Start the sandbox, print its JSON line, serve until stopped."""
    data_dir = args.data_dir if args.data_dir is not None else paths.sandbox_dir()
    sandbox = start_sandbox(data_dir, args.host, args.port)
    return serve_until_stopped(sandbox, print_json_line)


def print_json_line(info: SandboxInfo) -> None:
    """The contract's one line of JSON, flushed so a parent process can read it at once."""
    print(json.dumps(info.as_dict()), flush=True)


COMMAND = Command("sandbox", "run a local Kaltura-compatible sandbox server", configure)
