"""The Links tab against a sandbox: a session's exports, their people, Revoke with a count."""

from __future__ import annotations

import os
from pathlib import Path

from conftest import make_client
from KalturaClient.exceptions import KalturaException
from links_support import ks_of, people_csv, read_out

from kproducer.services import links
from kproducer.services.links import ExportRequest

SHOTS = Path("/work/wt/shots/h13a")


def refused(info, ks) -> bool:
    try:
        make_client(info, ks).session.get()
    except KalturaException as exc:
        return exc.code == "INVALID_KS"
    return False


def test_links_tab_lists_exports_and_revokes_with_a_count(open_window, fresh_sandbox, qtbot,
                                                          tmp_path):
    info = fresh_sandbox.info
    window = open_window(info)
    window.resize(1024, 700)
    tab = window.links
    entry = window.known_entries[0]
    users = [f"ui{n}@example.com" for n in range(4)]
    out = tmp_path / "links.csv"
    summary = links.export(window.account(), ExportRequest(
        entry.id, people_csv(tmp_path / "in.csv", users), out))
    rows = read_out(out)
    window.tabs.setCurrentWidget(tab)
    tab.session.setCurrentIndex(tab.session.findData(entry.id))
    tab.refresh()  # the export ran outside the window
    qtbot.waitUntil(lambda: tab.exports.rowCount() == 1 and tab.people.rowCount() == 4,
                    timeout=10_000)
    assert tab.exports.item(0, 0).text() == summary.export_id
    assert tab.exports.item(0, 4).text() == "4" and tab.exports.item(0, 6).text() == "no"
    asked: list[str] = []
    tab.confirm = lambda text: asked.append(text) or True  # type: ignore[method-assign]
    tab.people.selectRow(1)
    assert tab.person_button.isEnabled()
    tab.revoke_person()
    qtbot.waitUntil(lambda: tab.exports.item(0, 6) is not None
                    and tab.exports.item(0, 6).text() == "1 of 4", timeout=10_000)
    assert "Revoke 1 link" in asked[0]
    by_user = {r["user_id"]: ks_of(r["link"]) for r in rows}
    revoked_user = tab.people.item(1, 0).text()
    assert refused(info, by_user[revoked_user])
    tab.revoke_export()
    assert "Revoke 3 links of export" in asked[1]
    qtbot.waitUntil(lambda: tab.exports.item(0, 6).text() == "all", timeout=10_000)
    assert all(refused(info, ks) for ks in by_user.values())
    assert not tab.revoke_button.isEnabled()
    if os.environ.get("KPRODUCER_SHOTS"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(SHOTS / "links_tab.png"))


def test_the_links_tab_opens_on_the_session_just_shared_from_the_preview(open_window,
                                                                         fresh_sandbox, qtbot):
    """Copy share link in Preview, then the Links tab: it shows that session, with the link
    (it stayed on the first session and said "Nothing was shared" before)."""
    from kproducer.services.models import EntryKind, Role

    window = open_window(fresh_sandbox.info)
    live = next(e for e in window.entries.model.rows if e.kind is EntryKind.LIVE)
    other = next(e for e in window.entries.model.rows if e.kind is not EntryKind.LIVE)
    window.links.session.setCurrentIndex(window.links.session.findData(other.id))
    assert window.links.entry_id() == other.id  # it shows another session first
    window.tabs.setCurrentWidget(window.preview)
    preview = window.preview
    preview.show_entry(live, Role.ATTENDEE)
    qtbot.waitUntil(lambda: preview.page is not None and preview.page.entry.id == live.id,
                    timeout=30_000)
    preview.copy_share_link()
    window.tabs.setCurrentWidget(window.links)  # at once: the record may still be running
    assert window.links.entry_id() == live.id
    qtbot.waitUntil(lambda: window.links.exports.rowCount() == 1, timeout=10_000)
    assert "share link" in " ".join(window.links.exports.item(0, c).text()
                                    for c in range(window.links.exports.columnCount()))
