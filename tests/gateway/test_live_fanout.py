"""One live event does not turn into a service call per subscriber: a volunteer's offer update is
told from the event itself, and coordinators' subscriptions share what they learnt of which
organization a task belongs to."""

import asyncio
from types import SimpleNamespace
from uuid import uuid4

from gateway.live.hub import Hub, LiveEvent
from gateway.live.task_owners import TaskOwners
from gateway.schema.coordination.subscriptions import TaskWatch
from gateway.schema.offers.subscriptions import offer_of


class NoCalls:
    async def get(self, *args, **kwargs):
        raise AssertionError("the subscription called matching back")


def offer_event(**data) -> LiveEvent:
    offer_id, task_id = str(uuid4()), str(uuid4())
    payload = {
        "offer_id": offer_id,
        "task_id": task_id,
        "member_id": str(uuid4()),
        "status": "pending",
        "reasons": ["speaks French"],
        "expires_at": "2026-12-03T10:00:00Z",
        "withdrawn_because": None,
        "sequence": 1,
    } | data
    return LiveEvent("offer", "offer.created", task_id, payload, str(uuid4()), offer_id, 1)


def test_an_offer_event_carrying_its_task_title_is_told_without_calling_matching():
    info = SimpleNamespace(
        context=SimpleNamespace(clients=SimpleNamespace(matching=NoCalls()), refresh_loaders=lambda: None)
    )
    event = offer_event(task_title="Legal clinic shift", created_at="2026-12-02T10:00:00Z")
    offer = asyncio.run(offer_of(info, event))
    assert (offer.task_title, offer.status.value) == ("Legal clinic shift", "pending")
    # a version 1 event's English reason reads as a TEXT reason
    assert [(reason.kind.value, reason.text) for reason in offer.reasons] == [("text", "speaks French")]
    assert offer.created_at is not None and str(offer.id) == event.data["offer_id"]


def test_a_volunteers_subscription_is_handed_their_own_offers_only_while_others_see_every_event():
    hub = Hub()
    amina, other_volunteers = str(uuid4()), [str(uuid4()) for _ in range(50)]

    async def run():
        async with hub.subscribe(offers_of=amina) as mine, hub.subscribe() as everything:
            hub.publish(LiveEvent("task", "task.posted", str(uuid4()), {"organization_id": str(uuid4())}))
            for member_id in other_volunteers:
                hub.publish(offer_event(member_id=member_id))
            ours = offer_event(member_id=amina)
            hub.publish(ours)
            return [mine.queue.get_nowait() for _ in range(mine.queue.qsize())], everything.queue.qsize(), ours

    handed, everything, ours = asyncio.run(run())
    assert handed == [ours]
    assert everything == 1 + len(other_volunteers) + 1


def test_a_member_with_no_subscription_left_is_forgotten_by_the_hub():
    hub = Hub()
    amina = str(uuid4())

    async def run():
        async with hub.subscribe(offers_of=amina), hub.subscribe(offers_of=amina) as second:
            pass
        hub.publish(offer_event(member_id=amina))  # nobody is left to hand it to
        return second.queue.qsize()

    assert asyncio.run(run()) == 0
    assert not hub._offers_of


class CountingTasks:
    def __init__(self, organization_id: str):
        self.organization_id, self.calls = organization_id, 0

    async def get(self, actor, task_id):
        self.calls += 1
        return {
            "id": str(task_id),
            "organization_id": self.organization_id,
            "coordinator_id": str(uuid4()),
            "title": "Legal clinic shift",
            "slots": 2,
            "status": "open",
            "time_zone": "America/Toronto",
        }


def test_coordinators_subscriptions_ask_the_tasks_service_once_per_unseen_task_not_once_each():
    ours, theirs = str(uuid4()), str(uuid4())
    tasks, owners = CountingTasks(ours), TaskOwners()

    async def actor():
        return None

    context = SimpleNamespace(
        clients=SimpleNamespace(tasks=tasks), gateway=SimpleNamespace(task_owners=owners), actor=actor
    )
    watches = [TaskWatch(SimpleNamespace(context=context)) for _ in range(50)]
    coordinator, stranger = SimpleNamespace(organization_id=ours), SimpleNamespace(organization_id=theirs)

    async def run():
        posted = LiveEvent("task", "task.posted", str(uuid4()), {"organization_id": ours})
        told = [await watch.concerns(coordinator, posted) for watch in watches]
        offered = offer_event()  # a task no task event told of
        concerned = [await watch.concerns(coordinator, offered) for watch in watches]
        strangers = [await watch.concerns(stranger, offered) for watch in watches]
        return told, concerned, strangers

    told, concerned, strangers = asyncio.run(run())
    assert all(told) and all(concerned) and not any(strangers)
    assert tasks.calls == 1
