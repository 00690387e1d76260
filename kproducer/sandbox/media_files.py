"""Where the sandbox keeps uploaded bytes, and what it reads of them.

Uploaded files live under the sandbox data folder (``media/``, owner-only), as
kaltura/server keeps an upload token's file under its uploads volume
(``kUploadTokenMgr::getUploadPath``) and an entry's source under its content folder.

A file's kind and real duration are read with ``hachoir`` (pure Python, no native code,
unlike PyAV or MediaInfo), an optional extra (``kproducer[media]``, in ``[test]``): only
the sandbox's conversion step imports it, lazily, in place of the server's ``mediaInfo``
job, so the desktop app does not need it.
"""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from .store import Store, ensure_private_dir

log = logging.getLogger(__name__)

_COPY_BYTES = 1024 * 1024


def media_dir(db: Store, *parts: str) -> Path:
    """A folder under the sandbox's ``media/`` folder (created owner-only)."""
    path = db.path.parent.joinpath("media", *parts)
    ensure_private_dir(path.parent if parts else path)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def token_file(db: Store, token_id: str) -> Path:
    """The file an upload token's chunks are assembled into."""
    return media_dir(db, "uploads") / f"{token_id}.upload"


def chunk_file(db: Store, token_id: str, offset: int) -> Path:
    """A chunk that arrived ahead of the assembled file (``{path}.chunk.{resumeAt}``)."""
    return media_dir(db, "uploads") / f"{token_id}.upload.chunk.{offset}"


def entry_file(db: Store, entry_id: str) -> Path:
    """An entry's source file (its original flavor)."""
    return media_dir(db, "entries") / f"{entry_id}.source"


def thumb_file(db: Store, asset_id: str) -> Path:
    """A thumbnail asset's image."""
    return media_dir(db, "thumbs") / f"{asset_id}.image"


def write_at(target: Path, offset: int, source: IO[bytes]) -> int:
    """Write ``source`` into ``target`` at ``offset``; returns the target's size after.

    Copied in 1 MB pieces (``kUploadTokenMgr::appendChunk`` reads 100 KB at a time): a
    chunk never sits in memory whole.
    """
    source.seek(0)
    flags = os.O_RDWR | os.O_CREAT
    fd = os.open(target, flags, 0o600)
    with os.fdopen(fd, "r+b") as out:
        out.seek(offset)
        shutil.copyfileobj(source, out, _COPY_BYTES)
        out.seek(0, os.SEEK_END)
        return out.tell()


def size_of(path: Path) -> int:
    """A file's size, 0 when it does not exist."""
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


@dataclass(frozen=True)
class Probe:
    """What the sandbox's conversion learns of a source file.

    Attributes:
        mime_type: As the parser names it ('' when no parser recognised the file).
        duration_ms: The media's real duration, 0 when it has none.
    """

    mime_type: str
    duration_ms: int
    #: False when hachoir is not installed: the file is then taken as a video of unknown
    #: duration rather than failed.
    probed: bool = True

    @property
    def is_media(self) -> bool:
        """A video or an audio file (what the server's conversion accepts)."""
        if not self.probed:
            return True
        return self.mime_type.startswith(("video/", "audio/")) and self.duration_ms > 0

    @property
    def media_type(self) -> int:
        """``KalturaMediaType``: VIDEO 1, AUDIO 5."""
        return 5 if self.mime_type.startswith("audio/") else 1


def probe(path: Path) -> Probe:
    """Read a file's kind and duration with hachoir; an unknown file gives ``Probe('', 0)``."""
    try:
        from hachoir.core import config as hachoir_config
        from hachoir.metadata import extractMetadata
        from hachoir.parser import createParser
    except ImportError:  # the optional "media" extra is not installed
        log.warning("hachoir is not installed (pip install 'kproducer[media]'): the sandbox "
                    "takes every upload as a video of unknown duration")
        return Probe("", 0, probed=False)
    hachoir_config.quiet = True
    try:
        parser = createParser(str(path))
        if parser is None:
            return Probe("", 0)
        with parser:
            mime = str(parser.mime_type or "")
            metadata = extractMetadata(parser)
            duration = metadata.get("duration", None) if metadata is not None else None
    except Exception as exc:  # a damaged file is a failed conversion, not a server error
        log.debug("hachoir could not read %s: %s", path, exc)
        return Probe("", 0)
    millis = int(duration.total_seconds() * 1000) if duration is not None else 0
    return Probe(mime, millis)
