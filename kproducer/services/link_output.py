"""The files of a link export: its CSV columns, page names, and what a re-run can keep.

The output CSV is the input's columns, as read, followed by :data:`LINK_COLUMNS`: the
contract's ``status``, ``error``, ``link``, ``ks_expires_at``, ``jwt_expires_at`` (DESIGN
§5), then ``warning`` (the link ends before the session does) and ``link_role``,
``link_entry_id``, ``link_event_id`` — what the link was made for, so a re-run can tell
which rows it may keep — and ``link_id``, the KS's ``sessionid`` (the link ledger's ID).

A re-run with the same ``--out`` reads the previous file (:class:`Previous`) and keeps a row
exactly as it was when it is ``ok``, for the same user ID and role (the key), the same entry
and event, its KS has not expired and was not revoked (a row with a KS but no link ID, from
before the ledger, is made again so that it can be revoked), and (page format) its page is
still there. Only the byte
offset of each such row is held in memory; the row itself is read back when it is needed.
"""

from __future__ import annotations

import csv
import hashlib
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from .csv_input import CsvError
from .csv_output import unescape_row
from .kme import LAUNCH_LIFETIME

#: The contract's columns (DESIGN §5), in this order, after the input's columns.
CONTRACT_COLUMNS = ("status", "error", "link", "ks_expires_at", "jwt_expires_at")
#: Added after them: a warning, and what each link was made for (used by re-runs).
EXTRA_COLUMNS = ("warning", "link_role", "link_entry_id", "link_event_id", "link_id")
LINK_COLUMNS = CONTRACT_COLUMNS + EXTRA_COLUMNS
#: Columns the export reads from the input; any other column is carried through untouched.
USED_COLUMNS = ("user_id", "email", "first_name", "last_name", "role")
#: The CSV written into the folder of a ``page`` export.
INDEX_NAME = "links.csv"
OK = "ok"
FAILED = "failed"
#: A kept link must stay valid at least this long, else it is made again.
MIN_REMAINING = 10 * 60
#: A kept room page's launch must stay accepted at least this long, else it is signed again.
ROOM_MARGIN = 2 * 60

#: A row's identity in an export: a 64-bit digest of its user ID and role (a set of
#: 50,000 of them stays small; see :func:`row_key`).
Key = int


