"""A fill reaches subscribers once the tasks service shows it, so the view they read back is not
the one from before the fill (the tasks service follows matching's fills and tells nobody)."""

from __future__ import annotations

import asyncio

from gateway.live.hub import LiveEvent
from gateway.live.settling import FillSettling

FILLED = LiveEvent("fill", "fill.completed", "task-1", {"slots": 2, "accepted": 2}, "e1", "task-1", 3)


def run(counts: list[int | None], event: LiveEvent, timeout_s: float = 2.0) -> tuple[list, list]:
    relayed, asked = [], []

    async def accepted_count(task_id: str) -> int | None:
        asked.append(task_id)
        return counts.pop(0) if len(counts) > 1 else counts[0]

    async def scenario() -> None:
        settling = FillSettling(accepted_count, lambda e: relayed.append((e, len(asked))), timeout_s, poll_s=0.01)
        settling.bind(asyncio.get_running_loop())
        await asyncio.to_thread(settling.publish_threadsafe, event)  # as the live reader's thread does
        for _ in range(300):
            if relayed:
                return
            await asyncio.sleep(0.01)

    asyncio.run(scenario())
    return relayed, asked


def test_a_fill_is_relayed_once_the_tasks_service_counts_the_same_acceptances():
    relayed, asked = run([1, 1, 2], FILLED)
    assert relayed == [(FILLED, 3)]  # asked until the tasks service showed two
    assert set(asked) == {"task-1"}


def test_a_fill_the_tasks_service_never_shows_is_relayed_after_the_timeout():
    relayed, _ = run([1], FILLED, timeout_s=0.2)
    assert [event for event, _ in relayed] == [FILLED]


def test_offers_and_task_states_are_relayed_at_once():
    offer = LiveEvent("offer", "offer.created", "task-1", {"offer_id": "o1"}, "e2", "o1", 1)
    relayed, asked = run([0], offer)
    assert relayed == [(offer, 0)] and asked == []
