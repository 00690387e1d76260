"""The Preview tab in a real QtWebEngine against the sandbox's stand-in player, CnC and KME.

Each test reads the rendered page with ``runJavaScript``: the stand-ins put what they
verified in ``window.kpStandin`` and render it visibly.
"""

from __future__ import annotations

import dataclasses
import json
import stat
import time
from pathlib import Path

import preview_qt  # noqa: F401  (QtWebEngine set up before the QApplication exists)
import pytest
import requests
from conftest import reset_stats, stats
from preview_support import close_account, open_account, seeded
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from kproducer.services import entries, preview, tokens
from kproducer.services.models import EntryKind, Role
from kproducer.services.tokens import ExpiryPolicy
from kproducer.ui.common import Deps
from kproducer.ui.preview_tab import PreviewTab
from kproducer.ui.worker import Worker

SETTLE_MS = 20_000


@pytest.fixture
def account(info):
    acct = open_account(info)
    yield acct
    close_account(acct)


@pytest.fixture
def tab(qtbot, account):
    worker = Worker()
    said: list[str] = []
    widget = PreviewTab(Deps(worker, said.append, lambda: account))
    widget.said = said
    widget.resize(1280, 760)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(lambda: quiet(worker, widget), timeout=SETTLE_MS)
    yield widget
    widget.shutdown()
    worker.shutdown(20_000)


def quiet(worker, widget) -> bool:
    """Events and sessions listed, and the tab's own first preview (of the newest session,
    started as they arrived) settled: a test's settle is then for the preview it asked for
    (under load it caught the first one's)."""
    return not worker.jobs and (widget.browser is None or widget.browser.result is not None)


@pytest.fixture
def live(account):
    return seeded(account, EntryKind.LIVE)


@pytest.fixture
def room(account):
    return seeded(account, EntryKind.ROOM)


def settle(qtbot, tab, action):
    with qtbot.waitSignal(tab.previewSettled, timeout=SETTLE_MS) as blocker:
        action()
    return blocker.args[0]


def js(qtbot, tab, script):
    box: list[object] = []
    tab.browser.evaluate(script, box.append)
    qtbot.waitUntil(lambda: bool(box), timeout=5_000)
    return box[0]


def state(qtbot, tab):
    return json.loads(js(qtbot, tab, "JSON.stringify(window.kpStandin || {})"))


def text(qtbot, tab):
    return js(qtbot, tab, "document.body.innerText")


# --- what attendees and moderators see ---------------------------------------------------------


def test_attendee_sees_player_and_cnc_without_moderator_rights(qtbot, tab, live):
    result = settle(qtbot, tab, lambda: tab.show_entry(live, Role.ATTENDEE))
    assert result["ok"] is True and result["mode"] == "player" and result["standin"] is True
    seen = state(qtbot, tab)
    assert seen["player"]["state"] == "ready" and seen["player"]["entryName"] == live.name
    assert seen["player"]["userId"] == preview.PREVIEW_USER.user_id
    assert seen["cnc"]["state"] == "ready" and seen["cnc"]["role"] == "attendee"
    assert js(qtbot, tab, "document.querySelector('.kpc-badge').dataset.role") == "attendee"
    assert js(qtbot, tab, "document.querySelectorAll('[data-role=moderator]').length") == 0
    page = text(qtbot, tab)
    assert live.name in page and "KS expires" in page and "JWT expires" in page
    assert "ATTENDEE" in page and "Moderator tools" not in page and "Moderation" not in page
    assert tab.panel.value("Chat token (CnC JWT)", "groups") == "none (attendee)"
    assert "(in " in tab.panel.value("Player session (KS)", "Expires")
    assert tab.status.text().startswith("Ready in")


def test_live_entry_shows_offline_then_live_as_the_encoder_says(qtbot, tab, live, info):
    encoder = f"{info.service_url}/_sandbox/live"
    settle(qtbot, tab, lambda: tab.show_entry(live, Role.ATTENDEE))
    assert state(qtbot, tab)["player"]["live"] is False
    assert js(qtbot, tab, "document.querySelector('.kps-live').textContent") == "offline"
    try:
        requests.post(encoder, json={"entry_id": live.id, "broadcasting": True},
                      timeout=10).raise_for_status()
        qtbot.waitUntil(lambda: state(qtbot, tab)["player"]["live"] is True, timeout=SETTLE_MS)
        assert js(qtbot, tab, "document.querySelector('.kps-live').textContent") == "live"
    finally:
        requests.post(encoder, json={"entry_id": live.id, "broadcasting": False}, timeout=10)


