"""A short-lived cache of public reads (open tasks, skills, areas), dropped on every task event.

Entries remember the generation they were loaded in; the Kafka reader bumps the generation when a
task changes or fills, so a cached page never outlives the change it misses by more than the
time the event takes to arrive. Concurrent misses for one key share a single load.

Lasting entries (the skills, areas and organizations lists) are not made of tasks: task events
keep them (``invalidate_tasks``), and only ``invalidate`` (a taxonomy or organization edit) or
their own expiry drops them. Dropped with every task event, the skill names were read from the
members service again for nearly every ``postTask`` and offer update under load.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any


@dataclass
class _Entry:
    value: Any
    generation: int
    expires: float


class PublicCache:
    def __init__(self, ttl_seconds: float, clock: Callable[[], float] = time.monotonic, max_entries: int = 2000):
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._max_entries = max_entries
        self._entries: dict[Hashable, _Entry] = {}
        self._loading: dict[tuple[Hashable, int], asyncio.Future] = {}
        self.generation = 0  # moves with every change: task-derived entries and cached responses
        self.lasting_generation = 0  # moves with ``invalidate`` only: lasting entries

    def invalidate(self) -> None:
        """Forget everything cached so far, lasting entries too; safe to call from any thread."""
        self.lasting_generation += 1
        self.generation += 1

    def invalidate_tasks(self) -> None:
        """A task changed: forget what is made of tasks, keep the lasting entries; safe to call
        from any thread."""
        self.generation += 1

    async def get_or_load(
        self,
        key: Hashable,
        load: Callable[[], Awaitable[Any]],
        ttl_seconds: float | None = None,
        lasting: bool = False,
    ):
        ttl = self.ttl_seconds if ttl_seconds is None else ttl_seconds
        key = ("lasting", key) if lasting else key  # a lasting entry never answers for a task-derived one
        entry = self._entries.get(key)
        generation = self.lasting_generation if lasting else self.generation
        if entry is not None and entry.generation == generation and entry.expires > self._clock():
            return entry.value
        if ttl <= 0:
            return await load()
        pending = self._loading.get((key, generation))
        if pending is not None:
            return await asyncio.shield(pending)
        return await self._load(key, generation, load, ttl)

    async def _load(self, key: Hashable, generation: int, load, ttl: float):
        future = asyncio.get_running_loop().create_future()
        self._loading[(key, generation)] = future
        try:
            value = await load()
        except asyncio.CancelledError:
            future.cancel()
            raise
        except Exception as error:
            future.set_exception(error)
            future.exception()  # marks it retrieved when nobody else was waiting
            raise
        finally:
            self._loading.pop((key, generation), None)
        future.set_result(value)
        if len(self._entries) >= self._max_entries:
            self._entries.clear()
        self._entries[key] = _Entry(value, generation, self._clock() + ttl)
        return value
