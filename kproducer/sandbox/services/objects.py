"""Creating and reading stored objects with the defaults kaltura/server applies.

Shared by the service modules and the seed, so a seeded object and an object added
through the API look exactly alike.
"""

from __future__ import annotations

import json
from typing import Any

from .. import ids, schema
from ..store import Store
from .live_model import stream_password

Obj = dict[str, Any]

USER_ACTIVE, USER_DELETED = 1, 2
KUSER_USER, KUSER_GROUP = 0, 1
GROUP_USER_ACTIVE, GROUP_USER_DELETED = 0, 1


def strip_nulls(obj: Obj) -> Obj:
    """Drop properties that are None (the serializer writes them as empty elements)."""
    return {k: v for k, v in obj.items() if v is not None}


def project(obj: Obj, class_name: str) -> Obj:
    """The object as ``class_name``: its properties only, ``objectType`` set."""
    info = schema.get_class(class_name)
    assert info is not None
    out: Obj = {"objectType": class_name}
    for name in info.fields:
        if name in obj:
            out[name] = obj[name]
    return out


# --- users and groups (one "kuser" table, as on the server) --------------------------------------


def add_kuser(db: Store, pid: int, obj: Obj, now: int, user_type: int = KUSER_USER) -> Obj:
    """Insert a user or a group with ``kuserPeer::addUser``'s defaults."""
    data = strip_nulls(dict(obj))
    data.pop("objectType", None)
    uid = data["id"]
    if not data.get("screenName"):
        data["screenName"] = uid
    # kuser::getFullName() is trim(first + " " + last), never null, so kuserPeer::addUser's
    # "firstName = id when fullName is null" default never applies.
    data["fullName"] = " ".join(p for p in (data.get("firstName"), data.get("lastName")) if p)
    data.update(
        partnerId=pid,
        status=data.get("status", USER_ACTIVE),
        createdAt=now,
        updatedAt=now,
        statusUpdatedAt=now,
        type=user_type,
        storageSize=0,
        lastLoginTime=None,
        deletedAt=None,
    )
    data.setdefault("isAdmin", False)
    data.setdefault("isGuest", False)
    data.setdefault("isAccountOwner", False)
    data.setdefault("loginEnabled", False)
    data.setdefault("userMode", 0)
    if user_type != KUSER_USER:
        data["membersCount"] = 0
        data.setdefault("processStatus", 0)
    db.insert("kusers", data, partner_id=pid, id=uid, type=user_type, status=data["status"])
    return data


def save_kuser(db: Store, data: Obj) -> None:
    """Write back a user or group read with :func:`find_kuser`."""
    rowid = data.pop("_rowid")
    db.update("kusers", "rowid", rowid, data, status=data["status"])
    data["_rowid"] = rowid


def delete_kuser(db: Store, data: Obj, now: int) -> None:
    """Soft-delete a user or group read with :func:`find_kuser`.

    On the server a membership points at the kuser's numeric id, so once the kuser is
    deleted its memberships belong to nobody visible: a user or group added again with the
    same id is a new kuser with no memberships. Marking them deleted here has that effect.
    """
    data.update(status=USER_DELETED, deletedAt=now, updatedAt=now, statusUpdatedAt=now)
    save_kuser(db, data)
    column = "user_id" if data.get("type", KUSER_USER) == KUSER_USER else "group_id"
    db.execute(
        f"UPDATE group_users SET status=? WHERE partner_id=? AND {column}=? AND status=?",
        (GROUP_USER_DELETED, data["partnerId"], data["id"], GROUP_USER_ACTIVE),
    )


