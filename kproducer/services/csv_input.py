"""Reading the people CSV (DESIGN §5): a header row, then one person per row.

Columns: ``user_id`` (or ``email``, used as the ID when ``user_id`` is absent), and
optionally ``first_name``, ``last_name``, ``email``, ``role``. The file is read as it
streams (a 50 MB list never sits in memory twice); anything wrong with the file as a whole
is one :class:`CsvError` sentence, anything wrong with a row is that row's failure.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .emails import email_problem
from .facts import Person

#: ``kuser::PUSER_ID_REGEXP`` of kaltura/server.
USER_ID = re.compile(r"^[A-Za-z0-9,!#$%&'*+?^_`{|}~.@-]{1,320}$")
KNOWN = ("user_id", "email", "first_name", "last_name", "role")
ROLES = ("attendee", "moderator")
#: Longest first or last name accepted (longer is taken for a misplaced column).
MAX_NAME = 128


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


#: Bytes looked at to tell the encoding (a BOM, or the NULs of UTF-16 without one).
_SNIFF = 4096


def _encoding(path: Path, head: bytes) -> str:
    """The codec of a file starting with ``head``: UTF-8 (BOM or not), or UTF-16 with a BOM.

    Raises:
        CsvError: UTF-16 without a BOM (it cannot be told from binary safely), or binary.
    """
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and not head.startswith(
            codecs.BOM_UTF32_LE):
        return "utf-16"
    if b"\0" in head:
        even, odd = head[0::2], head[1::2]
        if head and (even.count(0) > len(even) // 2 or odd.count(0) > len(odd) // 2):
            raise CsvError(
                f"{path.name} looks like UTF-16 text without a byte-order mark; save it as "
                "CSV UTF-8 (in Excel: Save As, CSV UTF-8) and try again."
            )
        raise CsvError(f"{path.name} is a binary file, not a CSV.")
    return "utf-8-sig"


def _lines(path: Path) -> Iterator[str]:
    """The file's lines, decoded: UTF-8 (a BOM is fine) or UTF-16 with a BOM.

    Lines end at LF, CRLF or a lone CR (old Mac files); binary files are refused.
    """
    encoding = "utf-8-sig"
    try:
        with path.open("rb") as raw:
            encoding = _encoding(path, raw.read(_SNIFF))
            raw.seek(0)
            with io.TextIOWrapper(raw, encoding=encoding, newline="") as text:
                for line in text:
                    if "\0" in line:
                        raise CsvError(f"{path.name} is a binary file, not a CSV.")
                    yield line
    except UnicodeError as exc:
        where = f" (byte {exc.start} of a block cannot be read)" \
            if isinstance(exc, UnicodeDecodeError) else ""
        raise CsvError(
            f"{path.name} is not {'UTF-16' if encoding == 'utf-16' else 'UTF-8'} text{where}; "
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
    if reader.line_num > 1 or any("\n" in h or "\r" in h for h in header):
        raise CsvError(_runs_on(path, 1, reader.line_num))
    names = [h.strip().lower() for h in header]
    if "user_id" not in names and "email" not in names:
        raise CsvError(
            f"{path.name} needs a 'user_id' or an 'email' column in its header row "
            f"(found: {', '.join(n for n in names if n) or 'nothing'})."
        )
    return header, _data_rows(path, reader, names)


def _data_rows(path: Path, reader: Any, names: list[str]) -> Iterator[Row]:
    """The data rows; a row's ``line`` is its line number as a spreadsheet shows it.

    Raises:
        CsvError: A cell runs past the end of its line (a stray quote): the rows after it
            would be guesses, so the whole file is refused rather than one row failed.
    """
    end = reader.line_num
    try:
        for values in reader:
            start, end = end + 1, reader.line_num
            if end > start or any("\n" in v or "\r" in v for v in values):
                raise CsvError(_runs_on(path, start, end))
            if not any(v.strip() for v in values):
                continue
            yield _row(start, names, values)
    except csv.Error as exc:
        raise CsvError(
            f"{path.name} is not a readable CSV near line {reader.line_num}: {exc}."
        ) from exc


def _runs_on(path: Path, start: int, end: int) -> str:
    """The sentence for a quoted cell that does not end on its own line."""
    reach = f"runs on to line {end}" if end > start else "is never closed"
    return (
        f"{path.name} line {start}: a quoted cell {reach}, so the lines after it cannot be "
        f"told apart (a stray \" on line {start}? cells cannot hold line breaks); nothing "
        "was done: fix that cell and try again."
    )


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
    problem = _person_problem(person) or _shape_problem(len(names), values) or role_problem(role)
    return Row(line, person, role, columns, problem, tuple(values))


def _person_problem(person: Person) -> str:
    """Why Kaltura cannot take this person, or ''."""
    if not person.user_id:
        return "no user_id or email"
    if not USER_ID.match(person.user_id):
        return f'"{person.user_id}" is not a valid Kaltura user ID'
    email = person.email
    reason = email_problem(email) if email else ""
    if reason:
        return f'"{email}" is not a valid email address ({reason})'
    for column, value in (("first_name", person.first_name), ("last_name", person.last_name)):
        if len(value) > MAX_NAME:
            return f"{column} is longer than {MAX_NAME} characters"
    return ""


def _shape_problem(width: int, values: list[str]) -> str:
    """Why the row's cells do not line up with the header, or ''.

    More cells than columns means a column moved (an unquoted comma): the row fails. Fewer
    are read as empty: spreadsheets and hand-written lists leave trailing empty cells out,
    and the cells there are still in their columns.
    """
    if any(v.strip() for v in values[width:]):
        return "the row has more cells than the header has columns"
    return ""
