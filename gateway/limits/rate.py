"""Fixed-window rate limits kept in memory, per gateway instance.

Each instance counts on its own, so N instances allow up to N times the configured rate; that
is acceptable for abuse protection (the limits are an order of magnitude above normal use).
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from gateway.errors import RateLimited


@dataclass(frozen=True)
class Rule:
    name: str
    limit: int
    window_seconds: float


class RateLimiter:
    def __init__(self, clock=time.monotonic, max_keys: int = 100_000):
        self._clock = clock
        self._max_keys = max_keys
        self._windows: dict[tuple[str, str], tuple[float, int, float]] = {}
        self._lock = threading.Lock()

    def hit(self, rule: Rule, key: str) -> int:
        """Count one request; returns 0 when allowed, else the seconds until it would be."""
        now = self._clock()
        with self._lock:
            started, count, _ = self._windows.get((rule.name, key), (now, 0, rule.window_seconds))
            if now - started >= rule.window_seconds:
                started, count = now, 0
            if count >= rule.limit:
                return max(1, math.ceil(started + rule.window_seconds - now))
            if len(self._windows) >= self._max_keys:
                self._forget_expired(now)
            self._windows[(rule.name, key)] = (started, count + 1, rule.window_seconds)
            return 0

    def check(self, rule: Rule, key: str, what: str) -> None:
        """Raise RateLimited when ``key`` went over ``rule``."""
        if retry_after := self.hit(rule, key):
            raise RateLimited(f"Too many {what}; try again in {retry_after} seconds.", retry_after)

    def _forget_expired(self, now: float) -> None:
        expired = [key for key, (started, _, window) in self._windows.items() if now - started >= window]
        for key in expired:
            del self._windows[key]
        if len(self._windows) >= self._max_keys:  # still full: a flood of distinct keys; start over
            self._windows.clear()
