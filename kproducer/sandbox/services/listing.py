"""``list`` actions: Kaltura filters and pagers turned into SQL over stored objects.

A filter property is ``{field}{Operator}`` (``statusEqual``, ``idIn``,
``createdAtGreaterThanOrEqual``, ``nameLike``, ``tagsMultiLikeOr``...). Lookup columns of
the table are used where they exist; any other field is read with ``json_extract``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from .. import errors, schema
from ..errors import ApiError
from ..params import NULL
from ..store import Store

Obj = dict[str, Any]

MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 30
#: ``SphinxCriteria::MAX_MATCHES``: no index-served list reaches past this match.
MAX_MATCHES = 10_000
#: The peers' default criteria, applied when matched ids are read back from the database:
#: an object deleted since it was indexed still counts but is not returned (unless the
#: filter asks for statuses itself).
_ALIVE = {"entries": "live.status != '3'", "kusers": "live.status != 2"}

_OPERATORS = (
    "GreaterThanOrEqualOrNull",
    "LessThanOrEqualOrNull",
    "GreaterThanOrEqual",
    "LessThanOrEqual",
    "GreaterThan",
    "LessThan",
    "MultiLikeOr",
    "MultiLikeAnd",
    "MatchOr",
    "MatchAnd",
    "NotContains",
    "StartsWith",
    "NotEqual",
    "NotIn",
    "Equal",
    "Like",
    "In",
)


def _split(prop: str) -> tuple[str, str] | None:
    for op in _OPERATORS:
        if prop.endswith(op) and len(prop) > len(op):
            return prop[: -len(op)], op
    return None


def _like(value: str) -> str:
    return "%" + value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def where_clause(
    filter_obj: Obj | None,
    columns: dict[str, str],
    skip: frozenset[str] = frozenset(),
    known: frozenset[str] | None = None,
) -> tuple[list[str], list[Any]]:
    """SQL conditions (ANDed) and their parameters for a request filter.

    ``known`` are the listed objects' properties. A set filter property that is not
    ``{property}{Operator}`` of one of them (or of a lookup column), and is not in
    ``skip`` (handled by the caller), fails with ``SANDBOX_FILTER_NOT_IMPLEMENTED``:
    the sandbox never answers an unfiltered or empty list for a filter it cannot apply.
    """
    conditions: list[str] = []
    params: list[Any] = []
    for prop, value in (filter_obj or {}).items():
        if prop in ("objectType", "orderBy") or prop in skip or value is NULL:
            continue
        if value is None or value == "" or value == {}:
            continue
        parts = _split(prop)
        unknown = known is not None and parts is not None and parts[0] not in known
        if parts is None or (unknown and parts[0] not in columns):
            filter_type = (filter_obj or {}).get("objectType") or "the filter"
            raise ApiError(errors.SANDBOX_FILTER_NOT_IMPLEMENTED, prop, filter_type)
        field, op = parts
        col = columns.get(field, f"json_extract(data, '$.{field}')")
        text = str(value)
        items = [v.strip() for v in text.split(",") if v.strip()]
        if op == "Equal":
            conditions.append(f"{col} = ?")
            params.append(value)
        elif op == "NotEqual":
            conditions.append(f"({col} IS NULL OR {col} != ?)")
            params.append(value)
        elif op in ("In", "NotIn"):
            marks = ",".join("?" * len(items)) or "NULL"
            conditions.append(f"{col} {'NOT ' if op == 'NotIn' else ''}IN ({marks})")
            params.extend(items)
        elif op == "Like":
            conditions.append(f"{col} LIKE ? ESCAPE '\\'")
            params.append(_like(text))
        elif op == "StartsWith":
            conditions.append(f"{col} LIKE ? ESCAPE '\\'")
            params.append(_like(text)[1:])
        elif op in ("MultiLikeOr", "MatchOr"):
            words = items or [text]
            conditions.append("(" + " OR ".join(f"{col} LIKE ? ESCAPE '\\'" for _ in words) + ")")
            params.extend(_like(w) for w in words)
        elif op in ("MultiLikeAnd", "MatchAnd"):
            words = items or [text]
            conditions.append("(" + " AND ".join(f"{col} LIKE ? ESCAPE '\\'" for _ in words) + ")")
            params.extend(_like(w) for w in words)
        elif op == "NotContains":
            conditions.append(f"({col} IS NULL OR {col} NOT LIKE ? ESCAPE '\\')")
            params.append(_like(text))
        else:
            sql = {
                "GreaterThanOrEqual": ">=",
                "LessThanOrEqual": "<=",
                "GreaterThan": ">",
                "LessThan": "<",
                "GreaterThanOrEqualOrNull": ">=",
                "LessThanOrEqualOrNull": "<=",
            }[op]
            if op.endswith("OrNull"):
                conditions.append(f"({col} IS NULL OR {col} {sql} ?)")
            else:
                conditions.append(f"{col} {sql} ?")
            params.append(value)
    return conditions, params


def order_clause(filter_obj: Obj | None, columns: dict[str, str], default: str) -> str:
    """``ORDER BY`` from ``orderBy`` (``+createdAt,-name``), falling back to ``default``."""
    order = str((filter_obj or {}).get("orderBy") or "")
    terms = []
    for item in order.split(","):
        item = item.strip()
        if len(item) < 2 or item[0] not in "+-" or not item[1:].isidentifier():
            continue
        col = columns.get(item[1:], f"json_extract(data, '$.{item[1:]}')")
        terms.append(f"{col} {'ASC' if item[0] == '+' else 'DESC'}")
    return ", ".join(terms) or default


def page(pager: Obj | None) -> tuple[int, int]:
    """``(limit, offset)`` as ``KalturaFilterPager`` computes them; limit -1 is unlimited."""
    size = DEFAULT_PAGE_SIZE
    index = 1
    if pager:
        if isinstance(pager.get("pageSize"), int):
            size = pager["pageSize"]
        if isinstance(pager.get("pageIndex"), int):
            index = pager["pageIndex"]
    size = max(min(size, MAX_PAGE_SIZE), 0)
    index = max(1, index)
    if size == 0:  # Propel treats a zero limit as none
        return -1, 0
    return size, (index - 1) * size


def listed_properties(response_type: str) -> frozenset[str] | None:
    """Properties of the objects a ``Kaltura...ListResponse`` lists (None if unknown)."""
    base = response_type.removesuffix("ListResponse")
    for name in (base, f"{base}Entry"):
        info = schema.get_class(name)
        if info is not None:
            return frozenset(info.fields)
    return None


def list_response(
    db: Store,
    table: str,
    response_type: str,
    base: tuple[list[str], list[Any]],
    filter_obj: Obj | None,
    pager: Obj | None,
    render: Callable[[Obj], Obj],
    columns: dict[str, str] | None = None,
    default_order: str = "rowid DESC",
    skip: frozenset[str] = frozenset(),
    indexed: bool = False,
    checked_by_caller: bool = False,
) -> Obj:
    """Run a list action: ``{"objectType": response_type, "objects": [...], "totalCount": n}``.

    ``indexed`` lists are served as the server serves them from Sphinx
    (``SphinxCriteria::applyFilters``): matches, order and count come from the search
    index, which sees writes only after the ``index_lag_ms`` fault; the objects are then
    read from the database as they are now (one deleted since is left out, though still
    counted); and an offset at or past the 10,000th match
    fails with ``QUERY_EXCEEDED_MAX_MATCHES_ALLOWED`` while a page crossing it is cut.
    ``checked_by_caller``: the action has refused every filter property it does not apply
    already (its filter classes' properties are not all on the listed base class).
    """
    cols = columns or {}
    known = None if checked_by_caller else listed_properties(response_type)
    conditions, params = where_clause(filter_obj, cols, skip, known)
    conditions = base[0] + conditions
    params = base[1] + params
    where = " AND ".join(conditions) or "1"
    limit, offset = page(pager)
    order = order_clause(filter_obj, cols, default_order)
    if not indexed:
        total = int(db.scalar(f"SELECT COUNT(*) FROM {table} WHERE {where}", params) or 0)
        rows = db.execute(
            f"SELECT data FROM {table} WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",
            [*params, limit, offset],
        ).fetchall()
        objects = [json.loads(r[0]) for r in rows]
    else:
        if limit > 0:
            if offset >= MAX_MATCHES:
                raise ApiError(errors.QUERY_EXCEEDED_MAX_MATCHES_ALLOWED)
            limit = min(limit, MAX_MATCHES - offset)
        db.catch_up_index()
        source = f"idx_{table}"
        asks_status = any(str(k).startswith("status") for k in filter_obj or {})
        alive = "1" if asks_status else _ALIVE.get(table, "1")
        total = int(db.scalar(f"SELECT COUNT(*) FROM {source} WHERE {where}", params) or 0)
        rows = db.execute(
            f"SELECT (SELECT data FROM {table} AS live WHERE live.rowid = {source}.rowid"
            f" AND {alive}) "
            f"FROM {source} WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",
            [*params, limit, offset],
        ).fetchall()
        objects = [json.loads(r[0]) for r in rows if r[0] is not None]
    return {
        "objectType": response_type,
        "objects": [render(obj) for obj in objects],
        "totalCount": total,
    }
