"""The demo account a new sandbox starts with.

One partner with an admin user, an ACTIVE ``cncAuth:true`` app token, the player and CnC
uiConfs its embeds name, a virtual event
and three sessions tied to it: a VOD entry with a duration, a live entry with a start
and end date, and a meeting room. Two ordinary users, one of them already a moderator
of the live session through its ``{entryId}_moderators`` group.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass
from typing import Any

from .services import objects, ui_confs
from .store import Store

PARTNER_ID = 1000001
ADMIN_USER_ID = "producer@sandbox.kproducer"
PLAYER_UICONF_ID = 52000001
CNC_UICONF_ID = 52000002

#: How a session is tied to its virtual event: an admin tag, visible and searchable in
#: Kaltura's own tools (KMC shows admin tags; ``baseEntry.list`` filters them).
EVENT_TAG_PREFIX = "virtualevent_"


@dataclass(frozen=True)
class Account:
    """The sandbox account's settings (all but the URLs, which depend on the port)."""

    partner_id: int
    admin_user_id: str
    admin_secret: str
    player_uiconf_id: int
    cnc_uiconf_id: int
    kme_key: str
    kme_secret: str


def load_account(db: Store) -> Account | None:
    """The seeded account, or None for an empty database."""
    data = db.first("SELECT data FROM partners ORDER BY id LIMIT 1")
    if data is None:
        return None
    return Account(**{k: data[k] for k in Account.__dataclass_fields__})


#: The meta key of :func:`instance_id`.
INSTANCE_KEY = "instance_id"


def instance_id(db: Store) -> str:
    """This database's own random ID (made with it; given to older ones on first ask).

    Not a Kaltura field: the app keys its cache of the embedded sandbox by it, so that the
    facts cached for one sandbox database never answer for another made later in the same
    place (a deleted or replaced file), whose users and groups are not the same.
    """
    with db.transaction():
        found = db.get_meta(INSTANCE_KEY)
        if found is None:
            found = secrets.token_hex(8)
            db.set_meta(INSTANCE_KEY, found)
        return found


def seed(db: Store) -> Account:
    """Create the demo account once; later calls return the existing one."""
    with db.transaction():
        existing = load_account(db)
        if existing is not None:
            _seed_ui_confs(db, existing, db.now())  # sandboxes seeded before uiConf existed
            return existing
        now = db.now()
        account = Account(
            partner_id=PARTNER_ID,
            admin_user_id=ADMIN_USER_ID,
            admin_secret=secrets.token_hex(16),
            player_uiconf_id=PLAYER_UICONF_ID,
            cnc_uiconf_id=CNC_UICONF_ID,
            kme_key="kproducer-sandbox",
            kme_secret=secrets.token_hex(16),
        )
        data: dict[str, Any] = {**asdict(account), "name": "kproducer sandbox"}
        db.insert(
            "partners",
            data,
            id=account.partner_id,
            admin_secret=account.admin_secret,
            secret=secrets.token_hex(16),
        )
        pid = account.partner_id
        objects.add_kuser(
            db,
            pid,
            {
                "objectType": "KalturaUser",
                "id": ADMIN_USER_ID,
                "email": ADMIN_USER_ID,
                "firstName": "Sandbox",
                "lastName": "Producer",
                "isAdmin": True,
                "isAccountOwner": True,
                "loginEnabled": True,
            },
            now,
        )
        objects.add_app_token(
            db,
            pid,
            {
                "objectType": "KalturaAppToken",
                "sessionType": 0,
                "sessionPrivileges": "cncAuth:true",
                "description": "Chat and Collaboration (CnC) JWT signing token",
            },
            now,
        )
        event = objects.add_virtual_event(
            db,
            pid,
            {
                "objectType": "KalturaVirtualEvent",
                "name": "Sandbox Summit 2026",
                "description": "A recorded keynote, a live panel and a meeting room.",
            },
            now,
        )
        tag = f"{EVENT_TAG_PREFIX}{event['id']}"
        objects.add_entry(
            db,
            pid,
            {
                "objectType": "KalturaMediaEntry",
                "name": "Opening keynote (recording)",
                "mediaType": 1,
                "adminTags": tag,
                "duration": 2700,
                "msDuration": 2700000,
                "status": "2",
                "type": "1",
            },
            now,
            ADMIN_USER_ID,
        )
        live = objects.add_entry(
            db,
            pid,
            {
                "objectType": "KalturaLiveStreamEntry",
                "name": "Live panel: the future of events",
                "mediaType": 201,
                "adminTags": tag,
                "startDate": now + 86400,
                "endDate": now + 86400 + 5400,
                "type": "7",
            },
            now,
            ADMIN_USER_ID,
        )
        room = objects.add_entry(
            db,
            pid,
            {
                "objectType": "KalturaRoomEntry",
                "name": "Speaker green room",
                "roomType": 1,
                "adminTags": tag,
                "type": "room.room",
            },
            now,
            ADMIN_USER_ID,
        )
        _seed_schedule(db, pid, live, room, now)
        _seed_ui_confs(db, account, now)
        for uid, first, last in (
            ("alice@example.com", "Alice", "Moderator"),
            ("bob@example.com", "Bob", "Attendee"),
        ):
            objects.add_kuser(
                db,
                pid,
                {
                    "objectType": "KalturaUser",
                    "id": uid,
                    "email": uid,
                    "firstName": first,
                    "lastName": last,
                },
                now,
            )
        group_id = f"{live['id']}_moderators"
        objects.add_kuser(
            db,
            pid,
            {
                "objectType": "KalturaGroup",
                "id": group_id,
                "screenName": group_id,
            },
            now,
            user_type=1,
        )
        objects.add_group_user(db, pid, "alice@example.com", group_id, {}, now)
        return account


def _seed_schedule(
    db: Store, pid: int, live: dict[str, Any], room: dict[str, Any], now: int
) -> None:
    """The live session's broadcast slot, and the green room half an hour before it."""
    objects.add_schedule_event(
        db,
        pid,
        {
            "objectType": "KalturaLiveStreamScheduleEvent",
            "templateEntryId": live["id"],
            "summary": live["name"],
            "startDate": live["startDate"],
            "endDate": live["endDate"],
            "recurrenceType": 0,
        },
        now,
        ADMIN_USER_ID,
    )
    objects.add_schedule_event(
        db,
        pid,
        {
            "objectType": "KalturaMeetingScheduleEvent",
            "templateEntryId": room["id"],
            "summary": room["name"],
            "startDate": live["startDate"] - 1800,
            "endDate": live["startDate"],
            "recurrenceType": 0,
        },
        now,
        ADMIN_USER_ID,
    )


def _seed_ui_confs(db: Store, account: Account, now: int) -> None:
    """The player and CnC uiConfs the account's embeds name (each once)."""
    for ui_conf_id, name, tags in (
        (account.player_uiconf_id, "kproducer sandbox player", "kalturaPlayerJs,player"),
        (account.cnc_uiconf_id, "kproducer sandbox CnC widget", "kalturaPlayerJs,cnc"),
    ):
        if db.scalar("SELECT 1 FROM ui_confs WHERE id=?", (ui_conf_id,)):
            continue
        ui_confs.add_ui_conf(db, account.partner_id, {
            "name": name, "objType": 1, "objTypeAsString": "Player", "tags": tags,
            "creationMode": 2, "width": 560, "height": 395,
        }, now, ui_conf_id)
