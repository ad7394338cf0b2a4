"""A clock a test moves on instead of waiting, for services that take theirs as a parameter."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from services.common.clock import utc_now


class MovableClock:
    """The real UTC clock, which the test can move ahead (never back).

    Time keeps passing between moves, so a service's loops behave as they do in production; a test
    that would sleep until a quiet window ends or a reminder falls due moves the clock there instead.
    """

    def __init__(self) -> None:
        self._ahead = timedelta(0)
        self._lock = threading.Lock()  # read by the service's threads, moved by the test's

    def __call__(self) -> datetime:
        with self._lock:
            return utc_now() + self._ahead

    def move_to(self, moment: datetime) -> None:
        """From now on the clock reads ``moment`` or later; a moment already past changes nothing."""
        with self._lock:
            self._ahead = max(self._ahead, moment - utc_now())
