"""The Activity list: one row per operation the producer did, each opening into its API calls.

The model holds :class:`~kproducer.activity.Operation` snapshots (top-level rows) and their
:class:`~kproducer.activity.ActivityRecord` calls (child rows). The filter hides rows in the
view instead of rebuilding the model, so what the producer opened stays open; clearing the
filter brings back the rows that were at the top before filtering (or the row selected
meanwhile).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, QPoint, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeView, QWidget

from ..activity import OTHER_CALLS, ActivityRecord, Operation
from ..services.activity_export import CALL_RESULTS
from .table import tone_color

Index = QModelIndex | QPersistentModelIndex
HEADERS = ("Time", "What", "Outcome", "Details", "Calls", "Took")
#: The column that takes the width left (what came of an operation, a call's note).
DETAILS = 3
#: Operations kept in the list (the oldest go first; the log keeps its own).
MAX_OPERATIONS = 1000
#: Calls kept in the list over all operations (an import of 1,000 rows makes ~2,000).
MAX_CALLS = 5000
ENDING_WORDS = {"running": "Running…", "done": "Done", "failed": "Failed",
                "cancelled": "Cancelled", "replaced": "Replaced"}


def operation_title(op: Operation) -> str:
    """The operation as the producer reads it."""
    if op.id == OTHER_CALLS:
        return "Other calls (not started from this window)"
    if op.background:
        runs = f", {op.runs} times" if op.runs > 1 else ""
        return f"{op.title} (automatic{runs})"
    return op.title


def calls_text(op: Operation) -> str:
    """"3 sent · 2 answered here"."""
    parts = [f"{op.calls} sent"]
    if op.cached:
        parts.append(f"{op.cached} answered here")
    if op.errors:
        parts.append(f"{op.errors} failed")
    return " · ".join(parts)


def took_text(seconds: float | None) -> str:
    """"0.4 s", "2 min 5 s", or "" while running."""
    if seconds is None:
        return ""
    if seconds < 60:
        return f"{seconds:.1f} s"
    return f"{int(seconds // 60)} min {int(seconds % 60)} s"


class ActivityModel(QAbstractItemModel):
    """Operations with their calls; the internal id of a call's index is its operation's row+1."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.operations: list[Operation] = []
        self.calls: list[list[ActivityRecord]] = []
        self._rows: dict[int, int] = {}
        self._flat: deque[ActivityRecord] = deque(maxlen=MAX_CALLS)
        self._count = 0

    @property
    def rows(self) -> list[ActivityRecord]:
        """Every call in the list, oldest first."""
        return list(self._flat)

    # --- changes -----------------------------------------------------------------------------

    def clear(self) -> None:
        """Empty the list."""
        self.beginResetModel()
        self.operations, self.calls, self._rows = [], [], {}
        self._flat.clear()
        self._count = 0
        self.endResetModel()

    def upsert(self, op: Operation) -> int:
        """Show the operation's latest snapshot; its row."""
        row = self._rows.get(op.id)
        if row is None:
            row = len(self.operations)
            self.beginInsertRows(QModelIndex(), row, row)
            self.operations.append(op)
            self.calls.append([])
            self._rows[op.id] = row
            self.endInsertRows()
            self._trim()
            return self._rows[op.id]
        self.operations[row] = op
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(HEADERS) - 1))
        return row

    def add_calls(self, op: Operation, records: list[ActivityRecord]) -> tuple[int, range]:
        """Add calls of one operation in one insert; (its row, the new child rows)."""
        row = self._rows.get(op.id)
        if row is None:
            row = self.upsert(op)
        at = len(self.calls[row])
        self.beginInsertRows(self.index(row, 0), at, at + len(records) - 1)
        self.calls[row].extend(records)
        self._flat.extend(records)
        self._count += len(records)
        self.endInsertRows()
        self._trim()
        row = self._rows.get(op.id, -1)
        if row < 0:
            return -1, range(0)
        end = len(self.calls[row])
        return row, range(end - len(records), end)

    def _trim(self) -> None:
        """Forget the oldest operations past the limits."""
        drop = 0
        count = self._count
        while drop < len(self.operations) - 1 and (
                len(self.operations) - drop > MAX_OPERATIONS or count > MAX_CALLS):
            count -= len(self.calls[drop])
            drop += 1
        if not drop:
            return
        self.beginRemoveRows(QModelIndex(), 0, drop - 1)
        del self.operations[:drop]
        del self.calls[:drop]
        self._count = count
        self._rows = {op.id: row for row, op in enumerate(self.operations)}
        self.endRemoveRows()

    # --- reading -----------------------------------------------------------------------------

    def row_of(self, operation: int) -> int | None:
        """The row of an operation, if it is in the list."""
        return self._rows.get(operation)

    def operation_at(self, index: Index) -> Operation | None:
        """The operation of a top-level index (None for a call)."""
        if not index.isValid() or index.internalId():
            return None
        return self.operations[index.row()]

    def call_at(self, index: Index) -> ActivityRecord | None:
        """The call of a child index (None for an operation)."""
        if not index.isValid() or not index.internalId():
            return None
        return self.calls[index.internalId() - 1][index.row()]

    def cells(self, index: Index) -> tuple[str, ...]:
        """The texts of the row of ``index``."""
        op = self.operation_at(index)
        if op is not None:
            ending = ENDING_WORDS[op.ending] if op.id != OTHER_CALLS else ""
            return (op.started.astimezone().strftime("%H:%M:%S"), operation_title(op), ending,
                    op.result, calls_text(op), took_text(op.seconds))
        call = self.call_at(index)
        if call is None:
            return ("",) * len(HEADERS)
        return (call.time.astimezone().strftime("%H:%M:%S.%f")[:-3], call.action,
                CALL_RESULTS[call.outcome], call.detail, "", f"{call.ms:.0f} ms")

    def matches(self, index: Index, words: list[str]) -> bool:
        """Whether every word of the filter is in the row's texts."""
        text = " ".join(self.cells(index)).lower()
        call = self.call_at(index)
        if call is not None:
            text += f" {call.outcome}"
        return all(word in text for word in words)

    # --- Qt model API ------------------------------------------------------------------------

    def index(self, row: int, column: int,
              parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        """Qt API."""
        if parent.isValid():
            if parent.internalId() or not 0 <= parent.row() < len(self.calls):
                return QModelIndex()
            if not 0 <= row < len(self.calls[parent.row()]):
                return QModelIndex()
            return self.createIndex(row, column, parent.row() + 1)
        if not 0 <= row < len(self.operations):
            return QModelIndex()
        return self.createIndex(row, column, 0)

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        """Qt API."""
        if not index.isValid() or not index.internalId():
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, 0)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Qt API: operations at the top, calls under each."""
        if not parent.isValid():
            return len(self.operations)
        if parent.internalId() or parent.column() != 0:
            return 0
        return len(self.calls[parent.row()])

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Qt API."""
        return len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """Qt API."""
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """Qt API."""
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            text = self.cells(index)[index.column()]
            return text if role == Qt.ItemDataRole.DisplayRole or text else None
        if role == Qt.ItemDataRole.ForegroundRole and index.column() in (2, DETAILS):
            op = self.operation_at(index)
            call = self.call_at(index)
            failed = (op is not None and op.ending == "failed") or \
                (call is not None and call.outcome == "error")
            good = call is not None and call.outcome == "cached"
            return tone_color("error" if failed else "good" if good else "")
        return None


