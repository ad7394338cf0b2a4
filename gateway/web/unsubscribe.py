"""One-click unsubscribe from messages (RFC 8058): ``GET /unsubscribe/{token}`` shows a small page
with a button and changes nothing (mail scanners open links); ``POST`` to the same address turns
the member's email off in the members service, acting for the member the link was signed for.

Mail clients send the one-click POST themselves (body ``List-Unsubscribe=One-Click``), without
cookies or a CSRF field, so the POST asks for none: the signed token is the whole authority, and
all it can do is stop mail to that one member, which repeating does not change. The member turns
email on again on their volunteer page. Tokens are signed by the notifications service
(``services.common.answer_links``); the gateway holds the public key only, as for answer links.
"""

from __future__ import annotations

import logging
from html import escape

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from gateway.clients.contracts.members import MemberReply, NotificationChangesBody, ProfileFields
from gateway.clients.http import Actor
from gateway.errors import ServiceUnavailable
from gateway.models import Role
from gateway.state import Gateway
from gateway.web.answer_page import text
from gateway.web.pages import PAGE_POLICY
from services.common import answer_links
from services.common.answer_links import InvalidLink, UnsubscribeLink
from services.common.problems import DomainError

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
ERASED = "member-erased"  # the members service's problem type for an erased profile
EMAIL_OFF = ProfileFields(notifications=NotificationChangesBody(email=False))


class Answer(Exception):
    """The page to show instead of the form: a status and a catalogue key."""

    def __init__(self, status: int, message_key: str):
        super().__init__(message_key)
        self.status, self.message_key = status, message_key


def _read(request: Request, token: str) -> UnsubscribeLink:
    gateway: Gateway = request.app.state.gateway
    try:
        return answer_links.verify_unsubscribe(token, answer_links.public_key(gateway.settings.answer_link_public_key))
    except InvalidLink:
        raise Answer(400, "unsubscribe.invalid") from None


def _actor(link: UnsubscribeLink) -> Actor:
    # The member the signed link was made for, as the volunteer page's own mutation names them.
    return Actor(link.member_id, Role.volunteer.value)


async def _call(request: Request, link: UnsubscribeLink, change: ProfileFields | None) -> MemberReply:
    """The member's profile, after ``change`` if one is given; erased and unknown members answered plainly."""
    members = request.app.state.gateway.clients.members
    try:
        if change is None:
            return MemberReply.model_validate(await members.get(_actor(link), link.member_id))
        return MemberReply.model_validate(await members.update(_actor(link), link.member_id, change.sent()))
    except ServiceUnavailable:
        raise Answer(503, "unsubscribe.retry") from None
    except DomainError as error:
        if error.slug == ERASED:
            raise Answer(200, "unsubscribe.erased") from None
        raise Answer(404, "unsubscribe.invalid") from None


@router.get("/unsubscribe/{token}", response_class=HTMLResponse)
async def show_unsubscribe(token: str, request: Request) -> HTMLResponse:
    language = "en"
    try:
        link = _read(request, token)
        language = link.language
        profile = await _call(request, link, None)
    except Answer as answer:
        return page(language, answer.status, answer.message_key)
    if not email_on(profile):
        return page(language, 200, "unsubscribe.already_off")
    return page(language, 200, "unsubscribe.intro", with_button=True)


@router.post("/unsubscribe/{token}", response_class=HTMLResponse)
async def unsubscribe(token: str, request: Request) -> HTMLResponse:
    language = "en"
    try:
        link = _read(request, token)
        language = link.language
        await _call(request, link, EMAIL_OFF)
    except Answer as answer:
        return page(language, answer.status, answer.message_key)
    log.info("member %s turned email off with an unsubscribe link", link.member_id)
    return page(language, 200, "unsubscribe.done")


def email_on(profile: MemberReply) -> bool:
    """Whether the member still gets email; a profile the members service answers for the member
    themself always says (``notifications``), so one without it is a contract break, not "off"."""
    if profile.notifications is None:
        raise ValueError(f"the members service answered member {profile.id}'s profile without its notifications")
    return profile.notifications.email


def page(language: str, status: int, message_key: str, with_button: bool = False) -> HTMLResponse:
    parts = [
        f"<h1>{escape(text(language, 'unsubscribe.title'))}</h1>",
        f'<p class="unsubscribe-message" role="status">{escape(text(language, message_key))}</p>',
    ]
    if with_button:
        # The same body a mail client's one-click POST carries (RFC 8058).
        parts.append(
            '<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">'
            f'<button type="submit">{escape(text(language, "unsubscribe.button"))}</button></form>'
        )
    parts.append(f'<p><a href="/volunteer.html">{escape(text(language, "unsubscribe.volunteer_page"))}</a></p>')
    body = (
        f'<!doctype html>\n<html lang="{escape(language)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(text(language, 'unsubscribe.title'))}</title>\n"
        '<link rel="icon" href="data:,">\n<link rel="stylesheet" href="/assets/app.css">\n</head>\n'
        f'<body>\n<main id="main">\n{chr(10).join(parts)}\n</main>\n</body>\n</html>\n'
    )
    return HTMLResponse(
        body,
        status_code=status,
        headers={
            "Content-Security-Policy": PAGE_POLICY,
            # The token is in the address: no other site may learn it from a Referer, no cache keeps it.
            "Referrer-Policy": "no-referrer",
            "Cache-Control": "no-store",
            "X-Robots-Tag": "noindex",
            "X-Content-Type-Options": "nosniff",
        },
    )
