"""Session thumbnails: a sized ``thumbnailUrl`` fetched once, then read from the disk cache.

Kaltura's thumbnail API takes its size in the path (``{thumbnailUrl}/width/W/height/H``,
``alpha/apps/kaltura/modules/extwidget/actions/thumbnailAction.class.php``). A thumbnail is
a plain HTTP GET of a public URL: no KS, no API call, so it is not recorded as one. The
bytes are checked to be an image (PNG, JPEG, GIF or WebP by their first bytes) before they
are cached; anything else is :class:`ThumbnailUnavailable`. No Qt here: the window decodes
the bytes on its loader threads (:mod:`kproducer.ui.thumbnails`).
"""

from __future__ import annotations

import contextlib
import threading
from urllib.parse import urljoin

import requests

from .. import paths
from ..local.thumbnail_cache import ThumbnailCache

#: Seconds to connect and to read one thumbnail: a picture is not worth waiting for.
TIMEOUT = (3.05, 10)
#: The largest thumbnail accepted (a sized Kaltura thumbnail is a few kB).
MAX_BYTES = 4 * 1024 * 1024
_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")


class ThumbnailUnavailable(Exception):
    """The thumbnail could not be fetched or is not an image (one sentence)."""


def is_image(data: bytes) -> bool:
    """Whether ``data`` starts like a PNG, JPEG, GIF or WebP file."""
    return data.startswith(_SIGNATURES) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")


def sized_url(thumbnail_url: str, width: int, height: int, base_url: str = "") -> str:
    """``thumbnailUrl`` asking for a ``width`` x ``height`` picture (absolute).

    Args:
        base_url: The service URL, for a relative ``thumbnailUrl`` (older sandboxes).
    """
    url = urljoin(base_url.rstrip("/") + "/", thumbnail_url) if base_url else thumbnail_url
    return f"{url.rstrip('/')}/width/{width}/height/{height}"


_local = threading.local()
_counts = {"http": 0, "disk": 0}
_counts_lock = threading.Lock()


def counts() -> dict[str, int]:
    """How many thumbnails this process had from the disk cache and over HTTP."""
    with _counts_lock:
        return dict(_counts)


def reset_counts() -> None:
    """Zero :func:`counts` (benchmarks and tests)."""
    with _counts_lock:
        _counts.update(http=0, disk=0)


def _counted(where: str) -> None:
    with _counts_lock:
        _counts[where] += 1

_shared: dict[str, ThumbnailCache] = {}
_shared_lock = threading.Lock()


def default_cache() -> ThumbnailCache:
    """The thumbnail cache under the cache dir (one per process and location)."""
    folder = paths.cache_dir() / "thumbnails"
    with _shared_lock:
        cache = _shared.get(str(folder))
        if cache is None:
            cache = _shared[str(folder)] = ThumbnailCache(folder)
        return cache


def _session() -> requests.Session:
    session: requests.Session | None = getattr(_local, "session", None)
    if session is None:
        session = _local.session = requests.Session()
    return session


def fetch(url: str, cache: ThumbnailCache | None = None) -> bytes:
    """The thumbnail at ``url`` (already sized): from the cache, else over HTTP, then cached.

    Raises:
        ThumbnailUnavailable: No answer, an HTTP error, too big, or not an image.
    """
    cache = cache or default_cache()
    data = cache.get(url)
    if data is not None:
        _counted("disk")
        return data
    _counted("http")
    try:
        response = _session().get(url, timeout=TIMEOUT, stream=True)
        with response:
            if response.status_code != 200:
                raise ThumbnailUnavailable(f"The thumbnail answered HTTP {response.status_code}.")
            data = response.raw.read(MAX_BYTES + 1, decode_content=True)
    except requests.RequestException as exc:
        raise ThumbnailUnavailable("The thumbnail could not be fetched.") from exc
    if len(data) > MAX_BYTES:
        raise ThumbnailUnavailable("The thumbnail is too big to show.")
    if not is_image(data):
        raise ThumbnailUnavailable("The thumbnail is not a picture.")
    with contextlib.suppress(OSError):  # a full disk costs a fetch next time, nothing more
        cache.put(url, data)
    return data
