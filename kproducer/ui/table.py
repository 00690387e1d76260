"""A table of plain dataclass rows: the model (with its own sort and filter) and a view.

Each tab describes its columns as data (:class:`Column`), keeps its rows in a
:class:`RowsModel`, and shows them through :func:`make_view`. Sorting and filtering happen in
the model, in Python, on precomputed keys: a 1,000-row table sorts and filters in a
millisecond or two, where a ``QSortFilterProxyModel`` calling back into Python for every
comparison took over 100 ms and stalled the GUI. Both keep the selection (persistent
indexes are moved, not reset).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from . import plain_text

R = TypeVar("R")
Index = QModelIndex | QPersistentModelIndex
ROW_ROLE = Qt.ItemDataRole.UserRole + 2


@dataclass(frozen=True)
class Column(Generic[R]):
    """One column: its title, how to show a row, and how to sort it.

    Attributes:
        title: The header text.
        text: The cell text of a row.
        sort: The sort key of a row (default: the lower-cased text).
        tooltip: A tooltip for the cell, or None.
        tone: "error", "good", "muted" or "" — a palette-aware text colour for the cell.
        numeric: Align right.
        width: Initial width in average characters (0: Qt's default).
        picture: A picture (QPixmap or QIcon) shown in the cell, or None.
        fits: A text the column shows whole at its initial width (e.g. the widest ID).
    """

    title: str
    text: Callable[[R], str]
    sort: Callable[[R], Any] | None = None
    tooltip: Callable[[R], str] | None = None
    tone: Callable[[R], str] | None = None
    numeric: bool = False
    width: int = 0
    picture: Callable[[R], Any] | None = None
    fits: str = ""


def tone_color(tone: str) -> QColor | None:
    """A text colour that reads well on the current palette (light or dark)."""
    if tone not in ("error", "good", "muted"):
        return None
    palette = QGuiApplication.palette()
    if tone == "muted":
        return palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
    dark = palette.color(QPalette.ColorRole.Base).lightness() < 128
    if tone == "error":
        return QColor("#ff7b72") if dark else QColor("#b3261e")
    return QColor("#7ee787") if dark else QColor("#1a7f37")


class RowsModel(QAbstractTableModel, Generic[R]):
    """Rows of one dataclass type under a fixed list of columns; sorts and filters itself."""

    def __init__(self, columns: Sequence[Column[R]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self._all: list[R] = []
        self._shown: list[R] = []
        self._haystack: dict[int, str] = {}
        self._needle = ""
        self._predicate: Callable[[R], bool] | None = None
        self._sort: tuple[int, Qt.SortOrder] | None = None

    # --- content ---

    @property
    def rows(self) -> list[R]:
        """Every row (shown or filtered out), in the order they were given."""
        return list(self._all)

    @property
    def shown(self) -> list[R]:
        """The rows shown, in display order."""
        return list(self._shown)

    def set_rows(self, rows: Sequence[R]) -> None:
        """Replace every row."""
        self.beginResetModel()
        self._all = list(rows)
        self._haystack = {id(r): self._hay(r) for r in self._all}
        self._shown = self._arranged(self._all)
        self.endResetModel()

    def append_rows(self, rows: Sequence[R], limit: int | None = None) -> None:
        """Add rows at the end; with ``limit``, drop the oldest beyond it."""
        if not rows:
            return
        self._all.extend(rows)
        self._haystack.update((id(r), self._hay(r)) for r in rows)
        dropped: list[R] = []
        if limit is not None and len(self._all) > limit:
            dropped, self._all = self._all[: len(self._all) - limit], self._all[-limit:]
            for row in dropped:
                self._haystack.pop(id(row), None)
        if self._sort is not None:
            self._relayout(self._arranged(self._all))
            return
        gone = {id(r) for r in dropped}
        if gone:
            keep = [r for r in self._shown if id(r) not in gone]
            removed = len(self._shown) - len(keep)
            if removed:
                self.beginRemoveRows(QModelIndex(), 0, removed - 1)
                self._shown = keep
                self.endRemoveRows()
        new = [r for r in rows if id(r) not in gone and self._accepts(r)]
        if new:
            first = len(self._shown)
            self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
            self._shown.extend(new)
            self.endInsertRows()

    def row(self, number: int) -> R:
        """The shown row at ``number``."""
        return self._shown[number]

    # --- filter and sort ---

    def set_filter(self, text: str = "", predicate: Callable[[R], bool] | None = None) -> None:
        """Show only the rows that contain ``text`` and that ``predicate`` accepts.

        ``text`` is looked for in every column, ignoring case.
        """
        self._needle = text.strip().lower()
        self._predicate = predicate
        self._relayout(self._arranged(self._all))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by a column's sort key (Qt API; the header calls it)."""
        self._sort = (column, order) if 0 <= column < len(self.columns) else None
        self._relayout(self._arranged(self._all))

    def _hay(self, row: R) -> str:
        return "\t".join(c.text(row) for c in self.columns).lower()

    def _accepts(self, row: R) -> bool:
        if self._needle and self._needle not in self._haystack.get(id(row), ""):
            return False
        return self._predicate is None or self._predicate(row)

    def _arranged(self, rows: list[R]) -> list[R]:
        shown = [r for r in rows if self._accepts(r)]
        if self._sort is not None:
            column, order = self.columns[self._sort[0]], self._sort[1]
            key: Callable[[R], Any] = column.sort or _lowered(column.text)
            shown.sort(key=lambda r: _Key(key(r)),
                       reverse=order == Qt.SortOrder.DescendingOrder)
        return shown

    def _relayout(self, shown: list[R]) -> None:
        """Show ``shown`` instead, moving persistent indexes (selection) with their rows."""
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        old_rows = [self._shown[i.row()] if 0 <= i.row() < len(self._shown) else None
                    for i in old]
        self._shown = shown
        where = {id(r): n for n, r in enumerate(shown)}
        new = [self.index(where[id(r)], i.column()) if r is not None and id(r) in where
               else QModelIndex() for r, i in zip(old_rows, old, strict=True)]
        self.changePersistentIndexList(old, new)
        self.layoutChanged.emit()

    # --- Qt API ---

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Number of shown rows (Qt API)."""
        return 0 if parent.isValid() else len(self._shown)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Number of columns (Qt API)."""
        return 0 if parent.isValid() else len(self.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column titles (Qt API)."""
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].title
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Cell contents (Qt API)."""
        if not index.isValid() or index.row() >= len(self._shown):
            return None
        row = self._shown[index.row()]
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(row)
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.DecorationRole and column.picture is not None:
            return column.picture(row)
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip is not None:
            return plain_text.tooltip(column.tooltip(row)) or None  # account/CSV data
        if role == Qt.ItemDataRole.ForegroundRole and column.tone is not None:
            return tone_color(column.tone(row))
        if role == Qt.ItemDataRole.TextAlignmentRole and column.numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def _lowered(text: Callable[[R], str]) -> Callable[[R], str]:
    return lambda row: text(row).lower()


class _Key:
    """A sort key that never raises: mixed types compare by their text."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __lt__(self, other: _Key) -> bool:
        try:
            return bool(self.value < other.value)
        except TypeError:
            return str(self.value) < str(other.value)


def make_view(model: RowsModel[Any], name: str, parent: QWidget | None = None, *,
              stretch: int = 1, min_rows: int = 0) -> QTableView:
    """A sortable, single-selection table view over ``model``.

    Args:
        name: The view's object name (its column state is saved under it).
        stretch: The column that takes the remaining width.
        min_rows: Rows always readable, whatever else the window holds (a results table
            squeezed to 2.5 rows at 1024×700 told nothing); 0: no minimum.
    """
    view = QTableView(parent)
    view.setObjectName(name)
    view.setModel(model)
    view.setSortingEnabled(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    metrics = view.fontMetrics()
    view.verticalHeader().setDefaultSectionSize(metrics.lineSpacing() + metrics.height() // 2)
    header = view.horizontalHeader()
    header.setSectionsMovable(True)
    header.setHighlightSections(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    for number, column in enumerate(model.columns):
        if column.width or column.fits:
            header.resizeSection(number, max(metrics.averageCharWidth() * column.width,
                                             metrics.horizontalAdvance(column.fits)) + 12)
    if 0 <= stretch < model.columnCount():
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    if min_rows:
        view.setMinimumHeight(view.verticalHeader().defaultSectionSize() * min_rows
                              + header.sizeHint().height() + 2 * view.frameWidth() + 2)
    return view


def selected_row(view: QTableView) -> Any | None:
    """The row object selected in ``view``, or None."""
    rows = view.selectionModel().selectedRows() if view.selectionModel() else []
    return rows[0].data(ROW_ROLE) if rows else None


def select_where(view: QTableView, predicate: Callable[[Any], bool]) -> bool:
    """Select (and scroll to) the first row matching ``predicate``; False when none does."""
    model = view.model()
    for number in range(model.rowCount()):
        index = model.index(number, 0)
        if predicate(index.data(ROW_ROLE)):
            view.selectRow(number)
            view.scrollTo(index)
            return True
    return False