def test_moderator_sees_the_moderator_badge(qtbot, tab, live):
    settle(qtbot, tab, lambda: tab.show_entry(live, Role.MODERATOR))
    chooser = tab.chooser
    chooser.load_moderators()
    qtbot.waitUntil(lambda: chooser.user_combo.findData("alice@example.com") >= 0,
                    timeout=SETTLE_MS)
    index = chooser.user_combo.findData("alice@example.com")
    result = settle(qtbot, tab, lambda: chooser.user_combo.setCurrentIndex(index))
    assert result["ok"] is True and result["user_id"] == "alice@example.com"
    seen = state(qtbot, tab)["cnc"]
    assert seen["role"] == "moderator" and seen["uid"] == "alice@example.com"
    assert seen["groupMember"] is True
    assert js(qtbot, tab, "document.querySelector('.kpc-badge').textContent") == "Moderator"
    page = text(qtbot, tab)
    assert "MODERATOR" in page and "Moderator tools" in page and "Moderation" in page
    assert "Alice Moderator" in page
    assert tab.panel.value("Chat token (CnC JWT)", "groups") == f"{live.id}_moderators"


def test_switching_role_re_renders_within_a_second_without_requests(qtbot, tab, live, info):
    settle(qtbot, tab, lambda: tab.show_entry(live, Role.MODERATOR))  # makes the membership
    settle(qtbot, tab, lambda: tab.chooser.attendee.setChecked(True))
    reset_stats(info)
    for button, role in ((tab.chooser.moderator, "moderator"), (tab.chooser.attendee, "attendee"),
                         (tab.chooser.moderator, "moderator")):
        started = time.perf_counter()
        result = settle(qtbot, tab, lambda b=button: b.setChecked(True))
        elapsed = time.perf_counter() - started
        assert result["ok"] is True and result["role"] == role
        assert elapsed < 1.0 and result["ms"] < 1000, (elapsed, result)
        assert state(qtbot, tab)["cnc"]["role"] == role
    assert stats(info)["http_requests"] == 0


def test_preview_of_a_cached_entry_makes_no_request(qtbot, tab, account, info):
    vod = seeded(account, EntryKind.VOD)
    settle(qtbot, tab, lambda: tab.show_entry(vod, Role.ATTENDEE))  # user and CnC token now known
    fresh = entries.create(account, EntryKind.LIVE, "Cached session")  # cached on creation
    reset_stats(info)
    account.activity.clear()
    result = settle(qtbot, tab, lambda: tab.show_entry(fresh, Role.ATTENDEE))
    assert result["ok"] is True and result["entry_id"] == fresh.id
    assert stats(info)["http_requests"] == 0
    counters = account.activity.counters()  # the Activity dock's figures
    assert counters.api_calls == 0 and counters.by_outcome["cached"] >= 3


# --- rejections ----------------------------------------------------------------------------------


def test_expired_ks_and_jwt_show_the_rejection(qtbot, tab, account, live):
    page = preview.build(account, live.id, preview.PREVIEW_USER, Role.ATTENDEE,
                         policy=ExpiryPolicy(fixed_seconds=-120))
    result = settle(qtbot, tab, lambda: tab.show_page(page))
    assert result["ok"] is False
    assert any(p.startswith("Player: rejected: expired") for p in result["problems"])
    assert any(p.startswith("Chat: rejected: expired") for p in result["problems"])
    shown = text(qtbot, tab)
    assert "rejected: expired: the KS ended at" in shown
    assert "rejected: expired: the JWT ended at" in shown
    assert "rejected: expired" in tab.status.text()
    assert "(expired)" in tab.panel.value("Player session (KS)", "Expires")
    assert tab.panel.warnings.isVisible()
    assert "⚠ The player token (KS) expires before the session ends." in tab.panel.warnings.text()
    assert "⚠ The chat token (JWT) expires before the session ends." in tab.panel.warnings.text()
    assert shown.count("rejected: expired: the KS ended at") == 1  # the player says it, once


