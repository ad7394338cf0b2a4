"""The volunteer's private calendar feed: ``GET /calendar/<token>.ics``, the tasks they accepted.

A calendar application polls the address with no sign-in, so the token (``gateway.auth.calendar_links``)
is the credential: renewing it from the volunteer page revokes the old one. The feed holds the
member's own accepted tasks only, never another person or a name, with times in each task's own
zone. Calendar alerts show on a lock screen, so it is as discreet as the member's messages: unless
they chose detailed messages, an event says only "Volunteer task" and links back to their page;
with detailed messages it carries the task's title and, accepted as it is, its place.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from icalendar import Calendar, Event
from starlette.responses import PlainTextResponse, Response

from gateway.auth import calendar_links
from gateway.clients.contracts.matching import OfferPageReply
from gateway.clients.contracts.members import MemberReply
from gateway.clients.http import Actor
from gateway.errors import ServiceUnavailable
from gateway.models import Role, User
from gateway.state import Gateway
from gateway.web.answer_page import text
from services.common.contracts import MessageDetail, TaskStatus
from services.common.problems import DomainError

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
PRODUCT = "-//Coalition Match//calendar feed//EN"
# The most accepted tasks a feed lists (newest first): far more than anyone holds at once.
MAX_EVENTS = 200


@dataclass(frozen=True)
class FeedEvent:
    task_id: UUID
    title: str
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    status: TaskStatus
    place: str = ""


class FeedRefused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def feed_owner(gateway: Gateway, token: str) -> tuple[User, UUID]:
    """The volunteer account a token opens the feed of, and its member; refused if renewed,
    removed or disabled."""
    try:
        link = calendar_links.read(token, gateway.settings.jwt_secret)
        user = gateway.accounts.get(link.user_id)
    except (calendar_links.InvalidFeedLink, DomainError):
        raise FeedRefused(404, "There is no calendar at this address.") from None
    if (
        user.calendar_feed_version != link.version
        or not user.active
        or user.member_id is None
        or user.role != Role.volunteer
    ):
        raise FeedRefused(404, "There is no calendar at this address (it was renewed or removed).")
    return user, user.member_id


async def accepted_tasks(gateway: Gateway, member_id: UUID, detailed: bool) -> list[FeedEvent]:
    actor = Actor(member_id, Role.volunteer.value)
    page = await gateway.clients.matching.offers(actor, member_id=member_id, status="accepted", limit=MAX_EVENTS)
    task_ids = [offer.task_id for offer in OfferPageReply.model_validate(page).items]
    if not task_ids:
        return []
    tasks = await gateway.clients.tasks.many(actor, task_ids)
    places = await _places(gateway, actor, member_id, task_ids) if detailed else {}
    return [
        FeedEvent(
            task.id,
            task.title,
            task.starts_at,
            task.ends_at,
            task.time_zone,
            task.status,
            places.get(task.id, ""),
        )
        for task in tasks
        if task.starts_at and task.ends_at  # a task with no time yet has no place in a calendar
    ]


async def _places(gateway: Gateway, actor: Actor, member_id: UUID, task_ids: list[UUID]) -> dict[UUID, str]:
    addresses = await gateway.clients.tasks.addresses(actor, task_ids, member_id)
    return {item.task_id: item.address or "" for item in addresses}


async def wants_details(gateway: Gateway, member_id: UUID) -> bool:
    profile = await gateway.clients.members.get(Actor(member_id, Role.volunteer.value), member_id)
    notifications = MemberReply.model_validate(profile).notifications
    return notifications is not None and notifications.detail == MessageDetail.detailed


def render(events: list[FeedEvent], language: str, page_url: str, detailed: bool, stamp: datetime) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", text(language, "calendar.name"))
    for item in sorted(events, key=lambda e: e.starts_at):
        zone = ZoneInfo(item.time_zone)
        event = Event()
        event.add("uid", f"task-{item.task_id}@coalition-match")
        event.add("dtstamp", stamp)
        event.add("dtstart", item.starts_at.astimezone(zone))
        event.add("dtend", item.ends_at.astimezone(zone))
        event.add("summary", item.title if detailed else text(language, "calendar.discreet_summary"))
        event.add("description", text(language, "calendar.description", url=page_url))
        event.add("status", "CANCELLED" if item.status == TaskStatus.cancelled else "CONFIRMED")
        if detailed and item.place:
            event.add("location", item.place)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


@router.get("/calendar/{token}.ics")
async def calendar_feed(token: str, request: Request) -> Response:
    gateway: Gateway = request.app.state.gateway
    try:
        user, member_id = await asyncio.to_thread(feed_owner, gateway, token)
        detailed = await wants_details(gateway, member_id)
        events = await accepted_tasks(gateway, member_id, detailed)
    except FeedRefused as refused:
        return PlainTextResponse(str(refused), status_code=refused.status)
    except ServiceUnavailable:
        return PlainTextResponse(
            "The calendar cannot be read right now; try again later.", status_code=503, headers={"Retry-After": "60"}
        )
    except DomainError:  # the member was erased while the account still existed
        return PlainTextResponse("There is no calendar at this address.", status_code=404)
    body = render(events, user.locale, str(request.base_url) + "volunteer.html", detailed, datetime.now(UTC))
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer"},
    )
