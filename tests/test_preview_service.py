"""services/preview.py: the one embed page (player + CnC, or a KME launch), its escaping,
its request budget (one cold, zero warm), and resources that ship with the package."""

from __future__ import annotations

import dataclasses
import sys
import tomllib
from pathlib import Path

import pytest
from conftest import reset_stats, stats
from preview_support import close_account, open_account, page_config, seeded

from kproducer import resources
from kproducer.services import entries, facts, preview
from kproducer.services.account import AccountSettings
from kproducer.services.models import EntryKind, Role


@pytest.fixture
def sb(fresh_sandbox):
    return fresh_sandbox.info


@pytest.fixture
def account(sb):
    acct = open_account(sb)
    yield acct
    close_account(acct)


def test_attendee_page_carries_user_tokens_only(sb, account):
    live = seeded(account, EntryKind.LIVE)
    page = preview.build(account, live.id, preview.PREVIEW_USER, Role.ATTENDEE)
    assert page.mode == "player" and page.base_url == f"{sb.service_url}/"
    assert sb.admin_secret not in page.html and sb.kme_secret not in page.html
    assert account.vault.get_cnc_token() not in page.html
    config = page_config(page.html)
    assert config["partnerId"] == sb.partner_id and config["entryId"] == live.id
    assert config["eventId"] == live.event_id and config["cdnUrl"] == sb.service_url
    assert config["player"]["scriptUrl"] == (
        f"{sb.service_url}/p/{sb.partner_id}/embedPlaykitJs/uiconf_id/{sb.player_uiconf_id}")
    assert config["player"]["ks"] == page.tokens.ks
    assert config["player"]["env"]["serviceUrl"] == f"{sb.service_url}/api_v3"
    cnc = config["cnc"]
    assert cnc["uiConfId"] == sb.cnc_uiconf_id
    assert cnc["config"]["server"] == {"jwtToken": page.tokens.jwt,
                                       "serviceUrl": preview.DEFAULT_CNC_SERVICE_URL}
    assert page.ks_info.verified and page.ks_info.session_type == 0
    assert page.ks_info.user_id == preview.PREVIEW_USER.user_id
    assert page.ks_info.privileges == (
        f"sview:{live.id},setrole:PLAYBACK_BASE_ROLE,disableentitlementforentry:{live.id},"
        f"sessionid:{page.tokens.link_id},virtualeventid:{live.event_id}")
    assert page.jwt_claims["groups"] == [] and page.jwt_header["kid"] == str(sb.partner_id)
    assert page.share_url == preview.share_url(sb.service_url, sb.partner_id,
                                               sb.player_uiconf_id, live.id, page.tokens.ks)


def test_moderator_page_has_the_moderators_group(account):
    live = seeded(account, EntryKind.LIVE)
    page = preview.build(account, live.id, preview.PREVIEW_USER, Role.MODERATOR, event_id=7)
    assert page.jwt_claims["groups"] == [f"{live.id}_moderators"]
    assert page.jwt_claims["virtualEventId"] == 7 and page_config(page.html)["eventId"] == 7


def test_room_page_is_a_signed_lti_launch(sb, account):
    room = seeded(account, EntryKind.ROOM)
    page = preview.build(account, room.id, preview.PREVIEW_USER, Role.MODERATOR)
    assert page.mode == "room" and page.share_url is None and page.launch is not None
    config = page_config(page.html)
    assert config["room"]["url"] == sb.kme_launch_url
    params = config["room"]["params"]
    assert params["roles"] == "Instructor" and params["context_id"] == room.id
    assert params["oauth_signature_method"] == "HMAC-SHA1" and params["oauth_signature"]
    assert config["player"] is None and config["cnc"] is None
    attendee = preview.build(account, room.id, preview.PREVIEW_USER, Role.ATTENDEE)
    assert attendee.launch is not None and attendee.launch.params["roles"] == "Student"
    assert attendee.launch.params["oauth_nonce"] != page.launch.params["oauth_nonce"]


