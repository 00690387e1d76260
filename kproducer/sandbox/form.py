"""Form bodies as PHP reads them into ``$_GET``, ``$_POST`` and ``$_FILES``.

PHP nests bracketed names (``filter[idEqual]=x`` is ``$_POST['filter']['idEqual']``,
``a[]`` appends) and turns ``.`` and spaces of the base name into ``_``
(``php_register_variable_ex``); kaltura/server then reads those arrays as they are.
multipart/form-data bodies are parsed with python-multipart, file parts going to
temporary files (owner-only, deleted when the request is done) rather than memory.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any, Protocol

from python_multipart import create_form_parser
from python_multipart.exceptions import FormParserError

#: File parts up to this size stay in memory; larger ones are written to a temporary file.
MEMORY_FILE_BYTES = 1024 * 1024
_CHUNK = 64 * 1024
_SEGMENT = re.compile(r"\[([^\]]*)\]")


class Readable(Protocol):
    """A byte stream (a request's ``rfile``)."""

    def read(self, size: int = -1, /) -> bytes:
        """Up to ``size`` bytes."""
        ...


@dataclass
class UploadedFile:
    """One file part of a multipart request (what ``$_FILES`` describes).

    Attributes:
        field: The part's form field name.
        filename: The file name the client gave, without its folders (as PHP keeps it).
        content_type: The part's Content-Type ('' when none).
        size: Bytes received.
        file: The content, positioned at its start.
    """

    field: str
    filename: str
    content_type: str
    size: int
    file: IO[bytes]


@dataclass
class Form:
    """The fields and files of one multipart body."""

    fields: list[tuple[str, str]] = field(default_factory=list)
    files: list[UploadedFile] = field(default_factory=list)

    def close(self) -> None:
        """Close (and so delete) every temporary file."""
        for upload in self.files:
            with contextlib.suppress(OSError):
                upload.file.close()


def php_nest(pairs: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """Name/value pairs into PHP's request arrays (brackets nest; later values win)."""
    out: dict[str, Any] = {}
    for name, value in pairs:
        name = name.lstrip(" ")
        bracket = name.find("[")
        segments: list[str] = []
        if bracket > 0:
            rest = name[bracket:]
            segments = _SEGMENT.findall(rest)
            base = name[:bracket].replace(".", "_").replace(" ", "_")
            if "".join(f"[{s}]" for s in segments) == rest:
                name = base
            else:  # an unmatched "[" becomes "_" and ends the name's rewriting
                name, segments = f"{base}_{name[bracket + 1:]}", []
        elif bracket < 0:
            name = name.replace(".", "_").replace(" ", "_")
        if not name:
            continue
        node = out
        keys = [name, *segments]
        for i, key in enumerate(keys):
            if key == "" and i:
                numbers = (int(k) for k in node if str(k).lstrip("-").isdigit())
                key = str(1 + max(numbers, default=-1))
            if i == len(keys) - 1:
                node[key] = value
            else:
                child = node.get(key)
                if not isinstance(child, dict):
                    child = node[key] = {}
                node = child
    return out


def read_multipart(stream: Readable, content_type: str, length: int) -> Form:
    """Parse a multipart/form-data body of ``length`` bytes from ``stream``.

    Raises:
        ValueError: The body is not valid multipart (or ends early); what was read is
            discarded.
    """
    form = Form()

    def on_field(part: Any) -> None:
        value = part.value
        form.fields.append((_text(part.field_name), _text(value) if value is not None else ""))

    def on_file(part: Any) -> None:
        handle = part.file_object
        handle.seek(0)
        form.files.append(
            UploadedFile(
                _text(part.field_name), _basename(_text(part.file_name)), part.content_type or "",
                part.size, handle,
            )
        )

    headers = {
        "Content-Type": content_type.encode("latin-1"),
        "Content-Length": str(length).encode(),
    }
    try:
        parser = create_form_parser(
            headers, on_field, on_file, config={"MAX_MEMORY_FILE_SIZE": MEMORY_FILE_BYTES}
        )
        remaining = length
        while remaining:
            chunk = stream.read(min(_CHUNK, remaining))
            if not chunk:
                raise ValueError("the body ended before its Content-Length")
            parser.write(chunk)
            remaining -= len(chunk)
        parser.finalize()
    except (FormParserError, ValueError, UnicodeEncodeError) as exc:
        form.close()
        raise ValueError(f"malformed multipart body: {exc}") from None
    return form


def _basename(name: str) -> str:
    """PHP keeps only the last path component of a part's file name (``php_ap_basename``)."""
    return re.split(r"[/\\]", name)[-1]


def _text(raw: bytes | str | None) -> str:
    if raw is None:
        return ""
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
