"""Work-arounds for bugs of the installed PySide6, each checked before it is applied.

``SignalInstance.emit()`` of PySide6 6.12.0 returns ``True`` without taking a reference to
it, so every ``signal.emit(...)`` made from Python drops one reference to ``True``. On
Python < 3.12 (where ``True`` is not yet immortal) a few hundred emits later the count
reaches zero and the interpreter aborts with "bool_dealloc: deallocating True or False".

The fix does what Python 3.12 does anyway: it makes ``True`` immortal by giving it a huge
reference count (``True`` is a static singleton and is never freed, so no object is
harmed). It is applied only when a probe shows that emits really lose references, and only
when the reference count sits where CPython keeps it (the first field of the object).
"""

from __future__ import annotations

import ctypes
import logging
import sys

log = logging.getLogger(__name__)

#: References granted to ``True``: more emits than any run will ever make.
HEADROOM = 1 << 40
PROBES = 16


def emit_loses_references() -> int:
    """How many references to ``True`` :data:`PROBES` emits lost (0 on a fixed PySide6)."""
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        ping = Signal()

    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(PROBES):
        probe.ping.emit()
    return max(0, before - sys.getrefcount(True))


def immortalize_true() -> bool:
    """Give ``True`` :data:`HEADROOM` references when emits leak them; True when applied."""
    lost = emit_loses_references()
    if not lost:
        return False
    counter = ctypes.c_ssize_t.from_address(id(True))
    if counter.value != sys.getrefcount(True) - 1:  # not CPython's layout: leave it alone
        log.warning("PySide6 loses references to True on emit; no work-around applies here")
        return False
    counter.value += HEADROOM + lost
    log.debug("PySide6 emit() loses references to True: granted %d", HEADROOM)
    return True


_applied: bool | None = None


def apply() -> None:
    """Apply every needed work-around once per process."""
    global _applied
    if _applied is None:
        _applied = immortalize_true()
