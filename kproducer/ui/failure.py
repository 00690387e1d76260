"""Why a job failed: one sentence for the producer, the details for a developer.

Plain data (no Qt): :func:`describe` turns any exception a job raised into a
:class:`Failure`, never a traceback in its message.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass

#: Exceptions whose text is already a sentence written for the user (with KalturaError).
USER_ERRORS: tuple[type[BaseException], ...] = (ValueError, LookupError, OSError)


@dataclass(frozen=True)
class Failure:
    """Why a job failed, for people and for developers.

    Attributes:
        title: What the job was doing ("Loading events").
        message: One sentence for the status bar or a dialog.
        details: Error type, Kaltura code and traceback, shown only on demand.
        error: The exception itself.
    """

    title: str
    message: str
    details: str
    error: BaseException


def describe(title: str, error: BaseException) -> Failure:
    """Turn an exception into a :class:`Failure` (never a traceback in the message)."""
    from ..kaltura.errors import KalturaError  # imported here: it loads the Kaltura client

    if isinstance(error, OSError) and not isinstance(error, KalturaError):
        where = f" ({error.filename})" if error.filename else ""
        message = f"{title} failed: {error.strerror or error}{where}."
    elif isinstance(error, (KalturaError, *USER_ERRORS)) or _is_sentence_error(error):
        message = " ".join(str(error).split()) or f"{title} failed."
        if isinstance(error, LookupError) and message.startswith(("'", '"')):
            message = f"{title} failed: {message} was not found."
    else:
        message = (
            f"{title} failed because of an unexpected error ({type(error).__name__}); "
            "the details show where."
        )
    if message and message[-1] not in ".!?":
        message += "."
    lines = [f"{title}: {type(error).__name__}"]
    if isinstance(error, KalturaError):
        lines += [
            f"Kaltura code: {error.code or '-'}",
            f"Action: {error.action or '-'}",
            f"Server message: {error.server_message or '-'}",
        ]
    lines += ["", *traceback.format_exception(error)]
    return Failure(title, message, "\n".join(line.rstrip("\n") for line in lines), error)


def _is_sentence_error(error: BaseException) -> bool:
    """Errors of kproducer's own modules carry a sentence for the user (NoAccount, CsvError…)."""
    return type(error).__module__.startswith("kproducer.") and bool(str(error).strip())
