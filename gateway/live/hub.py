"""Fan-out of live events to the subscriptions open on this gateway instance.

The Kafka reader runs in a thread and hands events over with :meth:`Hub.publish_threadsafe`; each
subscription reads its own bounded queue on the event loop. A subscriber too slow to keep up
is told so (its stream ends with an error) rather than silently missing events.

A volunteer's subscription wants one member's offers only: it subscribes with ``offers_of`` and
is handed those alone, found by member id. Handing every event to every volunteer to filter made
one offer cost a queue hand-off and a wake-up per connected volunteer (200 volunteers at 50
tasks/s: 30,000 wake-ups a second on the gateway's event loop), and let a burst of other
people's events overflow a volunteer's queue.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class LiveEvent:
    """One event as subscriptions see it. ``kind`` is offer, fill or task.

    ``event_id`` tells a repeat; ``entity`` (the offer's or the task's id) and ``sequence`` order
    the changes of one offer or one fill (see ``freshness``).
    """

    kind: str
    type: str
    task_id: str | None
    data: dict[str, Any] = field(default_factory=dict)
    event_id: str | None = None
    entity: str | None = None
    sequence: int = 0


class SubscriberTooSlow(Exception):
    pass


_OVERFLOW = object()


class Subscriber:
    def __init__(self, queue_size: int):
        self.queue: asyncio.Queue = asyncio.Queue(queue_size)

    def offer(self, event: LiveEvent) -> None:
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(_OVERFLOW)

    async def events(self) -> AsyncIterator[LiveEvent]:
        while True:
            event = await self.queue.get()
            if event is _OVERFLOW:
                raise SubscriberTooSlow("Too many updates to keep up with; subscribe again to catch up.")
            yield event


class Hub:
    def __init__(self, queue_size: int = 500):
        self.queue_size = queue_size
        self._subscribers: set[Subscriber] = set()  # every event
        self._offers_of: dict[str, set[Subscriber]] = {}  # member id -> subscribers to their offers only
        self._loop: asyncio.AbstractEventLoop | None = None

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def publish_threadsafe(self, event: LiveEvent) -> None:
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self.publish, event)

    def publish(self, event: LiveEvent) -> None:
        for subscriber in list(self._subscribers):
            subscriber.offer(event)
        member_id = event.data.get("member_id") if event.kind == "offer" else None
        for subscriber in list(self._offers_of.get(member_id, ())) if member_id else ():
            subscriber.offer(event)

    @asynccontextmanager
    async def subscribe(self, offers_of: str | None = None) -> AsyncIterator[Subscriber]:
        """Every event; or, with ``offers_of`` (a member id), that member's offer events only."""
        subscriber = Subscriber(self.queue_size)
        group = self._subscribers if offers_of is None else self._offers_of.setdefault(offers_of, set())
        group.add(subscriber)
        try:
            yield subscriber
        finally:
            group.discard(subscriber)
            if offers_of is not None and not group:
                self._offers_of.pop(offers_of, None)
