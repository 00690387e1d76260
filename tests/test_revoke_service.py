"""services/revoke.py against the sandbox: revoke an export or one person, lost answers,
partial revokes under faults, the 24-hour lapse and its renewal, re-export after a revoke."""

from __future__ import annotations

import time

import pytest
import requests
from conftest import make_client, reset_stats, set_faults, stats
from KalturaClient.exceptions import KalturaException
from links_support import ks_of, people_csv, read_out
from preview_support import close_account, open_account, seeded

from kproducer.local.link_ledger import LinkLedger
from kproducer.services import links, revoke
from kproducer.services.links import ExportRequest
from kproducer.services.models import EntryKind
from kproducer.services.tokens import ExpiryPolicy

DAY = 86400


@pytest.fixture
def sb(fresh_sandbox):
    return fresh_sandbox.info


@pytest.fixture
def account(sb):
    acct = open_account(sb)
    yield acct
    close_account(acct)


def export(account, tmp_path, users, name="links.csv", lifetime=None):
    live = seeded(account, EntryKind.LIVE)
    source = people_csv(tmp_path / f"{name}.in.csv", users)
    out = tmp_path / name
    summary = links.export(account, ExportRequest(live.id, source, out,
                                                  policy=ExpiryPolicy(lifetime)))
    assert summary.export_id is not None and summary.ok == len(users)
    return live, summary, read_out(out)


def api_refuses(sb, ks) -> str | None:
    """The KS's refusal code by the API (None: accepted; its role may still forbid the call)."""
    try:
        make_client(sb, ks).session.get()
    except KalturaException as exc:
        return None if exc.code == "SERVICE_FORBIDDEN" else exc.code
    return None


def player_refuses(sb, ks, entry_id) -> str:
    result = requests.post(f"{sb.service_url}/_standin/verify/ks", timeout=10, json={
        "ks": ks, "entryId": entry_id, "partnerId": sb.partner_id}).json()
    return "" if result["ok"] else result["reason"]


def test_revoke_an_export_in_batches_of_50_and_the_links_stop_working(sb, account, tmp_path):
    users = [f"rev{n}@example.com" for n in range(120)]
    live, summary, rows = export(account, tmp_path, users)
    with LinkLedger.open() as ledger:
        record = ledger.export(summary.export_id)
        assert record is not None and (record.rows, record.revoked_rows) == (120, 0)
        assert {link.link_id for link in ledger.links(summary.export_id)} == {
            r["link_id"] for r in rows}
    assert player_refuses(sb, ks_of(rows[0]["link"]), live.id) == ""
    reset_stats(sb)
    done = revoke.revoke(account, summary.export_id)
    assert stats(sb)["http_requests"] == 3 == done.requests
    assert stats(sb)["by_action"]["session.end"] == 120
    assert (done.asked, done.revoked, done.failed, done.already) == (120, 120, 0, 0)
    for row in rows[::17]:
        ks = ks_of(row["link"])
        assert api_refuses(sb, ks) == "INVALID_KS"
        assert player_refuses(sb, ks, live.id).startswith("revoked: this link's session ID")
    with LinkLedger.open() as ledger:
        record = ledger.export(summary.export_id)
        assert record is not None and record.revoked_rows == 120 and record.revoked_at
    # again: nothing to send
    reset_stats(sb)
    again = revoke.revoke(account, summary.export_id)
    assert (again.already, again.revoked, stats(sb)["http_requests"]) == (120, 0, 0)


def test_revoke_one_person_and_unknown_ids_are_one_sentence(sb, account, tmp_path):
    users = ["ann@example.com", "bob@example.com", "cy@example.com"]
    _live, summary, rows = export(account, tmp_path, users)
    done = revoke.revoke(account, summary.export_id, "bob@example.com")
    assert (done.asked, done.revoked) == (1, 1)
    by_user = {r["user_id"]: ks_of(r["link"]) for r in rows}
    assert api_refuses(sb, by_user["bob@example.com"]) == "INVALID_KS"
    assert api_refuses(sb, by_user["ann@example.com"]) is None
    with pytest.raises(revoke.RevokeError, match="no link in export"):
        revoke.revoke(account, summary.export_id, "zed@example.com")
    with pytest.raises(revoke.RevokeError, match="no export ffffffff"):
        revoke.revoke(account, "ffffffff")


