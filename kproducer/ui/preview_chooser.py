"""The Preview tab's chooser: event, session, role and person.

Sessions are listed per event (once per event and connection); the session's moderators
are listed only when the person list is opened, so choosing a cached session and a role
makes no request at all. The person is the preview user kproducer creates once on the
account (in no moderators group: a preview changes no membership), or one of the session's
moderators.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ..services import preview_user
from ..services.models import Entry, Event, Moderator, Role
from . import plain_text, thumbnails
from .common import Deps
from .job_context import JobContext
from .person_picker import PersonPicker

if TYPE_CHECKING:
    from ..services.facts import Person

PREVIEW_USER_LABEL = "Preview user (kproducer's own, in no group)"
ALL_SESSIONS = "All sessions"
#: Sessions the chooser lists when no event is chosen (the newest; one request).
CHOOSER_LIMIT = 500


class PreviewChooser(QWidget):
    """Event, session, role and person, with the lists they need loaded on the worker.

    Signals:
        selectionChanged(): the session, role or person changed (not while lists refill).
        failed(object): loading a list failed (a :class:`~.failure.Failure`).
        loading(str): a sentence while a list loads ("" when done).
    """

    selectionChanged = Signal()
    failed = Signal(object)
    loading = Signal(str)

    def __init__(self, deps: Deps, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.deps = deps
        self.events: list[Event] = []
        self.entries: dict[int | None, list[Entry]] = {}
        self.moderators: dict[str, list[Moderator]] = {}
        self._target: str | None = None
        self._users_for: str | None = None
        self._filling = False
        self._loading: tuple[int | None] | None = None  # the event whose sessions are listed
        self.event_combo = QComboBox(self)
        self.event_combo.setObjectName("preview.event")
        self.entry_combo = QComboBox(self)
        self.entry_combo.setObjectName("preview.entry")
        self.entry_combo.setMinimumContentsLength(24)
        self.thumbs = thumbnails.shared(deps)
        self.entry_combo.setIconSize(thumbnails.SMALL)
        self._pictures = QTimer(self)  # pictures arrive one by one: redraw at most 5 a second
        self._pictures.setSingleShot(True)
        self._pictures.setInterval(200)
        self._pictures.timeout.connect(self._refresh_pictures)
        self.thumbs.loaded.connect(self._picture_arrived)
        self.attendee = QRadioButton("&Attendee", self)
        self.attendee.setObjectName("preview.attendee")
        self.moderator = QRadioButton("M&oderator", self)
        self.moderator.setObjectName("preview.moderator")
        self.attendee.setChecked(True)
        self.roles = QButtonGroup(self)
        self.roles.addButton(self.attendee)
        self.roles.addButton(self.moderator)
        self.user_combo = PersonPicker(self)  # searchable: 200+ moderators (issue 16 item 7)
        self.user_combo.setObjectName("preview.user")
        self.user_combo.setMinimumContentsLength(22)
        self.user_combo.set_people([(PREVIEW_USER_LABEL, None)])
        self.user_combo.setToolTip(plain_text.tooltip(preview_user.NOTE))
        rows = QVBoxLayout(self)  # two rows: at 1024 px one row cut every combo's text
        rows.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        rows.addLayout(row)
        for label, widget in (("Even&t:", self.event_combo), ("&Session:", self.entry_combo)):
            caption = QLabel(label, self)
            caption.setBuddy(widget)
            row.addWidget(caption)
            row.addWidget(widget, 1)
        row = QHBoxLayout()
        rows.addLayout(row)
        row.addWidget(QLabel("View as:", self))
        row.addWidget(self.attendee)
        row.addWidget(self.moderator)
        caption = QLabel("&Person:", self)
        caption.setBuddy(self.user_combo)
        row.addWidget(caption)
        row.addWidget(self.user_combo, 1)
        self.event_combo.currentIndexChanged.connect(lambda _: self.event_changed())
        self.entry_combo.currentIndexChanged.connect(lambda _: self._changed())
        self.user_combo.currentIndexChanged.connect(lambda _: self._changed())
        self.user_combo.popupRequested.connect(self.load_moderators)
        self.roles.buttonToggled.connect(self._role_toggled)
        self.fill_events()

    # --- what is chosen ---

    def role(self) -> Role:
        """The role to preview as."""
        return Role.MODERATOR if self.moderator.isChecked() else Role.ATTENDEE

    def event_id(self) -> int | None:
        """The chosen event (None for "All sessions")."""
        value = self.event_combo.currentData()
        return int(value) if value is not None else None

    def current_entry(self) -> Entry | None:
        """The chosen session."""
        entry_id = self.entry_combo.currentData()
        return next((e for e in self.entries.get(self.event_id(), []) if e.id == entry_id), None)

    def person(self, entry_id: str) -> Person:
        """The chosen person: a moderator of the session, or the preview user."""
        from ..services.facts import Person
        from ..services.preview import PREVIEW_USER

        user_id = self.user_combo.currentData()
        found = next((m for m in self.moderators.get(entry_id, []) if m.user_id == user_id),
                     None)
        if found is None:
            return PREVIEW_USER
        return Person(found.user_id, found.first_name, found.last_name, found.email)

    # --- filling ---

    def clear(self) -> None:
        """Forget every list (another account)."""
        self.events, self.entries, self.moderators = [], {}, {}
        self._target = self._users_for = None
        self._loading = None
        self.fill_events()

    def set_events(self, events: Sequence[Event]) -> None:
        """Offer these events."""
        self.events = list(events)
        self.fill_events()

    def select_entry(self, entry: Entry, role: Role | None = None) -> None:
        """Choose a session under its current event (and a role).

        ``entry`` is taken as the truth (it comes from a fresh listing): a session that
        moved since its event's sessions were listed here is moved in these lists too, and
        the Event box shows the event it is in now.
        """
        if role is not None:
            self._filling = True
            (self.moderator if role is Role.MODERATOR else self.attendee).setChecked(True)
            self._filling = False
        self._target = entry.id
        self._absorb([entry], None, whole=False)
        index = -1
        if entry.event_id is not None:
            index = self.event_combo.findData(entry.event_id)
            if index < 0:  # the events are not listed yet: name it by its ID until they are
                self._filling = True
                self.event_combo.addItem(f"Event {entry.event_id}", entry.event_id)
                self._filling = False
                index = self.event_combo.count() - 1
        index = max(index, 0)
        known = self.entries.get(self.event_combo.itemData(index))
        if known is not None and all(e.id != entry.id for e in known):
            known.insert(0, entry)
        if self.event_combo.currentIndex() == index:
            self.event_changed()
        else:
            self.event_combo.setCurrentIndex(index)

    def absorb(self, found: Sequence[Entry], event_id: int | None = None,
               whole: bool = False) -> None:
        """Take fresher copies of sessions (listed elsewhere, e.g. on the Entries tab).

        Each session is put under the event it is in now and taken out of the others'
        lists; with ``whole``, ``found`` is every session of ``event_id`` and replaces its
        list. No request: the lists not listed yet are listed when they are shown.
        """
        key = self.event_id()
        before = list(self.entries.get(key) or [])
        self._absorb(found, event_id, whole)
        if self.entry_combo.count() and self.entries.get(key) != before and not self._filling:
            self._fill_entries(key)

    def _absorb(self, found: Sequence[Entry], event_id: int | None, whole: bool) -> None:
        fresh = {e.id: e for e in found}
        if whole and event_id is not None:
            self.entries[event_id] = list(found)
        for key, listed in self.entries.items():
            if whole and key == event_id:
                continue
            kept = [fresh.get(e.id, e) for e in listed
                    if e.id not in fresh or key is None or fresh[e.id].event_id == key]
            known = {e.id for e in kept}
            kept[:0] = [e for e in found if e.id not in known and key is not None
                        and e.event_id == key]
            listed[:] = kept

    def fill_events(self) -> None:
        """Refill the event list, keeping the chosen event."""
        current = self.event_combo.currentData()
        self._filling = True
        self.event_combo.clear()
        self.event_combo.addItem(ALL_SESSIONS, None)
        for event in self.events:
            self.event_combo.addItem(f"{event.name} ({event.id})", event.id)
        if current is not None and self.event_combo.findData(current) < 0 and \
                current in self.entries:  # a session's event the list does not hold (yet)
            self.event_combo.addItem(f"Event {current}", current)
        self.event_combo.setCurrentIndex(max(self.event_combo.findData(current), 0))
        self._filling = False
        unchanged = self.event_id() == current and self.entry_combo.count() > 0
        if self.isVisible() and not unchanged:
            self.event_changed()

    def event_changed(self) -> None:
        """Show the chosen event's sessions (listing them once)."""
        account = self.deps.account()
        if self._filling or account is None:
            return
        key = self.event_id()
        if key in self.entries:
            self._fill_entries(key)
            return
        if self._loading == (key,):
            return  # already on its way
        self._loading = (key,)

        def load(ctx: JobContext) -> list[Entry]:
            from ..services import entries

            # A chooser needs the newest sessions, not an enterprise account's every entry:
            # with no event chosen, one page (one request).
            return entries.list_entries(account, key,
                                        limit=None if key is not None else CHOOSER_LIMIT)

        self.loading.emit("Loading sessions…")
        self.deps.worker.run("Loading sessions for the preview", load,
                             on_done=lambda found: self._entries_loaded(key, found),
                             on_error=self.failed.emit, on_settled=self._loaded,
                             key="preview-entries", abandon_on_cancel=True)

    def load_events(self) -> None:
        """List the events (when the Events tab has not handed them over)."""
        account = self.deps.account()
        if account is None:
            return

        def load(ctx: JobContext) -> list[Event]:
            from ..services import events

            return events.list_events(account)

        self.deps.worker.run("Loading events for the preview", load,
                             on_done=self.set_events, on_error=self.failed.emit,
                             key="preview-events", abandon_on_cancel=True)

    def load_moderators(self) -> None:
        """List the chosen session's moderators (once), for the person list."""
        entry, account = self.current_entry(), self.deps.account()
        if entry is None or account is None or entry.id in self.moderators:
            return
        if self._users_for == entry.id and not self.user_combo.loading:
            self._filling = True  # the list says it is coming (a popup opening now is sized)
            self.user_combo.set_loading((PREVIEW_USER_LABEL, None))
            self._filling = False

        def load(ctx: JobContext) -> list[Moderator]:
            from ..services import moderators

            return moderators.list_moderators(account, entry.id)

        self.deps.worker.run("Loading moderators for the preview", load,
                             on_done=lambda found: self._moderators_loaded(entry.id, found),
                             on_error=self.failed.emit, key="preview-moderators",
                             abandon_on_cancel=True)

    def _loaded(self) -> None:
        self._loading = None

    def _entries_loaded(self, key: int | None, found: list[Entry]) -> None:
        self._loading = None
        self.entries[key] = found
        self.loading.emit("")
        if self.event_id() == key:
            self._fill_entries(key)

    def _fill_entries(self, key: int | None) -> None:
        wanted = self._target or self.entry_combo.currentData()
        self._filling = True
        self.entry_combo.clear()
        for entry in self.entries.get(key, []):
            self.entry_combo.addItem(QIcon(self.thumbs.picture(entry)),
                                     f"{entry.name} · {entry.kind.value} ({entry.id})", entry.id)
        self.entry_combo.setCurrentIndex(max(self.entry_combo.findData(wanted), 0))
        self._filling = False
        self._target = None
        self._changed()

    def _picture_arrived(self, _url: str) -> None:
        if not self._pictures.isActive():
            self._pictures.start()

    def _refresh_pictures(self) -> None:
        """Pictures arrived: show them next to the sessions they belong to."""
        listed = {e.id: e for e in self.entries.get(self.event_id(), [])}
        for number in range(self.entry_combo.count()):
            entry = listed.get(self.entry_combo.itemData(number))
            if entry is not None:
                self.entry_combo.setItemIcon(number, QIcon(self.thumbs.picture(entry)))

    def _moderators_loaded(self, entry_id: str, found: list[Moderator]) -> None:
        self.moderators[entry_id] = found
        entry = self.current_entry()
        if entry is not None and entry.id == entry_id:
            self._fill_users(entry_id)

    def _fill_users(self, entry_id: str) -> None:
        current = self.user_combo.currentData()
        self._users_for = entry_id
        self._filling = True
        self.user_combo.set_people(
            [(PREVIEW_USER_LABEL, None)]
            + [(person_label(m), m.user_id) for m in self.moderators.get(entry_id, [])
               # a membership an older kproducer made: not a person to preview as
               if m.user_id != preview_user.USER_ID],
            keep=current)
        self._filling = False

    def _role_toggled(self, button: object, on: bool) -> None:
        if on:
            self._changed()

    def _changed(self) -> None:
        if self._filling:
            return
        entry = self.current_entry()
        if entry is not None and entry.id != self._users_for:
            self._fill_users(entry.id)  # another session: offer its own moderators
        self.selectionChanged.emit()


def person_label(moderator: Moderator) -> str:
    """``Ann Lee (ann42) · moderator``, with the email when it is not the ID (it is searched)."""
    email = f" · {moderator.email}" if moderator.email and moderator.email != moderator.user_id \
        else ""
    return f"{moderator.display_name} ({moderator.user_id}){email} · moderator"
