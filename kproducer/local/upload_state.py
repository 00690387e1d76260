"""What this machine remembers of uploads in progress, so that they can be resumed.

One JSON file (``uploads.json`` in the data folder), schema-versioned, written atomically
and owner-only (:mod:`.atomic`). A record names the account (service URL and partner ID),
the file (absolute path, size, modification time), the upload token, the bytes the server
confirmed, and once made, the session (entry) it becomes. It holds no secret: an upload
token is useless without a KS of the same partner. A record whose file changed (size or
modification time) is not used again: that upload starts over.
"""

from __future__ import annotations

import json
import threading
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from .. import paths
from .atomic import write_text

SCHEMA_VERSION = 1
FILE_NAME = "uploads.json"
_LOCK = threading.Lock()


@dataclass
class UploadRecord:
    """One upload of one file to one account.

    Attributes:
        account: ``{service_url}#{partner_id}``.
        path: The file's absolute path.
        size: Its size in bytes when the upload began.
        mtime_ns: Its modification time then.
        token_id: The upload token.
        confirmed: Bytes the server confirmed (``uploadedFileSize``) at the last chunk.
        name: The session's name.
        event_id: The virtual event it joins, or None.
        entry_id: The session once ``media.add`` made it, else ''.
        reference: The ``referenceId`` sent with ``media.add`` (finds it after a lost answer).
    """

    account: str
    path: str
    size: int
    mtime_ns: int
    token_id: str
    confirmed: int = 0
    name: str = ""
    event_id: int | None = None
    entry_id: str = ""
    reference: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def key(self) -> tuple[str, str]:
        """What identifies the upload: the account and the file."""
        return (self.account, self.path)


def state_path() -> Path:
    """The state file (in the data folder: it is not a cache, clearing the cache keeps it)."""
    return paths.data_dir() / FILE_NAME


def _read() -> list[UploadRecord]:
    try:
        data = json.loads(state_path().read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError):
        return []  # unreadable: the uploads start over (the server keeps nothing usable)
    if not isinstance(data, dict) or data.get("version") != SCHEMA_VERSION:
        return []
    names = {f.name for f in fields(UploadRecord)}
    records = []
    for item in data.get("uploads", []):
        if isinstance(item, dict) and names >= set(item) and "token_id" in item:
            try:
                records.append(UploadRecord(**item))
            except TypeError:
                continue
    return records


def _write(records: list[UploadRecord]) -> None:
    document = {"version": SCHEMA_VERSION, "uploads": [asdict(r) for r in records]}
    write_text(state_path(), json.dumps(document, indent=1))


def find(account: str, path: Path, size: int, mtime_ns: int) -> UploadRecord | None:
    """The record of this file's upload to this account, if the file is unchanged."""
    with _LOCK:
        for record in _read():
            if record.key() == (account, str(path)):
                if record.size == size and record.mtime_ns == mtime_ns:
                    return record
                return None
    return None


def save(record: UploadRecord) -> None:
    """Add or replace the record of its account and file.

    Raises:
        OSError: The state file cannot be written (disk full...); the old one is unchanged.
    """
    with _LOCK:
        records = [r for r in _read() if r.key() != record.key()]
        records.append(record)
        _write(records)


def remove(account: str, path: Path) -> None:
    """Forget the upload of this file to this account (done, or given up)."""
    with _LOCK:
        records = _read()
        kept = [r for r in records if r.key() != (account, str(path))]
        if len(kept) != len(records):
            _write(kept)


def all_records() -> list[UploadRecord]:
    """Every upload in progress on this machine."""
    with _LOCK:
        return _read()
