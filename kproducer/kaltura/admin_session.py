"""The admin KS: generated locally, short-lived, renewed before it expires.

Never ``session.start``: ``ks.generate_ks`` (``KalturaClient.generateSessionV2``) signs the
KS with the admin secret on this machine (seed: "KS and JWT generation"). The KS is renewed
``renew_before`` seconds ahead of its expiry, on the next call that needs it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from .ks import ADMIN_SESSION, generate_ks


class AdminSession:
    """Hands out a valid admin KS, regenerating it when it gets close to expiry (thread-safe).

    Args:
        admin_secret: The partner's admin secret (signs the KS).
        admin_user_id: The KS user.
        partner_id: The partner.
        lifetime: Seconds each KS is valid.
        renew_before: Renew when fewer than this many seconds are left.
        privileges: KS privileges, e.g. ``disableentitlement``.
        clock: Seconds since the epoch (injectable for tests).
    """

    def __init__(
        self,
        admin_secret: str,
        admin_user_id: str,
        partner_id: int,
        lifetime: int = 7200,
        renew_before: int = 600,
        privileges: str = "disableentitlement",
        clock: Callable[[], float] = time.time,
    ) -> None:
        if lifetime <= renew_before or renew_before < 0:
            raise ValueError("the KS lifetime must be longer than the renewal margin")
        self._secret = admin_secret
        self._user_id = admin_user_id
        self._partner_id = partner_id
        self.lifetime = lifetime
        self.renew_before = renew_before
        self._privileges = privileges
        self._clock = clock
        self._lock = threading.Lock()
        self._ks: str | None = None
        self._expires_at = 0.0
        self.generated = 0

    @property
    def expires_at(self) -> float:
        """When the current KS expires (seconds since the epoch; 0 before the first one)."""
        return self._expires_at

    def current(self) -> str:
        """A KS with more than ``renew_before`` seconds left (generated if needed)."""
        with self._lock:
            if self._ks is None or self._clock() >= self._expires_at - self.renew_before:
                self._generate()
            assert self._ks is not None
            return self._ks

    def renew(self) -> str:
        """Generate a new KS now."""
        with self._lock:
            self._generate()
            assert self._ks is not None
            return self._ks

    def _generate(self) -> None:
        now = self._clock()
        self._ks = generate_ks(self._secret, self._partner_id, self._user_id, ADMIN_SESSION,
                               self.lifetime, self._privileges)
        self._expires_at = now + self.lifetime
        self.generated += 1
