"""Does the GUI thread stay responsive during a big moderator import on a slow network?

Opens the real main window on a sandbox, creates a live session, sets the sandbox's latency
(300 ms per request by default), and imports a CSV of N people (1,000 by default) through the
Moderators tab, exactly as a producer would. A heartbeat QTimer ticks on the GUI thread the
whole time; the longest gap between two ticks beyond its interval is the longest stall.
Afterwards the moderators list (N rows) and the Activity dock (2N calls) are refreshed, and
that is measured too. Then the Entries tab lists N ready videos (200 by default) and their
thumbnails load (fetched, cached on disk and decoded on the loader's threads) while the
producer scrolls through the table: measured the same way. Target: no stall longer than
50 ms.

The sandbox runs in its own process by default, like a real Kaltura server (``--in-process``
runs it inside this process instead, competing with the GUI for the interpreter).

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/ui_responsiveness.py [--rows 1000]
        [--latency-ms 300] [--thumbnails 200] [--in-process]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

TARGET_MS = 50.0
TICK_MS = 5


def start_sandbox(folder: Path, in_process: bool):
    """A running sandbox: (info dict, stop function)."""
    if in_process:
        from kproducer.sandbox import Sandbox

        sandbox = Sandbox(folder / "sandbox")
        info = sandbox.start()
        return info, sandbox.stop
    process = subprocess.Popen(
        [sys.executable, "-m", "kproducer", "sandbox", "serve", "--data-dir", str(folder / "sandbox")],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "KPRODUCER_HOME": str(folder)},
    )
    line = process.stdout.readline()
    from kproducer.sandbox import SandboxInfo

    info = SandboxInfo(**json.loads(line))

    def stop() -> None:
        process.terminate()
        process.wait(10)

    return info, stop


def seed_videos(folder: Path, count: int) -> None:
    """``count`` ready videos in the sandbox's first event, written before it serves."""
    if not count:
        return
    from kproducer.sandbox import Sandbox
    from kproducer.sandbox.seed import ADMIN_USER_ID
    from kproducer.sandbox.services import objects
    from kproducer.services.entries import event_tag

    sandbox = Sandbox(folder / "sandbox")
    sandbox.start()
    try:
        db, pid, now = sandbox.db, sandbox.info.partner_id, int(time.time())
        event_id = int(db.execute("SELECT id FROM virtual_events ORDER BY id LIMIT 1").fetchone()[0])
        with db.transaction():
            for n in range(count):
                objects.add_entry(db, pid, {
                    "objectType": "KalturaMediaEntry", "name": f"Recording {n:03d}",
                    "mediaType": 1, "type": "1", "status": "2", "duration": 60 + n,
                    "msDuration": (60 + n) * 1000, "adminTags": event_tag(event_id),
                }, now - 3600 - n, ADMIN_USER_ID)
    finally:
        sandbox.stop()


def load_thumbnails(app, window, count: int) -> dict[str, float] | None:
    """List the event's sessions, then scroll through them while their pictures load."""
    if not count:
        return None
    from kproducer.services import thumbnails as fetching
    from kproducer.ui import thumbnails

    entries = window.entries
    window.tabs.setCurrentWidget(entries)
    loaded = []
    entries.entriesLoaded.connect(loaded.append)
    entries.refresh()
    wait_for(app, lambda: loaded and not window.worker.jobs, 60, "the sessions")
    own = [e for e in entries.model.rows if thumbnails.has_own_picture(e)]
    wanted = {entries.thumbs.url_for(e, thumbnails.SMALL) for e in own
              if not entries.thumbs.is_loaded(e)}
    arrived: set[str] = set()
    entries.thumbs.loaded.connect(arrived.add)
    fetching.reset_counts()
    beat = Heartbeat()
    beat.start()
    started = time.perf_counter()
    bar = entries.view.verticalScrollBar()
    step = max(1, bar.pageStep() // 2)
    scrolled = [time.perf_counter()]

    def all_shown() -> bool:
        now = time.perf_counter()
        if bar.value() < bar.maximum() and now - scrolled[0] > 0.05:
            bar.setValue(bar.value() + step)  # the producer scrolls; the rows shown ask
            scrolled[0] = now
        return wanted <= arrived

    wait_for(app, all_shown, 120, "the thumbnails")
    seconds = time.perf_counter() - started
    figures = beat.stop()
    return {**figures, "pictures": len(own), "seconds": round(seconds, 2),
            **{f"from_{k}": v for k, v in fetching.counts().items()}}


def write_people(path: Path, rows: int) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["user_id", "first_name", "last_name", "email"])
        for n in range(rows):
            writer.writerow([f"bench{n}@example.com", f"First{n}", "Bench", f"bench{n}@example.com"])
    return path


