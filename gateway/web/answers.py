"""One-click answers from messages: ``GET /answer/{token}`` shows the offer and a button, and
changes nothing (mail scanners open links); the button POSTs back to the same address and the
answer goes to the matching service exactly as the acceptOffer/declineOffer mutations send it.
Reminders of an accepted offer carry two more: "I can't come anymore" withdraws the acceptance as
the withdrawFromTask mutation does; "I'm still coming" thanks the member and changes nothing.

Tokens are signed by the notifications service (``services.common.answer_links``); this gateway
holds the public key only. The POST must carry the form's CSRF field, an HMAC of the token under
the gateway's own secret, and may not come from another site. Used, expired, withdrawn and
tampered links get a plain answer and change nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import UTC, datetime
from uuid import UUID

from fastapi import APIRouter, Form, Request
from pydantic import TypeAdapter
from starlette.responses import HTMLResponse

from gateway.clients.http import Actor
from gateway.errors import ServiceUnavailable
from gateway.models import Role
from gateway.state import Gateway
from gateway.web.answer_page import OfferDetails, page, text
from services.common import answer_links
from services.common.answer_links import AnswerLink, ExpiredLink, InvalidLink
from services.common.contracts import Reasons
from services.common.problems import DomainError

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
TASK_FILLED = "task filled"  # matching's withdrawn_because for the holders of a filled task's offers
REMINDER_ACTIONS = ("still_coming", "cant_come")  # answers to a reminder of an accepted offer
# What each answer becomes in matching (the same calls as the GraphQL mutations); still_coming changes nothing.
MATCHING_CALL = {"accept": "accept", "decline": "decline", "cant_come": "withdraw"}
DONE = {
    "accept": "answer.accepted",
    "decline": "answer.declined",
    "still_coming": "answer.still_coming",
    "cant_come": "answer.cant_come",
}


class Refused(Exception):
    def __init__(self, status: int, message_key: str, language: str | None = None):
        super().__init__(message_key)
        self.status, self.message_key, self.language = status, message_key, language


def _gateway(request: Request) -> Gateway:
    return request.app.state.gateway


def _read(gateway: Gateway, token: str) -> AnswerLink:
    try:
        return answer_links.verify(token, answer_links.public_key(gateway.settings.answer_link_public_key))
    except InvalidLink:
        raise Refused(400, "answer.invalid") from None
    except ExpiredLink as expired:
        started = expired.link.action in REMINDER_ACTIONS  # a reminder's links end when the task starts
        raise Refused(410, "answer.started" if started else "answer.expired", expired.link.language) from None


def _csrf(gateway: Gateway, token: str) -> str:
    return hmac.new(
        gateway.settings.jwt_secret.encode(), b"answer-link-form\n" + token.encode(), hashlib.sha256
    ).hexdigest()


def _actor(link: AnswerLink) -> Actor:
    # The member the signed link was made for, as the acceptOffer mutation names a volunteer.
    return Actor(link.member_id, Role.volunteer.value)


async def _offer(gateway: Gateway, link: AnswerLink) -> dict:
    try:
        offer = await gateway.clients.matching.get(_actor(link), link.offer_id)
    except ServiceUnavailable:
        raise Refused(503, "answer.retry") from None
    except DomainError:
        raise Refused(404, "answer.invalid") from None
    if UUID(str(offer["member_id"])) != link.member_id:
        raise Refused(400, "answer.invalid")
    return offer


def settled(offer: dict, action: str) -> str | None:
    """The plain answer for an offer that can no longer be answered, or None if it can."""
    status, because = offer["status"], offer.get("withdrawn_because")
    if action in REMINDER_ACTIONS:  # a reminder answers an accepted offer
        if status == "accepted":
            return None
        return "answer.already_withdrawn" if status == "cancelled_by_volunteer" else "answer.withdrawn"
    if status == "accepted":
        return "answer.already_accepted" if action == "accept" else "answer.decline_after_accept"
    if status == "declined":
        return "answer.already_declined"
    if because == TASK_FILLED:
        return "answer.filled"
    expires_at = offer.get("expires_at")
    if status == "expired" or (
        status == "pending" and expires_at and datetime.fromisoformat(expires_at) <= datetime.now(UTC)
    ):
        return "answer.expired"
    return None if status == "pending" else "answer.withdrawn"


async def _details(gateway: Gateway, link: AnswerLink, offer: dict) -> OfferDetails:
    actor = _actor(link)
    try:
        task = await gateway.clients.tasks.get(actor, UUID(str(offer["task_id"])))
    except (DomainError, ServiceUnavailable):
        return OfferDetails(title=offer.get("task_title") or "", reasons=_reasons(offer))
    return OfferDetails(
        title=task["title"],
        summary=task.get("summary") or "",
        starts_at=_moment(task.get("starts_at")),
        ends_at=_moment(task.get("ends_at")),
        deadline=_moment(task.get("deadline")),
        place=await _place(gateway, actor, task, link.language),
        reasons=_reasons(offer),
        time_zone=task.get("time_zone") or "UTC",
    )


async def _place(gateway: Gateway, actor: Actor, task: dict, language: str) -> str:
    if task.get("remote"):
        return text(language, "answer.remote")
    if not task.get("area"):
        return ""
    try:
        areas = {area.slug: area for area in await gateway.clients.members.areas(actor)}
    except (DomainError, ServiceUnavailable):
        return task["area"]
    area = areas.get(task["area"])
    return f"{area.name}, {area.city}" if area else task["area"]


REASONS = TypeAdapter(Reasons)


def _reasons(offer: dict) -> list:
    """The offer's reasons as data (an older offer's English strings read as text reasons)."""
    return REASONS.validate_python(offer.get("reasons") or [])


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value).astimezone(UTC) if value else None


@router.get("/answer/{token}", response_class=HTMLResponse)
async def show_answer(token: str, request: Request) -> HTMLResponse:
    gateway = _gateway(request)
    language = "en"
    try:
        link = _read(gateway, token)
        language = link.language
        offer = await _offer(gateway, link)
        if (message := settled(offer, link.action)) is not None:
            return page(language, 200, message)
        details = await _details(gateway, link, offer)
    except Refused as refused:
        return page(refused.language or language, refused.status, refused.message_key)
    return page(language, 200, details=details, action=link.action, csrf=_csrf(gateway, token))


@router.post("/answer/{token}", response_class=HTMLResponse)
async def give_answer(token: str, request: Request, csrf: str = Form("")) -> HTMLResponse:
    gateway = _gateway(request)
    language = "en"
    try:
        link = _read(gateway, token)
        language = link.language
        if not _same_site(request) or not hmac.compare_digest(csrf, _csrf(gateway, token)):
            raise Refused(403, "answer.invalid")
        offer = await _offer(gateway, link)
        if (message := settled(offer, link.action)) is not None:
            raise Refused(409, message)
        await _respond(gateway, link)
    except Refused as refused:
        return page(refused.language or language, refused.status, refused.message_key)
    log.info("offer %s answered by link: %s", link.offer_id, link.action)
    return page(language, 200, DONE[link.action])


async def _respond(gateway: Gateway, link: AnswerLink) -> None:
    """The acceptOffer / declineOffer / withdrawFromTask call, for the member the link was made for;
    "still coming" needs none: the acceptance stands."""
    if link.action not in MATCHING_CALL:
        return
    try:
        await gateway.clients.matching.respond(_actor(link), link.offer_id, MATCHING_CALL[link.action], link.member_id)
    except ServiceUnavailable:
        raise Refused(503, "answer.retry") from None
    except DomainError as error:
        if error.slug == "task-filled":
            raise Refused(409, "answer.filled") from None
        offer = await _offer(gateway, link)  # answered elsewhere meanwhile, or expired: say which
        raise Refused(409, settled(offer, link.action) or "answer.retry") from None


def _same_site(request: Request) -> bool:
    """Browsers say where a form post comes from; another site's page may not post here."""
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    return origin in (None, "null") or origin == f"{request.url.scheme}://{request.url.netloc}"
