"""The Accounts dialog: saved profiles, the built-in Sandbox, Test connection, Connect.

Settings go to ``profiles.json`` (never a secret); the admin secret, CnC app token and KME
secret go to the system keyring through :class:`kproducer.local.secret_store.SecretStore`. Where
there is no keyring the dialog says so, and the secrets are kept for this run only. Every
keyring access, file write and test call runs on the worker (a keyring may take seconds to
answer, or ask the desktop to unlock it).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ..activity import ActivityLog
from ..local.account_profile import ConnectionSettings as ProfileSettings
from ..local.account_profile import Profile, ProfileError
from ..local.profiles import ProfileFileError, ProfileStore
from ..local.secret_store import SecretKind, SecretSource
from ..services import connect
from . import SANDBOX_PROFILE
from .account_form import AccountForm
from .common import Deps, confirm, heading, hint
from .failure import Failure
from .plain_text import make_plain

SANDBOX_TEXT = (
    "The built-in Sandbox is a demo Kaltura account that runs on this computer: an event "
    "with a recorded keynote, a live panel and a meeting room. Nothing to fill in and nothing "
    "leaves this computer — use it to try kproducer. Changes you make there are kept for the "
    "next time."
)

NO_PLAYER_UICONF = (" ⚠ It has no player uiconf ID: shared links and the preview need one "
                    "(KMC › Studio lists your players and their IDs).")


class AccountsDialog(QDialog):
    """Pick, edit, test and connect accounts.

    Signals:
        connectRequested(str): connect with this profile name ("Sandbox" for the demo).
    """

    connectRequested = Signal(str)
    keyringChecked = Signal()

    def __init__(self, deps: Deps, activity: ActivityLog, current: str | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Accounts")
        self.deps = deps
        self.activity = activity
        self.keyring_checked = False
        #: The profile a Connect is waiting for (None when none is).
        self.connecting: str | None = None
        self.store = ProfileStore()
        self.secrets = connect.default_secret_store()

        self.list = QListWidget(self)
        self.list.currentItemChanged.connect(lambda *_: self._show_current())
        self.add_button = QPushButton("&Add", self)
        self.remove_button = QPushButton("&Remove…", self)
        self.add_button.clicked.connect(self.add_profile)
        self.remove_button.clicked.connect(self.remove_profile)
        left = QVBoxLayout()
        left.addWidget(QLabel("Accounts:", self))
        left.addWidget(self.list, 1)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        left.addLayout(row)

        self.form = AccountForm(self)
        self.form.changed.connect(self._update_buttons)
        self.form.changed.connect(self._show_form_problems)
        #: The outcome line shows a problem of the form's values (cleared once fixed).
        self.showing_problem = False
        sandbox = QWidget(self)
        box = QVBoxLayout(sandbox)
        box.addWidget(heading("Sandbox (built-in demo)", sandbox))
        text = QLabel(SANDBOX_TEXT, sandbox)
        text.setWordWrap(True)
        box.addWidget(text)
        box.addWidget(hint("To work with your own Kaltura account, click “Add” and fill in "
                           "its partner ID, admin user ID and admin secret (KMC › "
                           "Integration Settings).", sandbox))
        box.addStretch(1)
        self.keyring = QLabel("Checking the system keyring…", self)
        self.keyring.setWordWrap(True)
        form_page = QWidget(self)
        box = QVBoxLayout(form_page)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.form, 1)
        box.addWidget(self.keyring)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(form_page)
        self.pages.addWidget(sandbox)
        self.outcome = QLabel(self)
        self.outcome.setWordWrap(True)
        self.outcome.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.test_button = QPushButton("&Test connection", self)
        self.save_button = QPushButton("&Save", self)
        self.connect_button = QPushButton("&Connect", self)
        self.connect_button.setDefault(True)
        close = QPushButton("Close", self)
        self.test_button.clicked.connect(self.test_connection)
        self.save_button.clicked.connect(lambda: self.save())
        self.connect_button.clicked.connect(self.connect_current)
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.test_button)
        buttons.addStretch(1)
        for button in (self.save_button, self.connect_button, close):
            buttons.addWidget(button)

        right = QVBoxLayout()
        right.addWidget(self.pages, 1)
        right.addWidget(self.outcome)
        main = QHBoxLayout()
        main.addLayout(left, 1)
        main.addLayout(right, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(main, 1)
        layout.addLayout(buttons)

        make_plain(self)  # profile names, URLs and connection outcomes are account data
        self._reload(current or SANDBOX_PROFILE)
        self._check_keyring()
        # At least as tall as its contents ask (else the form's rows are squeezed).
        self.resize(self.fontMetrics().averageCharWidth() * 118,
                    max(self.fontMetrics().height() * 38, self.sizeHint().height()))

    # --- list ---

    def current_name(self) -> str | None:
        """The profile shown (None for a new, unsaved one)."""
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def _reload(self, select: str | None) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        builtin = QListWidgetItem("Sandbox (built-in demo)")
        builtin.setData(Qt.ItemDataRole.UserRole, SANDBOX_PROFILE)
        self.list.addItem(builtin)
        try:
            profiles = self.store.all()
        except ProfileFileError as exc:
            profiles = []
            self.outcome.setText(str(exc))
        for profile in profiles:
            item = QListWidgetItem(profile.name)
            item.setData(Qt.ItemDataRole.UserRole, profile.name)
            self.list.addItem(item)
        self.list.blockSignals(False)
        names = [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())]
        self.list.setCurrentRow(names.index(select) if select in names else 0)
        self._show_current()

    def _show_current(self) -> None:
        name = self.current_name()
        self.outcome.clear()
        if name == SANDBOX_PROFILE:
            self.pages.setCurrentIndex(1)
        else:
            self.pages.setCurrentIndex(0)
            profile = next((p for p in self._profiles() if p.name == name), None)
            self.form.load(profile)
            if profile is not None:
                self._load_secret_state(profile.name)
        self._update_buttons()

    def _profiles(self) -> list[Profile]:
        try:
            return self.store.all()
        except ProfileFileError:
            return []

    def _update_buttons(self) -> None:
        sandbox = self.current_name() == SANDBOX_PROFILE
        self.remove_button.setEnabled(not sandbox and self.current_name() is not None)
        self.save_button.setEnabled(not sandbox and self.form.dirty)
        self.test_button.setEnabled(not self.deps.worker.is_held(self.test_button))

    def _show_form_problems(self) -> None:
        """Say, as it is typed, what cannot be saved (letters in the partner ID...)."""
        problems = self.form.problems() if self.current_name() != SANDBOX_PROFILE else []
        if problems:
            self.outcome.setText(f"⚠ {problems[0]}")
        elif self.showing_problem:
            self.outcome.clear()
        self.showing_problem = bool(problems)

    def add_profile(self) -> None:
        """Start a new, empty profile."""
        item = QListWidgetItem("New account")
        item.setData(Qt.ItemDataRole.UserRole, None)
        self.list.addItem(item)
        self.list.setCurrentItem(item)
        self.form.name.setFocus()

    def remove_profile(self) -> None:
        """Delete the shown profile and its keyring secrets, after asking."""
        name = self.current_name()
        if name is None:
            self._reload(SANDBOX_PROFILE)
            return
        if name == SANDBOX_PROFILE or not confirm(
            self, "Remove account", f"Remove the account “{name}”?", "Remove",
            "Its settings and its secrets in the system keyring are deleted.",
        ):
            return
        store, secrets = self.store, self.secrets

        def remove(ctx: object) -> None:
            store.remove(name)
            secrets.delete_profile(name)

        self.deps.worker.run(
            "Removing the account", remove,
            on_done=lambda _: self._reload(SANDBOX_PROFILE),
            on_error=self._show_failure, controls=[self.remove_button],
        )

    # --- keyring ---

    def _check_keyring(self) -> None:
        secrets = self.secrets
        self.deps.worker.run(
            "Checking the system keyring",
            lambda ctx: (secrets.is_persistent, secrets.backend_name, secrets.status_message),
            on_done=self._keyring_checked,
        )

    def _keyring_checked(self, state: tuple[bool, str, str | None]) -> None:
        persistent, backend, message = state
        if persistent:
            self.keyring.setText(f"Secrets are stored in the system keyring ({backend}), "
                                 "never in a file.")
        else:
            self.keyring.setText(f"⚠ {message}")
        self.form.set_keyring_note(None if persistent else "kept for this session only")
        self.keyring_checked = True
        self.keyringChecked.emit()

    def _load_secret_state(self, name: str) -> None:
        secrets = self.secrets
        self.deps.worker.run(
            "Reading the account's secrets",
            lambda ctx: {kind: secrets.source(name, kind) for kind in SecretKind},
            on_done=lambda sources: self._show_sources(name, sources),
        )

    def _show_sources(self, name: str, sources: dict[SecretKind, SecretSource | None]) -> None:
        if self.current_name() == name:
            self.form.show_sources(sources)

    # --- save, test, connect ---

    def save(self, then_connect: bool = False) -> bool:
        """Save the form (settings to the file, secrets to the keyring) on the worker."""
        try:
            profile = self.form.profile()
        except ProfileError as exc:
            self.outcome.setText(f"⚠ {exc}")
            return False
        if profile.name == SANDBOX_PROFILE:
            self.outcome.setText("⚠ “Sandbox” is the built-in demo; choose another name.")
            return False
        given = self.form.secrets()
        if self.current_name() is None and not given.get(SecretKind.ADMIN_SECRET):
            self.outcome.setText("⚠ The admin secret is needed for a new account.")
            return False
        store, secrets = self.store, self.secrets

        def write(ctx: object) -> str:
            store.save(profile)
            where = set()
            for kind, value in given.items():
                if value:
                    where.add(str(secrets.set(profile.name, kind, value)))
            return "session" if "session" in where else "keyring"

        done: list[str] = []

        def saved(where: str) -> None:
            kept = ("in the system keyring" if where == "keyring"
                    else "for this session only (no system keyring)")
            self.form.mark_saved()
            self._reload(profile.name)
            self.outcome.setText(f"Saved “{profile.name}”; its secrets are kept {kept}."
                                 + (NO_PLAYER_UICONF if no_player else ""))
            done.append(profile.name)

        def settled() -> None:
            # After the job let go of the Connect button (Connecting holds it again).
            if then_connect and done:
                self._connect(done[0])

        no_player = self.form.missing_player_uiconf()
        self.deps.worker.run("Saving the account", write, on_done=saved,
                             on_error=self._show_failure, on_settled=settled,
                             controls=[self.save_button, self.connect_button])
        return True

    def test_connection(self) -> None:
        """Connect with the form's values (saved or not) and report what works."""
        name = self.current_name()
        self.outcome.setText("Testing…")
        activity = self.activity
        if name == SANDBOX_PROFILE:

            def test_sandbox(ctx: object) -> str:
                from .session import open_sandbox_account

                connection = open_sandbox_account(activity)
                connection.close()
                return "The Sandbox answers: the demo account is ready."

            job = test_sandbox
        else:
            try:
                profile = self.form.profile()
            except ProfileError as exc:
                self.outcome.setText(f"⚠ {exc}")
                return
            given, secrets = self.form.secrets(), self.secrets

            def test_profile(ctx: object) -> str:
                def secret(kind: SecretKind) -> str | None:
                    return given.get(kind) or (secrets.get(name, kind) if name else None)

                resolved = connect.Resolved(
                    settings=ProfileSettings(profile, name, ()),
                    admin_secret=secret(SecretKind.ADMIN_SECRET),
                    cnc_app_token=secret(SecretKind.CNC_APP_TOKEN),
                    kme_secret=secret(SecretKind.KME_SECRET),
                    secrets=secrets,
                )
                account = connect.account_from(resolved, activity=activity)
                try:
                    return describe_check(connect.check(account, resolved))
                finally:
                    connect.close(account)

            job = test_profile
        self.deps.worker.run("Testing the connection", job, on_done=self.outcome.setText,
                             on_error=self._show_failure, controls=[self.test_button])

    def connect_current(self) -> None:
        """Save if needed, then connect with the shown account."""
        name = self.current_name()
        if name == SANDBOX_PROFILE:
            self._connect(name)
        elif self.form.dirty or name is None:
            self.save(then_connect=True)
        else:
            self._connect(name)

    def _connect(self, name: str) -> None:
        """Ask the window to connect; the dialog stays open until it is connected."""
        self.connecting = name
        what = "the Sandbox" if name == SANDBOX_PROFILE else f"“{name}”"
        self.outcome.setText(f"Connecting to {what}…")
        self.connect_button.setEnabled(False)
        self.connectRequested.emit(name)

    @Slot(object)
    def connection_opened(self, connection: object) -> None:
        """The window connected: the dialog's work is done (MainWindow.connected)."""
        if self.connecting is not None:
            self.connecting = None
            self.accept()

    @Slot(object)
    def connection_failed(self, failure: Failure) -> None:
        """The window could not connect: say why, and stay open to fix the account."""
        if self.connecting is None:
            return
        name, self.connecting = self.connecting, None
        what = "the Sandbox" if name == SANDBOX_PROFILE else f"“{name}”"
        self.connect_button.setEnabled(True)
        self.outcome.setText(f"⚠ Could not connect to {what}: {failure.message}")

    def _show_failure(self, failure: Failure) -> None:
        self.outcome.setText(f"⚠ {failure.message}")


def describe_check(checked: connect.Checked) -> str:
    """A sentence about a successful :func:`connect.check`."""
    parts = ["✓ Connected: the admin secret works"]
    if not checked.admin_user_found:
        problem = checked.admin_user_problem
        parts.append(f"but {problem[:1].lower()}{problem[1:]}")
    if checked.cnc_token_source:
        parts.append(f"the CnC app token comes from {checked.cnc_token_source}")
    elif checked.cnc_token_problem:
        parts.append(f"⚠ {checked.cnc_token_problem}")
    return "; ".join(parts) + ("" if parts[-1].endswith(".") else ".")

