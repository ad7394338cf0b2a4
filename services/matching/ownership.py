"""Which task partitions this instance matches for, as the consumer group hands them out.

Matcher instances share the tasks topic in one consumer group, so each task partition belongs to
exactly one live instance at a time, and that instance sends the task's waves, re-offers and
expiries. (A decline or a withdrawal answered through another instance is topped up there at
once: the fill lock makes that safe, and the owner need not hear of it.) During a rebalance two
instances may briefly both think they own a partition; the fill row lock every wave takes (see
``capacity``) keeps them from offering a task twice even then.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from kafka import ConsumerRebalanceListener
from prometheus_client import Gauge

log = logging.getLogger(__name__)

OWNED_PARTITIONS = Gauge(
    "matching_owned_task_partition", "1 when this instance matches the tasks of that partition", ["partition"]
)


class PartitionOwnership(ConsumerRebalanceListener):
    def __init__(self, topic: str, on_change: Callable[[], None] = lambda: None) -> None:
        self.topic = topic
        self.on_change = on_change
        self._owned: frozenset[int] = frozenset()
        self._lock = threading.Lock()

    def owned(self) -> frozenset[int]:
        with self._lock:
            return self._owned

    def on_partitions_revoked(self, revoked) -> None:
        self._set(self.owned() - self._numbers(revoked))

    def on_partitions_assigned(self, assigned) -> None:
        self._set(self.owned() | self._numbers(assigned))

    def _numbers(self, partitions) -> frozenset[int]:
        return frozenset(p.partition for p in partitions if p.topic == self.topic)

    def _set(self, owned: frozenset[int]) -> None:
        with self._lock:
            before, self._owned = self._owned, owned
        for partition in before - owned:
            OWNED_PARTITIONS.labels(str(partition)).set(0)
        for partition in owned:
            OWNED_PARTITIONS.labels(str(partition)).set(1)
        if owned != before:
            log.info("matching task partitions %s", sorted(owned))
            self.on_change()
