"""A create whose answer was lost: look for what it made, again and again for a few seconds.

Kaltura's lists come from a search index that lags the writes (Sphinx, fed through
``SphinxLog``), so a create that ran can be missing from a list made right after it. One look
that finds nothing proves nothing: the lookup is repeated with a growing pause, and when it
still finds nothing the create is reported "in doubt" (never tried again blindly).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TypeVar

from ..kaltura.errors import KalturaError, in_doubt

T = TypeVar("T")

#: Pauses (seconds) before the 2nd, 3rd and 4th look: about 3.5 s in all, longer than the
#: index lag a healthy Kaltura shows (typically well under 2 s).
PAUSES: Sequence[float] = (0.5, 1.0, 2.0)


def look_again(
    find: Callable[[], list[T]],
    error: KalturaError,
    what: str,
    pauses: Sequence[float] = PAUSES,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """The one object ``find`` returns, looking again after each pause while it finds none.

    Args:
        find: One lookup (one request); returns the candidates it found.
        error: Why the answer was lost (kept in the "in doubt" sentence).
        what: What was created, for the sentence ("the session").

    Raises:
        KalturaError: "in doubt" when nothing was found in time, several candidates were,
            or a lookup failed.
    """
    for pause in (0.0, *pauses):
        if pause:
            sleep(pause)
        try:
            found = find()
        except KalturaError:
            raise in_doubt(error, what) from error
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            break
    raise in_doubt(error, what) from error