def row_key(user_id: str, role: str) -> Key:
    """The key rows are matched by: the exact user ID and the role."""
    digest = hashlib.blake2b(f"{user_id}\t{role}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def check_header(source: str, header: list[str]) -> list[str]:
    """Refuse headers the output could not carry; return the input's unused columns.

    Raises:
        CsvError: A column repeats, or is one of the columns the export adds (the file
            looks like an export itself).
    """
    names = [h.strip().lower() for h in header]
    taken = [n for n in names if n in LINK_COLUMNS]
    if taken:
        raise CsvError(
            f"{source} already has a '{taken[0]}' column, which the export adds; use the "
            "original list of people (or rename that column)."
        )
    seen: set[str] = set()
    for name in names:
        if name and name in seen:
            raise CsvError(f"{source} has two '{name}' columns; keep one and try again.")
        seen.add(name)
    return [h.strip() for h, n in zip(header, names, strict=True) if n and n not in USED_COLUMNS]


def iso(timestamp: int | None) -> str:
    """Unix seconds as ISO 8601 UTC (``2024-05-01T09:00:00Z``); '' for None."""
    if not timestamp:
        return ""
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_iso(text: str) -> int | None:
    """The unix seconds of :func:`iso` text, or None when it is not such a time."""
    try:
        return int(datetime.strptime(text.strip(), "%Y-%m-%dT%H:%M:%SZ")
                   .replace(tzinfo=UTC).timestamp())
    except ValueError:
        return None


_UNSAFE = re.compile(r"[^a-z0-9._@+-]+")


def page_name(user_id: str, role: str) -> str:
    """A file name for one person's page, safe on every file system.

    Lower case (case-insensitive file systems), only ``a-z0-9._@+-``, no leading dot, at
    most 60 characters of the ID, and a hash of the exact ID and role, so two people never
    share a file.
    """
    slug = _UNSAFE.sub("_", user_id.lower()).strip("._-")[:60] or "person"
    digest = hashlib.sha256(f"{user_id}\t{role}".encode()).hexdigest()[:10]
    return f"{slug}-{role}-{digest}.html"


def user_key(columns: dict[str, str]) -> str:
    """The user ID of a row by column name (``user_id``, else ``email``), as the reader does."""
    return columns.get("user_id", "").strip() or columns.get("email", "").strip()


def check_previous(path: Path) -> None:
    """Refuse, before any work, an output that exists and is not a links export.

    Raises:
        CsvError: ``path`` is a folder, or a file without the export's columns.
    """
    if path.exists():
        Previous(path, "", "", None).close()


class _Lines:
    """Decoded lines of a binary file, counting the bytes consumed (for record offsets)."""

    def __init__(self, handle: BinaryIO, start: int) -> None:
        self.handle = handle
        self.pos = start
        self.first = start == 0

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        raw = self.handle.readline()
        if not raw:
            raise StopIteration
        self.pos += len(raw)
        if self.first:
            self.first = False
            raw = raw.removeprefix(b"\xef\xbb\xbf")
        return raw.decode("utf-8")


class Previous:
    """The rows of a previous export that a re-run may keep (see the module docstring).

    Args:
        path: The previous output CSV (may not exist).
        entry_id: The entry this export is for.
        event_id: The event this export is for ('' for none).
        folder: The pages' folder (page format), to check each kept page still exists.
        now: Unix seconds.
        revoked: Link IDs revoked in the ledger (their rows are made again, with new IDs).

    Raises:
        CsvError: The file exists but is not a links export (it is never overwritten then).
    """

    def __init__(self, path: Path, entry_id: str, event_id: str,
                 folder: Path | None = None, now: int | None = None,
                 revoked: frozenset[str] = frozenset()) -> None:
        self.path = path
        self.folder = folder
        self.revoked = revoked
        self.header: list[str] = []
        self.offsets: dict[Key, int] = {}
        self._handle: BinaryIO | None = None
        if not path.exists():
            return
        if not path.is_file():
            raise CsvError(f"{path} is not a file; name a file for the export.")
        self._index(entry_id, event_id, int(time.time()) if now is None else now)

    def _refuse(self) -> CsvError:
        return CsvError(
            f"{self.path} already exists and is not a kproducer links export, so it is not "
            "replaced; choose another output or move that file away."
        )

    def _index(self, entry_id: str, event_id: str, now: int) -> None:
        handle = self.path.open("rb")
        self._handle = handle
        lines = _Lines(handle, 0)
        reader = csv.reader(lines)
        try:
            self.header = next(reader, [])
            names = [h.strip().lower() for h in self.header]
            if not {"status", "link"} <= set(names):
                raise self._refuse()
            at = {n: i for i, n in reversed(list(enumerate(names)))}
            while entry_id:
                start = lines.pos
                values = next(reader, None)
                if values is None:
                    break
                values = unescape_row(values)
                row = {n: values[i] if i < len(values) else "" for n, i in at.items()}
                key = row_key(user_key(row), row.get("link_role", ""))
                if key not in self.offsets and self._keepable(row, entry_id, event_id, now):
                    self.offsets[key] = start
        except (UnicodeDecodeError, csv.Error) as exc:
            self.close()
            raise self._refuse() from exc
        except CsvError:
            self.close()
            raise

    def _keepable(self, row: dict[str, str], entry_id: str, event_id: str, now: int) -> bool:
        link = row.get("link", "")
        if row.get("status") != OK or not link or not user_key(row):
            return False
        if self.folder is not None and not (self.folder / Path(link).name).is_file():
            return False
        if row.get("link_role") not in ("attendee", "moderator"):
            return False
        if row.get("link_entry_id") != entry_id or row.get("link_event_id", "") != event_id:
            return False
        expires = row.get("ks_expires_at", "")
        if expires:
            link_id = row.get("link_id", "")
            if not link_id or link_id in self.revoked:
                return False
            when = from_iso(expires)
            return when is not None and when > now + MIN_REMAINING
        return self._fresh_room_page(link, now)

    def _fresh_room_page(self, link: str, now: int) -> bool:
        """Whether a row without a KS (a room page) may be kept: its launch is still accepted.

        The page was written when its launch was signed, so its file time is the signing time.
        """
        if self.folder is None:
            return False
        try:
            signed = int((self.folder / Path(link).name).stat().st_mtime)
        except OSError:
            return False
        return signed + LAUNCH_LIFETIME > now + ROOM_MARGIN

    def __len__(self) -> int:
        return len(self.offsets)

    def take(self, key: Key, header: list[str], current: list[str]) -> list[str] | None:
        """The kept row for ``key`` laid out under ``header`` (the new output's), or None.

        Columns the previous file lacks take the ``current`` row's value.
        """
        offset = self.offsets.pop(key, None)
        if offset is None or self._handle is None:
            return None
        self._handle.seek(offset)
        values = next(csv.reader(_Lines(self._handle, offset)), None)
        if values is None:
            return None
        values = unescape_row(values)
        named = {h.strip().lower(): v for h, v in zip(self.header, values, strict=False) if h}
        if row_key(user_key(named), named.get("link_role", "")) != key:
            return None  # two keys with one digest: never keep the wrong person's row
        if header == self.header:
            return values + [""] * (len(header) - len(values))
        return [named.get(h.strip().lower(), current[i] if i < len(current) else "")
                if h.strip() else (current[i] if i < len(current) else "")
                for i, h in enumerate(header)]

    def close(self) -> None:
        """Release the previous file."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None