class Heartbeat:
    """Ticks every TICK_MS on the GUI thread and records how late each tick was."""

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.gaps: list[float] = []
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self.tick)
        self.last = 0.0

    def start(self) -> None:
        self.gaps.clear()
        self.last = time.perf_counter()
        self.timer.start()

    def tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append(max(0.0, (now - self.last) * 1000 - TICK_MS))
        self.last = now

    def stop(self) -> dict[str, float]:
        self.timer.stop()
        gaps = sorted(self.gaps) or [0.0]
        return {
            "ticks": len(self.gaps),
            "longest_stall_ms": round(gaps[-1], 1),
            "p99_stall_ms": round(gaps[int(len(gaps) * 0.99) - 1 if len(gaps) > 1 else 0], 1),
            "stalls_over_target": sum(1 for g in gaps if g > TARGET_MS),
        }


def wait_for(app, condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        app.processEvents()
        time.sleep(0.002)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--latency-ms", type=int, default=300)
    parser.add_argument("--thumbnails", type=int, default=200,
                        help="ready videos whose thumbnails load in the Entries tab (0: skip)")
    parser.add_argument("--in-process", action="store_true", help="run the sandbox in this process")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    folder = Path(tempfile.mkdtemp(prefix="kproducer-bench-"))
    os.environ["KPRODUCER_HOME"] = str(folder)
    seed_videos(folder, args.thumbnails)
    info, stop_sandbox = start_sandbox(folder, args.in_process)
    try:
        from kproducer.activity import ActivityLog
        from kproducer.app import make_application
        from kproducer.services.models import EntryKind
        from kproducer.ui import session
        from kproducer.ui.main_window import MainWindow

        app = make_application()
        window = MainWindow(ActivityLog())
        window.confirm_quit = False
        window.persist = False
        window.resize(1280, 800)
        window.show()
        warm = window.warm_up()  # as the app does once the window shows
        warmed = []
        warm.settled.connect(lambda: warmed.append(True))
        loaded = []
        window.entries.entriesLoaded.connect(loaded.append)
        window.connect_to("Sandbox", lambda activity: session.open_sandbox_account(activity, info))
        wait_for(app, lambda: loaded and warmed, 30, "the first load")

        entries = window.entries
        before = len(loaded)
        entries.create_session(EntryKind.LIVE, "Benchmark panel", window.events.selected().id)
        wait_for(app, lambda: len(loaded) > before and entries.selected() is not None
                 and entries.selected().name == "Benchmark panel", 30, "the new session")
        entry = entries.selected()
        window.tabs.setCurrentWidget(window.moderators)
        window.moderators.show_entry(entry)
        wait_for(app, lambda: not window.worker.jobs, 30, "the moderators")

        people = write_people(folder / "people.csv", args.rows)
        requests.post(f"{info.service_url}/_sandbox/faults",
                      json={"latency_ms": args.latency_ms}, timeout=5).raise_for_status()
        reports = []
        window.moderators.importer.imported.connect(reports.append)
        beat = Heartbeat()
        beat.start()
        started = time.perf_counter()
        window.moderators.import_csv(people)
        wait_for(app, lambda: reports, 600, "the import")
        imported_s = time.perf_counter() - started
        wait_for(app, lambda: not window.worker.jobs, 120, "the moderators list")
        window.dock.drain()
        app.processEvents()
        figures = beat.stop()
        requests.post(f"{info.service_url}/_sandbox/faults", json={}, timeout=5)
        report = reports[0]
        pictures = load_thumbnails(app, window, args.thumbnails)
        window.close()
    finally:
        stop_sandbox()

    where = "in this process" if args.in_process else "in its own process"
    print(f"Import of {args.rows} people at {args.latency_ms} ms latency (sandbox {where}): "
          f"{imported_s:.1f} s; {report.summary()}")
    print(f"Moderators listed: {window.moderators.model.rowCount()}; "
          f"activity: {window.dock.model.rowCount()} operations, "
          f"{len(window.dock.model.rows)} calls")
    print(f"Heartbeat: {figures['ticks']} ticks of {TICK_MS} ms; longest stall "
          f"{figures['longest_stall_ms']} ms; p99 {figures['p99_stall_ms']} ms; "
          f"{figures['stalls_over_target']} over {TARGET_MS:.0f} ms")
    met = figures["longest_stall_ms"] <= TARGET_MS
    if pictures is not None:
        print(f"Thumbnails: {pictures['pictures']} pictures in {pictures['seconds']} s "
              f"({pictures['from_http']} over HTTP, {pictures['from_disk']} from disk) while "
              f"scrolling; heartbeat {pictures['ticks']} ticks; longest stall "
              f"{pictures['longest_stall_ms']} ms; p99 {pictures['p99_stall_ms']} ms; "
              f"{pictures['stalls_over_target']} over {TARGET_MS:.0f} ms")
        met = met and pictures["longest_stall_ms"] <= TARGET_MS
    print(f"Target (longest stall <= {TARGET_MS:.0f} ms): {'met' if met else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