class ActivityView(QTreeView):
    """The tree of operations, with a filter that hides rows and keeps the place."""

    def __init__(self, model: ActivityModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("activity.operations")
        self.setModel(model)
        self.activity_model = model
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(DETAILS, QHeaderView.ResizeMode.Stretch)
        metrics = self.fontMetrics()
        pad = 3 * metrics.averageCharWidth()
        samples = {0: "00:00:00.000", 1: "Checking which sessions are live (a…",
                   2: "answered here", 4: "999 sent · 99 answered here", 5: "10 min 59 s"}
        for column, sample in samples.items():
            extra = 2 * self.indentation() if column == 0 else 0  # a call sits one level in
            self.setColumnWidth(column, metrics.horizontalAdvance(sample) + pad + extra)
        self.words: list[str] = []
        self._anchor: QPersistentModelIndex | None = None

    def set_filter(self, text: str) -> None:
        """Show only rows that have every word of ``text`` (an operation shows if a call does).

        Going from no filter to one remembers the row at the top; clearing the filter scrolls
        back to it (or to the row selected meanwhile).
        """
        words = text.lower().split()
        if words and not self.words:
            top = self.indexAt(QPoint(1, 1))
            self._anchor = QPersistentModelIndex(top) if top.isValid() else None
        self.words = words
        model = self.activity_model
        for row in range(model.rowCount()):
            self.apply_filter(model.index(row, 0))
        if not words:
            current = self.currentIndex()
            selected = self.selectionModel().isSelected(current) if current.isValid() else False
            if selected:
                self.scrollTo(current, QAbstractItemView.ScrollHint.PositionAtCenter)
            elif self._anchor is not None and self._anchor.isValid():
                anchor = self.model().index(self._anchor.row(), 0, self._anchor.parent())
                self.scrollTo(anchor, QAbstractItemView.ScrollHint.PositionAtTop)
            self._anchor = None

    def apply_filter(self, op_index: QModelIndex, calls: Iterable[int] | None = None) -> None:
        """Hide or show an operation's row and its calls' rows (all, or those given)."""
        model = self.activity_model
        words = self.words
        own = not words or model.matches(op_index, words)
        rows = range(model.rowCount(op_index)) if calls is None else calls
        shown_child = False
        for row in rows:
            child = model.index(row, 0, op_index)
            show = own or model.matches(child, words)
            self.setRowHidden(row, op_index, not show)
            shown_child = shown_child or show
        if calls is not None and not own and not shown_child:
            shown_child = any(not self.isRowHidden(r, op_index)
                              for r in range(model.rowCount(op_index)))
        self.setRowHidden(op_index.row(), QModelIndex(), not (own or shown_child))

    def visible_operations(self) -> list[Operation]:
        """The operations the filter lets through."""
        model = self.activity_model
        return [op for row, op in enumerate(model.operations)
                if not self.isRowHidden(row, QModelIndex())]
