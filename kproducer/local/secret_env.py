"""Secret environment variables, taken out of the process environment at start.

``KALTURA_ADMIN_SECRET``, ``KALTURA_CNC_APP_TOKEN`` and ``KALTURA_KME_SECRET`` may be given
in the environment, but every child process inherits the environment: QtWebEngine's
renderer and GPU processes, a browser opened with "Open in system browser", a file manager.
So the ``kproducer`` process moves them into memory (:func:`take`) before anything starts a
child, and reads them back with :data:`ENVIRONMENT`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping

#: The variables that hold secrets (those of :data:`kproducer.local.secret_store.ENV_VARS`).
SECRET_VARIABLES = ("KALTURA_ADMIN_SECRET", "KALTURA_CNC_APP_TOKEN", "KALTURA_KME_SECRET")

_taken: dict[str, str] = {}


def take() -> None:
    """Move the secret variables from ``os.environ`` (and the C environment) into memory."""
    _taken.clear()
    for name in SECRET_VARIABLES:
        value = os.environ.pop(name, None)  # os.environ.pop also calls unsetenv()
        if value is not None:
            _taken[name] = value


class _Environment(Mapping[str, str]):
    """``os.environ`` as it was at start: the live environment, then what :func:`take` took."""

    def __getitem__(self, name: str) -> str:
        if name in os.environ:
            return os.environ[name]
        return _taken[name]

    def __iter__(self) -> Iterator[str]:
        return iter({**_taken, **os.environ})

    def __len__(self) -> int:
        return len({**_taken, **os.environ})


#: Where the secret variables are read from (never ``os.environ`` directly).
ENVIRONMENT: Mapping[str, str] = _Environment()
