"""The form of one account profile: settings and (write-only) secrets."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLineEdit, QVBoxLayout, QWidget

from ..local.profiles import DEFAULT_SERVICE_URL, Profile
from ..local.secret_store import SecretKind, SecretSource
from .common import hint

SECRET_WORDS = {
    SecretSource.KEYRING: "stored in the system keyring — leave empty to keep it",
    SecretSource.SESSION: "kept for this session — leave empty to keep it",
    SecretSource.ENVIRONMENT: "taken from the environment variable",
}
PLACEHOLDERS = {
    SecretKind.ADMIN_SECRET: "required — from KMC › Integration Settings",
    SecretKind.CNC_APP_TOKEN: "optional — found automatically with appToken.list",
    SecretKind.KME_SECRET: "optional — only for meeting rooms (KME)",
}


class AccountForm(QWidget):
    """Edits one profile; secrets are never shown, only replaced.

    Signals:
        changed(): a field was edited.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dirty = False
        self._loading = False
        self.name = QLineEdit()
        self.service_url = QLineEdit()
        self.partner_id = QLineEdit()
        self.partner_id.setValidator(QIntValidator(1, 2_000_000_000, self))
        self.admin_user_id = QLineEdit()
        self.player_uiconf_id = QLineEdit()
        self.cnc_uiconf_id = QLineEdit()
        for edit in (self.player_uiconf_id, self.cnc_uiconf_id):
            edit.setValidator(QIntValidator(1, 2_000_000_000, self))
        self.cnc_service_url = QLineEdit()
        self.kme_launch_url = QLineEdit()
        self.kme_key = QLineEdit()
        self.secret_edits = {kind: QLineEdit() for kind in SecretKind}
        for kind, edit in self.secret_edits.items():
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.setPlaceholderText(PLACEHOLDERS[kind])
            edit.setClearButtonEnabled(True)
        self.service_url.setPlaceholderText(DEFAULT_SERVICE_URL)
        self.partner_id.setPlaceholderText("e.g. 1234567")
        self.admin_user_id.setPlaceholderText("the user the admin session is issued for")
        self.cnc_service_url.setPlaceholderText("optional")
        self.kme_launch_url.setPlaceholderText("optional — LTI launch URL of Kaltura Meetings")

        account = QGroupBox("Account")
        form = QFormLayout(account)
        form.addRow("&Name:", self.name)
        form.addRow("Service &URL:", self.service_url)
        form.addRow("&Partner ID:", self.partner_id)
        form.addRow("Admin &user ID:", self.admin_user_id)
        form.addRow("Admin &secret:", self.secret_edits[SecretKind.ADMIN_SECRET])
        embeds = QGroupBox("Player and chat (CnC)")
        form = QFormLayout(embeds)
        form.addRow("Player uiconf ID:", self.player_uiconf_id)
        form.addRow("CnC uiconf ID:", self.cnc_uiconf_id)
        form.addRow("CnC chat service URL:", self.cnc_service_url)
        form.addRow("CnC app token:", self.secret_edits[SecretKind.CNC_APP_TOKEN])
        kme = QGroupBox("Meeting rooms (KME), optional")
        form = QFormLayout(kme)
        form.addRow("KME launch URL:", self.kme_launch_url)
        form.addRow("KME key:", self.kme_key)
        form.addRow("KME secret:", self.secret_edits[SecretKind.KME_SECRET])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(account)
        layout.addWidget(embeds)
        layout.addWidget(kme)
        layout.addWidget(hint("Secrets are never shown again once saved; type a new value to "
                              "replace one."))
        layout.addStretch(1)
        for edit in self._edits():
            edit.textEdited.connect(self._edited)

    def _edits(self) -> list[QLineEdit]:
        return [self.name, self.service_url, self.partner_id, self.admin_user_id,
                self.player_uiconf_id, self.cnc_uiconf_id, self.cnc_service_url,
                self.kme_launch_url, self.kme_key, *self.secret_edits.values()]

    def _edited(self) -> None:
        if not self._loading:
            self.dirty = True
            self.changed.emit()

    def load(self, profile: Profile | None) -> None:
        """Show ``profile`` (None: an empty form for a new account)."""
        self._loading = True
        values: Mapping[str, Any] = profile.to_dict() if profile else {}
        for field in ("name", "service_url", "admin_user_id", "cnc_service_url",
                      "kme_launch_url", "kme_key"):
            getattr(self, field).setText(str(values.get(field) or ""))
        for field in ("partner_id", "player_uiconf_id", "cnc_uiconf_id"):
            value = values.get(field)
            getattr(self, field).setText(str(value) if value else "")
        if profile is None:
            self.service_url.setText(DEFAULT_SERVICE_URL)
        self.name.setReadOnly(profile is not None)
        for kind, edit in self.secret_edits.items():
            edit.clear()
            edit.setPlaceholderText(PLACEHOLDERS[kind])
        self._loading = False
        self.dirty = profile is None
        self.changed.emit()

    def show_sources(self, sources: Mapping[SecretKind, SecretSource | None]) -> None:
        """Say where each saved secret is (never its value)."""
        for kind, source in sources.items():
            if source is not None:
                self.secret_edits[kind].setPlaceholderText(SECRET_WORDS[source])

    def set_keyring_note(self, note: str | None) -> None:
        """Tell, in the admin secret's tooltip, where a new secret will go."""
        text = f"Without a system keyring, secrets are {note}." if note else (
            "Saved in the system keyring.")
        for edit in self.secret_edits.values():
            edit.setToolTip(text)

    def mark_saved(self) -> None:
        """The form's values are saved."""
        self.dirty = False
        for edit in self.secret_edits.values():
            edit.clear()
        self.changed.emit()

    def profile(self) -> Profile:
        """The profile in the form.

        Raises:
            ProfileError: A value is missing or invalid (one sentence naming it).
        """
        return Profile.from_dict({
            "name": self.name.text(),
            "partner_id": self.partner_id.text(),
            "admin_user_id": self.admin_user_id.text(),
            "service_url": self.service_url.text() or DEFAULT_SERVICE_URL,
            "player_uiconf_id": self.player_uiconf_id.text(),
            "cnc_uiconf_id": self.cnc_uiconf_id.text(),
            "cnc_service_url": self.cnc_service_url.text(),
            "kme_launch_url": self.kme_launch_url.text(),
            "kme_key": self.kme_key.text(),
        })

    def secrets(self) -> dict[SecretKind, str]:
        """The secrets typed in (empty ones are left out)."""
        return {k: e.text().strip() for k, e in self.secret_edits.items() if e.text().strip()}
