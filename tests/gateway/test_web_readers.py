"""The gateway's readers outside the GraphQL schema (the calendar feed, the one-click answer and
unsubscribe pages, the fill settling's count) read the services' answers through the contract
models, over the clients and a stand-in transport: the fields they use come through typed, and an
answer missing one of them is refused by the contract naming the field, as the GraphQL types'
readers refuse it, instead of a KeyError or a page half empty."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from pydantic import ValidationError

from gateway.app import live_relay
from gateway.clients.contracts.matching import OfferReply
from gateway.clients.http import GATEWAY
from gateway.clients.services import ServiceClients
from gateway.live.hub import LiveEvent
from gateway.public_cache import PublicCache
from gateway.web import answers, calendar_feed, unsubscribe
from services.common.answer_links import AnswerLink
from services.common.contracts import OfferReason, ReasonKind, TaskStatus
from services.common.identity import GATEWAY_ISSUER, TokenIssuer, development_key

MEMBER = uuid4()
NOW = datetime.now(UTC)


def task_json(task_id: UUID, **fields: Any) -> dict:
    """A task as the tasks service answers it (``TaskPublic``), with fields the gateway ignores."""
    return {
        "id": str(task_id),
        "organization_id": str(uuid4()),
        "coordinator_id": str(uuid4()),
        "title": "Legal clinic",
        "summary": "Court house",
        "slots": 2,
        "accepted_count": 1,
        "status": "open",
        "starts_at": "2027-03-02T14:00:00Z",
        "ends_at": "2027-03-02T17:00:00Z",
        "time_zone": "America/Toronto",
        "area": None,
        "remote": False,
        "flexible": False,  # not read: a tolerant reader ignores it
    } | fields


def offer_json(task_id: UUID, **fields: Any) -> dict:
    return {
        "id": str(uuid4()),
        "task_id": str(task_id),
        "member_id": str(MEMBER),
        "status": "accepted",
        "task_title": "Legal clinic",
        "reasons": [{"kind": "recent_load", "recent_tasks": 0}],
    } | fields


def member_json(**fields: Any) -> dict:
    return {
        "id": str(MEMBER),
        "display_name": "Ana",
        "status": "active",
        "notifications": {"email": True, "detail": "discreet", "quiet_hours": None},
    } | fields


class StandIn:
    """Answers each (host, method, path) with the JSON given for it, or a 404 problem; keeps the
    bodies sent."""

    def __init__(self, answers: dict[tuple[str, str, str], Any]):
        self.answers = answers
        self.sent: list[tuple[str, str, bytes]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.sent.append((request.method, request.url.path, request.content))
        key = (request.url.host.removesuffix(".test"), request.method, request.url.path)
        if key not in self.answers:
            return httpx.Response(404, json={"type": "/problems/not-found", "title": "Not found", "detail": "no"})
        answer = self.answers[key]
        return httpx.Response(200, json=answer() if callable(answer) else answer)

    def gateway(self) -> SimpleNamespace:
        tokens = TokenIssuer(GATEWAY_ISSUER, development_key(GATEWAY_ISSUER))
        clients = ServiceClients.build(
            "http://members.test", "http://tasks.test", "http://matching.test", 5.0, tokens, httpx.MockTransport(self)
        )
        return SimpleNamespace(clients=clients)


def page(*items: dict) -> dict:
    return {"items": list(items), "total": len(items), "limit": 100, "offset": 0}


# --- The calendar feed -------------------------------------------------------------------------


async def test_the_feed_reads_the_accepted_tasks_with_a_time_and_their_places():
    timed, untimed = uuid4(), uuid4()
    services = StandIn(
        {
            ("matching", "GET", "/offers"): page(offer_json(timed), offer_json(untimed)),
            ("tasks", "GET", "/tasks"): page(
                task_json(timed, status="cancelled"), task_json(untimed, starts_at=None, ends_at=None)
            ),
            ("tasks", "GET", "/tasks/addresses"): {"items": [{"task_id": str(timed), "address": "1 Main St"}]},
        }
    )

    detailed = await calendar_feed.accepted_tasks(services.gateway(), MEMBER, detailed=True)
    discreet = await calendar_feed.accepted_tasks(services.gateway(), MEMBER, detailed=False)

    starts, ends = datetime(2027, 3, 2, 14, tzinfo=UTC), datetime(2027, 3, 2, 17, tzinfo=UTC)
    event = calendar_feed.FeedEvent(
        timed, "Legal clinic", starts, ends, "America/Toronto", TaskStatus.cancelled, "1 Main St"
    )
    assert detailed == [event]
    assert discreet == [calendar_feed.FeedEvent(timed, "Legal clinic", starts, ends, "America/Toronto", event.status)]
    assert b"STATUS:CANCELLED" in calendar_feed.render(detailed, "en", "http://x/volunteer.html", True, NOW)


async def test_a_feed_without_accepted_offers_asks_the_tasks_service_nothing():
    services = StandIn({("matching", "GET", "/offers"): page()})

    assert await calendar_feed.accepted_tasks(services.gateway(), MEMBER, detailed=True) == []
    assert [path for _, path, _ in services.sent] == ["/offers"]


@pytest.mark.parametrize(
    ("notifications", "detailed"),
    [
        ({"email": True, "detail": "detailed", "quiet_hours": None}, True),
        ({"email": True, "detail": "discreet", "quiet_hours": None}, False),
        (None, False),  # not shown to this reader: discreet, the default
    ],
)
async def test_the_feed_is_detailed_only_for_a_member_who_chose_detailed_messages(notifications, detailed):
    services = StandIn({("members", "GET", f"/members/{MEMBER}"): member_json(notifications=notifications)})

    assert await calendar_feed.wants_details(services.gateway(), MEMBER) is detailed


@pytest.mark.parametrize(
    ("route", "answer", "field"),
    [
        (("matching", "GET", "/offers"), page({"id": str(uuid4()), "status": "accepted"}), "task_id"),
        (("tasks", "GET", "/tasks"), page({**task_json(uuid4()), "time_zone": None}), "time_zone"),
        (("tasks", "GET", "/tasks/addresses"), {"items": [{"address": "1 Main St"}]}, "task_id"),
    ],
)
async def test_a_malformed_answer_to_the_feed_is_refused_naming_the_field(route, answer, field):
    task_id = uuid4()
    good = {
        ("matching", "GET", "/offers"): page(offer_json(task_id)),
        ("tasks", "GET", "/tasks"): page(task_json(task_id)),
        ("tasks", "GET", "/tasks/addresses"): {"items": []},
    }
    services = StandIn(good | {route: answer})

    with pytest.raises(ValidationError, match=field):
        await calendar_feed.accepted_tasks(services.gateway(), MEMBER, detailed=True)


# --- The one-click answer page -----------------------------------------------------------------


def link(offer_id: UUID, action: str = "accept") -> AnswerLink:
    return AnswerLink(offer_id=offer_id, member_id=MEMBER, action=action, language="en", expires_at=NOW + timedelta(1))


def offer(**fields: Any) -> OfferReply:
    return OfferReply.model_validate(offer_json(uuid4(), **fields))


@pytest.mark.parametrize(
    ("fields", "action", "answer"),
    [
        ({"status": "pending", "expires_at": (NOW + timedelta(hours=1)).isoformat()}, "accept", None),
        ({"status": "pending", "expires_at": (NOW - timedelta(hours=1)).isoformat()}, "accept", "answer.expired"),
        ({"status": "withdrawn", "withdrawn_because": "task filled"}, "accept", "answer.filled"),
        ({"status": "withdrawn"}, "decline", "answer.withdrawn"),
        ({"status": "accepted"}, "accept", "answer.already_accepted"),
        ({"status": "accepted"}, "decline", "answer.decline_after_accept"),
        ({"status": "declined"}, "accept", "answer.already_declined"),
        ({"status": "accepted"}, "cant_come", None),
        ({"status": "cancelled_by_volunteer"}, "still_coming", "answer.already_withdrawn"),
    ],
)
def test_an_offer_that_can_no_longer_be_answered_gets_its_plain_answer(fields, action, answer):
    assert answers.settled(offer(**fields), action) == answer


async def test_the_answer_page_reads_the_offer_and_its_task():
    task_id = uuid4()
    answer = offer_json(task_id, status="pending", reasons=["speaks French"])
    services = StandIn(
        {
            ("matching", "GET", f"/offers/{answer['id']}"): answer,
            ("tasks", "GET", f"/tasks/{task_id}"): task_json(
                task_id, remote=True, deadline="2027-03-01T12:00:00-05:00"
            ),
        }
    )
    gateway = services.gateway()
    asked = link(UUID(answer["id"]))

    details = await answers._details(gateway, asked, await answers._offer(gateway, asked))

    assert (details.title, details.summary, details.place, details.time_zone) == (
        "Legal clinic",
        "Court house",
        "Remote",
        "America/Toronto",
    )
    assert (details.starts_at, details.deadline) == (
        datetime(2027, 3, 2, 14, tzinfo=UTC),
        datetime(2027, 3, 1, 17, tzinfo=UTC),
    )
    assert details.reasons == [OfferReason(kind=ReasonKind.text, text="speaks French")]


async def test_an_offer_whose_task_cannot_be_read_shows_the_title_the_offer_carries():
    answer = offer_json(uuid4(), status="pending", task_title="Food bank shift")
    services = StandIn({("matching", "GET", f"/offers/{answer['id']}"): answer})
    gateway = services.gateway()
    asked = link(UUID(answer["id"]))

    details = await answers._details(gateway, asked, await answers._offer(gateway, asked))

    assert (details.title, details.starts_at) == ("Food bank shift", None)


async def test_another_members_offer_is_refused_and_a_malformed_one_names_its_missing_field():
    other = offer_json(uuid4(), member_id=str(uuid4()))
    malformed = {key: value for key, value in offer_json(uuid4()).items() if key != "status"}
    services = StandIn(
        {
            ("matching", "GET", f"/offers/{other['id']}"): other,
            ("matching", "GET", f"/offers/{malformed['id']}"): malformed,
        }
    )

    with pytest.raises(answers.Refused, match="answer.invalid"):
        await answers._offer(services.gateway(), link(UUID(other["id"])))
    with pytest.raises(ValidationError, match="status"):
        await answers._offer(services.gateway(), link(UUID(malformed["id"])))


# --- The unsubscribe page ----------------------------------------------------------------------


def test_unsubscribing_sends_the_members_service_only_email_off():
    assert unsubscribe.EMAIL_OFF.sent() == {"notifications": {"email": False}}


def test_the_unsubscribe_page_reads_whether_email_is_on_and_refuses_a_profile_without_the_choice():
    profile = member_json()
    off = member_json(notifications={"email": False, "detail": "discreet", "quiet_hours": None})

    assert unsubscribe.email_on(unsubscribe.MemberReply.model_validate(profile)) is True
    assert unsubscribe.email_on(unsubscribe.MemberReply.model_validate(off)) is False
    with pytest.raises(ValueError, match="without its notifications"):
        unsubscribe.email_on(unsubscribe.MemberReply.model_validate(member_json(notifications=None)))


# --- The fill settling's count -----------------------------------------------------------------


class RecordingHub:
    def __init__(self):
        self.heard: list[LiveEvent] = []

    def bind(self, loop) -> None:
        pass

    def publish_threadsafe(self, event: LiveEvent) -> None:
        self.heard.append(event)


async def test_a_fill_is_relayed_once_the_tasks_service_counts_its_acceptances_read_through_the_contract():
    task_id = uuid4()
    counts = [1, 2]  # the tasks service applies the fill after the first read
    services = StandIn({("tasks", "GET", "/tasks"): lambda: page(task_json(task_id, accepted_count=counts.pop(0)))})
    gateway = services.gateway()
    gateway.hub, gateway.cache = RecordingHub(), PublicCache(0)
    filled = LiveEvent("fill", "fill.completed", str(task_id), {"slots": 2, "accepted": 2}, "e1", str(task_id), 1)

    publish = live_relay(gateway)
    await asyncio.to_thread(publish, filled)  # as the live reader's thread does
    for _ in range(200):
        if gateway.hub.heard:
            break
        await asyncio.sleep(0.01)

    assert gateway.hub.heard == [filled]
    assert [path for _, path, _ in services.sent] == ["/tasks", "/tasks"]  # asked until it counted two


async def test_the_batch_task_read_gives_typed_tasks_and_refuses_one_without_its_count_type():
    task_id = uuid4()
    services = StandIn({("tasks", "GET", "/tasks"): page(task_json(task_id, accepted_count=2))})

    tasks = await services.gateway().clients.tasks.many(GATEWAY, [task_id])

    assert [(task.id, task.accepted_count) for task in tasks] == [(task_id, 2)]
    services.answers[("tasks", "GET", "/tasks")] = page(task_json(task_id, accepted_count="two"))
    with pytest.raises(ValidationError, match="accepted_count"):
        await services.gateway().clients.tasks.many(GATEWAY, [task_id])
