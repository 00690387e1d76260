"""Writing the CSVs kproducer makes, safely (issue 15): formulas never run, nothing is clobbered.

Every CSV the app writes (the links output, the import report, results saved from the
window) goes through :func:`writer`: a cell that a spreadsheet would run as a formula
(starting with ``=``, ``+``, ``-``, ``@``, TAB or CR) gets a leading ``'``, as OWASP's "CSV
injection" advice says. The escape is exact: a cell that already starts with quotes before
such a character gets one more, so :func:`unescape` gives back the very value written (a
re-run reading our own output matches its rows).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Protocol

#: A cell a spreadsheet would evaluate: optional quotes, then a formula character.
_FORMULA = re.compile(r"^'*[=+\-@\t\r]")


class _Rows(Protocol):
    def writerow(self, row: Iterable[Any], /) -> Any: ...


def escape(value: Any) -> Any:
    """``value`` safe for a spreadsheet (strings only; numbers are written as they are)."""
    if isinstance(value, str) and _FORMULA.match(value):
        return "'" + value
    return value


def unescape(value: str) -> str:
    """The value :func:`escape` was given, from the cell it wrote."""
    return value[1:] if value.startswith("'") and _FORMULA.match(value[1:]) else value


def unescape_row(values: list[str]) -> list[str]:
    """A row of our own output as it was before :func:`escape`."""
    return [unescape(v) for v in values]


class SafeWriter:
    """A :func:`csv.writer` that escapes every cell (see the module docstring)."""

    def __init__(self, rows: _Rows) -> None:
        self._rows = rows

    def writerow(self, row: Iterable[Any]) -> None:
        """Write one row, escaped."""
        self._rows.writerow([escape(v) for v in row])


def writer(handle: Any, **options: Any) -> SafeWriter:
    """The CSV writer every file kproducer writes uses."""
    return SafeWriter(csv.writer(handle, **options))


def refuse_replacing(target: Path, source: Path | None, what: str,
                     ours: Callable[[Path], bool]) -> str:
    """Why writing ``target`` must be refused, or '' when it may be written.

    Args:
        target: The file about to be written.
        source: The input it is made from (never replaced), if any.
        what: What the output is, for the sentence ("links export", "import report").
        ours: Whether an existing file is one of ours of that kind (safe to replace).
    """
    if source is not None and target.exists() and source.exists() \
            and target.resolve() == source.resolve():
        return f"The {what} would replace the input CSV; name another file."
    if target.is_file() and not ours(target):
        return (f"{target} already exists and is not a kproducer {what}, so it is not "
                "replaced; choose another file or move that one away.")
    return ""
