"""A person chooser that can be searched: type part of a name, user ID or email (issue 16 item 7).

With 200+ moderators the Preview tab's plain combo box opened a one-line popup with the mouse
(the list was still loading when it opened, and a popup does not grow) and a list as tall as
the screen, with no search, from the keyboard (a non-editable combo ignores its
``maxVisibleItems`` in styles that show a menu-like popup). This one is editable: typing
filters the people on "contains" (ignoring case) in a popup of at most
:data:`VISIBLE_ROWS`, arrows and Enter pick one, Esc or leaving the field puts the chosen
person back; the arrow button opens the whole list, scrolling. While the people load it says
so, and a popup that was open is opened again at its new size once they are there.

It stays a :class:`QComboBox`: ``currentData()`` is the chosen person's key, ``findData``
and ``setCurrentIndex`` work as before. The labels sit in a :class:`QStringListModel` (kept
in C++; the keys in a Python list beside it): 5,000 people fill it in one model reset of
about 3 ms, where one ``QStandardItem`` each took 180 ms of the GUI thread
(``benchmarks/person_picker.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QStringListModel, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import QComboBox, QCompleter, QListView, QWidget

#: Rows a popup shows at once (it scrolls beyond them).
VISIBLE_ROWS = 12
#: Characters the whole list is wide at least.
POPUP_CHARS = 64
LOADING = "Loading the session's moderators…"
_LOADING = object()  # the key of the "Loading…" row: no one
PLACEHOLDER = "Type a name, user ID or email"


class _Labels(QStringListModel):
    """The people's labels; the "Loading…" row, when there is one, cannot be chosen."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.loading_row = -1

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        """Qt API: items are selectable but not editable (the loading row neither)."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if index.row() == self.loading_row:
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class PersonPicker(QComboBox):
    """An editable combo of people with a "contains" search.

    Signals:
        popupRequested(): the list is about to be needed (the arrow, a key, or focus): the
            owner loads the people now if it has not yet.
    """

    popupRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMaxVisibleItems(VISIBLE_ROWS)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.people = _Labels(self)
        self._keys: list[object] = []
        self.setModel(self.people)
        view = QListView(self)
        view.setUniformItemSizes(True)  # 5,000 rows are laid out without measuring each
        # A label is "First Last (user ID) · email · moderator": the list is wider than the
        # field beside the other choosers, so that it reads whole.
        view.setMinimumWidth(view.fontMetrics().averageCharWidth() * POPUP_CHARS)
        self.setView(view)
        completer = QCompleter(self.people, self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        completer.setMaxVisibleItems(VISIBLE_ROWS)
        popup = QListView(self)
        popup.setUniformItemSizes(True)
        popup.setMinimumWidth(view.minimumWidth())  # the search results read whole too
        for listing in (view, popup):
            listing.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            listing.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        completer.setPopup(popup)
        self.results = popup
        self.setCompleter(completer)
        completer.activated[QModelIndex].connect(self._completed)  # type: ignore[index]
        self.search = completer
        edit = self.lineEdit()
        assert edit is not None  # editable
        self.edit = edit
        edit.setPlaceholderText(PLACEHOLDER)
        self._loading = False
        self.currentIndexChanged.connect(lambda _: self._show_chosen())

    # --- content ---

    def set_people(self, people: Sequence[tuple[str, object]], keep: object = None) -> None:
        """Offer ``(label, key)`` pairs; choose ``keep`` again when it is among them.

        Emits ``currentIndexChanged`` once at most (the rows are replaced in one reset).
        """
        self._fill([label for label, _ in people], [key for _, key in people], keep)

    def set_loading(self, first: tuple[str, object]) -> None:
        """Show ``first`` (the preview user) with a "Loading…" row after it."""
        self._fill([first[0], LOADING], [first[1], _LOADING], first[1])
        self.people.loading_row = 1

    def _fill(self, labels: list[str], keys: list[object], keep: object) -> None:
        view = self.view()
        reopen = view is not None and view.isVisible()
        if reopen:
            self.hidePopup()
        self.people.loading_row = -1
        self.blockSignals(True)
        self._keys = keys
        self.people.setStringList(labels)
        index = self.findData(keep)
        self.setCurrentIndex(max(index, 0) if labels else -1)
        self.blockSignals(False)
        self.currentIndexChanged.emit(self.currentIndex())
        if reopen:
            self.showPopup()

    @property
    def loading(self) -> bool:
        """The people are being loaded (only a "Loading…" row follows the first)."""
        return self.people.loading_row >= 0

    # QComboBox keeps its data in the model; these keep the keys beside it (Python callers).

    def findData(self, data: Any, role: int = Qt.ItemDataRole.UserRole,
                 flags: Qt.MatchFlag = Qt.MatchFlag.MatchExactly) -> int:
        """The row of the person whose key is ``data``, or -1 (QComboBox API)."""
        try:
            return self._keys.index(data)
        except ValueError:
            return -1

    def itemData(self, index: int, role: int = Qt.ItemDataRole.UserRole) -> Any:
        """The key of row ``index`` (QComboBox API)."""
        if role != Qt.ItemDataRole.UserRole:
            return super().itemData(index, role)
        key = self._keys[index] if 0 <= index < len(self._keys) else None
        return None if key is _LOADING else key

    def currentData(self, role: int = Qt.ItemDataRole.UserRole) -> Any:
        """The chosen person's key (QComboBox API)."""
        return self.itemData(self.currentIndex(), role)

    def current_label(self) -> str:
        """The chosen person's label (whatever is typed in the field meanwhile)."""
        index = self.currentIndex()
        return self.itemText(index) if index >= 0 else ""

    # --- behaviour ---

    def showPopup(self) -> None:
        """Ask for the people, then open the whole list (scrolling past VISIBLE_ROWS)."""
        self.popupRequested.emit()
        super().showPopup()

    def focusInEvent(self, event: QFocusEvent) -> None:
        """Coming in by keyboard: load the people before the first key is typed."""
        self.popupRequested.emit()
        super().focusInEvent(event)
        self.edit.selectAll()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        """Leaving with half a name typed: show the chosen person again."""
        super().focusOutEvent(event)
        if not self.results.isVisible():
            self._show_chosen()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Esc puts the chosen person back; Enter on a typed text picks its only match."""
        if event.key() == Qt.Key.Key_Escape:
            self._show_chosen()
            event.accept()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self._pick_typed():
            event.accept()
            return
        super().keyPressEvent(event)

    def _pick_typed(self) -> bool:
        """Choose the one person whose label contains the typed text; False when not one."""
        typed = self.edit.text().strip()
        if not typed or typed == self.current_label():
            return False
        needle = typed.casefold()
        hits = [row for row, label in enumerate(self.people.stringList())
                if needle in label.casefold() and row != self.people.loading_row]
        if len(hits) != 1:
            return False
        self.setCurrentIndex(hits[0])
        self._show_chosen()
        return True

    def _completed(self, index: QModelIndex) -> None:
        """A person picked in the search popup (mouse or Enter)."""
        proxy = self.search.completionModel()
        source = proxy.mapToSource(index) if hasattr(proxy, "mapToSource") else index
        if source.isValid() and source.flags() & Qt.ItemFlag.ItemIsSelectable:
            self.setCurrentIndex(source.row())
        self._show_chosen()

    def _show_chosen(self) -> None:
        """Show the chosen person's label in the field.

        While the field has focus the label is selected, so the next key typed starts a
        search instead of adding to the label.
        """
        label = self.current_label()
        if self.edit.text() != label:
            self.edit.setText(label)
        if self.edit.hasFocus():
            self.edit.selectAll()
        else:
            self.edit.setCursorPosition(0)
