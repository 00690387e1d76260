"""Where the server is unforgiving: index lag, per-call commits, server time, the match cap.

Each test drives the sandbox over HTTP with the real KalturaClient (raw HTTP only to read
the envelope's executionTime).
"""

from __future__ import annotations

import threading
import time

import pytest
import requests
from conftest import make_client, reset_stats, set_faults, stats
from KalturaClient.exceptions import KalturaException
from KalturaClient.Plugins.Core import (
    KalturaBaseEntryFilter,
    KalturaFilterPager,
    KalturaGroupUser,
    KalturaGroupUserFilter,
    KalturaMediaEntry,
    KalturaMediaType,
    KalturaUser,
    KalturaUserFilter,
)
from KalturaClient.Plugins.Group import KalturaGroup
from lxml import etree

from kproducer.sandbox.services.objects import add_kuser

#: An index lag no test outlives: what it hides stays hidden until the fault is cleared.
FOREVER_MS = 600_000


def _user_filter(uid: str) -> KalturaUserFilter:
    flt = KalturaUserFilter()
    flt.idEqual = uid
    return flt


def test_index_lag_hides_new_users_from_lists_until_it_passes(fresh_sandbox, unique):
    info = fresh_sandbox.info
    client = make_client(info)
    set_faults(info, index_lag_ms=FOREVER_MS)
    uid = unique("lag")
    client.user.add(KalturaUser(id=uid, firstName="Lagging"))
    assert client.user.get(uid).firstName == "Lagging"  # get reads the database at once
    assert client.user.list(_user_filter(uid)).totalCount == 0
    set_faults(info)  # the lag is over: the index has caught up
    listed = client.user.list(_user_filter(uid))
    assert [u.id for u in listed.objects] == [uid] and listed.totalCount == 1


def test_index_lag_keeps_updates_and_deletes_out_of_list_matches(fresh_sandbox, unique):
    info = fresh_sandbox.info
    client = make_client(info)
    uid = unique("upd")
    client.user.add(KalturaUser(id=uid, firstName="Old"))
    set_faults(info, index_lag_ms=FOREVER_MS)
    client.user.update(uid, KalturaUser(firstName="New"))
    by_old = KalturaUserFilter()
    by_old.firstNameStartsWith = "Old"
    matched = client.user.list(by_old)
    # matched by the stale index, read from the database as it is now (as SphinxCriteria)
    assert [(u.id, u.firstName) for u in matched.objects if u.id == uid] == [(uid, "New")]
    client.user.delete(uid)
    stale = client.user.list(_user_filter(uid))
    assert stale.totalCount == 1 and stale.objects == []  # counted by the index, not read back
    set_faults(info)
    assert client.user.list(_user_filter(uid)).totalCount == 0
    assert [u.id for u in client.user.list(by_old).objects if u.id == uid] == []


def test_index_lag_applies_to_entry_lists_not_to_entry_get(fresh_sandbox, unique):
    info = fresh_sandbox.info
    client = make_client(info)
    set_faults(info, index_lag_ms=FOREVER_MS)
    ref = unique("ref")
    entry = client.media.add(
        KalturaMediaEntry(name="lagged", mediaType=KalturaMediaType.VIDEO, referenceId=ref)
    )
    assert client.baseEntry.get(entry.id).referenceId == ref
    flt = KalturaBaseEntryFilter()
    flt.referenceIdEqual = ref
    flt.statusIn = "7,2"  # no content yet, or ready
    assert client.baseEntry.list(flt).totalCount == 0
    set_faults(info)
    assert [e.id for e in client.baseEntry.list(flt).objects] == [entry.id]


def test_index_lag_does_not_touch_group_user_lists(fresh_sandbox, unique):
    """groupUser.list is a Propel query on MySQL (KuserKgroupPeer), not a Sphinx one."""
    info = fresh_sandbox.info
    client = make_client(info)
    gid, uid = unique("g"), unique("u")
    client.user.add(KalturaUser(id=uid))
    client.group.group.add(KalturaGroup(id=gid))
    set_faults(info, index_lag_ms=FOREVER_MS)
    client.groupUser.add(KalturaGroupUser(userId=uid, groupId=gid))
    flt = KalturaGroupUserFilter()
    flt.groupIdEqual = gid
    assert [m.userId for m in client.groupUser.list(flt).objects] == [uid]


