"""Lists past Kaltura's 10,000th match: a createdAt cursor instead of page numbers.

Index-served lists (``baseEntry.list``, ``user.list``...) never reach past their 10,000th
match (``QUERY_EXCEEDED_MAX_MATCHES_ALLOWED``, kaltura/server ``SphinxCriteria``). Kaltura's
advice for reading more is to order by ``createdAt`` and start each page from the last value
seen instead of asking for page N. Here: newest first, every page is page 1 of the list
filtered ``createdAtLessThanOrEqual`` the oldest ``createdAt`` seen, with the IDs already
read from that very second left out (``idNotIn``), so no object is skipped or read twice.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from KalturaClient.Plugins.Core import KalturaFilterPager

if TYPE_CHECKING:
    from .client import KalturaConnection
    from .producer_client import ProducerClient

#: Objects per request (Kaltura's largest page).
PAGE_SIZE = 500

ListPage = Callable[["ProducerClient", Any, Any], Any]


def newest_first(
    conn: KalturaConnection, list_page: ListPage, flt: Any, limit: int | None = None
) -> list[Any]:
    """Objects of an index-served list, newest first, at most ``limit`` (None: all).

    Args:
        list_page: Makes the call for one page, e.g.
            ``lambda c, flt, pager: c.baseEntry.list(flt, pager)``.
        flt: The filter; not changed (each page gets a copy with the cursor set).
        limit: Stop after this many objects (lists that do not need everything).
    """
    found: list[Any] = []
    seen: set[str] = set()
    cursor: int | None = None
    same_second: list[str] = []
    while limit is None or len(found) < limit:
        page = copy.copy(flt)
        page.orderBy = "-createdAt"
        if cursor is not None:
            page.createdAtLessThanOrEqual = cursor
            if same_second:
                page.idNotIn = ",".join(same_second)
        want = PAGE_SIZE if limit is None else min(PAGE_SIZE, limit - len(found))
        pager = KalturaFilterPager(pageSize=want, pageIndex=1)
        listed = conn.call(functools.partial(_call, list_page, page, pager))
        batch = [o for o in listed.objects or [] if str(o.id) not in seen]
        for obj in batch:
            seen.add(str(obj.id))
            found.append(obj)
        if len(listed.objects or []) < want or not batch:
            return found
        oldest = int(batch[-1].createdAt or 0)
        if oldest != cursor:
            same_second = []
        cursor = oldest
        same_second += [str(o.id) for o in batch if int(o.createdAt or 0) == oldest]
    return found


def _call(list_page: ListPage, flt: Any, pager: Any, client: ProducerClient) -> Any:
    return list_page(client, flt, pager)