def test_jwt_signed_with_the_wrong_token_or_for_another_entry_is_rejected(qtbot, tab, account,
                                                                           live):
    page = preview.build(account, live.id, preview.PREVIEW_USER, Role.MODERATOR)
    forged = tokens.sign_cnc_jwt(page.jwt_claims, "wrong-token-" + "0" * 20)
    html = preview.render(account.settings, page.entry,
                          dataclasses.replace(page.tokens, jwt=forged))
    result = settle(qtbot, tab, lambda: tab.show_page(dataclasses.replace(page, html=html)))
    assert result["ok"] is False and result["player"] == "ready"
    assert result["problems"] == [
        "Chat: rejected: bad signature: the JWT was not signed with the CnC app token"]
    rejected = js(qtbot, tab, "document.querySelector('.kpc-rejected').textContent")
    assert rejected.startswith("rejected: bad signature")
    assert js(qtbot, tab, "document.querySelectorAll('.kpc-badge').length") == 0

    vod = seeded(account, EntryKind.VOD)
    other = tokens.sign_cnc_jwt({**page.jwt_claims, "contextId": vod.id},
                                account.vault.get_cnc_token())
    html = preview.render(account.settings, page.entry, dataclasses.replace(page.tokens, jwt=other))
    result = settle(qtbot, tab, lambda: tab.show_page(dataclasses.replace(page, html=html)))
    assert result["problems"] == [
        f"Chat: rejected: wrong entry: the JWT is for {vod.id}, the page plays {live.id}"]


# --- rooms -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "lti"), [(Role.MODERATOR, "Instructor"),
                                           (Role.ATTENDEE, "Student")])
def test_room_launches_the_stand_in_kme_with_a_valid_signature(qtbot, tab, room, info, role, lti):
    result = settle(qtbot, tab, lambda: tab.show_entry(room, role))
    assert result["ok"] is True and result["mode"] == "room" and result["standin"] is True
    kme = state(qtbot, tab)["kme"]
    assert kme["state"] == "ready" and kme["roomId"] == room.id
    assert kme["role"] == role.value and kme["ltiRoles"] == [lti]
    assert kme["userId"] == preview.PREVIEW_USER.user_id and kme["consumerKey"] == info.kme_key
    assert js(qtbot, tab, "location.href") == info.kme_launch_url
    shown = text(qtbot, tab)
    assert "valid OAuth 1.0 HMAC-SHA1" in shown and role.value.upper() in shown
    assert not tab.copy_button.isEnabled() and tab.open_button.isEnabled()
    assert tab.panel.value("Room launch (LTI 1.0)", "roles") == lti
    assert tab.panel.value("Player session (KS)", "User") == ""  # a room page has no KS


def test_camera_and_microphone_only_with_the_producers_consent(qtbot, tab, room, live):
    settle(qtbot, tab, lambda: tab.show_entry(room, Role.ATTENDEE))
    qtbot.waitUntil(tab.media_bar.isVisible, timeout=SETTLE_MS)
    assert state(qtbot, tab)["kme"]["media"] == "asking"
    assert room.name in tab.media_text.text()
    tab.media_block.click()
    qtbot.waitUntil(lambda: state(qtbot, tab)["kme"]["media"].startswith("blocked"), timeout=5_000)
    assert not tab.media_bar.isVisible()

    settle(qtbot, tab, tab.refresh)
    qtbot.waitUntil(tab.media_bar.isVisible, timeout=SETTLE_MS)
    tab.media_allow.click()
    qtbot.waitUntil(lambda: state(qtbot, tab)["kme"]["media"] == "allowed", timeout=5_000)

    # a player page never gets the camera, and nobody is asked
    settle(qtbot, tab, lambda: tab.show_entry(live, Role.ATTENDEE))
    js(qtbot, tab, "navigator.mediaDevices.getUserMedia({video: true}).then("
                   "function () { window.kpMedia = 'allowed'; },"
                   "function (e) { window.kpMedia = e.name; }); 1")
    qtbot.waitUntil(lambda: js(qtbot, tab, "window.kpMedia || ''") != "", timeout=5_000)
    assert js(qtbot, tab, "window.kpMedia") != "allowed"
    assert not tab.media_bar.isVisible()


# --- the web engine around the page -----------------------------------------------------------------


