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

from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import QLabel, QWidget

#: The dynamic property a widget sets to keep its labels' rich text (our own HTML only).
RICH_PROPERTY = "kproducerRichText"
W = TypeVar("W", bound=QWidget)


def allow_rich(widget: W) -> W:
    """Let ``widget``'s labels render HTML: only for text kproducer wrote itself."""
    widget.setProperty(RICH_PROPERTY, True)
    return widget


def make_plain(widget: W) -> W:
    """Make ``widget`` and every label below it plain text (unless :func:`allow_rich`)."""
    labels = widget.findChildren(QLabel)
    if isinstance(widget, QLabel):
        labels.append(widget)
    for label in labels:
        if not _allowed(label):
            label.setTextFormat(Qt.TextFormat.PlainText)
    return widget


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
