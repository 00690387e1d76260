"""Is this an email address? One sentence when it is not (issue 16 item 5).

The check is the ``email-validator`` library's syntax check (no DNS lookup): it knows what a
regular expression gets wrong ("bob.kumar@example" has no domain, "a..b@example.com" has two
dots in a row, ``.test`` and ``.local`` domains cannot receive mail, and international
addresses are fine).

The library spends about 0.2 ms per address, mostly on the domain, and an import checks
every row twice (a first pass counts, the second sends): a 100,000-row file would spend
40 s there. So the domain's verdict is cached (a list has few domains), and a local part
that is a plain ASCII dot-atom of at most 64 characters (which the library always accepts)
is not checked again; anything else goes to the library whole.
"""

from __future__ import annotations

import functools
import re

from ..kaltura.errors import InvalidInput

#: An RFC 5322 ``dot-atom`` in ASCII: what ``email-validator`` accepts as a local part as is.
_PLAIN_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
MAX_LOCAL = 64
#: The longest address (RFC 5321 path limit less the angle brackets), as the library has it.
MAX_EMAIL = 254


def email_problem(address: str) -> str:
    """Why ``address`` is not an email address, or '' when it is one.

    The reason is the library's, lower-cased and without its full stop, to follow a
    sentence's start: "the part after the @-sign is not valid. It should have a period".
    """
    local, at, domain = address.rpartition("@")
    if at and len(address) <= MAX_EMAIL and len(local) <= MAX_LOCAL \
            and _PLAIN_LOCAL.fullmatch(local) and domain.isascii():
        return _domain_problem(domain.lower())
    return _library_problem(address)


def check_email(address: str) -> str:
    """``address`` when it is an email address.

    Raises:
        InvalidInput: One sentence naming the address and what is wrong with it.
    """
    problem = email_problem(address)
    if problem:
        raise InvalidInput(f'"{address}" is not a valid email address: {problem}.', "BAD_EMAIL")
    return address


@functools.lru_cache(maxsize=4096)
def _domain_problem(domain: str) -> str:
    """The library's verdict on ``x@domain`` (cached: a list has few domains)."""
    return _library_problem(f"x@{domain}")


def _library_problem(address: str) -> str:
    from email_validator import EmailNotValidError, validate_email  # only when checking

    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError as exc:
        return _sentence(str(exc))
    return ""


def _sentence(text: str) -> str:
    """The library's message with a lower-case start and no final full stop."""
    text = text.strip().rstrip(".") or "it is not valid"
    if text[0].isupper() and not text[1:2].isupper():
        text = text[0].lower() + text[1:]
    return text