def test_each_preview_has_its_own_off_the_record_profile(qtbot, tab, live):
    settle(qtbot, tab, lambda: tab.show_entry(live, Role.ATTENDEE))
    first = tab.browser
    assert first.is_off_the_record and first.profile.storageName() == ""
    js(qtbot, tab, "localStorage.setItem('kp-shared', 'attendee'); document.cookie = 'kp=1'; 1")
    assert js(qtbot, tab, "document.cookie") == "kp=1"
    settle(qtbot, tab, lambda: tab.chooser.moderator.setChecked(True))
    assert tab.browser is not first and first.profile is None  # the old one was deleted
    assert tab.browser.is_off_the_record
    assert js(qtbot, tab, "String(localStorage.getItem('kp-shared')) + '|' + document.cookie") \
        == "null|"


def test_h264_aac_check_says_what_this_qt_can_play(qtbot, tab, live, room):
    settle(qtbot, tab, lambda: tab.show_entry(live, Role.ATTENDEE))
    qtbot.waitUntil(lambda: PreviewTab.codecs is not None, timeout=5_000)
    direct = json.loads(js(qtbot, tab, "JSON.stringify({h264: document.createElement('video')"
                                       ".canPlayType('video/mp4; codecs=\"avc1.42E01E\"'),"
                                       " aac: document.createElement('audio')"
                                       ".canPlayType('audio/mp4; codecs=\"mp4a.40.2\"')})"))
    assert PreviewTab.codecs == direct
    missing = not (direct["h264"] and direct["aac"])
    assert tab.codec_notice.isVisible() is missing
    if missing:
        assert "cannot play H.264 video or AAC audio" in tab.codec_notice.text()
    settle(qtbot, tab, lambda: tab.show_entry(room, Role.ATTENDEE))
    assert not tab.codec_notice.isVisible()


def test_open_in_system_browser_writes_a_private_page(qtbot, tab, live, room, info, account):
    settle(qtbot, tab, lambda: tab.show_entry(live, Role.ATTENDEE))
    opened = []
    tab.open_url = lambda url: opened.append(url) or True  # a browser was launched
    tab.open_button.click()
    path = Path(opened[0].toLocalFile())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # named so that a later start sweeps it should this process be killed (issue 15.11)
    from kproducer.local import temp_files

    assert temp_files.PAGE_PATTERN.match(path.name)
    assert path.name.startswith(temp_files.page_prefix())
    html = path.read_text(encoding="utf-8")
    assert html == tab.page.html and tab.page.tokens.ks in html
    assert info.admin_secret not in html and account.vault.get_cnc_token() not in html
    assert "opened in your browser" in tab.said[-1]

    settle(qtbot, tab, lambda: tab.show_entry(room, Role.MODERATOR))
    tab.open_button.click()  # a room's launch is single-use: a freshly signed page
    qtbot.waitUntil(lambda: len(opened) == 2, timeout=SETTLE_MS)
    fresh = Path(opened[1].toLocalFile()).read_text(encoding="utf-8")
    assert tab.page.launch.params["oauth_nonce"] not in fresh and '"roles":"Instructor"' in fresh
    tab.shutdown()
    assert not path.exists()


def settle_on(qtbot, tab, entry, role):
    """Preview ``entry``; under load, the settle caught can be the tab's own first preview
    (of the newest session, started as the lists arrived): wait for the entry's page too."""
    settle(qtbot, tab, lambda: tab.show_entry(entry, role))
    qtbot.waitUntil(lambda: tab.page is not None and tab.page.entry.id == entry.id,
                    timeout=SETTLE_MS)


def test_copy_share_link_copies_the_player_share_url(qtbot, tab, live, info):
    settle_on(qtbot, tab, live, Role.ATTENDEE)
    tab.copy_button.click()
    link = QGuiApplication.clipboard().text()
    assert link == tab.page.share_url
    assert link.startswith(f"{info.service_url}/p/{info.partner_id}/embedPlaykitJs/uiconf_id/"
                           f"{info.player_uiconf_id}?iframeembed=true&entry_id={live.id}&ks=")
    response = requests.get(link, timeout=10)
    assert response.status_code == 200 and tab.page.tokens.ks in response.text
    assert "Share link copied" in tab.said[-1]
    recorded(qtbot, tab.page.tokens.link_id, "share link")


