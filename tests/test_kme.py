"""KME room launches: LTI 1.0 signed with OAuth HMAC-SHA1 through oauthlib."""

from __future__ import annotations

from oauthlib.common import Request
from oauthlib.oauth1.rfc5849 import signature

from kproducer.services import kme
from kproducer.services.models import Entry, EntryKind, Role

SETTINGS = kme.KmeSettings("http://127.0.0.1:9/kme/launch", "kproducer-sandbox", "s3cret-s3cret")
ROOM = Entry("0_room1234", "Speaker green room", EntryKind.ROOM, "7")


def verify(launch, secret):
    request = Request(
        launch.url,
        "POST",
        body=launch.params,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    request.params = list(launch.params.items())
    request.signature = launch.params["oauth_signature"]
    request.params = [(k, v) for k, v in request.params if k != "oauth_signature"]
    return signature.verify_hmac_sha1(request, client_secret=secret)


def test_launch_is_signed_and_verifiable():
    launch = kme.launch(SETTINGS, ROOM, "pat@example.com", Role.MODERATOR, "Pat", "O'Brien")
    assert launch.params["oauth_signature_method"] == "HMAC-SHA1"
    assert launch.params["oauth_consumer_key"] == "kproducer-sandbox"
    assert launch.params["lis_person_name_family"] == "O'Brien"
    assert verify(launch, "s3cret-s3cret")
    assert not verify(launch, "another-secret")


def test_roles_and_context():
    attendee = kme.launch(SETTINGS, ROOM, "ann@example.com", Role.ATTENDEE)
    moderator = kme.launch(SETTINGS, ROOM, "pat@example.com", Role.MODERATOR)
    assert (attendee.params["roles"], moderator.params["roles"]) == ("Student", "Instructor")
    assert attendee.params["context_id"] == ROOM.id and attendee.params["lti_version"] == "LTI-1p0"


def test_nonce_is_random():
    nonces = {
        kme.launch(SETTINGS, ROOM, "ann@example.com", Role.ATTENDEE).params["oauth_nonce"]
        for _ in range(20)
    }
    assert len(nonces) == 20


def test_auto_submit_form_escapes_values():
    launch = kme.launch(SETTINGS, ROOM, 'x"><script>@example.com', Role.ATTENDEE)
    page = kme.auto_submit_form(launch)
    assert "<script>@" not in page and "&quot;&gt;&lt;script&gt;" in page
    assert 'action="http://127.0.0.1:9/kme/launch"' in page and "document.forms[0].submit()" in page


def test_is_room():
    assert kme.is_room(ROOM)
    legacy = Entry("0_meet1234", "Meeting", EntryKind.OTHER, "2", admin_tags="kme_room,x")
    assert kme.is_room(legacy)
    assert not kme.is_room(Entry("0_vod12345", "VOD", EntryKind.VOD, "2"))