def find_kuser(db: Store, pid: int, uid: str, types: tuple[int, ...] | None = None) -> Obj | None:
    """A user or group that is not deleted (``kuserPeer`` default criteria)."""
    row = db.execute(
        "SELECT rowid, data, type FROM kusers WHERE partner_id=? AND id=? AND status!=? "
        "ORDER BY rowid DESC LIMIT 1",
        (pid, uid, USER_DELETED),
    ).fetchone()
    if row is None or (types is not None and row[2] not in types):
        return None
    data: Obj = json.loads(row[1])
    data["_rowid"] = row[0]
    return data


def as_user(data: Obj) -> Obj:
    """A stored kuser as ``KalturaUser`` (what ``user.*`` returns, groups included)."""
    return project(data, "KalturaUser")


def as_group(data: Obj) -> Obj:
    """A stored kuser as ``KalturaGroup`` (``groupType`` is the kuser type)."""
    out = project(data, "KalturaGroup")
    out["groupType"] = data.get("type", KUSER_GROUP)
    return out


# --- group membership -----------------------------------------------------------------------


def add_group_user(db: Store, pid: int, user_id: str, group_id: str, obj: Obj, now: int) -> Obj:
    """Insert an ACTIVE membership with ``KuserKgroup``'s defaults; bumps membersCount."""
    data: Obj = {
        "objectType": "KalturaGroupUser",
        "userId": user_id,
        "groupId": group_id,
        "status": GROUP_USER_ACTIVE,
        "partnerId": pid,
        "createdAt": now,
        "updatedAt": now,
        "creationMode": obj.get("creationMode") or 1,
        "userRole": obj.get("userRole") or 1,
        "groupType": KUSER_GROUP,
    }
    group = find_kuser(db, pid, group_id)
    if group is not None:
        data["groupType"] = group["type"]
        group["membersCount"] = int(group.get("membersCount") or 0) + 1
        save_kuser(db, group)
    rowid = db.insert(
        "group_users",
        data,
        partner_id=pid,
        user_id=user_id,
        group_id=group_id,
        status=GROUP_USER_ACTIVE,
    )
    data["id"] = str(rowid)
    db.update("group_users", "rowid", rowid, data)
    return data


# --- app tokens, virtual events, entries ---------------------------------------------


def add_app_token(db: Store, pid: int, obj: Obj, now: int) -> Obj:
    """Insert an ACTIVE app token with a fresh id and token value."""
    data = strip_nulls(dict(obj))
    data.update(
        objectType="KalturaAppToken",
        id=ids.object_id(),
        token=ids.token_value(),
        partnerId=pid,
        createdAt=now,
        updatedAt=now,
        status=2,
    )
    data.setdefault("sessionDuration", 86400)
    db.insert("app_tokens", data, partner_id=pid, id=data["id"], status=2)
    return data


def add_virtual_event(db: Store, pid: int, obj: Obj, now: int) -> Obj:
    """Insert an ACTIVE virtual event; its id is the next integer."""
    data = strip_nulls(dict(obj))
    data.update(
        objectType="KalturaVirtualEvent", partnerId=pid, status=2, createdAt=now, updatedAt=now
    )
    rowid = db.insert("virtual_events", data, partner_id=pid, status=2)
    data["id"] = rowid
    db.update("virtual_events", "id", rowid, data)
    return data


SCHEDULE_EVENT_ACTIVE = 2


def add_schedule_event(db: Store, pid: int, obj: Obj, now: int, owner_id: str) -> Obj:
    """Insert an ACTIVE schedule event (sequence 1); its id is the next integer."""
    data = strip_nulls(dict(obj))
    data.update(
        partnerId=pid, status=SCHEDULE_EVENT_ACTIVE, sequence=1, createdAt=now, updatedAt=now
    )
    if owner_id:
        data.setdefault("ownerId", owner_id)
    rowid = db.insert("schedule_events", data, partner_id=pid, status=SCHEDULE_EVENT_ACTIVE)
    data["id"] = rowid
    db.update("schedule_events", "id", rowid, data, status=SCHEDULE_EVENT_ACTIVE)
    return data


