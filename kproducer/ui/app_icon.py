"""kproducer's application icon (window, taskbar, About box), from the shipped PNG sizes."""

from __future__ import annotations

from PySide6.QtGui import QIcon

from .. import resources

#: The sizes rendered from ``resources/icons/kproducer.svg`` by ``scripts/render-icons``.
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def app_icon() -> QIcon:
    """The icon with every shipped size, so each surface picks a crisp one."""
    icon = QIcon()
    for size in SIZES:
        icon.addFile(str(resources.path("icons", f"kproducer-{size}.png")))
    return icon
