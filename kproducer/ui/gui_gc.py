"""Python's cyclic garbage collector runs on the GUI thread only, while the window runs.

A collection runs in whichever thread happens to allocate when the counts pass their
thresholds: a worker job, a thumbnail loader, a request thread of the embedded sandbox. A Qt
wrapper caught in a reference cycle (a dialog and the lambdas connected to it, a page and its
signals) that is collected there is deleted off the GUI thread, which Qt does not survive:
the test suite, run twice at once on two cores, died of a segmentation fault "Garbage-
collecting" inside a sandbox request thread. So :class:`GuiThreadCollector` turns automatic
collection off and collects from a timer on the GUI thread, each generation when the
thresholds say it is due, the way the collector would have (pyqtgraph's GarbageCollector
does the same for the same reason). Reference counting still frees everything not in a
cycle at once, in any thread.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

#: How often the GUI thread looks at the collector's counts.
INTERVAL_MS = 500


def collect_due(thresholds: tuple[int, int, int] | None = None) -> int:
    """Collect the generations whose counts are past their thresholds, as gc would.

    Returns:
        The generation collected (0–2), or -1 when none was due.
    """
    limits = thresholds or gc.get_threshold()
    counts = gc.get_count()
    generation = -1
    for level in range(3):
        if counts[level] > limits[level]:
            generation = level
        else:
            break
    if generation >= 0:
        gc.collect(generation)
    return generation


class GuiThreadCollector(QObject):
    """Automatic collection off; :func:`collect_due` from a GUI-thread timer instead.

    Made with the QApplication (its parent), so it lives as long as the event loop;
    :meth:`stop` (or the application's end) turns automatic collection back on.
    """

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self.thresholds: tuple[int, int, int] = gc.get_threshold()
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.check)
        gc.disable()
        self.timer.start()
        self.destroyed.connect(lambda *_: gc.enable())

    def check(self) -> int:
        """Collect what is due now (on the GUI thread); the generation, or -1."""
        return collect_due(self.thresholds)

    def stop(self) -> None:
        """Back to Python's own collector."""
        self.timer.stop()
        gc.enable()
