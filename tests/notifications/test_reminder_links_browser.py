"""A reminder's one-click answers, in headless Chromium under the page's real security policy:
opening a link changes nothing; "I'm still coming" thanks and changes nothing; "I can't come
anymore" withdraws the acceptance as withdrawFromTask does; used, expired and tampered links say so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import httpx
import pytest
from playwright.sync_api import expect

from gateway.web.answer_page import text
from services.common import answer_links
from services.common.answer_links import AnswerLink
from tests.browser.fixtures import browser  # noqa: F401  (fixture)
from tests.notifications.test_answer_links import csrf_of, links_in_mail, status_of_offer

pytestmark = [pytest.mark.browser, pytest.mark.kafka, pytest.mark.timeout(900)]
DEV_KEY = answer_links.private_key("dev-only-insecure-secret")  # the key the test stack signs links with


def reminder_url(accept_url: str, offer: AnswerLink, action: str, expires_in: timedelta) -> str:
    """The link a reminder mail of this accepted offer carries (the reminder test reads them from mail)."""
    base = accept_url.rsplit("/", 1)[0]
    link = AnswerLink(offer.offer_id, offer.member_id, action, datetime.now(UTC) + expires_in, "fr")
    return f"{base}/{answer_links.sign(link, DEV_KEY)}"


def test_still_coming_changes_nothing_and_cant_come_frees_the_place(
    browser,
    world,
    notifications_service,
    inbox,  # noqa: F811
):
    skill = world.skill()
    volunteer, coordinator = world.volunteer(skill), world.coordinator()
    task = world.task(coordinator, skill, title="Cook for the solidarity kitchen")
    accept_url = links_in_mail(inbox, volunteer.email)["accept"]
    with httpx.Client(timeout=30) as client:
        assert client.post(accept_url, data={"csrf": csrf_of(client.get(accept_url))}).status_code == 200
    assert status_of_offer(world, volunteer, task["id"]) == "ACCEPTED"
    offer = answer_links.verify(accept_url.rsplit("/", 1)[1], DEV_KEY.public_key())
    still_coming = reminder_url(accept_url, offer, "still_coming", timedelta(hours=1))
    cant_come = reminder_url(accept_url, offer, "cant_come", timedelta(hours=1))

    context = browser.new_context()  # no sign-in, no storage: as from a mail app
    page = context.new_page()
    blocked = []
    page.on(
        "console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None
    )
    page.goto(still_coming)
    expect(page.get_by_role("heading", name="Cook for the solidarity kitchen")).to_be_visible()
    page.get_by_role("button", name=text("fr", "answer.button_still_coming")).click()
    expect(page.get_by_role("status")).to_have_text(text("fr", "answer.still_coming"))
    assert status_of_offer(world, volunteer, task["id"]) == "ACCEPTED"

    page.goto(cant_come)
    expect(page.get_by_role("button", name=text("fr", "answer.button_cant_come"))).to_be_visible()
    assert status_of_offer(world, volunteer, task["id"]) == "ACCEPTED"  # opening changed nothing
    page.get_by_role("button", name=text("fr", "answer.button_cant_come")).click()
    expect(page.get_by_role("status")).to_have_text(text("fr", "answer.cant_come"))
    assert status_of_offer(world, volunteer, task["id"]) == "CANCELLED_BY_VOLUNTEER"
    fill = world.gql(
        "query($id: ID!) { task(id: $id) { fill { acceptedMemberIds } } }", {"id": task["id"]}, coordinator.token
    )["task"]["fill"]
    assert volunteer.member_id not in fill["acceptedMemberIds"]

    page.goto(cant_come)
    expect(page.get_by_role("status")).to_have_text(text("fr", "answer.already_withdrawn"))
    page.goto(still_coming)
    expect(page.get_by_role("status")).to_have_text(text("fr", "answer.already_withdrawn"))
    assert blocked == []
    context.close()

    with httpx.Client(timeout=30) as client:
        started = client.get(reminder_url(accept_url, offer, "still_coming", timedelta(minutes=-1)))
        assert started.status_code == 410 and text("fr", "answer.started") in started.text
        payload, signature = cant_come.rsplit("/", 1)[1].split(".")
        forged = answer_links._b64(answer_links._unb64(payload).replace(b'"cant_come"', b'"still_coming"'))
        assert client.get(f"{accept_url.rsplit('/', 1)[0]}/{forged}.{signature}").status_code == 400
    assert UUID(volunteer.member_id) == offer.member_id