def test_cold_is_one_request_then_zero_for_both_roles(sb, account):
    vod = seeded(account, EntryKind.VOD)
    account.cache.delete(facts.ENTRY, vod.id)
    reset_stats(sb)
    preview.build(account, vod.id, preview.PREVIEW_USER, Role.MODERATOR)
    assert stats(sb)["http_requests"] == 1
    reset_stats(sb)
    account.activity.clear()
    for role in (Role.ATTENDEE, Role.MODERATOR, Role.ATTENDEE):
        preview.build(account, vod.id, preview.PREVIEW_USER, role)
    assert stats(sb)["http_requests"] == 0
    counters = account.activity.counters()  # what the Activity dock shows
    assert counters.api_calls == 0 and counters.by_outcome["cached"] > 0


def test_names_cannot_break_out_of_the_page(account):
    nasty = '</script><script>alert("x")</script> & <!-- \u2028 "quoted"'
    entry = entries.create(account, EntryKind.LIVE, nasty)
    page = preview.build(account, entry.id, preview.PREVIEW_USER, Role.ATTENDEE)
    assert "<script>alert" not in page.html and "<!-- \u2028" not in page.html
    assert "<title>&lt;/script&gt;&lt;script&gt;alert(&quot;x&quot;)" in page.html
    assert page_config(page.html)["title"] == nasty
    assert page.html.count("</script>") == 2  # the JSON block and the bootstrap, nothing more


def test_missing_settings_are_explained(account):
    live = seeded(account, EntryKind.LIVE)
    room = seeded(account, EntryKind.ROOM)
    account.settings = dataclasses.replace(account.settings, player_uiconf_id=None, kme=None)
    with pytest.raises(preview.PreviewError, match="no player uiconf ID"):
        preview.build(account, live.id, preview.PREVIEW_USER, Role.ATTENDEE)
    with pytest.raises(preview.PreviewError, match="KME launch URL, key and secret"):
        preview.build(account, room.id, preview.PREVIEW_USER, Role.ATTENDEE)


def test_page_without_cnc_uiconf_shows_the_player_only(account):
    live = seeded(account, EntryKind.LIVE)
    account.settings = dataclasses.replace(account.settings, cnc_uiconf_id=None)
    page = preview.build(account, live.id, preview.PREVIEW_USER, Role.ATTENDEE)
    assert page_config(page.html)["cnc"] is None
    assert any("no CnC uiconf ID" in note for note in page.notes)


def test_saas_urls():
    assert preview.cdn_base("https://www.kaltura.com/") == "https://cdnapisec.kaltura.com"
    assert preview.cdn_base("https://kaltura.example.org/api_v3") == "https://kaltura.example.org"
    assert preview.is_saas("https://admin.kaltura.com") and not preview.is_saas("http://127.0.0.1")
    url = preview.share_url("https://cdnapisec.kaltura.com", 1, 2, "1_abc", "a+b/c=")
    assert url == ("https://cdnapisec.kaltura.com/p/1/embedPlaykitJs/uiconf_id/2"
                   "?iframeembed=true&entry_id=1_abc&ks=a%2Bb%2Fc%3D")
    settings = AccountSettings(1, "x", "https://www.kaltura.com", 2, 3, "https://chat.example/api_v3")
    assert preview.cnc_service_url(settings) == "https://chat.example/api_v3"


# --- resources ---------------------------------------------------------------------------------


def test_resources_are_found_and_refuse_escapes():
    assert "${config}" in resources.read_text("embed", "page.html")
    for name in ("player.js", "cnc.js", "iframe.html", "kme.html"):
        assert resources.path("standins", name).is_file()
    with pytest.raises(ValueError):
        resources.path("..", "cli.py")
    with pytest.raises(resources.MissingResource):
        resources.path("embed", "nope.html")


def test_resources_are_found_in_a_pyinstaller_bundle(tmp_path, monkeypatch):
    bundled = tmp_path.joinpath("kproducer", "resources", "embed")
    bundled.mkdir(parents=True)
    (bundled / "page.html").write_text("bundled")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources.root() == tmp_path / "kproducer" / "resources"
    assert resources.path("embed", "page.html").read_text() == "bundled"


def test_every_resource_file_is_declared_as_package_data():
    root = Path(resources.__file__).parent
    pyproject = tomllib.loads((root.parents[1] / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["package-data"]["kproducer.resources"]
    files = [p.relative_to(root) for p in root.rglob("*")
             if p.is_file() and p.suffix not in (".py", ".pyc")]
    assert files
    for file in files:
        assert any(file.match(pattern) for pattern in patterns), file
