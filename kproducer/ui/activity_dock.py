"""The Activity dock: every API call as it happens, the cache hit rate, and "Clear cache".

Records arrive on whatever thread made the call; they are queued and added to the table in
batches on the GUI thread (at most every :data:`DRAIN_MS`), so a 1,000-row import that makes
2,000 calls never floods the event loop.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable

from PySide6.QtCore import QSettings, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..activity import ActivityLog, ActivityRecord
from . import settings as gui_settings
from .common import Deps
from .table import Column, RowsModel, make_view

DRAIN_MS = 100
MAX_ROWS = 2000
TONES = {"error": "error", "cached": "good"}

COLUMNS: list[Column[ActivityRecord]] = [
    Column("Time", lambda r: r.time.astimezone().strftime("%H:%M:%S.%f")[:-3],
           sort=lambda r: r.time, width=13),
    Column("Call", lambda r: r.action, width=22),
    Column("Result", lambda r: r.outcome, tone=lambda r: TONES.get(r.outcome, ""), width=9),
    Column("ms", lambda r: f"{r.ms:.0f}", sort=lambda r: r.ms, numeric=True, width=6),
    Column("Detail", lambda r: r.detail, tooltip=lambda r: r.detail),
]


class ActivityDock(QDockWidget):
    """Shows the activity log live.

    Signals:
        _wake(): a record arrived on some thread (internal).
    """

    _wake = Signal()

    def __init__(self, activity: ActivityLog, deps: Deps, parent: QWidget | None = None) -> None:
        super().__init__("Activity", parent)
        self.setObjectName("activity.dock")
        self.activity = activity
        self.deps = deps
        self._pending: deque[ActivityRecord] = deque()
        self._lock = threading.Lock()
        self._scheduled = False
        self.model: RowsModel[ActivityRecord] = RowsModel(COLUMNS, self)
        self.view = make_view(self.model, "activity.table", self, stretch=4)
        self.view.setSortingEnabled(False)

        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText("Filter calls (e.g. groupUser, error, cached)")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(lambda text: self.model.set_filter(text))
        self.counts = QLabel(self)
        self.counts.setToolTip(
            "Hit rate = lookups answered by the local cache ÷ all lookups. Cached facts "
            "(user exists, group exists, membership, entry) keep calls off the hot path.")
        self.clear_list = QPushButton("Clear &list", self)
        self.clear_list.setToolTip("Empty this list and reset the counters")
        self.clear_list.clicked.connect(self.clear)
        self.clear_cache = QPushButton("Clear &cache", self)
        self.clear_cache.setToolTip("Forget every cached fact of this account; the next "
                                    "lookups ask Kaltura again")
        self.clear_cache.clicked.connect(self.clear_account_cache)

        bar = QHBoxLayout()
        bar.addWidget(self.filter, 2)
        bar.addWidget(self.counts, 3)
        bar.addWidget(self.clear_list)
        bar.addWidget(self.clear_cache)
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        self.setWidget(body)

        self._wake.connect(self._schedule)
        self._unsubscribe: Callable[[], None] | None = activity.subscribe(self._arrived)
        self.model.append_rows(activity.records(last=MAX_ROWS))
        self.update_counts()
        self.update_actions()

    def detach(self) -> None:
        """Stop listening to the activity log (before the window goes away)."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def save_columns(self, settings: QSettings) -> None:
        """Remember the table's column layout."""
        gui_settings.save_columns(settings, self.view)

    def restore_columns(self, settings: QSettings) -> None:
        """Restore the table's column layout."""
        gui_settings.restore_columns(settings, self.view)

    def update_actions(self) -> None:
        """"Clear cache" needs a connected account."""
        self.clear_cache.setEnabled(
            self.deps.account() is not None and not self.deps.worker.is_held(self.clear_cache))

    def _arrived(self, record: ActivityRecord) -> None:
        """Any thread: queue the record and wake the GUI thread once per batch."""
        with self._lock:
            self._pending.append(record)
            wake = not self._scheduled
            self._scheduled = True
        if wake:
            self._wake.emit()

    @Slot()
    def _schedule(self) -> None:
        QTimer.singleShot(DRAIN_MS, self.drain)

    def drain(self) -> None:
        """Add the queued records to the table (GUI thread)."""
        with self._lock:
            batch = list(self._pending)
            self._pending.clear()
            self._scheduled = False
        if batch:
            bar = self.view.verticalScrollBar()
            at_bottom = bar.value() >= bar.maximum() - 2
            self.model.append_rows(batch, limit=MAX_ROWS)
            if at_bottom:
                self.view.scrollToBottom()
        self.update_counts()

    def update_counts(self) -> None:
        """Refresh the totals line."""
        counters = self.activity.counters()
        errors = counters.by_outcome.get("error", 0)
        cached = counters.by_outcome.get("cached", 0)
        rate = counters.cache_hit_rate
        parts = [f"{counters.api_calls} API calls", f"{cached} answered by the cache"]
        parts.append(f"hit rate {rate:.0%}" if rate is not None else "hit rate —")
        if errors:
            parts.append(f"{errors} error{'s' if errors != 1 else ''}")
        self.counts.setText(" · ".join(parts))

    def clear(self) -> None:
        """Empty the list and reset the counters."""
        self.activity.clear()
        with self._lock:
            self._pending.clear()
        self.model.set_rows([])
        self.update_counts()

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
