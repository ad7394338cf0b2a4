"""A volunteer's live offer updates are told from the event itself: one offer event does not turn
into a call to matching per subscriber."""

import asyncio
from types import SimpleNamespace
from uuid import uuid4

from gateway.live.hub import LiveEvent
from gateway.schema.offers.subscriptions import offer_of


class NoCalls:
    async def get(self, *args, **kwargs):
        raise AssertionError("the subscription called matching back")


def offer_event(**data) -> LiveEvent:
    offer_id, task_id = str(uuid4()), str(uuid4())
    payload = {"offer_id": offer_id, "task_id": task_id, "member_id": str(uuid4()), "status": "pending",
               "reasons": ["speaks French"], "expires_at": "2026-12-03T10:00:00Z", "withdrawn_because": None,
               "sequence": 1} | data
    return LiveEvent("offer", "offer.created", task_id, payload, str(uuid4()), offer_id, 1)


def test_an_offer_event_carrying_its_task_title_is_told_without_calling_matching():
    info = SimpleNamespace(context=SimpleNamespace(clients=SimpleNamespace(matching=NoCalls()),
                                                   refresh_loaders=lambda: None))
    event = offer_event(task_title="Legal clinic shift", created_at="2026-12-02T10:00:00Z")
    offer = asyncio.run(offer_of(info, event))
    assert (offer.task_title, offer.status.value, offer.reasons) == ("Legal clinic shift", "pending", ["speaks French"])
    assert offer.created_at is not None and str(offer.id) == event.data["offer_id"]
