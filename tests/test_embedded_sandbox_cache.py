"""The embedded sandbox's cache (and ledger, and upload records) belong to its database.

The port changes every run, so the cache is keyed by a fixed name, and by the database's
own ID: a sandbox database made anew in the same folder (the old one deleted) must not be
answered from facts cached for the old one (its preview user and groups do not exist).
"""

from __future__ import annotations

from kproducer import paths
from kproducer.activity import ActivityLog
from kproducer.sandbox import Sandbox
from kproducer.sandbox.store import default_db_path
from kproducer.services import uploads
from kproducer.services.link_record import account_of
from kproducer.ui import session


def _cache_key() -> str:
    connection = session.open_sandbox_account(ActivityLog())
    try:
        account = connection.account
        # The link ledger and the upload records name it the same way, so what was shared
        # or left unfinished in one run is found in the next (another port).
        assert account_of(account) == uploads.account_key(account) == account.cache.account
        return str(account.cache.account)
    finally:
        connection.close()
        session.stop_embedded_sandbox()


def test_the_same_database_keeps_its_cache_and_a_new_one_gets_its_own():
    first = _cache_key()
    assert first.startswith(f"1000001@{session.SANDBOX_CACHE_URL}/")
    assert _cache_key() == first  # the same database, another run (another port)
    for suffix in ("", "-wal", "-shm"):
        path = default_db_path(paths.sandbox_dir()).with_name(f"sandbox.sqlite3{suffix}")
        path.unlink(missing_ok=True)
    assert _cache_key() != first  # made anew: nothing cached for the old one answers


def test_the_instance_id_is_made_once_per_database(tmp_path):
    with Sandbox(tmp_path / "a") as one:
        kept = one.instance_id
        assert kept == one.instance_id and len(kept) == 16
    with Sandbox(tmp_path / "a") as again, Sandbox(tmp_path / "b") as other:
        assert again.instance_id == kept and other.instance_id != kept
