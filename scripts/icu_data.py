"""A smaller ICU data library for the bundle: Qt's ``libicudata.so.NN`` with only what is used.

QtCore links Qt's own ICU (libicuuc, libicui18n, libicudata: 32 MB of data, all of CLDR).
QtWebEngine does not use it (Chromium has its own ICU, ``resources/icudtl.dat``), Qt's
``QLocale`` carries its own CLDR tables, and kproducer's window is English. What QtCore can ask
ICU for here is collation, case mapping, normalisation, time zones and converters by name;
this keeps every non-locale item (properties, normalisation, the collation root and UCA
tables, time-zone and supplemental data, break rules) and the locale data of ``root`` and
English only, and leaves out the other 700+ locales, the multi-byte code-page converters
(``*.cnv`` of 16 KB or more: Shift_JIS, GB18030, Big5, EBCDIC DBCS...; the single-byte ones
such as windows-1252 and ISO-8859-x stay, and UTF-8/16/32 and Latin-1 need no table), the
CJK/Thai/Lao/Khmer/Burmese word-break dictionaries and the transliterators. ICU falls back
to ``root`` for a locale it does not have (as for any locale it never had): nothing fails;
a converter it does not have is an error (U_FILE_ACCESS_ERROR) to its caller, as for a name
it never knew.

The data is ICU's common package (``CmnD``, ucmndata.h): a header, a table of contents
(count, then name offset and data offset per item, both from the table's start), the item
names, then the items, each 16-byte aligned. The library exports one symbol,
``icudtNN_dat``, that libicuuc links against; it is rebuilt with the C compiler from an
assembly file that includes the new package with ``.incbin``.

    python scripts/icu_data.py LIBICUDATA OUT.so     # prints what it kept and saved
"""

from __future__ import annotations

import re
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

#: Locales whose data is kept (``root`` is ICU's fallback for every other one).
KEPT_LOCALES = re.compile(r"^(root|en|en_.*)$")
#: A locale's data file: language code (2-3 small letters), optional script/region/variant.
LOCALE_NAME = re.compile(r"^[a-z]{2,3}(_[A-Za-z0-9]+)*$")
#: Items that look like locale names but are not locales.
NOT_LOCALES = {"res_index", "pool"}
#: Whole trees kproducer never reaches through Qt: transliteration.
DROPPED_TREES = {"translit"}
#: A converter table this large is a multi-byte (CJK, EBCDIC DBCS) code page.
LARGE_CONVERTER = 16_000


def keep(name: str, size: int) -> bool:
    """Whether the item ``icudtNNl/tree/file.ext`` of ``size`` bytes stays in the package."""
    parts = name.split("/")[1:]
    tree, file = (parts[0] if len(parts) > 1 else ""), parts[-1]
    stem, _, ext = file.rpartition(".")
    if tree in DROPPED_TREES or ext == "dict" or (ext == "cnv" and size >= LARGE_CONVERTER):
        return False
    if ext == "res" and stem not in NOT_LOCALES and LOCALE_NAME.match(stem):
        return bool(KEPT_LOCALES.match(stem))
    return True


def read_package(library: bytes) -> tuple[str, bytes]:
    """The exported data symbol's name and the package bytes, from the ELF's .rodata."""
    with tempfile.NamedTemporaryFile(suffix=".so") as copy:
        copy.write(library)
        copy.flush()
        symbols = subprocess.run(["readelf", "-W", "--dyn-syms", copy.name], check=True,
                                 capture_output=True, text=True).stdout
        sections = subprocess.run(["readelf", "-W", "-S", copy.name], check=True,
                                  capture_output=True, text=True).stdout
    symbol = re.search(r"\s([0-9a-f]+)\s+(0x[0-9a-f]+|\d+)\s+OBJECT\s+GLOBAL\s+DEFAULT\s+\d+"
                       r"\s+(icudt\d+_dat)$", symbols, re.M)
    rodata = re.search(r"\.rodata\s+PROGBITS\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)",
                       sections)
    if symbol is None or rodata is None:
        raise ValueError("not an ICU data library (no icudtNN_dat in .rodata)")
    address, size = int(symbol.group(1), 16), int(symbol.group(2), 0)
    start = address - int(rodata.group(1), 16) + int(rodata.group(2), 16)
    package = library[start:start + size]
    if package[2:4] != b"\xda\x27" or package[12:16] != b"CmnD":
        raise ValueError("the data symbol does not hold an ICU common data package")
    return symbol.group(3), package


def items(package: bytes) -> list[tuple[str, bytes]]:
    """The package's items (name, bytes with their padding), in table order."""
    toc = struct.unpack_from("<H", package, 0)[0]
    count = struct.unpack_from("<I", package, toc)[0]
    entries = [struct.unpack_from("<II", package, toc + 4 + 8 * i) for i in range(count)]
    found = []
    for i, (name_at, data_at) in enumerate(entries):
        end = package.index(b"\0", toc + name_at)
        next_at = entries[i + 1][1] if i + 1 < count else len(package) - toc
        found.append((package[toc + name_at:end].decode("ascii"),
                      package[toc + data_at:toc + next_at]))
    return found


def write_package(header: bytes, kept: list[tuple[str, bytes]]) -> bytes:
    """A package of ``kept`` items, in the order given (ICU binary-searches the names)."""
    names = b"".join(name.encode("ascii") + b"\0" for name, _ in kept)
    table = 4 + 8 * len(kept)
    data_start = (len(header) + table + len(names) + 15) // 16 * 16 - len(header)
    offsets, name_at, data_at, blobs = [], table, data_start, []
    for name, blob in kept:
        blob = blob + b"\0" * (-len(blob) % 16)
        offsets.append((name_at, data_at))
        name_at += len(name) + 1
        data_at += len(blob)
        blobs.append(blob)
    out = bytearray(header)
    out += struct.pack("<I", len(kept))
    for pair in offsets:
        out += struct.pack("<II", *pair)
    out += names
    out += b"\0" * (len(header) + data_start - len(out))
    out += b"".join(blobs)
    return bytes(out)


def build_library(symbol: str, soname: str, package: bytes, out: Path) -> None:
    """Compile a shared library that exports ``symbol`` = ``package`` (gcc or cc)."""
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "icudata.dat"
        data.write_bytes(package)
        source = Path(folder) / "icudata.S"
        source.write_text(
            f'\t.section .rodata\n\t.globl {symbol}\n\t.type {symbol}, @object\n'
            f'\t.balign 16\n{symbol}:\n\t.incbin "{data}"\n'
            f'\t.size {symbol}, . - {symbol}\n'
            '\t.section .note.GNU-stack,"",@progbits\n')
        subprocess.run(["cc", "-shared", "-nostdlib", f"-Wl,-soname,{soname}", "-s",
                        "-o", str(out), str(source)], check=True)


def subset(library: Path, out: Path) -> tuple[int, int, int, int]:
    """Write the smaller library; returns (items kept, items in all, bytes before, after)."""
    symbol, package = read_package(library.read_bytes())
    everything = items(package)
    kept = [(name, blob) for name, blob in everything if keep(name, len(blob))]
    header = package[:struct.unpack_from("<H", package, 0)[0]]
    build_library(symbol, library.name, write_package(header, kept), out)
    return len(kept), len(everything), library.stat().st_size, out.stat().st_size


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__.split("\n\n")[-1])
    kept, total, before, after = subset(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"kept {kept} of {total} ICU data items: {before / 1e6:.1f} MB -> "
          f"{after / 1e6:.1f} MB")
