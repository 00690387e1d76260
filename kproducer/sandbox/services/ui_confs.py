"""``uiconf`` service: get, list, delete (``api_v3/services/UiConfService.php``).

A uiConf is a player (or widget) configuration; embeds name it by ID
(``/p/{pid}/embedPlaykitJs/uiconf_id/{id}``). ``uiConfPeer``'s default criteria keep only
READY ones, so a deleted uiConf is unknown everywhere: ``INVALID_UI_CONF_ID``
("Unknown uiConf [ID]", ``APIErrors.class.php``). ``get`` also finds the templates of
partner 0 (``UiConfService::partnerGroup`` is ``'0'`` for get and clone).
"""

from __future__ import annotations

import json
from typing import Any

from .. import errors
from ..api import Access, Context, action
from ..errors import ApiError
from ..params import Param
from ..store import Store
from .listing import list_response
from .objects import project, strip_nulls

Obj = dict[str, Any]

SERVICE = "uiconf"
PENDING, READY, DELETED = 1, 2, 3  #: ``uiConf::UI_CONF_STATUS_*``


def add_ui_conf(db: Store, pid: int, obj: Obj, now: int, ui_conf_id: int | None = None) -> Obj:
    """Insert a READY uiConf (the seed gives its own IDs, else the next one)."""
    data = strip_nulls(dict(obj))
    data.pop("objectType", None)
    data.update(partnerId=pid, createdAt=now, updatedAt=now, status=READY)
    data.setdefault("useCdn", True)
    columns: dict[str, Any] = {"partner_id": pid, "status": READY}
    if ui_conf_id is not None:
        columns["id"] = ui_conf_id
    rowid = db.insert("ui_confs", data, **columns)
    data["id"] = rowid
    db.update("ui_confs", "id", rowid, data)
    return data


def _render(data: Obj) -> Obj:
    return project(data, "KalturaUiConf")


def _find(ctx: Context, ui_conf_id: int, partners: tuple[int, ...]) -> Obj:
    marks = ",".join("?" * len(partners))
    row = ctx.db.execute(
        f"SELECT data FROM ui_confs WHERE id=? AND status=? AND partner_id IN ({marks})",
        (ui_conf_id, READY, *partners),
    ).fetchone()
    if row is None:
        raise ApiError(errors.INVALID_UI_CONF_ID, ui_conf_id)
    data: Obj = json.loads(row[0])
    return data


#: ``deployment/permissions/service.uiconf.ini``: get is granted to user, widget and playback
#: sessions (BASE_USER_SESSION, WIDGET_SESSION and PLAYBACK_BASE permissions) too.
@action(SERVICE, "get", Param("id", "bigint"), access=Access.USER)
def get(ctx: Context, id: int) -> Obj:
    """One READY uiConf of the partner or of partner 0 (templates)."""
    return _render(_find(ctx, id, (ctx.partner_id, 0)))


@action(SERVICE, "delete", Param("id", "bigint"))
def delete(ctx: Context, id: int) -> None:
    """Status DELETED (void); the uiConf is then unknown to every action."""
    data = _find(ctx, id, (ctx.partner_id,))
    data.update(status=DELETED, updatedAt=ctx.now)
    ctx.db.update("ui_confs", "id", id, data, status=DELETED)


@action(
    SERVICE, "list",
    Param("filter", "KalturaUiConfFilter", optional=True),
    Param("pager", "KalturaFilterPager", optional=True),
    access=Access.ADMIN,
)
def list_(ctx: Context, filter: Obj | None, pager: Obj | None) -> Obj:
    """READY uiConfs of the partner."""
    base: tuple[list[str], list[Any]] = (["partner_id = ?", "status = ?"],
                                         [ctx.partner_id, READY])
    return list_response(
        ctx.db, "ui_confs", "KalturaUiConfListResponse", base, filter, pager, _render,
        columns={"id": "id", "partnerId": "partner_id"}, default_order="id ASC",
    )
