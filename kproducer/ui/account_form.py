"""The form of one account profile: settings and (write-only) secrets."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLineEdit, QVBoxLayout, QWidget

from ..local.account_profile import DEFAULT_SERVICE_URL, Profile, ProfileError
from ..local.secret_store import SecretKind, SecretSource
from .common import hint

SECRET_WORDS = {
    SecretSource.KEYRING: "in the system keyring — empty keeps it",
    SecretSource.SESSION: "kept for this session — empty keeps it",
    SecretSource.ENVIRONMENT: "from the environment variable",
}
PLACEHOLDERS = {
    SecretKind.ADMIN_SECRET: "required — KMC › Integration Settings",
    SecretKind.CNC_APP_TOKEN: "optional — found with appToken.list",
    SecretKind.KME_SECRET: "optional — meeting rooms only",
}
#: Where a producer finds each ID (shown under the group, and as the field's tooltip).
WHERE_PLAYER_UICONF = ("The player uiconf ID: in KMC › Studio, the ID of the player "
                       "(Player v7) your sessions play in. Shared links and the preview "
                       "need it.")
WHERE_CNC_UICONF = ("The CnC uiconf ID: the chat widget of the Events Platform; in KMS "
                    "admin › Chat and Collaboration (field uiConfId), or ask your Kaltura "
                    "contact. Optional: without it links have no chat.")
#: Numeric fields: a value with anything but digits is refused, never cut to its digits.
NUMERIC_FIELDS = {"partner_id": "The partner ID", "player_uiconf_id": "The player uiconf ID",
                  "cnc_uiconf_id": "The CnC uiconf ID"}


def digits_problem(label: str, text: str) -> str | None:
    """One sentence when ``text`` (stripped) is not empty and not only the digits 0-9."""
    value = text.strip()
    if not value or (value.isascii() and value.isdigit()):
        return None
    return f"{label} is a number (digits only, e.g. 1234567), not “{value}”."


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
        # No validator on the numeric fields: a validator drops the letters of "abc123" as
        # they are typed and leaves 123 without a word. The text stays as typed, problems()
        # says what is wrong with it (the dialog shows it as it is typed), and profile()
        # refuses it.
        self.partner_id = QLineEdit()
        self.admin_user_id = QLineEdit()
        self.player_uiconf_id = QLineEdit()
        self.cnc_uiconf_id = QLineEdit()
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
        self.admin_user_id.setPlaceholderText("who the admin session is for")
        self.admin_user_id.setToolTip("The user the admin session (KS) is issued for.")
        self.player_uiconf_id.setPlaceholderText("needed for links — KMC › Studio")
        self.player_uiconf_id.setToolTip(WHERE_PLAYER_UICONF)
        self.cnc_uiconf_id.setPlaceholderText("optional — chat widget")
        self.cnc_uiconf_id.setToolTip(WHERE_CNC_UICONF)
        self.cnc_service_url.setPlaceholderText("optional")
        self.kme_launch_url.setPlaceholderText("optional — LTI launch URL")
        self.kme_launch_url.setToolTip("The LTI launch URL of Kaltura Meetings (KME).")

        # Mnemonics are unique in the whole dialog (Alt+S is Save, Alt+T Test connection,
        # Alt+C Connect, Alt+A Add, Alt+R Remove): tests/test_ui_accounts.py checks it.
        account = QGroupBox("Account")
        form = self._form(account)
        form.addRow("&Name:", self.name)
        form.addRow("Service UR&L:", self.service_url)
        form.addRow("&Partner ID:", self.partner_id)
        form.addRow("Admin user &ID:", self.admin_user_id)
        form.addRow("Admin s&ecret:", self.secret_edits[SecretKind.ADMIN_SECRET])
        embeds = QGroupBox("Player and chat (CnC)")
        form = self._form(embeds)
        form.addRow("Pla&yer uiconf ID:", self.player_uiconf_id)
        form.addRow("CnC uicon&f ID:", self.cnc_uiconf_id)
        form.addRow("CnC c&hat service URL:", self.cnc_service_url)
        form.addRow("CnC app t&oken:", self.secret_edits[SecretKind.CNC_APP_TOKEN])
        kme = QGroupBox("Meeting rooms (KME), optional")
        form = self._form(kme)
        form.addRow("KME launch &URL:", self.kme_launch_url)
        form.addRow("KME &key:", self.kme_key)
        form.addRow("K&ME secret:", self.secret_edits[SecretKind.KME_SECRET])
        self.groups = (account, embeds, kme)
        self._line_up_labels()
        self.where = hint("Where to find them: the player in KMC › Studio; the CnC (chat) "
                          "widget in KMS admin › Chat and Collaboration, field uiConfId.", self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(account)
        layout.addWidget(embeds)
        layout.addWidget(self.where)
        layout.addWidget(kme)
        layout.addWidget(hint("Secrets are never shown again once saved; type a new value to "
                              "replace one."))
        layout.addStretch(1)
        for edit in self._edits():
            edit.textEdited.connect(self._edited)

    @staticmethod
    def _form(group: QGroupBox) -> QFormLayout:
        form = QFormLayout(group)
        # The same policy in all three groups (the platform default differs by style);
        # _line_up_labels gives their labels one width, so the fields start at one x.
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        return form

    def _line_up_labels(self) -> None:
        """Give every label of the three groups the widest one's width, so fields line up."""
        labels: list[QWidget] = []
        for group in self.groups:
            form = group.layout()
            assert isinstance(form, QFormLayout)
            for row in range(form.rowCount()):
                item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
                if item is not None and (label := item.widget()) is not None:
                    labels.append(label)
        width = max(label.sizeHint().width() for label in labels)
        for label in labels:
            label.setMinimumWidth(width)

    def problems(self) -> list[str]:
        """Sentences about values that cannot be saved as typed (non-digits in an ID)."""
        return [problem for field, label in NUMERIC_FIELDS.items()
                if (problem := digits_problem(label, getattr(self, field).text()))]

    def missing_player_uiconf(self) -> bool:
        """True when no player uiconf ID is given (links and the preview need one)."""
        return not self.player_uiconf_id.text().strip()

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
        problems = self.problems()
        if problems:
            raise ProfileError(problems[0])
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
