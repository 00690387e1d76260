"""What the account commands share: ``--profile``/``--json``, connecting, output, errors.

Handlers registered with :func:`handles` may raise the typed errors of the services; they
reach the user as one sentence with the exit code of DESIGN §5 (a
:class:`~kproducer.kaltura.errors.KalturaError` carries its own: 3 unreachable or rejected,
2 not found or invalid, 1 other).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, TextIO

from kproducer.kaltura.errors import KalturaError
from kproducer.local.account_profile import ProfileError
from kproducer.local.cache import CacheError
from kproducer.local.profiles import ProfileFileError, ProfileNotFoundError
from kproducer.local.secret_store import SecretStoreError
from kproducer.services import connect
from kproducer.services.account import Account
from kproducer.services.csv_input import CsvError

from .base import SOME_FAILED, USAGE, CommandError, runs

Handler = Callable[[argparse.Namespace], int]


def account_options(parser: argparse.ArgumentParser, *, json_output: bool = True) -> None:
    """Add ``--profile NAME`` (and ``--json``) to a leaf sub-command."""
    parser.add_argument(
        "--profile",
        metavar="NAME",
        help="the account profile to use (KALTURA_* environment variables override it)",
    )
    if json_output:
        parser.add_argument(
            "--json", action="store_true", help="print one JSON document instead of text"
        )


def actions(parser: argparse.ArgumentParser) -> argparse._SubParsersAction[Any]:
    """The required ``ACTION`` sub-parsers of a noun command (``events list``...)."""
    return parser.add_subparsers(dest="action", metavar="ACTION", required=True)


def handles(parser: argparse.ArgumentParser, handler: Handler) -> None:
    """Run ``handler`` when ``parser`` matched, with the services' errors translated."""
    runs(parser, translated(handler))


def translated(handler: Handler) -> Handler:
    """``handler`` with typed errors turned into :class:`CommandError` (one sentence + code)."""

    @functools.wraps(handler)
    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except KalturaError as exc:
            raise CommandError(sentence(str(exc)), exc.exit_code) from None
        except connect.NoAccount as exc:
            raise CommandError(sentence(str(exc)), USAGE) from None
        except (CsvError, ProfileError, ProfileNotFoundError, ProfileFileError) as exc:
            raise CommandError(sentence(_first_arg(exc)), USAGE) from None
        except (SecretStoreError, CacheError) as exc:
            raise CommandError(sentence(str(exc)), SOME_FAILED) from None

    return run


def _first_arg(exc: Exception) -> str:
    return str(exc.args[0]) if exc.args else str(exc)


def sentence(text: str) -> str:
    """``text`` on one line, ending with a full stop."""
    text = " ".join(text.split())
    return text if text.endswith((".", "!", "?")) else f"{text}."


@contextlib.contextmanager
def connected(args: argparse.Namespace, **connection: Any) -> Iterator[Account]:
    """The account of ``--profile`` / the environment, closed (connections, cache) at the end."""
    account = connect.open_account(getattr(args, "profile", None), **connection)
    try:
        yield account
    finally:
        for note in account.cache.take_notes():
            warn(f"note: {note}")
        connect.close(account)


# --- output --------------------------------------------------------------------------------------


def iso(timestamp: int | float | None) -> str | None:
    """Unix seconds as ISO 8601 UTC (``2024-05-01T09:00:00Z``); None stays None."""
    if not timestamp:
        return None
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def print_json(document: Any) -> None:
    """One JSON document on stdout (stable key order as given)."""
    print(json.dumps(document, indent=2, ensure_ascii=False))


#: The widest a table cell is in text output; a longer value ends in "…" (--json has it all).
MAX_CELL = 60


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], empty: str,
          full: Sequence[str] = ()) -> None:
    """Print aligned columns (or ``empty`` when there are no rows).

    Args:
        headers: The column names.
        rows: The cells (None is empty).
        empty: What to print when there are no rows.
        full: Columns never cut to :data:`MAX_CELL` (a sentence such as ERROR); every other
            cell longer than that is cut with an ellipsis, so one 300-character user ID
            cannot make the whole table 300 columns wide.
    """
    if not rows:
        print(empty)
        return
    keep = [h in full for h in headers]
    cells = [[cut(shown("" if v is None else str(v), layout=""), whole)
              for v, whole in zip(row, keep, strict=True)] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    for row in [list(headers), *cells]:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def cut(text: str, whole: bool = False) -> str:
    """``text``, or its first :data:`MAX_CELL` - 1 characters and "…" when longer."""
    return text if whole or len(text) <= MAX_CELL else text[:MAX_CELL - 1] + "…"


#: Control characters a terminal acts on: C0 (but the layout ones), DEL and C1 (CSI...).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LAYOUT = re.compile(r"[\t\n\r]")


def shown(text: str, layout: str = "\t\n\r") -> str:
    r"""``text`` safe to print: control characters as ``\u001b`` (valid in JSON strings too).

    Args:
        layout: The layout characters kept as they are (a table cell keeps none).
    """
    text = _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return _LAYOUT.sub(lambda m: m.group() if m.group() in layout else
                       f"\\u{ord(m.group()):04x}", text)


class EscapingStream:
    """A text stream that writes :func:`shown` text.

    ESC sequences from account or CSV data never reach the terminal (they could clear it,
    retitle the window or fake output).
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        """Write ``text`` with its control characters escaped."""
        self.stream.write(shown(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


@contextlib.contextmanager
def escaped_output() -> Iterator[None]:
    """Every print to stdout and stderr, while inside, goes through :class:`EscapingStream`."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = EscapingStream(out), EscapingStream(err)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err


def warn(message: str) -> None:
    """A note for the person at the terminal, on stderr (never mixed into stdout data)."""
    print(f"kproducer: {message}", file=sys.stderr, flush=True)


def stdin_is_terminal() -> bool:
    """Whether a person can be asked for input."""
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def stderr_is_terminal() -> bool:
    """Whether progress can be drawn on stderr."""
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


class ProgressLine:
    """``{verb}… N of M rows`` on one stderr line, redrawn after each batch.

    Args:
        verb: What is happening ("Importing").
        total: Rows in all; None takes the total each update reports.
        offset: Rows already done before this run (shown as done).
    """

    def __init__(self, verb: str, total: int | None = None, offset: int = 0) -> None:
        self.verb = verb
        self.total = total
        self.offset = offset
        self.shown = False

    def update(self, done: int, total: int) -> None:
        """Redraw the line after a batch."""
        shown_total = self.total if self.total is not None else total
        sys.stderr.write(f"\r{self.verb}… {self.offset + done} of {shown_total} rows")
        sys.stderr.flush()
        self.shown = True

    def done(self) -> None:
        """End the line (when anything was drawn)."""
        if self.shown:
            sys.stderr.write("\n")
            sys.stderr.flush()
