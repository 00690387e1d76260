"""The live part of a session's details: on air or not, the switches, the encoder kit.

It loads the kit of the live session selected (one request cold, none warm: the service
keeps it in memory for the run) and runs the producer's changes on the worker. Nothing here
says a credential aloud: the status bar gets sentences without values.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QFileDialog, QLabel, QVBoxLayout, QWidget

from ..services.models import Entry, EntryKind
from .common import Deps, confirm, failure_box, heading
from .encoder_panel import EncoderPanel
from .failure import Failure
from .job_context import JobContext
from .live_badge import LIVE, OFFLINE
from .live_switches import LiveSwitches


class LivePanel(QWidget):
    """Status, switches and encoder kit of one live session (hidden for other kinds)."""

    def __init__(self, deps: Deps, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.deps = deps
        self.entry: Entry | None = None
        self.kit: Any = None
        self.state: Any = None
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.switches = LiveSwitches(self)
        self.encoder = EncoderPanel(deps.say, self)
        self.switches.goLiveRequested.connect(self.go_live)
        self.switches.recordRequested.connect(self.record)
        self.encoder.saveRequested.connect(self.save_settings)
        self.encoder.regenerateRequested.connect(self.regenerate)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(heading("On air", self))
        layout.addWidget(self.status)
        layout.addWidget(self.switches)
        layout.addWidget(self.encoder)
        self.show_entry(None)

    # --- what is shown ---

    def show_entry(self, entry: Entry | None) -> None:
        """Show the kit of this session (loads it), or hide for anything but live."""
        live = entry is not None and entry.kind is EntryKind.LIVE
        self.setVisible(live)
        if not live or entry is None:
            self.entry, self.kit, self.state = None, None, None
            self.encoder.show_kit(None)
            self.switches.set_state(None, None)
            return
        if self.entry is not None and self.entry.id == entry.id and self.kit is not None:
            return
        self.entry, self.kit = entry, None
        self.encoder.show_kit(None)
        self.switches.set_state(None, None)
        self.status.setText("Loading the encoder settings…")
        self._load(entry)

    def set_broadcasting(self, broadcasting: bool | None) -> None:
        """Say whether an encoder is pushing to this session (None: not known yet)."""
        if broadcasting is None:
            text = "Checking whether an encoder is pushing…"
        elif broadcasting:
            text = f"{LIVE} — an encoder is pushing to this session."
        else:
            text = f"{OFFLINE} — no encoder is pushing to this session."
        self.status.setText(text)

    def _show_details(self, entry_id: str, found: Any) -> None:
        self._show_kit(entry_id, found.kit)
        self._show_state(entry_id, found.state)

    def _show_kit(self, entry_id: str, kit: Any) -> None:
        if self.entry is None or self.entry.id != entry_id:
            return  # another session was selected meanwhile
        self.kit = kit
        self.encoder.show_kit(kit)

    def _show_state(self, entry_id: str, state: Any) -> None:
        if self.entry is None or self.entry.id != entry_id:
            return
        self.state = state
        self.switches.set_state(not state.preview, state.recording,
                                state.attendees_see, state.recording_says)
        self.set_broadcasting(state.broadcasting)

    # --- jobs ---

    def _load(self, entry: Entry) -> None:
        account = self.deps.account()
        if account is None:
            return

        def load(ctx: JobContext) -> Any:
            from ..services import live

            return live.details(account, entry.id)

        self.deps.worker.run(
            "Loading the encoder settings", load,
            on_done=lambda found: self._show_details(entry.id, found),
            on_error=lambda failure: self._load_failed(entry.id, failure),
            key="entries.kit", abandon_on_cancel=True)

    def _load_failed(self, entry_id: str, failure: Failure) -> None:
        if self.entry is not None and self.entry.id == entry_id:
            self.status.setText(f"The encoder settings could not be loaded: {failure.message}")

    def save_settings(self) -> None:
        """Ask where, then have the service write the settings file (0600)."""
        account, kit = self.deps.account(), self.kit
        if account is None or kit is None or self.entry is None:
            return
        suggested = f"encoder-{self.entry.id}.txt"
        path, _ = QFileDialog.getSaveFileName(
            self, "Save encoder settings", suggested, "Text files (*.txt);;All files (*)")
        if not path:
            return

        name = self.entry.name

        def write(ctx: JobContext) -> str:
            from ..services import encoder_file

            return str(encoder_file.save(path, encoder_file.sheet(kit, name)))

        self.deps.worker.run(
            "Saving the encoder settings", write,
            on_done=lambda where: self.deps.say(
                f"Saved the encoder settings to {where} (only you can read it: it holds the "
                "stream key)."),
            on_error=lambda failure: failure_box(self, failure),
            controls=[self.encoder.save])

    def regenerate(self) -> None:
        """Warn that a running encoder is cut off, ask, then get a new stream key."""
        account, entry = self.deps.account(), self.entry
        if account is None or entry is None:
            return
        if not confirm(
            self, "Regenerate stream key",
            f"Give “{entry.name}” ({entry.id}) a new stream key?", "Regenerate",
            "An encoder pushing with the old key is cut off at once and cannot reconnect "
            "until it is set up with the new key and URLs.",
        ):
            return

        def regenerate(ctx: JobContext) -> Any:
            from ..services import live

            return live.regenerate_key(account, entry.id)

        self.deps.worker.run(
            "Regenerating the stream key", regenerate,
            on_done=lambda kit: self._regenerated(entry.id, kit),
            on_error=lambda failure: failure_box(self, failure),
            controls=[self.encoder.regenerate])

    def _regenerated(self, entry_id: str, kit: Any) -> None:
        self._show_kit(entry_id, kit)
        self.deps.say("The stream key was regenerated: give the encoder the new key and URLs.")

    def go_live(self, live: bool) -> None:
        """Show the stream to attendees (True) or go back to preview (False)."""
        self._switch("Going live" if live else "Going back to preview",
                     lambda account, entry_id: _services().set_preview(account, entry_id,
                                                                       not live),
                     "Attendees now see the stream." if live
                     else "Preview mode: attendees no longer see the stream.")

    def record(self, on: bool) -> None:
        """Record the session, or stop recording it."""
        self._switch("Turning recording on" if on else "Turning recording off",
                     lambda account, entry_id: _services().set_recording(account, entry_id, on),
                     "Recording is on." if on else "Recording is off.")

    def _switch(self, title: str, change: Any, done: str) -> None:
        account, entry = self.deps.account(), self.entry
        if account is None or entry is None:
            return
        self.switches.set_busy(True)

        def run(ctx: JobContext) -> Any:
            return change(account, entry.id)

        def finished(state: Any) -> None:
            self._show_state(entry.id, state)
            self.deps.say(done)

        def failed(failure: Failure) -> None:
            if self.state is not None:
                self._show_state(entry.id, self.state)  # the switches show what Kaltura has
            failure_box(self, failure)

        self.deps.worker.run(title, run, on_done=finished, on_error=failed)


def _services() -> Any:
    from ..services import live

    return live
