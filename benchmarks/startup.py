"""How long until the window is on screen, compared with a bare PySide6 QMainWindow?

Launches two kinds of fresh Python processes, alternately, several times each, and times
from launch to the moment the child reports its window shown (the first event-loop turn
after ``show()``):

- bare: ``import PySide6``, a QApplication, an empty QMainWindow, show;
- kproducer window: ``kproducer.app.run`` with the full main window (tabs, Activity dock,
  menus), no account opened: what the desktop application itself costs;
- kproducer command: the same behind the ``kproducer`` command's own imports
  (``kproducer.cli``, which loads every sub-command module).

Prints the median of each and the ratios. Target: the window within 2x the bare one.
QtWebEngine must not be loaded at startup: the kproducer child reports whether it was.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

TARGET = 2.0

BARE = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv)
window = QMainWindow()
window.resize(1280, 800)
window.show()
def shown():
    print("shown", flush=True)
    app.quit()
QTimer.singleShot(0, shown)
app.exec()
"""

APP = """
import sys
from kproducer import app as kapp

def shown(qapp):
    print("shown webengine=%s" % ("PySide6.QtWebEngineWidgets" in sys.modules), flush=True)
    qapp.closeAllWindows()

kapp.run(kapp.GuiOptions(on_shown=shown))
"""

COMMAND = "import kproducer.cli  # the 'kproducer' command's imports\n" + APP


def launch(code: str, env: dict[str, str]) -> tuple[float, str]:
    """Seconds from launch to the child's "shown" line, and that line."""
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True, env=env)
    assert child.stdout is not None
    for line in child.stdout:
        if line.startswith("shown"):
            elapsed = time.perf_counter() - started
            child.wait(60)
            return elapsed, line.strip()
    child.wait(60)
    raise SystemExit(f"the child exited ({child.returncode}) without showing a window")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="launches of each kind")
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="kproducer-startup-")
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
           "KPRODUCER_HOME": home,
           # Byte-compiled as any installed package is (the warm-up run writes the cache;
           # PySide6's own modules come precompiled in its wheel).
           "PYTHONPYCACHEPREFIX": os.path.join(home, "pycache")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    kinds = {"Bare QMainWindow": BARE, "kproducer window": APP, "kproducer command": COMMAND}
    times: dict[str, list[float]] = {name: [] for name in kinds}
    webengine = set()
    for code in kinds.values():  # warm the disk cache
        launch(code, env)
    for _ in range(args.runs):
        for name, code in kinds.items():
            seconds, line = launch(code, env)
            times[name].append(seconds * 1000)
            if "webengine=" in line:
                webengine.add(line.split("webengine=")[1])
    medians = {name: statistics.median(values) for name, values in times.items()}
    bare = medians["Bare QMainWindow"]
    for name, values in times.items():
        ratio = "" if name.startswith("Bare") else f"; {medians[name] / bare:.2f}x bare"
        print(f"{name} shown: {medians[name]:.0f} ms (median of {args.runs}, "
              f"{min(values):.0f}-{max(values):.0f}){ratio}")
    ratio = medians["kproducer window"] / bare
    print(f"Target (window <= {TARGET:.0f}x bare): {'met' if ratio <= TARGET else 'NOT met'} "
          f"({ratio:.2f}x; through the command's imports "
          f"{medians['kproducer command'] / bare:.2f}x)")
    print(f"QtWebEngine loaded at startup: {', '.join(sorted(webengine))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
