"""A generated thumbnail: a PNG of the asked size with the session's name on it.

The server draws an entry's thumbnail from a frame of its video; doing that needs a video
decoder (ffmpeg, PyAV), far too heavy for what the sandbox is for. The sandbox draws a
picture instead, with no dependency: a colour of the entry's own (from its id), a darker
band, and the name in a small bitmap font, written as a PNG with :mod:`zlib`.
"""

from __future__ import annotations

import hashlib
import struct
import unicodedata
import zlib

#: 5×7 glyphs, one string of 7 rows of 5 bits each ('#' = ink).
_GLYPHS: dict[str, tuple[str, ...]] = {
    "A": (".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"),
    "B": ("####.", "#...#", "#...#", "####.", "#...#", "#...#", "####."),
    "C": (".###.", "#...#", "#....", "#....", "#....", "#...#", ".###."),
    "D": ("####.", "#...#", "#...#", "#...#", "#...#", "#...#", "####."),
    "E": ("#####", "#....", "#....", "####.", "#....", "#....", "#####"),
    "F": ("#####", "#....", "#....", "####.", "#....", "#....", "#...."),
    "G": (".###.", "#...#", "#....", "#.###", "#...#", "#...#", ".####"),
    "H": ("#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"),
    "I": (".###.", "..#..", "..#..", "..#..", "..#..", "..#..", ".###."),
    "J": ("..###", "...#.", "...#.", "...#.", "...#.", "#..#.", ".##.."),
    "K": ("#...#", "#..#.", "#.#..", "##...", "#.#..", "#..#.", "#...#"),
    "L": ("#....", "#....", "#....", "#....", "#....", "#....", "#####"),
    "M": ("#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#"),
    "N": ("#...#", "#...#", "##..#", "#.#.#", "#..##", "#...#", "#...#"),
    "O": (".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."),
    "P": ("####.", "#...#", "#...#", "####.", "#....", "#....", "#...."),
    "Q": (".###.", "#...#", "#...#", "#...#", "#.#.#", "#..#.", ".##.#"),
    "R": ("####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#"),
    "S": (".####", "#....", "#....", ".###.", "....#", "....#", "####."),
    "T": ("#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."),
    "U": ("#...#", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."),
    "V": ("#...#", "#...#", "#...#", "#...#", "#...#", ".#.#.", "..#.."),
    "W": ("#...#", "#...#", "#...#", "#.#.#", "#.#.#", "#.#.#", ".#.#."),
    "X": ("#...#", "#...#", ".#.#.", "..#..", ".#.#.", "#...#", "#...#"),
    "Y": ("#...#", "#...#", ".#.#.", "..#..", "..#..", "..#..", "..#.."),
    "Z": ("#####", "....#", "...#.", "..#..", ".#...", "#....", "#####"),
    "0": (".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."),
    "1": ("..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."),
    "2": (".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"),
    "3": ("#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###."),
    "4": ("...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."),
    "5": ("#####", "#....", "####.", "....#", "....#", "#...#", ".###."),
    "6": ("..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."),
    "7": ("#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."),
    "8": (".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."),
    "9": (".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."),
    "-": (".....", ".....", ".....", "#####", ".....", ".....", "....."),
    ".": (".....", ".....", ".....", ".....", ".....", ".##..", ".##.."),
    ":": (".....", ".##..", ".##..", ".....", ".##..", ".##..", "....."),
    "'": ("..#..", "..#..", ".#...", ".....", ".....", ".....", "....."),
    "?": (".###.", "#...#", "....#", "...#.", "..#..", ".....", "..#.."),
    "(": ("...#.", "..#..", ".#...", ".#...", ".#...", "..#..", "...#."),
    ")": (".#...", "..#..", "...#.", "...#.", "...#.", "..#..", ".#..."),
    "&": (".##..", "#..#.", "#.#..", ".#...", "#.#.#", "#..#.", ".##.#"),
    ",": (".....", ".....", ".....", ".....", ".##..", "..#..", ".#..."),
    "/": (".....", "....#", "...#.", "..#..", ".#...", "#....", "....."),
    "!": ("..#..", "..#..", "..#..", "..#..", "..#..", ".....", "..#.."),
    " ": (".....",) * 7,
}
MAX_SIDE = 2000


def _rgb(seed: str) -> tuple[int, int, int]:
    digest = hashlib.sha256(seed.encode()).digest()
    return 60 + digest[0] % 140, 60 + digest[1] % 140, 60 + digest[2] % 140


def _ascii(name: str) -> str:
    """Upper case, accents dropped (é → E), dashes as '-', anything else without a glyph '?'."""
    folded = unicodedata.normalize("NFKD", name.replace("\u2014", "-").replace("\u2013", "-"))
    plain = "".join(c for c in folded if not unicodedata.combining(c)).upper()
    return "".join(c if c in _GLYPHS else ("'" if c in "\u2018\u2019" else "?") for c in plain)


def _lines(name: str, per_line: int, max_lines: int) -> list[str]:
    words = _ascii(name).split()
    lines: list[str] = []
    for word in words or ["?"]:
        if lines and len(lines[-1]) + 1 + len(word) <= per_line:
            lines[-1] += " " + word
        else:
            lines.extend(word[i:i + per_line] for i in range(0, len(word), per_line))
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: max(per_line - 2, 0)].rstrip() + ".."
    return lines


def render(width: int, height: int, name: str, seed: str) -> bytes:
    """A ``width``×``height`` PNG (each side clamped to 1..2000) showing ``name``."""
    width = max(1, min(MAX_SIDE, width))
    height = max(1, min(MAX_SIDE, height))
    background = _rgb(seed)
    band = tuple(c // 2 for c in background)
    pixels = [bytearray(bytes(background) * width) for _ in range(height)]
    scale = max(1, min(width // 90, height // 45))
    cell_w, cell_h = 6 * scale, 9 * scale
    per_line = max(1, (width - 2 * scale) // cell_w)
    lines = _lines(name, per_line, max(1, (height - 2 * scale) // cell_h))
    top = max(0, (height - len(lines) * cell_h) // 2)
    for y in range(max(0, top - scale), min(height, top + len(lines) * cell_h + scale)):
        pixels[y][:] = bytes(band) * width
    for row, text in enumerate(lines):
        left = max(0, (width - len(text) * cell_w) // 2)
        for index, char in enumerate(text):
            glyph = _GLYPHS.get(char, _GLYPHS["?"])
            for gy, bits in enumerate(glyph):
                for gx, bit in enumerate(bits):
                    if bit != "#":
                        continue
                    for dy in range(scale):
                        y = top + row * cell_h + scale + gy * scale + dy
                        if not 0 <= y < height:
                            continue
                        x0 = left + index * cell_w + gx * scale
                        for x in range(x0, min(width, x0 + scale)):
                            pixels[y][3 * x:3 * x + 3] = b"\xff\xff\xff"
    raw = b"".join(b"\x00" + bytes(line) for line in pixels)
    return _png(width, height, raw)


def _png(width: int, height: int, raw: bytes) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))
