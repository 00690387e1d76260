"""An error that answers the question a call asked is not shown as a failure.

Creating a session also deletes a stray ``_moderators`` group in the same request (one a failed
create could leave); Kaltura answers ``INVALID_GROUP_ID`` when there is none, which is the
usual case. Before, every create showed "1 failed" in the Activity dock; now that call is
recorded as answered, while a real failure is still an error.
"""

from __future__ import annotations

import time

import pytest
from sessions_support import HOUR, close, open_account

from kproducer.activity import ActivityLog
from kproducer.kaltura.client import KalturaConnection, settings_from
from kproducer.kaltura.errors import KalturaError
from kproducer.services import entries
from kproducer.services.models import EntryKind


@pytest.fixture
def account(info):
    acct = open_account(info)
    yield acct
    close(acct)


@pytest.mark.parametrize("scheduled", [False, True])
def test_the_stray_group_delete_of_a_create_is_not_an_error(account, scheduled):
    log: ActivityLog = account.conn.activity
    log.clear()
    start = int(time.time() + 48 * HOUR)
    end = start + HOUR if scheduled else None
    entry = entries.create(account, EntryKind.LIVE, "Answered, not failed", None,
                           start if scheduled else None, end)
    assert entry.id
    records = log.records()
    deletes = [r for r in records if r.action == "group.delete"]
    assert len(deletes) == 1 and deletes[0].outcome == "fetched"
    assert "INVALID_GROUP_ID" in deletes[0].detail and "expected" in deletes[0].detail
    assert not [r for r in records if r.outcome == "error"]


def test_an_unexpected_error_of_the_same_call_is_still_an_error(info):
    log = ActivityLog()
    with KalturaConnection(settings_from(info.as_dict()), activity=log) as conn:
        results = conn.multi(lambda c: [c.group.group.delete("no-such-group-here")],
                             expected={0: {"SOME_OTHER_CODE"}})
        assert isinstance(results[0].error, KalturaError)
        assert results[0].error.code == "INVALID_GROUP_ID"
    assert [r.outcome for r in log.records() if r.action == "group.delete"] == ["error"]
