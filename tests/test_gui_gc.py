"""Cycles holding Qt objects are collected on the GUI thread only (kproducer.ui.gui_gc)."""

from __future__ import annotations

import gc
import threading

from PySide6.QtCore import QObject, Qt

from kproducer.ui.gui_gc import GuiThreadCollector, collect_due


class Cyclic(QObject):
    """A QObject in a reference cycle with itself (as a widget and its lambdas are)."""

    def __init__(self) -> None:
        super().__init__()
        self.me = self


def test_a_qt_cycle_dropped_in_a_worker_thread_is_deleted_on_the_gui_thread(qtbot):
    was_enabled = gc.isenabled()
    gc.enable()
    collector = GuiThreadCollector(interval_ms=20)
    try:
        assert not gc.isenabled()  # the collector took over
        deleted_in: list[int] = []

        def worker() -> None:
            made = Cyclic()
            made.destroyed.connect(lambda *_: deleted_in.append(threading.get_ident()),
                                   Qt.ConnectionType.DirectConnection)
            del made
            # Allocate as a busy worker does: past every threshold, no collection here.
            junk = [[] for _ in range(gc.get_threshold()[0] * 3)]
            for item in junk:
                item.append(item)
            del junk

        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()
        assert deleted_in == []  # nothing collected in the worker
        qtbot.waitUntil(lambda: bool(deleted_in), timeout=5_000)
        assert deleted_in == [threading.get_ident()]  # the timer did it, on this thread
    finally:
        collector.stop()
        assert gc.isenabled()
        if not was_enabled:
            gc.disable()


def test_collect_due_collects_only_the_generations_past_their_thresholds():
    gc.collect()
    assert collect_due((10**9, 10, 10)) == -1
    garbage = [[] for _ in range(50)]
    del garbage
    assert collect_due((10, 10**9, 10**9)) == 0
