"""Window state that survives restarts (QSettings in kproducer's own config folder).

The settings file lives in :func:`kproducer.paths.config_dir` (``gui.ini``), so a test or a
portable install with ``KPRODUCER_HOME`` never touches the user's real settings. It holds only
layout and the last-used profile name: never a secret.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QHeaderView, QSplitter, QTableView, QTreeView

from .. import paths
from ..local import atomic

FILE_NAME = "gui.ini"


def gui_settings() -> QSettings:
    """The GUI's settings file (INI format, under the config folder), owner-only (0600).

    QSettings writes through a temporary file that takes the permissions of the file it
    replaces, so the file is made (or made again) owner-only before QSettings touches it.
    """
    path = paths.config_dir() / FILE_NAME
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0),
                 atomic.PRIVATE_FILE_MODE)
    try:
        if hasattr(os, "fchmod"):  # POSIX: also an older file written 0644
            os.fchmod(fd, atomic.PRIVATE_FILE_MODE)
    finally:
        os.close(fd)
    return QSettings(str(path), QSettings.Format.IniFormat)


def _bytes(settings: QSettings, key: str) -> QByteArray | None:
    value = settings.value(key)
    if isinstance(value, QByteArray) and not value.isEmpty():
        return value
    if isinstance(value, bytes | bytearray) and value:
        return QByteArray(bytes(value))
    return None


def save_splitter(settings: QSettings, splitter: QSplitter) -> None:
    """Remember a splitter's sizes under its object name."""
    settings.setValue(f"splitters/{splitter.objectName()}", splitter.saveState())


def restore_splitter(settings: QSettings, splitter: QSplitter) -> None:
    """Restore a splitter's sizes, if saved."""
    state = _bytes(settings, f"splitters/{splitter.objectName()}")
    if state is not None:
        splitter.restoreState(state)


def _header(view: QTableView | QTreeView) -> QHeaderView:
    return view.horizontalHeader() if isinstance(view, QTableView) else view.header()


def save_columns(settings: QSettings, view: QTableView | QTreeView) -> None:
    """Remember a table's (or tree's) column widths, order and sort under its object name."""
    settings.setValue(f"columns/{view.objectName()}", _header(view).saveState())


def restore_columns(settings: QSettings, view: QTableView | QTreeView) -> None:
    """Restore a table's (or tree's) column widths, order and sort, if saved."""
    state = _bytes(settings, f"columns/{view.objectName()}")
    if state is not None:
        _header(view).restoreState(state)
