"""What ``/_sandbox/faults`` injects and what ``/_sandbox/stats`` counts (DESIGN §4).

Plain state shared by the sandbox's HTTP front (:mod:`.server`) and its control endpoints.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Faults:
    """Injected faults; all off by default."""

    latency_ms: int = 0
    http_500_rate: float = 0.0
    drop_rate: float = 0.0
    malformed_rate: float = 0.0

    index_lag_ms: int = 0
    per_call_ms: int = 0

    @classmethod
    def parse(cls, data: Any) -> Faults:
        """Validate a ``/_sandbox/faults`` body; ``{}`` clears everything."""
        if not isinstance(data, dict):
            raise ValueError("the body must be a JSON object")
        durations = ("latency_ms", "index_lag_ms", "per_call_ms")
        rates = ("http_500_rate", "drop_rate", "malformed_rate")
        unknown = set(data) - {*durations, *rates}
        if unknown:
            raise ValueError(f"unknown fault: {', '.join(sorted(unknown))}")
        faults = cls()
        for name in durations:
            if name in data:
                value = data[name]
                if (
                    isinstance(value, bool)
                    or not isinstance(value, int)
                    or not 0 <= value <= 600_000
                ):
                    raise ValueError(f"{name} must be an integer from 0 to 600000")
                setattr(faults, name, value)
        for name in rates:
            if name in data:
                value = data[name]
                if (
                    isinstance(value, bool)
                    or not isinstance(value, (int, float))
                    or not 0 <= value <= 1
                ):
                    raise ValueError(f"{name} must be a number from 0 to 1")
                setattr(faults, name, float(value))
        return faults


@dataclass
class Stats:
    """Counters served by ``/_sandbox/stats``.

    ``connections`` counts TCP connections that carried at least one API request, so a
    client's keep-alive reuse can be measured without the stats requests themselves.
    """

    http_requests: int = 0
    api_calls: int = 0
    connections: int = 0
    by_action: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def snapshot(self) -> dict[str, Any]:
        """The JSON document of the stats endpoint."""
        with self.lock:
            return {
                "http_requests": self.http_requests,
                "api_calls": self.api_calls,
                "connections": self.connections,
                "by_action": dict(self.by_action),
            }

    def reset(self) -> None:
        """Zero every counter."""
        with self.lock:
            self.http_requests = self.api_calls = self.connections = 0
            self.by_action.clear()
