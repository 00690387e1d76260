"""Reading the people CSV (DESIGN §5): a header row, then one person per row.

Columns: ``user_id`` (or ``email``, used as the ID when ``user_id`` is absent), and
optionally ``first_name``, ``last_name``, ``email``, ``role``. The file is read as it
streams (a 50 MB list never sits in memory twice); anything wrong with the file as a whole
is one :class:`CsvError` sentence, anything wrong with a row is that row's failure.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .facts import Person

#: ``kuser::PUSER_ID_REGEXP`` of kaltura/server.
USER_ID = re.compile(r"^[A-Za-z0-9,!#$%&'*+?^_`{|}~.@-]{1,320}$")
KNOWN = ("user_id", "email", "first_name", "last_name", "role")
ROLES = ("attendee", "moderator")


class CsvError(ValueError):
    """The file cannot be used at all (exit code 2): one sentence."""


@dataclass(frozen=True)
class Row:
    """One data row: its line number, the person, the requested role, and all its columns.

    Attributes:
        values: The row's cells exactly as read (unstripped), for writing them back out.
    """

    line: int
    person: Person
    role: str = ""
    columns: dict[str, str] = field(default_factory=dict)
    problem: str = ""
    values: tuple[str, ...] = ()


def _lines(path: Path) -> Iterator[str]:
    """Decode as UTF-8 (a BOM is fine), refusing binary files with a sentence."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        with path.open("rb") as handle:
            pending = ""
            for chunk in iter(lambda: handle.read(1 << 16), b""):
                if b"\0" in chunk:
                    raise CsvError(f"{path.name} is a binary file, not a CSV.")
                pending += decoder.decode(chunk)
                *complete, pending = pending.split("\n")
                for line in complete:
                    yield line + "\n"
            pending += decoder.decode(b"", final=True)
            if pending:
                yield pending
    except UnicodeDecodeError as exc:
        raise CsvError(
            f"{path.name} is not UTF-8 text (byte {exc.start} of a block cannot be read); "
            "save it as CSV UTF-8 and try again."
        ) from exc
    except OSError as exc:
        raise CsvError(f"Cannot read {path}: {exc.strerror or exc}.") from exc


def read_rows(path: Path) -> Iterator[Row]:
    """The rows of a people CSV, streamed.

    Raises:
        CsvError: Missing file, not UTF-8, binary, no header, or no ``user_id``/``email``
            column. Raised before the first row, or as soon as the problem is seen.
    """
    _, rows = open_rows(path)
    yield from rows


def open_rows(path: Path) -> tuple[list[str], Iterator[Row]]:
    """The header row as written, and the data rows streamed (see :func:`read_rows`).

    Raises:
        CsvError: As :func:`read_rows`; problems of the header are raised here, at once.
    """
    reader = csv.reader(_lines(path))
    try:
        header = next(reader)
    except StopIteration:
        raise CsvError(f"{path.name} is empty: it needs a header row.") from None
    except csv.Error as exc:
        raise CsvError(f"{path.name} is not a readable CSV: {exc}.") from exc
    names = [h.strip().lower() for h in header]
    if "user_id" not in names and "email" not in names:
        raise CsvError(
            f"{path.name} needs a 'user_id' or an 'email' column in its header row "
            f"(found: {', '.join(n for n in names if n) or 'nothing'})."
        )
    return header, _data_rows(path, reader, names)


def _data_rows(path: Path, reader: Any, names: list[str]) -> Iterator[Row]:
    """The data rows; a row's ``line`` is its row number as a spreadsheet shows it."""
    try:
        for number, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            yield _row(number, names, values)
    except csv.Error as exc:
        raise CsvError(
            f"{path.name} is not a readable CSV near line {reader.line_num}: {exc}."
        ) from exc


def role_problem(role: str) -> str:
    """Why ``role`` (lower case, stripped) is not a role, or '' when it is one (or empty)."""
    if role and role not in ROLES:
        return f'role "{role}" is not attendee or moderator'
    return ""


def _row(line: int, names: list[str], values: list[str]) -> Row:
    columns = {n: values[i].strip() if i < len(values) else "" for i, n in enumerate(names) if n}
    email = columns.get("email", "")
    user_id = columns.get("user_id", "") or email
    role = columns.get("role", "").lower()
    person = Person(user_id, columns.get("first_name", ""), columns.get("last_name", ""), email)
    problem = ""
    if not user_id:
        problem = "no user_id or email"
    elif not USER_ID.match(user_id):
        problem = f'"{user_id}" is not a valid Kaltura user ID'
    else:
        problem = role_problem(role)
    return Row(line, person, role, columns, problem, tuple(values))
