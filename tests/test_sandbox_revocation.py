"""``session.end`` revokes every KS of a session ID, as kaltura/server does, for 24 hours.

``ks::kill`` → ``invalidSessionPeer::invalidateKs``: the ending KS itself, and the partner +
``sessionid`` hash with ``ks_valid_until`` = now + 24 h; ``kSessionBase::isKSInvalidated``
then refuses every KS of that session ID with ``LOGOUT`` (``INVALID_KS``, before the action
runs), whoever its user.
"""

from __future__ import annotations

import pytest
import requests
from conftest import make_client, make_ks
from KalturaClient.exceptions import KalturaException

LOGOUT_MESSAGE = 'Invalid KS "LOGOUT", Error "-1,INVALID_STR"'
DAY = 86400


def user_ks(info, entry_id, link_id, user="bob@example.com", expiry=3 * DAY):
    return make_ks(info, user, 0, expiry,
                   f"sview:{entry_id},setrole:PLAYBACK_BASE_ROLE,"
                   f"disableentitlementforentry:{entry_id},sessionid:{link_id}")


def plays(info, ks, entry_id):
    response = requests.post(f"{info.service_url}/_standin/verify/ks", timeout=10,
                             json={"ks": ks, "entryId": entry_id, "partnerId": info.partner_id})
    assert response.status_code == 200
    return response.json()


def refused(info, ks):
    with pytest.raises(KalturaException) as caught:
        make_client(info, ks).session.get()
    return caught.value


def set_clock(info, offset):
    requests.post(f"{info.service_url}/_sandbox/clock", json={"offset_s": offset},
                  timeout=5).raise_for_status()


@pytest.fixture
def entry_id(info):
    return make_client(info).baseEntry.list().objects[0].id


def test_disableentitlementforentry_is_accepted(info, entry_id):
    ks = user_ks(info, entry_id, "a1b2c3")
    assert plays(info, ks, entry_id)["ok"] is True
    got = make_client(info).session.get(ks)
    assert f"disableentitlementforentry:{entry_id}" in got.privileges


def test_ending_one_ks_refuses_every_ks_of_its_session_id(info, entry_id):
    link_id = "revoke01aa"
    link = user_ks(info, entry_id, link_id)
    other_person = user_ks(info, entry_id, link_id, user="carol@example.com")
    unrelated = user_ks(info, entry_id, "revoke01bb")
    # the revoking KS: made locally, no user, only the session ID
    make_client(info, make_ks(info, "", 0, 300, f"sessionid:{link_id}")).session.end()
    for ks in (link, other_person):
        error = refused(info, ks)
        assert error.code == "INVALID_KS" and error.message == LOGOUT_MESSAGE
        result = plays(info, ks, entry_id)
        assert result["ok"] is False and result["code"] == "LOGOUT"
        assert result["reason"].startswith(f"revoked: this link's session ID {link_id} was ended")
    assert plays(info, unrelated, entry_id)["ok"] is True
    # ending it again is refused before the action runs: the session ID is already ended
    again = refused(info, make_ks(info, "", 0, 300, f"sessionid:{link_id}"))
    assert again.code == "INVALID_KS" and again.message == LOGOUT_MESSAGE


def test_the_revocation_lapses_after_24_hours_and_can_be_renewed(fresh_sandbox):
    info = fresh_sandbox.info
    entry = make_client(info).baseEntry.list().objects[0].id
    link = user_ks(info, entry, "lapse01")
    try:
        make_client(info, make_ks(info, "", 0, 300, "sessionid:lapse01")).session.end()
        set_clock(info, DAY - 60)
        assert refused(info, link).message == LOGOUT_MESSAGE
        # ending it again inside the 24 h does not move the lapse (invalidateByKey keeps it)
        set_clock(info, DAY + 60)
        # the KS passes validation again: only its role's permissions stop session.get now
        assert refused(info, link).code == "SERVICE_FORBIDDEN"
        assert plays(info, link, entry)["ok"] is True
        # (the revoking KS is made on the machine's clock: it must outlive the sandbox's)
        make_client(info, make_ks(info, "", 0, DAY + 600, "sessionid:lapse01")).session.end()
        assert refused(info, link).message == LOGOUT_MESSAGE
        set_clock(info, 2 * DAY)
        assert refused(info, link).message == LOGOUT_MESSAGE
    finally:
        set_clock(info, 0)
