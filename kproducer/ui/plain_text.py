"""Account and CSV data is shown as plain text, never as Qt rich text (issue 15).

A QLabel (and so a message box's text or a detail pane) guesses rich text from ``<`` in its
text: an event named ``<font size=7 color=red>…`` or holding a ``file:///`` image would
render as markup. Rather than trusting every ``setText`` to remember, :func:`make_plain`
fixes the format of every label of a widget tree once, where the tree is built: the main
window (every tab, detail pane and prompt), and the message-box helpers of
:mod:`.common`. A label keeps its format across ``setText``, so later texts are plain too.
The few texts kproducer writes itself as HTML (Help, About) opt in with :func:`allow_rich`
and escape what they interpolate.

(An application-wide event filter would catch labels made later too, but a Python filter
called for every event of QtWebEngine's objects crashes the process.)
"""

from __future__ import annotations

import re
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import QFormLayout, QLabel, QLayoutItem, QWidget

#: The dynamic property a widget sets to keep its labels' rich text (our own HTML only).
RICH_PROPERTY = "kproducerRichText"
W = TypeVar("W", bound=QWidget)


def allow_rich(widget: W) -> W:
    """Let ``widget``'s labels render HTML: only for text kproducer wrote itself."""
    widget.setProperty(RICH_PROPERTY, True)
    return widget


def make_plain(widget: W) -> W:
    """Make ``widget`` and every label below it plain text (unless :func:`allow_rich`).

    Form captions get their buddies too (:func:`attach_buddies`): a caption's ``&`` is a
    mnemonic only when the label has a buddy, and is shown literally otherwise.
    """
    labels = widget.findChildren(QLabel)
    if isinstance(widget, QLabel):
        labels.append(widget)
    for label in labels:
        if not _allowed(label):
            label.setTextFormat(Qt.TextFormat.PlainText)
    attach_buddies(widget)
    return widget


def has_mnemonic(text: str) -> bool:
    """Whether ``text`` marks a mnemonic (``&S``; ``&&`` is a literal ampersand)."""
    return re.search(r"(?<!&)&(?!&)\w", text.replace("&&", "")) is not None


def attach_buddies(widget: QWidget) -> None:
    """Give every form caption with a mnemonic a buddy: the field, or its first control.

    ``QFormLayout.addRow("&Input CSV:", row_layout)`` makes a label with no buddy, because
    the field is a layout (a line edit with its Browse button), not a widget: Qt then draws
    the ``&`` as text ("&Input CSV:") and Alt+I does nothing. The buddy is the first widget
    of that layout that takes the keyboard focus.
    """
    for form in widget.findChildren(QFormLayout):
        for row in range(form.rowCount()):
            caption = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            label = caption.widget() if caption is not None else None
            if not isinstance(label, QLabel) or label.buddy() is not None \
                    or not has_mnemonic(label.text()):
                continue
            field = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            target = _first_focusable(field) if field is not None else None
            if target is not None:
                label.setBuddy(target)


def _first_focusable(item: QLayoutItem) -> QWidget | None:
    widget = item.widget()
    if widget is not None:
        return widget if widget.focusPolicy() != Qt.FocusPolicy.NoFocus else None
    layout = item.layout()
    if layout is None:
        return None
    for index in range(layout.count()):
        child = layout.itemAt(index)
        found = _first_focusable(child) if child is not None else None
        if found is not None:
            return found
    return None


def tooltip(text: str) -> str:
    """``text`` as a tooltip that shows it literally.

    Qt renders a tooltip as rich text when it looks like markup, and a tooltip has no text
    format of its own: the text is escaped into a paragraph instead (empty stays empty, so
    no tooltip shows).
    """
    # WhiteSpaceNormal: a long sentence wraps (the default mode joins words with nbsp)
    return (GuiQt.convertFromPlainText(text, Qt.WhiteSpaceMode.WhiteSpaceNormal)
            if text else "")


def _allowed(label: QLabel) -> bool:
    widget: QWidget | None = label
    while widget is not None:
        if widget.property(RICH_PROPERTY):
            return True
        widget = widget.parentWidget()
    return False
