"""Video files for upload tests and benchmarks, made on the spot (never shipped).

:func:`make_mp4` writes a real ISO base-media file: an ``ftyp`` box, a ``moov`` box whose
``mvhd`` declares the duration, and an ``mdat`` box of the size asked, either random
bytes or a sparse hole (a 2 GB file then costs no disk). hachoir, like any MP4 reader,
takes its kind from ``ftyp`` and its duration from ``mvhd``.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

import requests

from kproducer.sandbox import SandboxInfo


def _box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", 8 + len(body)) + kind + body


def mp4_header(seconds: float, timescale: int = 1000) -> bytes:
    """``ftyp`` + ``moov``/``mvhd`` of a movie lasting ``seconds``."""
    ftyp = _box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2mp41")
    mvhd = _box(
        b"mvhd",
        struct.pack(">B3xIIII", 0, 0, 0, timescale, int(seconds * timescale))
        + struct.pack(">IH10x", 0x00010000, 0x0100)
        + struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
        + bytes(24) + struct.pack(">I", 2),
    )
    return ftyp + _box(b"moov", mvhd)


def make_mp4(path: Path, seconds: float, size: int, sparse: bool = False) -> Path:
    """An MP4 of ``size`` bytes in all, lasting ``seconds``."""
    header = mp4_header(seconds)
    payload = max(0, size - len(header) - 8)
    with path.open("wb") as out:
        out.write(header)
        out.write(struct.pack(">I", 8 + payload) + b"mdat")
        if sparse:
            out.truncate(len(header) + 8 + payload)
        else:
            left = payload
            while left:
                piece = min(left, 1 << 20)
                out.write(os.urandom(piece))
                left -= piece
    return path


def conversion_seconds(info: SandboxInfo, seconds: int) -> None:
    """Set how long the sandbox's conversions take."""
    answer = requests.post(
        f"{info.service_url}/_sandbox/conversion", json={"seconds": seconds}, timeout=10
    )
    answer.raise_for_status()


def set_faults(info: SandboxInfo, **faults: float) -> None:
    """``POST /_sandbox/faults`` (no arguments clears them)."""
    requests.post(f"{info.service_url}/_sandbox/faults", json=faults, timeout=10).raise_for_status()


def stats(info: SandboxInfo) -> dict:
    """``GET /_sandbox/stats``."""
    return requests.get(f"{info.service_url}/_sandbox/stats", timeout=10).json()
