"""Making the session of an uploaded file: ``media.add`` + ``media.addContent`` + group.

ONE multirequest: the entry (tied to its event by its admin tag, as any session), its
content (the uploaded-file-token resource) and its ``{entryId}_moderators`` group. The
``referenceId`` it carries is noted locally before sending, so a lost answer, or a run
killed before it heard back, is resolved by finding the entry again (as session creates
are: :func:`kproducer.services.entries.made_anyway`), never by making a second one.
Server: ``api_v3/services/MediaService.php`` (add, addContent),
``api_v3/lib/types/resource/KalturaUploadedFileTokenResource.php``.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

from KalturaClient.Plugins.Core import (
    KalturaBaseEntryFilter,
    KalturaFilterPager,
    KalturaMediaEntry,
    KalturaMediaType,
    KalturaUploadedFileTokenResource,
)
from KalturaClient.Plugins.Group import KalturaGroup

from ..kaltura.errors import KalturaError, ServiceUnavailable, answer_lost
from ..kaltura.producer_client import ProducerClient
from ..local import upload_state
from ..local.upload_state import UploadRecord
from . import entries, facts
from .account import Account
from .lost_answer import look_again
from .models import Entry, EntryKind
from .tokens import moderators_group


def by_reference(account: Account, reference: str) -> list[Entry]:
    """Entries made with this ``referenceId`` (ONE request)."""
    flt = KalturaBaseEntryFilter(referenceIdEqual=reference, statusIn=entries.ALL_STATUSES)
    listed = account.conn.call(lambda c: c.baseEntry.list(flt, KalturaFilterPager(pageSize=5)))
    return [entries.entry_from(o) for o in listed.objects or []]


def finished_earlier(account: Account, record: UploadRecord, file: Path) -> Entry:
    """The session of a token already used: a run made it but stopped before saying so."""
    if record.entry_id:
        entries.forget(account, record.entry_id)
        entry = entries.get(account, record.entry_id)
    else:
        lost = ServiceUnavailable("An earlier run of this upload stopped before Kaltura "
                                  "answered.", "ANSWER_LOST")
        entry = look_again(lambda: by_reference(account, record.reference), lost,
                           "the session")
        entries.remember(account, entry)
    ensure_group(account, entry.id)
    upload_state.remove(record.account, file)
    return entry


def ensure_group(account: Account, entry_id: str) -> None:
    """The session's moderators group, made if the cache does not know it exists."""
    step = facts.group_step(account, moderators_group(entry_id))
    if step is not None:
        facts.run(account, [step])


def make_session(account: Account, record: UploadRecord, name: str,
                  event_id: int | None) -> Entry:
    """``media.add`` + ``media.addContent`` + the moderators group: ONE multirequest.

    A run that stopped after sending it (killed, or its answer lost) left the entry,
    perhaps without its content: it is found by its ``referenceId`` and completed.
    """
    if not record.entry_id and record.reference:
        found = by_reference(account, record.reference)
        if len(found) == 1:
            record.entry_id = found[0].id
            upload_state.save(record)
    if record.entry_id:
        return add_content(account, record.entry_id, record.token_id)
    record.reference = f"kproducer-{uuid.uuid4().hex}"
    upload_state.save(record)  # before sending: a later run finds the entry by it
    tags = entries.event_tag(event_id) if event_id is not None else ""
    resource = KalturaUploadedFileTokenResource(token=record.token_id)
    sent = int(time.time())

    def queue(c: ProducerClient) -> list[Any]:
        made = c.media.add(KalturaMediaEntry(
            name=name, mediaType=KalturaMediaType.VIDEO, adminTags=tags,
            referenceId=record.reference))
        group = f"{made.id}_moderators"
        return [made, c.media.addContent(made.id, resource),
                c.group.group.add(KalturaGroup(id=group, screenName=group)),
                c.group.group.delete(entries.STRAY_GROUP)]

    try:
        results = account.conn.multi(queue, expected={3: entries.STRAY_ABSENT})
    except KalturaError as exc:
        if not answer_lost(exc):
            raise
        # resolved as session creates are: found by referenceId (or name), group made
        entry = entries.made_anyway(account, EntryKind.VOD, name, record.reference, sent,
                                    None, exc)
        record.entry_id = entry.id
        upload_state.save(record)
        return add_content(account, entry.id, record.token_id)
    entry = entries.entry_from(results[0].unwrap())
    record.entry_id = entry.id
    upload_state.save(record)
    group = results[2]
    if group.ok or group.failed_with("DUPLICATE_USER_BY_ID"):
        account.cache.put(facts.GROUP_EXISTS, moderators_group(entry.id), True)
    return entries.remember(account, entries.entry_from(results[1].unwrap()))


def add_content(account: Account, entry_id: str, token_id: str) -> Entry:
    """Attach the token's file to an entry made earlier (tolerates "already has it")."""
    resource = KalturaUploadedFileTokenResource(token=token_id)
    try:
        added = account.conn.call(lambda c: c.media.addContent(entry_id, resource))
    except KalturaError as exc:
        if exc.code != "ENTRY_ALREADY_WITH_CONTENT":
            raise
        entries.forget(account, entry_id)
        added = None
    ensure_group(account, entry_id)
    if added is None:
        return entries.get(account, entry_id)
    return entries.remember(account, entries.entry_from(added))
