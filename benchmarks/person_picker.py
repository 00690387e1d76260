"""How the Preview tab's person picker copes with many people (issue 16 item 7).

For each size: filling the picker (one model reset), the search popup's rows after typing a
surname and after typing a user ID, and the time from the last key to the filtered popup,
and the time to open the whole list. Figures only; the tests assert the behaviour.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/person_picker.py [--sizes 250,5000,20000]
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

SURNAMES = ["Kumar", "Lee", "Okafor", "Schmidt", "Novak"]


def people(count: int) -> list[tuple[str, object]]:
    return [(f"First{n:05d} {SURNAMES[n % 5]} (user{n:05d}) · first{n:05d}@example.com",
             f"user{n:05d}") for n in range(count)]


def measure(size: int) -> tuple[float, int, float, int, float]:
    from kproducer.ui.person_picker import PersonPicker

    picker = PersonPicker()
    picker.resize(420, 30)
    picker.show()
    picker.activateWindow()
    picker.setFocus()
    rows = people(size)
    started = time.perf_counter()
    picker.set_people(rows)
    QApplication.processEvents()
    fill_ms = (time.perf_counter() - started) * 1000

    def search(text: str) -> tuple[int, float]:
        picker.edit.selectAll()
        QTest.keyClicks(picker.edit, text[:-1])
        began = time.perf_counter()
        QTest.keyClicks(picker.edit, text[-1])
        QApplication.processEvents()
        took = (time.perf_counter() - began) * 1000
        shown = picker.search.completionModel().rowCount()
        picker.results.hide()
        return shown, took

    surname_rows, surname_ms = search("okafor")
    id_rows, _ = search(f"user{size // 2:05d}")
    began = time.perf_counter()
    picker.showPopup()
    QApplication.processEvents()
    open_ms = (time.perf_counter() - began) * 1000
    picker.hidePopup()
    picker.close()
    picker.deleteLater()
    return fill_ms, surname_rows, surname_ms, id_rows, open_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="250,5000,20000")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    print(f"{'people':>8}{'fill ms':>10}{'“okafor” rows':>15}{'last key ms':>13}"
          f"{'ID rows':>9}{'open list ms':>14}")
    for size in (int(s) for s in args.sizes.split(",")):
        fill, surname_rows, surname_ms, id_rows, open_ms = measure(size)
        print(f"{size:>8}{fill:>10.1f}{surname_rows:>15}{surname_ms:>13.1f}{id_rows:>9}"
              f"{open_ms:>14.1f}")
    del app


if __name__ == "__main__":
    main()
