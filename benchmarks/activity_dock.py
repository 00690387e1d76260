"""How long does the Activity dock hold the GUI thread while a big import pours in?

Records the calls of a 1,000-person import (2,000 calls, in batches as the import's
multirequests bring them) into an activity log shown by a real ActivityDock, and drains the
dock after each batch, as its timer does. Prints the GUI thread's CPU time per drain (thread
CPU time, so a loaded machine does not inflate it) and the total. Target: every drain under
16 ms (one frame), so the dock never causes a stall the heartbeat of
``ui_responsiveness.py`` would see.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/activity_dock.py [--calls 2000]
        [--batch 100] [--filter TEXT]
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import time

TARGET_MS = 16.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--filter", default="", help="a filter typed in the dock meanwhile")
    args = parser.parse_args()

    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    from kproducer.activity import ActivityLog
    from kproducer.ui.activity_dock import ActivityDock
    from kproducer.ui.common import Deps
    from kproducer.ui.worker import Worker

    log = ActivityLog()
    worker = Worker()
    dock = ActivityDock(log, Deps(worker, lambda text: None, lambda: None))
    dock.resize(1000, 300)
    dock.show()
    app.processEvents()
    dock.filter.setText(args.filter)
    begin = getattr(log, "begin", None)
    operation = begin("Importing moderators") if begin else 0
    within = log.within(operation) if begin else contextlib.nullcontext()
    drains: list[float] = []
    with within:
        for done in range(0, args.calls, args.batch):
            count = min(args.batch, args.calls - done)
            for n in range(count):
                log.record("user.add" if n % 2 == 0 else "groupUser.add", "created", 300.0,
                           f"Call {n + 1} of {count} in one multirequest.")
            started = time.thread_time()
            dock.drain()
            drains.append((time.thread_time() - started) * 1000.0)
    if begin:
        log.end(operation, "done", "Import finished: 1000 added.")
    started = time.thread_time()
    dock.drain()
    drains.append((time.thread_time() - started) * 1000.0)
    app.processEvents()
    longest = max(drains)
    print(f"{args.calls} calls in batches of {args.batch}"
          + (f", filter {args.filter!r}" if args.filter else "")
          + f": {len(drains)} drains; GUI-thread CPU per drain: median "
          f"{statistics.median(drains):.1f} ms, longest {longest:.1f} ms, total "
          f"{sum(drains):.0f} ms; rows: {dock.model.rowCount()} top-level, "
          f"{len(dock.model.rows)} calls")
    print(f"Target (every drain <= {TARGET_MS:.0f} ms): {'met' if longest <= TARGET_MS else 'NOT met'}")
    dock.detach()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
