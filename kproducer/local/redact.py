"""Masking of credentials in anything kproducer shows, records or logs.

``redact(text)`` masks:

- Kaltura sessions: KS v2 (base64 of ``v2|``, i.e. starting ``djJ8``), KS v1 and any other
  long base64 run (64+ characters), and the value of any ``ks`` parameter;
- JWTs (``eyJ…`` header, three base64url parts separated by dots);
- every secret registered with :func:`register_secret` (admin secret, CnC app token, KME
  secret…), wherever it appears;
- live stream credentials in Kaltura answers, before they are known to be secrets: the
  ``streamPassword``/``srtPass`` elements, the ``t=`` (stream key) of broadcast URLs and the
  ``p=``/``ep=`` of SRT stream IDs (``#:::e=…,st=…,p=KEY``).

Use it on every string that leaves the process in a log, an activity record or an error
message. ``RedactingFilter`` applies it to :mod:`logging` records.
"""

from __future__ import annotations

import logging
import re
import threading

KS_MASK = "[redacted KS]"
JWT_MASK = "[redacted JWT]"
SECRET_MASK = "[redacted]"

#: Shorter values are not registered: masking them would garble ordinary text.
MIN_SECRET_LENGTH = 6

_KS_V2 = re.compile(r"djJ8[A-Za-z0-9_\-+/]{16,}={0,2}")
_JWT = re.compile(r"eyJ[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]*")
_LONG_B64 = re.compile(r"(?<![A-Za-z0-9_\-+/])[A-Za-z0-9_\-+/]{64,}={0,2}")
_KS_PARAM = re.compile(r"""(?i)(\bks["']?\s*[:=]\s*["']?)(?!\[redacted)([^"'&\s,;}\]]+)""")

_STREAM_FIELDS = re.compile(r"(<(streamPassword|srtPass)>)([^<]+)(</\2>)")
_STREAM_T = re.compile(r"([?&](?:amp;)?t=)(?!\[redacted)([^&\s\"'<]+)")
_SRT_ID = re.compile(r"#:::[^\s<\"']*")
_SRT_PASS = re.compile(r"((?:^|[,:])e?p=)(?!\[redacted)([^,]+)")

_lock = threading.Lock()
_secrets: set[str] = set()
_secret_pattern: re.Pattern[str] | None = None


def register_secret(value: str | None) -> None:
    """Mask ``value`` wherever it appears from now on (values under 6 characters are ignored).

    Args:
        value: A secret such as the admin secret, an app token or the KME secret.
    """
    global _secret_pattern
    if not value or len(value) < MIN_SECRET_LENGTH:
        return
    with _lock:
        if value in _secrets:
            return
        _secrets.add(value)
        _secret_pattern = _compile(_secrets)


def forget_secret(value: str) -> None:
    """Stop masking ``value`` (e.g. after a profile was removed)."""
    global _secret_pattern
    with _lock:
        _secrets.discard(value)
        _secret_pattern = _compile(_secrets) if _secrets else None


def _compile(values: set[str]) -> re.Pattern[str]:
    # Longest first, so a secret containing another is masked whole.
    ordered = sorted(values, key=len, reverse=True)
    return re.compile("|".join(re.escape(v) for v in ordered))


def redact(text: str) -> str:
    """``text`` with every KS, JWT and registered secret masked.

    Args:
        text: Any text: a log line, an error message, a request dump.

    Returns:
        The same text with credentials replaced by ``[redacted …]`` markers.
    """
    if not text:
        return text
    pattern = _secret_pattern
    if pattern is not None:
        text = pattern.sub(SECRET_MASK, text)
    text = _STREAM_FIELDS.sub(lambda m: m.group(1) + SECRET_MASK + m.group(4), text)
    text = _STREAM_T.sub(lambda m: m.group(1) + SECRET_MASK, text)
    text = _SRT_ID.sub(lambda m: _SRT_PASS.sub(lambda p: p.group(1) + SECRET_MASK, m.group(0)),
                       text)
    text = _JWT.sub(JWT_MASK, text)
    text = _KS_V2.sub(KS_MASK, text)
    text = _KS_PARAM.sub(lambda m: m.group(1) + KS_MASK, text)
    return _LONG_B64.sub(KS_MASK, text)


class RedactingFilter(logging.Filter):
    """A logging filter that redacts each record's final message (attach to handlers)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Replace the record's message and arguments by their redacted rendering."""
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
