"""Fill events reach subscribers once the tasks service shows them.

Matching decides when a task fills; the tasks service follows its fill events and never tells
them back. Subscribers react to a fill by reading the task from the tasks service, so a fill
relayed the moment it arrives could meet the task before the tasks service applied it, and no
later event would correct the view. A fill is therefore relayed once the tasks service counts
the same acceptances, or after ``timeout_s`` whatever it shows.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from gateway.live.hub import LiveEvent

log = logging.getLogger(__name__)

AcceptedCount = Callable[[str], Awaitable[int | None]]  # the tasks service's count for a task id


class FillSettling:
    def __init__(
        self,
        accepted_count: AcceptedCount,
        relay: Callable[[LiveEvent], None],
        timeout_s: float = 5.0,
        poll_s: float = 0.1,
    ):
        self.accepted_count = accepted_count
        self.relay = relay
        self.timeout_s = timeout_s
        self.poll_s = poll_s
        self._loop: asyncio.AbstractEventLoop | None = None

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def publish_threadsafe(self, event: LiveEvent) -> None:
        """From the live reader's thread: relay now, or for a fill once the tasks service shows it."""
        if event.kind != "fill" or self._loop is None:
            self.relay(event)
        elif not self._loop.is_closed():
            asyncio.run_coroutine_threadsafe(self.settle_then_relay(event), self._loop)

    async def settle_then_relay(self, event: LiveEvent) -> None:
        try:
            await asyncio.wait_for(self._tasks_shows(event), self.timeout_s)
        except (TimeoutError, asyncio.TimeoutError):
            log.info(
                "tasks service does not show fill %s of task %s yet; relaying it anyway", event.sequence, event.task_id
            )
        self.relay(event)

    async def _tasks_shows(self, event: LiveEvent) -> None:
        wanted = event.data.get("accepted")
        while True:
            try:
                if await self.accepted_count(str(event.task_id)) == wanted:
                    return
            except Exception:  # tasks unreachable: no point waiting for it
                log.warning("cannot read task %s from the tasks service", event.task_id, exc_info=True)
                return
            await asyncio.sleep(self.poll_s)
