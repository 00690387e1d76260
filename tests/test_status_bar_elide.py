"""The status bar's sentence ends in "…" where its room ends, and stays whole in text()."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from kproducer.ui.status_bar import ElidedLabel

SENTENCE = "Uploading 1 recording to “Sandbox Summit 2026”: 25.0 MB, about 2 s left."


def test_a_sentence_too_long_for_its_room_is_drawn_elided_and_kept_whole(qtbot):
    label = ElidedLabel(SENTENCE)
    qtbot.addWidget(label)
    label.resize(120, 24)
    assert label.text() == SENTENCE  # what tests and the tooltip read
    elided = label.fontMetrics().elidedText(SENTENCE, Qt.TextElideMode.ElideRight,
                                            label.contentsRect().width())
    assert elided.endswith("…") and len(elided) < len(SENTENCE)
    plain = QLabel(elided)
    qtbot.addWidget(plain)
    plain.resize(120, 24)
    assert label.grab().toImage() == plain.grab().toImage()  # drawn as the elided text


def test_a_sentence_that_fits_is_drawn_as_a_plain_label(qtbot):
    label, plain = ElidedLabel("Connected."), QLabel("Connected.")
    for widget in (label, plain):
        qtbot.addWidget(widget)
        widget.resize(300, 24)
    assert label.grab().toImage() == plain.grab().toImage()
