"""Files that ship inside the package: the embed page template and the sandbox stand-ins.

They live next to this module (``kproducer/resources/``) as package data, so a wheel, an
editable install and a PyInstaller bundle all carry them: PyInstaller unpacks collected data
files under ``sys._MEIPASS`` with the same relative layout, which :func:`root` looks at first
when the application is frozen.

Layout::

    embed/page.html         the one page template (player v7 + CnC, or a KME room launch)
    standins/player.js      the sandbox's stand-in Kaltura Player v7
    standins/cnc.js         the sandbox's stand-in CnC widget
    standins/iframe.html    the stand-in player's iframe embed (the player share URL)
    standins/kme.html       the stand-in KME room a verified LTI launch lands on
    icons/kproducer.svg     the application icon (source), and kproducer-{16..512}.png
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

PACKAGE_PATH = ("kproducer", "resources")


class MissingResource(FileNotFoundError):
    """A resource file is missing from the installation (a packaging mistake)."""


def root() -> Path:
    """The folder holding the resource files (inside the PyInstaller bundle when frozen)."""
    bundle = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and bundle:
        frozen = Path(bundle).joinpath(*PACKAGE_PATH)
        if frozen.is_dir():
            return frozen
    return Path(__file__).resolve().parent


def path(*parts: str) -> Path:
    """The path of one resource, e.g. ``path("embed", "page.html")``.

    Raises:
        MissingResource: The file is not part of this installation.
    """
    if not parts or any(p in ("", ".", "..") or "/" in p or "\\" in p for p in parts):
        raise ValueError(f"not a resource name: {'/'.join(parts)!r}")
    found = root().joinpath(*parts)
    if not found.is_file():
        raise MissingResource(
            f"The file {'/'.join(parts)} is missing from this kproducer installation; "
            "reinstall it."
        )
    return found


@cache
def read_text(*parts: str) -> str:
    """The text of one resource (UTF-8), read once per process."""
    return path(*parts).read_text(encoding="utf-8")