def recorded(qtbot, link_id, link_format):
    """The shared link is in the link ledger, as an export of one (the Links tab revokes it)."""
    from kproducer.local.link_ledger import LinkLedger

    def found():
        with LinkLedger.open() as ledger:
            export_id = ledger.export_of(link_id)
            return export_id is not None and ledger.export(export_id).format == link_format

    qtbot.waitUntil(found, timeout=SETTLE_MS)


def test_qr_code_of_the_share_link(qtbot, tab, live):
    from kproducer.ui.qr_dialog import QrDialog

    settle_on(qtbot, tab, live, Role.ATTENDEE)
    tab.qr_button.click()
    dialog = next(w for w in tab.findChildren(QrDialog) if w.isVisible())
    assert dialog.link == tab.page.share_url and not dialog.code.pixmap().isNull()
    dialog.close()
    recorded(qtbot, tab.page.tokens.link_id, "qr code")


def test_shutdown_deletes_page_before_profile_without_warnings(qtbot, qtlog, tab, live):
    settle(qtbot, tab, lambda: tab.show_entry(live, Role.ATTENDEE))
    browser = tab.browser
    tab.shutdown()
    QApplication.processEvents()
    assert browser.view is None and browser.page is None and browser.profile is None
    messages = [r.message for r in qtlog.records]
    assert not [m for m in messages if "Release of profile" in m or "still not deleted" in m]
    assert tab.web.currentWidget() is tab.placeholder


def test_a_page_opened_from_a_file_says_why_the_sandbox_cannot_check_it(qtbot, tab, live):
    """The sandbox answers its own pages only (issue 15.8): a file: page is told so in words."""
    from PySide6.QtWebEngineCore import QWebEngineSettings

    settle(qtbot, tab, lambda: tab.show_entry(live, Role.ATTENDEE))
    # As in a system browser, where a file: page may load the stand-in scripts it names
    # (QtWebEngine forbids that by default).
    tab.browser.page.settings().setAttribute(
        QWebEngineSettings.WebAttribute.LocalContentCanAccessRemoteUrls, True)
    tab.browser.load(tab.page.html, "file:///tmp/kproducer-opened-from-a-file.html")

    def checked() -> bool:
        seen = state(qtbot, tab)
        return (seen.get("player", {}).get("state") == "rejected"
                and seen.get("cnc", {}).get("state") == "rejected")

    qtbot.waitUntil(checked, timeout=SETTLE_MS)
    seen = state(qtbot, tab)
    for part in ("player", "cnc"):
        assert "opened from a file" in seen[part]["reason"]
        assert "pages it serves itself" in seen[part]["reason"]
    assert "The session cannot be checked" in text(qtbot, tab)


def test_a_preview_user_removed_since_it_was_added_is_added_again(qtbot, fresh_sandbox):
    """The cache says kproducer-preview exists; someone deleted it in KMC (or the sandbox
    was made anew). The chat refuses "user not found": the tab forgets that fact, previews
    again (which adds the user: one user.add) and the preview loads, once."""
    from conftest import make_client

    info = fresh_sandbox.info
    acct = open_account(info)
    worker = Worker()
    said: list[str] = []
    widget = PreviewTab(Deps(worker, said.append, lambda: acct))
    widget.resize(1280, 760)
    qtbot.addWidget(widget)
    widget.show()
    try:
        qtbot.waitUntil(lambda: quiet(worker, widget), timeout=SETTLE_MS)
        live = seeded(acct, EntryKind.LIVE)
        settle_on(qtbot, widget, live, Role.ATTENDEE)
        qtbot.waitUntil(lambda: widget.status.text().startswith("Ready"), timeout=SETTLE_MS)
        assert widget.page.person.user_id == preview.PREVIEW_USER.user_id
        make_client(info).user.delete(preview.PREVIEW_USER.user_id)
        reset_stats(info)
        with qtbot.waitSignal(widget.previewSettled, timeout=SETTLE_MS,
                              check_params_cb=lambda result: result.get("ok")) as blocker:
            widget.refresh()
        assert blocker.args[0]["ok"]
        assert any("does not know the Kaltura user “kproducer-preview”" in s for s in said)
        assert make_client(info).user.get(preview.PREVIEW_USER.user_id).id == "kproducer-preview"
        assert stats(info)["by_action"].get("user.add") == 1
    finally:
        widget.shutdown()
        worker.shutdown(20_000)
        close_account(acct)
