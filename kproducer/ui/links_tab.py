"""The Links tab: what was shared for a session, and revoking it (issue 13).

Pick a session: its exports from the link ledger (a Copy share link or QR code counts as an
export of one), with how many links, until when they work and whether they are revoked;
choose one to see its people. "Revoke export…" and "Revoke person…" ask first, naming the
count, then end those links on Kaltura through the worker. A timer renews revocations that
Kaltura forgets after 24 hours while the window is open.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..services.models import Entry
from .common import Deps, Page

#: How often revocations past Kaltura's 24 hours are looked for (milliseconds).
RENEW_EVERY_MS = 60_000
EXPORT_COLUMNS = ("Export", "Made", "Format", "Role", "Links", "Work until", "Revoked")
PEOPLE_COLUMNS = ("Person (user ID)", "Role", "Works until", "Revoked")


def _when(value: datetime | None, empty: str = "") -> str:
    return value.astimezone().strftime("%a %d %b %Y, %H:%M") if value else empty


def _table(parent: QWidget, columns: Sequence[str], name: str) -> QTableWidget:
    table = QTableWidget(0, len(columns), parent)
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(list(columns))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _fill(table: QTableWidget, rows: Sequence[Sequence[str]]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(text))
    table.resizeColumnsToContents()


class LinksTab(Page):
    """A session's shared links, with Revoke (see the module docstring)."""

    def __init__(self, deps: Deps, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.deps = deps
        self._entries: list[Entry] = []
        self.view_data: Any = None
        self.export_id: str | None = None
        self.session = QComboBox(self)
        self.session.setObjectName("links.session")
        self.session.currentIndexChanged.connect(lambda _: self.refresh())
        self.refresh_button = QPushButton("&Refresh", self)
        self.refresh_button.clicked.connect(lambda: self.refresh())
        self.revoke_button = QPushButton("Revoke e&xport…", self)
        self.revoke_button.clicked.connect(self.revoke_export)
        self.person_button = QPushButton("Revoke &person…", self)
        self.person_button.clicked.connect(self.revoke_person)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Session:", self))
        bar.addWidget(self.session, 1)
        for button in (self.refresh_button, self.revoke_button, self.person_button):
            bar.addWidget(button)
        self.exports = _table(self, EXPORT_COLUMNS, "links.exports")
        self.exports.itemSelectionChanged.connect(self._export_chosen)
        self.people = _table(self, PEOPLE_COLUMNS, "links.people")
        self.people.itemSelectionChanged.connect(self.update_actions)
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.note.setObjectName("links.note")
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(QLabel("What was shared for this session (every export, share link "
                                "and QR code):", self))
        layout.addWidget(self.exports, 2)
        layout.addWidget(QLabel("People of the chosen export:", self))
        layout.addWidget(self.people, 3)
        layout.addWidget(self.note)
        self.timer = QTimer(self)
        self.timer.setInterval(RENEW_EVERY_MS)
        self.timer.timeout.connect(self.renew)
        self.timer.start()
        self.update_actions()

    # --- sessions -------------------------------------------------------------------------

    def set_entries(self, entries: Sequence[Entry]) -> None:
        """Offer these sessions (keeps the current one if it remains)."""
        current = self.entry_id()
        self._entries = list(entries)
        self.session.blockSignals(True)
        self.session.clear()
        for entry in self._entries:
            self.session.addItem(entry.name or entry.id, entry.id)
        index = self.session.findData(current) if current else -1
        self.session.setCurrentIndex(max(index, 0) if self._entries else -1)
        self.session.blockSignals(False)
        self.refresh()

    def follow(self, entry: Entry | None) -> None:
        """Come to the front on the session the producer was working on, read afresh.

        The session selected (or previewed) on the tab left, when it is one of those
        offered; the ledger is read again either way (a link shared meanwhile shows).
        """
        index = self.session.findData(entry.id) if entry is not None else -1
        if index >= 0 and index != self.session.currentIndex():
            self.session.setCurrentIndex(index)  # reads it
        else:
            self.refresh()

    def entry_id(self) -> str | None:
        """The chosen session's entry ID."""
        data = self.session.currentData()
        return str(data) if data else None

    # --- loading --------------------------------------------------------------------------

    def refresh(self, export_id: str | None = None) -> None:
        """Read the session's exports (and one export's people) from the ledger."""
        account, entry_id = self.deps.account(), self.entry_id()
        if account is None or entry_id is None:
            self._show(None)
            return
        from ..services import revoke

        self.deps.worker.run(
            "Reading the link ledger",
            lambda ctx: revoke.session_links(account, entry_id, export_id),
            on_done=self._show, key="links.read", quiet=True)

    def _show(self, data: Any) -> None:
        self.view_data = data
        exports = data.exports if data is not None else []
        people = data.people if data is not None else []
        self.export_id = people[0].export_id if people else (
            exports[0].export_id if exports else None)
        self.exports.blockSignals(True)
        _fill(self.exports, [
            (r.export_id, _when(r.created_at), r.format, r.role, str(r.rows),
             _when(r.expires_at, "no end (room page)"),
             "all" if r.revoked_at else (f"{r.revoked_rows} of {r.rows}" if r.revoked_rows
                                         else "no"))
            for r in exports])
        for row, record in enumerate(exports):
            if record.export_id == self.export_id:
                self.exports.selectRow(row)
        self.exports.blockSignals(False)
        _fill(self.people, [
            (p.user_id, p.role, _when(p.expires_at),
             _when(p.revoked_at, "no") if p.revoked_at else "no") for p in people])
        note = data.note if data is not None else None
        if data is not None and not exports:
            note = note or ("Nothing was shared for this session yet: links exports, Copy "
                            "share link and QR codes show here once made.")
        self.note.setText(note or "Revoking ends the links on Kaltura at once. Kaltura keeps "
                          "a revocation for 24 hours; links that live longer are revoked "
                          "again while this window is open.")
        self.update_actions()

    def _export_chosen(self) -> None:
        rows = self.exports.selectionModel().selectedRows()
        if rows and self.view_data is not None:
            chosen = self.view_data.exports[rows[0].row()].export_id
            if chosen != self.export_id:
                self.refresh(chosen)

    def update_actions(self) -> None:
        """Revoke only what is there and not yet revoked."""
        record = self._record()
        self.revoke_button.setEnabled(record is not None and record.revoked_at is None)
        person = self._person()
        self.person_button.setEnabled(person is not None and person.revoked_at is None)

    def _record(self) -> Any:
        if self.view_data is None:
            return None
        return next((r for r in self.view_data.exports if r.export_id == self.export_id), None)

    def _person(self) -> Any:
        rows = self.people.selectionModel().selectedRows()
        if not rows or self.view_data is None:
            return None
        return self.view_data.people[rows[0].row()]

    # --- revoking -------------------------------------------------------------------------

    def confirm(self, text: str) -> bool:
        """Ask before revoking (tests replace this)."""
        answer = QMessageBox.question(self, "Revoke links", text)
        return answer == QMessageBox.StandardButton.Yes

    def revoke_export(self) -> None:
        """Revoke every link of the chosen export, after asking with the count."""
        record = self._record()
        if record is None:
            return
        left = record.rows - record.revoked_rows
        if self.confirm(f"Revoke {left} links of export {record.export_id}? Everyone who "
                        "got one of them can no longer watch with it. This cannot be undone; "
                        "export again to give people new links."):
            self._revoke(record.export_id, None)

    def revoke_person(self) -> None:
        """Revoke the chosen person's link, after asking."""
        person = self._person()
        if person is None:
            return
        if self.confirm(f"Revoke 1 link: {person.user_id}'s link in export "
                        f"{person.export_id}? They can no longer watch with it."):
            self._revoke(person.export_id, person.user_id)

    def _revoke(self, export_id: str, user_id: str | None) -> None:
        account = self.deps.account()
        if account is None:
            return
        from ..services import revoke

        def done(summary: Any) -> None:
            note = summary.outlive_note()
            self.deps.say(summary.sentence() + (f" {note}" if note else ""))
            self.refresh(export_id)

        self.deps.worker.run(
            "Revoking links", lambda ctx: revoke.revoke(account, export_id, user_id),
            on_done=done, controls=(self.revoke_button, self.person_button))

    def renew(self) -> None:
        """End again the revocations Kaltura has forgotten (24 h) while their links live."""
        account = self.deps.account()
        if account is None:
            return
        from ..services import revoke

        def done(summary: Any) -> None:
            if summary.renewed:
                self.deps.say(f"{summary.renewed} revoked links were revoked again: Kaltura "
                              "keeps a revocation for 24 hours only.")

        self.deps.worker.run("Renewing revocations",
                             lambda ctx: revoke.renew_revocations(account), on_done=done,
                             key="links.renew", quiet=True)
