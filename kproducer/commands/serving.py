"""Running a sandbox in the foreground until the user (or a supervisor) stops it."""

from __future__ import annotations

import errno
import signal
import socket
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from kproducer.sandbox import Sandbox, SandboxInfo

from .base import OK, CommandError


def start_sandbox(data_dir: Path, host: str, port: int) -> Sandbox:
    """Open the sandbox's database and start serving, or explain in one sentence why not."""
    try:
        data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise CommandError(
            f"Cannot use {data_dir} as the sandbox data folder: {exc.strerror or exc}."
        ) from None
    sandbox = Sandbox(data_dir, host=host, port=port)
    try:
        sandbox.start()
    except BaseException as exc:
        sandbox.stop()
        if isinstance(exc, OSError | sqlite3.Error):
            raise CommandError(_why_not(exc, data_dir, host, port)) from None
        raise
    return sandbox


def _why_not(exc: OSError | sqlite3.Error, data_dir: Path, host: str, port: int) -> str:
    if isinstance(exc, sqlite3.Error):
        return f"Cannot open the sandbox database in {data_dir}: {exc}."
    if isinstance(exc, socket.gaierror):
        return f"Cannot listen on {host!r}: it is not a known address of this machine."
    if exc.errno == errno.EADDRINUSE:
        return (
            f"Port {port} on {host} is already in use; pick another with --port "
            "(0 picks any free port)."
        )
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"Cannot listen on {host}: it is not an address of this machine."
    if exc.errno == errno.EACCES and exc.filename is None:
        return f"Not allowed to listen on port {port} of {host}; use a port above 1023."
    where = f" ({exc.filename})" if exc.filename else ""
    return f"Cannot start the sandbox{where}: {exc.strerror or exc}."


def serve_until_stopped(sandbox: Sandbox, announce: Callable[[SandboxInfo], None]) -> int:
    """Announce the running sandbox, serve until SIGINT/SIGTERM/SIGHUP, then stop cleanly."""
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    wanted = [signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)]
    previous = {sig: signal.signal(sig, request_stop) for sig in wanted if sig is not None}
    try:
        announce(sandbox.info)
        stop.wait()
    finally:
        sandbox.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return OK
