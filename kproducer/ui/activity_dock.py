"""The Activity dock: what the producer did, each operation opening into its API calls.

Operations (named once, where they start: the worker's job titles) and calls arrive on
whatever thread made them; they are queued and added to the list in batches on the GUI
thread (at most every :data:`DRAIN_MS`), so a 1,000-row import that makes 2,000 calls never
floods the event loop. The totals line counts what Kaltura was really asked and what was
answered here by the local cache; the list can be saved as a CSV (redacted).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..activity import ActivityLog, ActivityRecord, Operation
from . import settings as gui_settings
from .activity_tree import ActivityModel, ActivityView
from .common import Deps
from .worker import Job

DRAIN_MS = 100
#: The dock's height when it first shows, as a share of the window's.
START_FRACTION = 0.2
#: Where the producer's height for the dock is remembered (QSettings).
HEIGHT_KEY = "activity/height"


class ActivityDock(QDockWidget):
    """Shows the producer's operations live, each with its API calls.

    Signals:
        _wake(): an operation or a call arrived on some thread (internal).
    """

    _wake = Signal()

    def __init__(self, activity: ActivityLog, deps: Deps, parent: QWidget | None = None) -> None:
        super().__init__("Activity", parent)
        self.setObjectName("activity.dock")
        self.activity = activity
        self.deps = deps
        self._pending: deque[ActivityRecord | Operation] = deque()
        self._lock = threading.Lock()
        self._scheduled = False
        self.model = ActivityModel(self)
        self.view = ActivityView(self.model, self)

        self.filter = QLineEdit(self)
        self.filter.setObjectName("activity.filter")
        self.filter.setPlaceholderText("Filter (e.g. import, failed, groupUser)")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.view.set_filter)
        self.counts = QLabel(self)
        self.counts.setObjectName("activity.counts")
        self.counts.setToolTip(
            "Calls sent: what Kaltura was asked (a multirequest carries several calls in one "
            "request). Answered here: lookups the local cache answered without asking "
            "Kaltura. The share is answered here ÷ (answered here + calls sent).")
        # No mnemonics here: the dock is on screen with every tab, whose controls own the
        # Alt+letters (E&xport… clashed with the Moderators tab's, Clear &cache with Record).
        self.export_button = QPushButton("Export…", self)
        self.export_button.setToolTip("Save this list as a CSV file (secrets are hidden)")
        self.export_button.clicked.connect(self.choose_export)
        self.clear_list = QPushButton("Clear list", self)
        self.clear_list.setToolTip("Empty this list and reset the counters")
        self.clear_list.clicked.connect(self.clear)
        self.clear_cache = QPushButton("Clear cache", self)
        self.clear_cache.setToolTip("Forget every cached fact of this account; the next "
                                    "lookups ask Kaltura again")
        self.clear_cache.clicked.connect(self.clear_account_cache)

        bar = QHBoxLayout()
        bar.addWidget(self.filter, 2)
        bar.addWidget(self.counts, 3)
        bar.addWidget(self.export_button)
        bar.addWidget(self.clear_list)
        bar.addWidget(self.clear_cache)
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        self.setWidget(body)

        self._wake.connect(self._schedule)
        self._unsubscribe: list[Callable[[], None]] = [
            activity.subscribe_operations(self._arrived), activity.subscribe(self._arrived)]
        for op in activity.operations():
            self.model.upsert(op)
        group: list[ActivityRecord] = []
        for record in activity.records():  # in runs of one operation each
            if group and group[-1].operation != record.operation:
                self._add_calls(group)
                group = []
            group.append(record)
        self._add_calls(group)
        self.update_counts()
        self.update_actions()

    def detach(self) -> None:
        """Stop listening to the activity log (before the window goes away)."""
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []

    def save_columns(self, settings: QSettings) -> None:
        """Remember the list's column layout and the dock's height."""
        gui_settings.save_columns(settings, self.view)
        if self.isVisible() and not self.isFloating():
            settings.setValue(HEIGHT_KEY, self.height())

    def restore_columns(self, settings: QSettings) -> None:
        """Restore the list's column layout."""
        gui_settings.restore_columns(settings, self.view)

    def start_height(self, settings: QSettings, window_height: int) -> int:
        """The height to open with: the producer's last one, else a fifth of the window."""
        saved = settings.value(HEIGHT_KEY)
        try:
            height = int(str(saved)) if saved is not None else 0
        except ValueError:
            height = 0
        if height <= 0:
            height = int(window_height * START_FRACTION)
        return max(self.minimumSizeHint().height(), min(height, window_height * 2 // 3))

    def update_actions(self) -> None:
        """"Clear cache" needs a connected account."""
        self.clear_cache.setEnabled(
            self.deps.account() is not None and not self.deps.worker.is_held(self.clear_cache))

    def _arrived(self, item: ActivityRecord | Operation) -> None:
        """Any thread: queue the operation or call and wake the GUI thread once per batch."""
        with self._lock:
            self._pending.append(item)
            wake = not self._scheduled
            self._scheduled = True
        if wake:
            self._wake.emit()

    @Slot()
    def _schedule(self) -> None:
        QTimer.singleShot(DRAIN_MS, self.drain)

    def drain(self) -> None:
        """Add the queued operations and calls to the list (GUI thread)."""
        with self._lock:
            batch = list(self._pending)
            self._pending.clear()
            self._scheduled = False
        if batch:
            bar = self.view.verticalScrollBar()
            at_bottom = bar.value() >= bar.maximum() - 2
            latest: dict[int, Operation] = {}
            calls: list[ActivityRecord] = []
            for item in batch:
                if isinstance(item, Operation):
                    latest[item.id] = item
                    if self.model.row_of(item.id) is None:  # a new one: in order of arrival
                        self._add_calls(calls)
                        calls = []
                        self.model.upsert(item)
                elif calls and calls[-1].operation != item.operation:
                    self._add_calls(calls)
                    calls = [item]
                else:
                    calls.append(item)
            self._add_calls(calls)
            for op in latest.values():
                row = self.model.upsert(op)
                self.view.apply_filter(self.model.index(row, 0), ())
            if at_bottom:
                self.view.scrollToBottom()
        self.update_counts()

    def _add_calls(self, records: list[ActivityRecord]) -> None:
        """Add calls of one operation (one insert; the filter applied to them)."""
        if not records:
            return
        op = self.activity.operation(records[0].operation)
        if op is None:
            return  # its operation was forgotten (cleared): the calls go with it
        row, new = self.model.add_calls(op, records)
        if row >= 0 and self.view.words:
            self.view.apply_filter(self.model.index(row, 0), new)

    def update_counts(self) -> None:
        """Refresh the totals line."""
        counters = self.activity.counters()
        cached = counters.by_outcome.get("cached", 0)
        errors = counters.by_outcome.get("error", 0)
        requests = counters.requests
        parts = [f"{counters.operations} operation{'s' if counters.operations != 1 else ''}",
                 f"{counters.api_calls} call{'s' if counters.api_calls != 1 else ''} sent "
                 f"in {requests} request{'s' if requests != 1 else ''}",
                 f"{cached} answered here"]
        rate = counters.cache_hit_rate
        if rate is not None:
            parts[-1] += f" ({rate:.0%})"
        if errors:
            parts.append(f"{errors} failed")
        self.counts.setText(" · ".join(parts))

    def clear(self) -> None:
        """Empty the list and reset the counters."""
        self.activity.clear()
        with self._lock:
            self._pending.clear()
        self.model.clear()
        for op in self.activity.operations():  # those still running
            self.model.upsert(op)
        self.update_counts()

    # --- export ------------------------------------------------------------------------------

    def choose_export(self) -> None:
        """Ask where to save the list, then save it."""
        path, _ = QFileDialog.getSaveFileName(self, "Export the activity", "activity.csv",
                                              "CSV files (*.csv)")
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> Job[int]:
        """Save the operations and calls as a CSV at ``path`` (on a worker)."""
        from ..services import activity_export

        activity = self.activity
        return self.deps.worker.run(
            "Exporting the activity",
            lambda ctx: activity_export.export_csv(activity, path),
            on_done=lambda count: self.deps.say(
                f"Saved the activity ({count} row{'s' if count != 1 else ''}) to {path}."),
            controls=[self.export_button],
        )

    def clear_account_cache(self) -> None:
        """Forget the connected account's cached facts (on a worker)."""
        account = self.deps.account()
        if account is None:
            return
        cache = account.cache

        def wipe(ctx: object) -> int:
            clear = getattr(cache, "clear", None)
            return int(clear()) if callable(clear) else 0

        self.deps.worker.run(
            "Clearing the cache",
            wipe,
            on_done=lambda removed: self.deps.say(
                f"Cache cleared ({removed} cached facts forgotten); the next lookups ask "
                "Kaltura again."),
            controls=[self.clear_cache],
        )
