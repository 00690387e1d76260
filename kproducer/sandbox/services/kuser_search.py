"""The kuser filters Sphinx answers with full-text matches (``SphinxKuserCriteria``).

``idOrScreenNameStartsWith`` and ``firstNameOrLastNameStartsWith`` become
``@(puser_id,screen_name) text | ^text*`` and ``@(full_name,last_name) text | ^text*``
(``addFreeTextToMatchClauseByMatchFields`` with a like expression): a field holding every
word of the value as a whole word, or a field starting with the value. Comma-separated
values are alternatives.
"""

from __future__ import annotations

import re
from typing import Any

Obj = dict[str, Any]

#: Filter property → the stored kuser properties it searches (kuserIndex match fields).
PREFIX_FILTERS = {
    "idOrScreenNameStartsWith": ("id", "screenName"),
    "firstNameOrLastNameStartsWith": ("fullName", "lastName"),
}


def _field(name: str) -> str:
    return f"lower(coalesce(json_extract(data, '$.{name}'), ''))"


def _like_prefix(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _match(fields: tuple[str, ...], value: str, params: list[Any]) -> str:
    """One alternative: every word in one field, or one field starting with the value."""
    words = re.findall(r"\w+", value.lower())
    options = []
    for name in fields:
        padded = f"(' ' || {_field(name)} || ' ')"
        if words:
            options.append("(" + " AND ".join(f"{padded} GLOB ?" for _ in words) + ")")
            params.extend(f"*[^a-z0-9_]{w}[^a-z0-9_]*" for w in words)
        options.append(f"{_field(name)} LIKE ? ESCAPE '\\'")
        params.append(_like_prefix(value.lower()))
    return "(" + " OR ".join(options) + ")"


def prefix_conditions(filter_obj: Obj | None) -> tuple[list[str], list[Any], frozenset[str]]:
    """SQL for the prefix filters set in ``filter_obj``, and the properties handled."""
    conditions: list[str] = []
    params: list[Any] = []
    for prop, fields in PREFIX_FILTERS.items():
        value = (filter_obj or {}).get(prop)
        if not isinstance(value, str) or not value.strip():
            continue
        parts = [p.strip() for p in value.split(",") if p.strip()]
        conditions.append("(" + " OR ".join(_match(fields, p, params) for p in parts) + ")")
    return conditions, params, frozenset(PREFIX_FILTERS)
