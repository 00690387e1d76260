"""The preview's side panel: who the page is for, the KS and JWT claims, expiry warnings.

:func:`panel_sections` turns an :class:`~kproducer.services.preview.EmbedPage` into plain
rows (testable without widgets); :class:`TokenPanel` shows them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

from .common import heading, hint, when

if TYPE_CHECKING:
    from ..services.preview import EmbedPage

KS_TYPES = {0: "USER", 2: "ADMIN"}


@dataclass(frozen=True)
class Section:
    """A titled group of ``(label, value)`` rows."""

    title: str
    rows: tuple[tuple[str, str], ...]


def until(unix: int | None, now: float | None = None) -> str:
    """``2026-05-01 14:00 (in 2 h 5 min)`` or ``… (expired)``."""
    if not unix:
        return "—"
    left = int(unix - (time.time() if now is None else now))
    if left <= 0:
        return f"{when(unix)} (expired)"
    days, rest = divmod(left, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    span = f"{days} d {hours} h" if days else f"{hours} h {minutes} min" if hours \
        else f"{minutes} min"
    return f"{when(unix)} (in {span})"


def panel_sections(page: EmbedPage, now: float | None = None) -> list[Section]:
    """What the side panel shows for a page."""
    person = page.person
    name = " ".join(p for p in (person.first_name, person.last_name) if p)
    sections = [Section("Preview", (
        ("Session", f"{page.entry.name} ({page.entry.id})"),
        ("Person", f"{name} ({person.user_id})" if name else person.user_id),
        ("Role", page.role.value),
        ("Session ends", until(page.tokens.session_ends_at, now)
         if page.tokens.session_ends_at else "no duration or schedule"),
    ))]
    if page.launch is not None:
        params = page.launch.params
        signed = int(params.get("oauth_timestamp", "0") or 0)
        sections.append(Section("Room launch (LTI 1.0)", (
            ("Launch URL", page.launch.url),
            ("roles", params.get("roles", "")),
            ("user_id", params.get("user_id", "")),
            ("context_id", params.get("context_id", "")),
            ("Consumer key", params.get("oauth_consumer_key", "")),
            ("Signed", f"{when(signed)} ({params.get('oauth_signature_method', '')}); "
                       "single use, valid about 10 minutes"),
        )))
        return sections  # a room page carries no KS or JWT
    ks = page.ks_info
    sections.append(Section("Player session (KS)", (
        ("User", str(ks.user_id or "")),
        ("Type", KS_TYPES.get(ks.session_type or 0, str(ks.session_type))),
        ("Privileges", "\n".join(str(ks.privileges or "").split(","))),
        ("Expires", until(ks.expires_at, now)),
        ("Signature", "verified with the account's admin secret" if ks.verified
         else "not verified"),
    )))
    claims: dict[str, Any] = page.jwt_claims
    groups = claims.get("groups") or []
    sections.append(Section("Chat token (CnC JWT)", (
        ("uid", str(claims.get("uid", ""))),
        ("contextId", str(claims.get("contextId", ""))),
        ("groups", ", ".join(map(str, groups)) or "none (attendee)"),
        ("virtualEventId", str(claims.get("virtualEventId", "—"))),
        ("kid / alg", f"{page.jwt_header.get('kid', '')} / {page.jwt_header.get('alg', '')}"),
        ("Expires", until(int(claims["exp"]), now) if "exp" in claims else "—"),
    )))
    return sections


#: Values of the panel that must read whole on one line (longer ones wrap between words).
VALUE_SAMPLES = ("Wed 02 Dec 2026, 21:04 UTC", "setrole:PLAYBACK_BASE_ROLE")


class TokenPanel(QWidget):
    """The side panel; :meth:`show_page` fills it, :meth:`clear` empties it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("preview.tokens")
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(8, 8, 8, 8)
        self.warnings = QLabel(self)
        self.warnings.setObjectName("preview.warnings")
        self.warnings.setWordWrap(True)
        self.warnings.setTextFormat(Qt.TextFormat.PlainText)
        self.warnings.setStyleSheet("color: #b26b00;")
        self.body = QWidget(self)
        self._layout.addWidget(self.warnings)
        self._layout.addWidget(self.body, 1)
        self.values: dict[tuple[str, str], QLabel] = {}
        self.clear()

    def fitting_width(self) -> int:
        """The width at which the longest unbroken values (an expiry, a privilege) show whole."""
        metrics = self.fontMetrics()
        label = metrics.horizontalAdvance("virtualEventId:")
        value = max(metrics.horizontalAdvance(sample) for sample in VALUE_SAMPLES)
        margins = self._layout.contentsMargins()
        return label + value + margins.left() + margins.right() + 4 * metrics.averageCharWidth()

    def clear(self, text: str = "Choose a session to see the tokens its page carries.") -> None:
        """Show only a hint."""
        self._replace_body()
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(hint(text, self.body))
        layout.addStretch(1)
        self.warnings.hide()

    def show_page(self, page: EmbedPage) -> None:
        """Show the page's person, tokens, expiries and warnings."""
        self._replace_body()
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(0, 0, 0, 0)
        for section in panel_sections(page):
            layout.addWidget(heading(section.title, self.body))
            form = QFormLayout()
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            for label, value in section.rows:
                field = QLabel(value, self.body)
                field.setWordWrap(True)
                field.setTextFormat(Qt.TextFormat.PlainText)
                field.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                self.values[(section.title, label)] = field
                form.addRow(f"{label}:", field)
            layout.addLayout(form)
        for note in page.notes:
            layout.addWidget(hint(note, self.body))
        layout.addStretch(1)
        lines = [f"⚠ {w}" for w in page.warnings]
        self.warnings.setText("\n".join(lines))
        self.warnings.setVisible(bool(lines))

    def value(self, section: str, label: str) -> str:
        """The text shown for one row (tests and accessibility)."""
        field = self.values.get((section, label))
        return field.text() if field is not None else ""

    def _replace_body(self) -> None:
        old = self.body
        self.body = QWidget(self)
        self._layout.replaceWidget(old, self.body)
        old.hide()
        old.deleteLater()
        self.values = {}