def test_index_lag_and_per_call_faults_are_validated(fresh_sandbox):
    url = f"{fresh_sandbox.info.service_url}/_sandbox/faults"
    answer = requests.post(url, json={"index_lag_ms": 2000, "per_call_ms": 15}, timeout=5).json()
    assert answer["index_lag_ms"] == 2000 and answer["per_call_ms"] == 15
    for bad in ({"index_lag_ms": -1}, {"per_call_ms": 1.5}, {"per_call_ms": True}):
        response = requests.post(url, json=bad, timeout=5)
        assert response.status_code == 400
        assert next(iter(bad)) in response.json()["error"]
    assert requests.post(url, json={}, timeout=5).json()["index_lag_ms"] == 0


def _execution_time(info, body) -> float:
    response = requests.post(f"{info.service_url}/api_v3/", json=body, timeout=60)
    return float(etree.fromstring(response.content).findtext("executionTime"))


def test_per_call_ms_charges_server_time_for_every_call(fresh_sandbox):
    info = fresh_sandbox.info
    ks = make_client(info).getKs()
    set_faults(info, per_call_ms=40)
    single = _execution_time(
        info, {"service": "user", "action": "get", "userId": info.admin_user_id, "ks": ks}
    )
    multi_body: dict = {"service": "multirequest", "ks": ks}
    for i in range(1, 11):
        multi_body[str(i)] = {"service": "user", "action": "get", "userId": info.admin_user_id}
    multi = _execution_time(info, multi_body)
    assert single >= 0.04
    assert multi >= 10 * 0.04  # the server reports the time it charged: ten calls' worth
    set_faults(info)
    assert _execution_time(info, multi_body) < 0.4


def test_each_call_of_a_multirequest_commits_on_its_own(fresh_sandbox, unique):
    """A write is visible to other requests while the rest of its multirequest still runs."""
    info = fresh_sandbox.info
    writer, reader = make_client(info), make_client(info)
    uid = unique("early")
    set_faults(info, per_call_ms=300)
    writer.startMultiRequest()
    writer.user.add(KalturaUser(id=uid))
    for _ in range(8):
        writer.user.get(info.admin_user_id)
    writer.user.add(KalturaUser(id=uid))  # fails: the first add is not undone
    done = threading.Event()
    results: list = []

    def run() -> None:
        results.extend(writer.doMultiRequest())
        done.set()

    thread = threading.Thread(target=run)
    thread.start()
    seen = None
    for _ in range(200):
        try:
            seen = reader.user.get(uid)
            break
        except KalturaException:
            time.sleep(0.01)
    seen_before_end = not done.is_set()
    thread.join(30)
    set_faults(info)
    assert seen is not None and seen.id == uid
    assert seen_before_end
    assert isinstance(results[-1], KalturaException)
    assert results[-1].code == "DUPLICATE_USER_BY_ID"
    assert make_client(info).user.get(uid).id == uid


def _many_users(sandbox, count: int) -> None:
    """Set up a big account directly in the store (10,000 adds over HTTP take minutes)."""
    db = sandbox.db
    pid = sandbox.info.partner_id
    with db.transaction():
        for i in range(count):
            add_kuser(db, pid, {"id": f"bulk-{i:05d}", "firstName": "Bulk"}, 1_700_000_000)


@pytest.fixture
def big_account(fresh_sandbox):
    _many_users(fresh_sandbox, 10_050)
    return fresh_sandbox


def _bulk_page(client, index: int, size: int):
    flt = KalturaUserFilter()
    flt.firstNameStartsWith = "Bulk"
    return client.user.list(flt, KalturaFilterPager(pageSize=size, pageIndex=index))


def test_no_list_reaches_past_the_ten_thousandth_match(big_account):
    info = big_account.info
    client = make_client(info)
    last_full = _bulk_page(client, 20, 500)
    assert len(last_full.objects) == 500 and last_full.totalCount == 10_050
    assert len(_bulk_page(client, 34, 300).objects) == 100  # cut at the 10,000th match
    reset_stats(info)
    with pytest.raises(KalturaException) as raised:
        _bulk_page(client, 21, 500)
    assert raised.value.code == "QUERY_EXCEEDED_MAX_MATCHES_ALLOWED"
    assert raised.value.message == "Unable to generate list. max matches value was reached"
    assert stats(info)["by_action"] == {"user.list": 1}


def test_the_cap_is_on_the_offset_even_when_few_match(fresh_sandbox):
    client = make_client(fresh_sandbox.info)
    flt = KalturaBaseEntryFilter()
    with pytest.raises(KalturaException) as raised:
        client.baseEntry.list(flt, KalturaFilterPager(pageSize=100, pageIndex=101))
    assert raised.value.code == "QUERY_EXCEEDED_MAX_MATCHES_ALLOWED"
    last = client.baseEntry.list(flt, KalturaFilterPager(pageSize=100, pageIndex=100))
    assert last.objects == [] and last.totalCount > 0
