"""One log line per refused widget origin per interval, not one per connection attempt.

A partner page whose origin is not in GATEWAY_WIDGET_ORIGINS retries its WebSocket; strawberry logs
a warning for every refused handshake. The warning is worth having (it tells the operator which site
to allow), a page of identical ones is not: this filter lets the first through and, an interval
later, the next one with the number held back in between.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

STRAWBERRY_WS_LOGGER = "strawberry.ws"
REJECTED = "Rejected WebSocket connection"


class OncePerOrigin(logging.Filter):
    def __init__(self, interval_s: float = 300, clock: Callable[[], float] = time.monotonic, max_origins: int = 1000):
        super().__init__()
        self.interval_s = interval_s
        self.clock = clock
        self.max_origins = max_origins
        self.seen: dict[str, tuple[float, int]] = {}  # origin -> (when last logged, held back since)
        self.lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        if not str(record.msg).startswith(REJECTED) or not record.args:
            return True
        origin = str(record.args[0] if isinstance(record.args, tuple) else record.args)
        now = self.clock()
        with self.lock:
            last, held = self.seen.get(origin, (None, 0))
            if last is not None and now - last < self.interval_s:
                self.seen[origin] = (last, held + 1)
                return False
            if len(self.seen) >= self.max_origins:  # a flood of made-up origins must not grow memory
                self.seen.clear()
            self.seen[origin] = (now, 0)
        if held:
            record.msg = f"{record.msg} ({held} more from this origin held back since the last such line)"
        return True


def log_rejected_origins_once(interval_s: float = 300) -> OncePerOrigin:
    """Install the filter on strawberry's WebSocket logger (once per process) and return it."""
    logger = logging.getLogger(STRAWBERRY_WS_LOGGER)
    for existing in logger.filters:
        if isinstance(existing, OncePerOrigin):
            return existing
    once = OncePerOrigin(interval_s)
    logger.addFilter(once)
    return once