def test_a_lost_answer_is_safe_to_repeat_and_the_ledger_waits_for_the_server(
        sb, account, tmp_path):
    users = [f"lost{n}@example.com" for n in range(60)]
    _live, summary, rows = export(account, tmp_path, users)
    set_faults(sb, malformed_rate=1.0)  # every call runs, every answer is unreadable
    try:
        lost = revoke.revoke(account, summary.export_id)
    finally:
        set_faults(sb)
    assert (lost.revoked, lost.failed, lost.lost) == (0, 60, True)
    assert "repeating it is safe" in lost.sentence()
    with LinkLedger.open() as ledger:  # never "revoked" without Kaltura's word
        assert ledger.export(summary.export_id).revoked_rows == 0  # type: ignore[union-attr]
    assert api_refuses(sb, ks_of(rows[0]["link"])) == "INVALID_KS"  # it did run
    again = revoke.revoke(account, summary.export_id)
    assert (again.revoked, again.repeated, again.failed) == (60, 60, 0)
    with LinkLedger.open() as ledger:
        assert ledger.export(summary.export_id).revoked_rows == 60  # type: ignore[union-attr]


def test_a_partial_revoke_under_faults_finishes_on_rerun(sb, account, tmp_path):
    users = [f"part{n}@example.com" for n in range(250)]
    _live, summary, rows = export(account, tmp_path, users)
    set_faults(sb, http_500_rate=0.5)
    try:
        first = revoke.revoke(account, summary.export_id)
    finally:
        set_faults(sb)
    assert first.revoked + first.failed == 250
    with LinkLedger.open() as ledger:
        revoked = {link.link_id for link in ledger.links(summary.export_id) if link.revoked_at}
    for row in rows:  # the ledger says revoked only for links Kaltura refuses
        if row["link_id"] in revoked:
            assert api_refuses(sb, ks_of(row["link"])) == "INVALID_KS"
    rest = revoke.revoke(account, summary.export_id)
    assert rest.failed == 0 and rest.revoked + rest.already == 250
    assert all(api_refuses(sb, ks_of(r["link"])) == "INVALID_KS" for r in rows[::25])


def test_a_reexport_after_a_revoke_makes_new_links(sb, account, tmp_path):
    users = ["re1@example.com", "re2@example.com"]
    _live, summary, rows = export(account, tmp_path, users)
    revoke.revoke(account, summary.export_id, "re1@example.com")
    _live, second, again = export(account, tmp_path, users)
    assert second.kept == 1 and second.export_id != summary.export_id
    old = {r["user_id"]: r["link_id"] for r in rows}
    new = {r["user_id"]: r["link_id"] for r in again}
    assert new["re1@example.com"] != old["re1@example.com"]
    assert new["re2@example.com"] == old["re2@example.com"]
    assert api_refuses(sb, ks_of(again[0]["link"])) is None
    with LinkLedger.open() as ledger:  # the kept link moved into the new export
        assert ledger.export(second.export_id).rows == 2  # type: ignore[union-attr]
        assert ledger.export(summary.export_id).rows == 1  # type: ignore[union-attr]


def test_links_outliving_24_hours_are_revoked_again_after_the_lapse(sb, account, tmp_path):
    users = ["long1@example.com", "long2@example.com"]
    _live, summary, rows = export(account, tmp_path, users, lifetime=3 * DAY)
    done = revoke.revoke(account, summary.export_id)
    assert done.outlive == 2 and "24 hours" in (done.outlive_note() or "")
    ks = ks_of(rows[0]["link"])
    now = int(time.time())
    assert revoke.renew_revocations(account, now=now).requests == 0  # nothing due yet
    requests.post(f"{sb.service_url}/_sandbox/clock", json={"offset_s": DAY + 120},
                  timeout=5).raise_for_status()
    try:
        assert api_refuses(sb, ks) is None  # Kaltura forgot the revocation
        renewed = revoke.renew_revocations(account, now=now + DAY + 120)
        assert (renewed.renewed, renewed.failed, renewed.requests) == (2, 0, 1)
        assert api_refuses(sb, ks) == "INVALID_KS"
        assert revoke.renew_revocations(account, now=now + DAY + 180).requests == 0
    finally:
        requests.post(f"{sb.service_url}/_sandbox/clock", json={"offset_s": 0}, timeout=5)