ENTRY_READY, ENTRY_DELETED, ENTRY_NO_CONTENT = "2", "3", "7"
MEDIA_CLIP, LIVE_STREAM, ROOM = "1", "7", "room.room"

_ENTRY_TYPES = {
    "KalturaMediaEntry": MEDIA_CLIP,
    "KalturaLiveStreamEntry": LIVE_STREAM,
    "KalturaRoomEntry": ROOM,
}


def add_entry(db: Store, pid: int, obj: Obj, now: int, user_id: str) -> Obj:
    """Insert an entry with ``entry``'s defaults; ``type`` defaults from the object's class.

    A live entry is READY at once (``LiveStreamService::add`` for a Kaltura live source),
    any other entry starts as NO_CONTENT. A missing name becomes ``{partnerId}_{time}``
    (``KalturaEntryService::prepareEntryForInsert``).
    """
    data = strip_nulls(dict(obj))
    class_name = data.get("objectType") or "KalturaBaseEntry"
    entry_type = str(data.get("type") or _ENTRY_TYPES.get(class_name, "-1"))
    entry_id = ids.object_id()
    data.update(
        objectType=class_name,
        type=entry_type,
        id=entry_id,
        partnerId=pid,
        createdAt=now,
        updatedAt=now,
        version=0,
        moderationStatus=6,
        moderationCount=0,
        rank=0.0,
        totalRank=0,
        votes=0,
        rootEntryId=entry_id,
        capabilities="",
    )
    data.setdefault("creatorId", data.get("userId") or user_id)
    data.setdefault("userId", user_id)
    data.setdefault("status", ENTRY_READY if entry_type == LIVE_STREAM else ENTRY_NO_CONTENT)
    if not data.get("name"):
        data["name"] = f"{pid}_{now}"
    data.setdefault("displayInSearch", 1)
    data.setdefault("partnerSortValue", 0)
    data.setdefault("licenseType", -1)
    data.setdefault("accessControlId", 1)
    data.setdefault("conversionProfileId", 1)
    if entry_type in (MEDIA_CLIP, LIVE_STREAM):
        data.setdefault("plays", 0)
        data.setdefault("views", 0)
        data.setdefault("duration", 0)
        data.setdefault("msDuration", data["duration"] * 1000)
        data.setdefault("durationType", "notavailable" if not data["duration"] else "medium")
        data.setdefault("sourceType", "32" if entry_type == LIVE_STREAM else "1")
        # the server's URL shapes; made absolute (the host asked) when rendered
        data["thumbnailVersion"] = 100000
        data["thumbnailUrl"] = f"/p/{pid}/sp/{pid}00/thumbnail/entry_id/{entry_id}/version/100000"
        manifest = f"/p/{pid}/sp/{pid}00/playManifest/entryId/{entry_id}"
        data["dataUrl"] = f"{manifest}/format/url/protocol/http"
        data["downloadUrl"] = f"{manifest}/format/download/protocol/http/flavorParamIds/0"
    if entry_type == LIVE_STREAM:
        data.update(streamName=f"{entry_id}_%i", streamUsername=entry_id, liveStatus=0)
        data.setdefault("recordStatus", 0)
        data.setdefault("dvrStatus", 0)
        data.setdefault("explicitLive", 0)
        data.setdefault("streamPassword", stream_password())  # URLs derive from it (live_model)
    db.insert("entries", data, partner_id=pid, id=entry_id, status=data["status"])
    return data


def find_entry(db: Store, pid: int, entry_id: str) -> Obj | None:
    """An entry that is not deleted (``entryPeer`` default criteria)."""
    return db.first(
        "SELECT data FROM entries WHERE partner_id=? AND id=? AND status!=?",
        (pid, entry_id, ENTRY_DELETED),
    )


def save_entry(db: Store, data: Obj) -> None:
    """Write back an entry read with :func:`find_entry`."""
    db.update("entries", "id", data["id"], data, status=data["status"])
