"""``uiConf`` in the sandbox as ``api_v3/services/UiConfService.php`` answers it.

An unknown or deleted ID is ``INVALID_UI_CONF_ID`` "Unknown uiConf [ID]"
(``APIErrors.class.php``); the seeded player and CnC uiconfs exist, also in a sandbox
seeded before uiConf was served.
"""

from __future__ import annotations

import pytest
from conftest import make_client
from KalturaClient.exceptions import KalturaException
from KalturaClient.Plugins.Core import KalturaUiConfFilter

from kproducer.sandbox import Sandbox
from kproducer.sandbox.seed import CNC_UICONF_ID, PLAYER_UICONF_ID


def test_the_seeded_player_and_cnc_uiconfs_exist(info):
    admin = make_client(info)
    player = admin.uiConf.get(info.player_uiconf_id)
    cnc = admin.uiConf.get(info.cnc_uiconf_id)
    assert (player.id, cnc.id) == (PLAYER_UICONF_ID, CNC_UICONF_ID)
    assert player.partnerId == info.partner_id and player.name and cnc.name
    listed = admin.uiConf.list(KalturaUiConfFilter(idIn=f"{PLAYER_UICONF_ID},{CNC_UICONF_ID}"))
    assert sorted(u.id for u in listed.objects) == [PLAYER_UICONF_ID, CNC_UICONF_ID]


def test_an_unknown_uiconf_is_invalid_ui_conf_id(info):
    with pytest.raises(KalturaException) as caught:
        make_client(info).uiConf.get(7777777)
    assert caught.value.code == "INVALID_UI_CONF_ID"
    assert caught.value.message == "Unknown uiConf [7777777]"


def test_a_deleted_uiconf_is_unknown_and_a_restart_does_not_bring_it_back(tmp_path):
    with Sandbox(tmp_path / "sb") as running:
        admin = make_client(running.info)
        assert admin.uiConf.delete(CNC_UICONF_ID) is None
        with pytest.raises(KalturaException) as caught:
            admin.uiConf.get(CNC_UICONF_ID)
        assert caught.value.code == "INVALID_UI_CONF_ID"
    with Sandbox(tmp_path / "sb") as again:
        admin = make_client(again.info)
        with pytest.raises(KalturaException):
            admin.uiConf.get(CNC_UICONF_ID)
        assert admin.uiConf.get(PLAYER_UICONF_ID).id == PLAYER_UICONF_ID


def test_a_sandbox_seeded_before_uiconfs_gets_them(tmp_path):
    with Sandbox(tmp_path / "sb") as running:
        assert running.db is not None
        running.db.execute("DELETE FROM ui_confs")
    with Sandbox(tmp_path / "sb") as again:
        assert make_client(again.info).uiConf.get(PLAYER_UICONF_ID).id == PLAYER_UICONF_ID


def test_user_and_playback_sessions_may_get_but_not_delete(info, client_for):
    """``service.uiconf.ini``: get for BASE_USER_SESSION and PLAYBACK_BASE permissions."""
    user = client_for(user_id="bob@example.com", session_type=0)
    assert user.uiConf.get(PLAYER_UICONF_ID).id == PLAYER_UICONF_ID
    playback = client_for(user_id="bob@example.com", session_type=0,
                          privileges="setrole:PLAYBACK_BASE_ROLE")
    assert playback.uiConf.get(PLAYER_UICONF_ID).id == PLAYER_UICONF_ID
    with pytest.raises(KalturaException) as caught:
        user.uiConf.delete(PLAYER_UICONF_ID)
    assert caught.value.code == "SERVICE_FORBIDDEN"
