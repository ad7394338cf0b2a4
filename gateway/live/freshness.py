"""What subscribers already saw: repeated events and changes older than the latest are dropped.

The outbox relay may send the tail of a batch again after a broker restart (consumers with a
database drop repeats by event id; the live reader has none, so it remembers ids here), and two
matcher instances' relays may deliver one task's changes out of order. Offers and fills carry a
per-entity sequence: only a higher one than the last seen moves them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from gateway.live.hub import LiveEvent


class Freshness:
    def __init__(self, remember: int = 50_000):
        self.remember = remember  # ids and entities kept, the oldest forgotten first
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._latest: OrderedDict[tuple[str, str], int] = OrderedDict()
        self._lock = threading.Lock()

    def admit(self, event: LiveEvent) -> bool:
        """True if subscribers should see ``event``: not seen before, and newer than what they saw."""
        with self._lock:
            if event.event_id is not None:
                if event.event_id in self._seen:
                    return False
                self._keep(self._seen, event.event_id, None)
            if event.entity is None or not event.sequence:
                return True  # nothing to order by (a task state, an event from before sequences)
            key = (event.kind, event.entity)
            if self._latest.get(key, 0) >= event.sequence:
                return False
            self._keep(self._latest, key, event.sequence)
            return True

    def _keep(self, memory: OrderedDict, key, value) -> None:
        memory[key] = value
        memory.move_to_end(key)
        while len(memory) > self.remember:
            memory.popitem(last=False)
