"""The Moderators tab's list actions: the count, removing several at once, exporting the list.

Removal asks once, naming how many (and who), then sends 50 removals per request; the
export writes the list as a people CSV that imports back into another session.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from ..services import preview_user
from . import plain_text
from .common import confirm, failure_box
from .job_context import JobContext

if TYPE_CHECKING:
    from ..services.models import Entry, Moderator
    from ..services.moderators import Removal
    from .moderators_tab import ModeratorsTab


def remove_selected(tab: ModeratorsTab) -> None:
    """Take the moderators selected on ``tab`` off its session, after asking once."""
    account, entry, chosen = tab.deps.account(), tab.current_entry(), tab.selected_moderators()
    if account is None or entry is None or not chosen:
        return
    if not confirm(tab, *removal_question(chosen, entry.name)):
        return
    user_ids = [m.user_id for m in chosen]

    def remove(ctx: JobContext) -> list[Removal]:
        from ..services import moderators

        return moderators.remove_many(account, entry.id, user_ids)

    tab.deps.worker.run(
        "Removing the moderator" if len(chosen) == 1 else f"Removing {len(chosen)} moderators",
        remove,
        on_done=lambda done: _removed(tab, done, entry),
        on_error=lambda failure: failure_box(tab, failure),
        controls=[tab.remove_button],
    )


def _removed(tab: ModeratorsTab, done: list[Removal], entry: Entry) -> None:
    tab.deps.say(removal_sentence(done, entry.name))
    tab.refresh()
    failed = [r for r in done if r.status == "failed"]
    if failed:
        notice_box(tab, "Removing moderators",
                   f"{len(failed)} of {len(done)} could not be removed.",
                   "\n".join(f"{r.user_id}: {r.error}" for r in failed[:20]))


def choose_export(tab: ModeratorsTab) -> None:
    """Ask where to save the list of ``tab``, then save it."""
    entry = tab.current_entry()
    if entry is None or not tab.model.rows:
        return
    from PySide6.QtWidgets import QFileDialog

    suggested = f"{file_name(entry.name)}-moderators.csv"
    name, _ = QFileDialog.getSaveFileName(tab, "Export the moderators list", suggested,
                                          "CSV files (*.csv)")
    if name:
        export_list(tab, Path(name))


def export_list(tab: ModeratorsTab, path: Path) -> None:
    """Save every moderator listed on ``tab`` (filtered or not) to ``path``, on the worker."""
    entry, found = tab.current_entry(), tab.model.rows
    if entry is None:
        return

    def save(ctx: JobContext) -> Path:
        from ..services import moderator_import

        return moderator_import.save_moderators(found, path)

    tab.deps.worker.run(
        "Exporting the moderators list",
        save,
        on_done=lambda saved: tab.deps.say(
            f"Saved the {count_text(len(found), len(found))} of “{entry.name}” to {saved}."),
        on_error=lambda failure: failure_box(tab, failure),
        controls=[tab.export_button],
    )


def count_text(total: int, shown: int) -> str:
    """``250 moderators``, ``1 moderator``, or ``12 of 250 moderators`` (filtered)."""
    noun = "moderator" if total == 1 else "moderators"
    return f"{shown} of {total} {noun}" if shown != total else f"{total} {noun}"


def removal_question(chosen: Sequence[Moderator], session: str) -> tuple[str, str, str, str]:
    """The confirmation's title, question, button and detail for removing ``chosen``."""
    detail = "Their Kaltura users stay; only the moderator role for this session is removed."
    if len(chosen) == 1:
        one = chosen[0]
        return ("Remove moderator", f"Remove {one.display_name} ({one.user_id}) from the "
                f"moderators of “{session}”?", "Remove", detail)
    names = ", ".join(m.display_name for m in chosen[:5])
    more = f" and {len(chosen) - 5} more" if len(chosen) > 5 else ""
    return ("Remove moderators", f"Remove {len(chosen)} moderators from “{session}”?",
            f"Remove {len(chosen)}", f"{names}{more}.\n{detail}")


def removal_sentence(done: Sequence[Removal], session: str) -> str:
    """What a removal did, in one sentence for the status bar."""
    removed = [r for r in done if r.status == "removed"]
    absent = sum(1 for r in done if r.status == "not_moderator")
    failed = len(done) - len(removed) - absent
    if len(done) == 1 and removed:
        return f"{removed[0].user_id} is no longer a moderator of “{session}”."
    parts = [f"Removed {len(removed)} moderator{'' if len(removed) == 1 else 's'} from "
             f"“{session}”"]
    if absent:
        parts.append(f"{absent} {'was' if absent == 1 else 'were'} not a moderator any more")
    if failed:
        parts.append(f"{failed} could not be removed")
    return "; ".join(parts) + "."


def file_name(text: str) -> str:
    """``text`` usable as a file name on every system."""
    return re.sub(r'[\\/:*?"<>|\s]+', "-", text).strip("-.")[:80] or "session"


def notice_box(parent: QWidget, title: str, text: str, details: str = "") -> QMessageBox:
    """A non-blocking warning: one sentence, the rows it is about behind "Show Details"."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setText(text)
    if details:
        box.setDetailedText(details)
    box.setStandardButtons(QMessageBox.StandardButton.Close)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setWindowModality(Qt.WindowModality.WindowModal)
    plain_text.make_plain(box).open()
    return box


#: Said of a kproducer-preview membership (earlier builds added it for a moderator
#: preview; this one never does).
PREVIEW_MEMBER = ("kproducer's preview user, added here by an older kproducer for a "
                  "moderator preview: previews no longer need it, so you can remove it")


def moderator_name(moderator: Moderator) -> str:
    """The Name column; the preview user is named for what it is."""
    if moderator.user_id == preview_user.USER_ID:
        return PREVIEW_MEMBER
    return " ".join(p for p in (moderator.first_name, moderator.last_name) if p)
