"""One-click answers from the offer mail, against the real product: opening a link changes
nothing, the button answers, and used, filled, expired and tampered links change nothing."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import escape
from uuid import UUID

import httpx
import pytest

from gateway.web.answer_page import text
from services.common import answer_links
from services.common.answer_links import AnswerLink

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(900)]
LINK = re.compile(r"(http://\S+/answer/(\S+))")


def links_in_mail(inbox, address: str) -> dict[str, str]:
    [mail] = inbox.wait_for(address, timeout_s=30)
    found = [url for url, _ in LINK.findall(inbox.body(mail)["Text"])]
    assert len(found) == 2, found
    return {"accept": found[0], "decline": found[1]}


def csrf_of(page: httpx.Response) -> str:
    return re.search(r'name="csrf" value="([0-9a-f]+)"', page.text)[1]


def status_of_offer(world, volunteer, task_id: str) -> str:
    return next(o["status"] for o in world.offers(volunteer) if o["taskId"] == task_id)


@pytest.fixture
def browser_like():
    with httpx.Client(timeout=30) as client:
        yield client


def test_open_then_accept_then_the_same_link_again_and_a_decline_after_it(
    world,
    notifications_service,
    inbox,
    browser_like,
):
    skill = world.skill()
    volunteer = world.volunteer(skill)
    coordinator = world.coordinator()
    task = world.task(coordinator, skill, title="Interpret at the tenants' assembly")
    links = links_in_mail(inbox, volunteer.email)

    opened = browser_like.get(links["accept"])
    assert opened.status_code == 200 and escape("Interpret at the tenants' assembly") in opened.text
    assert text("fr", "answer.button_accept") in opened.text
    assert opened.headers["referrer-policy"] == "no-referrer" and opened.headers["cache-control"] == "no-store"
    browser_like.get(links["accept"])
    assert status_of_offer(world, volunteer, task["id"]) == "PENDING"  # mail scanners open links: nothing happens

    forged = browser_like.post(links["accept"], data={"csrf": "0" * 64})
    assert forged.status_code == 403 and status_of_offer(world, volunteer, task["id"]) == "PENDING"

    accepted = browser_like.post(links["accept"], data={"csrf": csrf_of(opened)})
    assert accepted.status_code == 200 and text("fr", "answer.accepted") in accepted.text
    assert status_of_offer(world, volunteer, task["id"]) == "ACCEPTED"
    fill = world.gql(
        "query($id: ID!) { task(id: $id) { fill { acceptedMemberIds } } }", {"id": task["id"]}, coordinator.token
    )["task"]["fill"]
    assert volunteer.member_id in fill["acceptedMemberIds"]

    again = browser_like.post(links["accept"], data={"csrf": csrf_of(opened)})
    assert again.status_code == 409 and text("fr", "answer.already_accepted") in again.text
    assert text("fr", "answer.already_accepted") in browser_like.get(links["accept"]).text

    decline_page = browser_like.get(links["decline"])
    assert text("fr", "answer.decline_after_accept") in decline_page.text and 'name="csrf"' not in decline_page.text
    assert status_of_offer(world, volunteer, task["id"]) == "ACCEPTED"


def test_the_second_volunteer_of_a_filled_task_is_thanked_and_nothing_changes(
    world, notifications_service, inbox, browser_like
):
    skill = world.skill()
    first, second = world.volunteer(skill), world.volunteer(skill)
    task = world.task(world.coordinator(), skill, slots=1)
    first_links, second_links = links_in_mail(inbox, first.email), links_in_mail(inbox, second.email)
    second_page = browser_like.get(second_links["accept"])

    first_page = browser_like.get(first_links["accept"])
    assert browser_like.post(first_links["accept"], data={"csrf": csrf_of(first_page)}).status_code == 200

    late = browser_like.post(second_links["accept"], data={"csrf": csrf_of(second_page)})
    assert late.status_code == 409 and text("fr", "answer.filled") in late.text
    assert status_of_offer(world, second, task["id"]) != "ACCEPTED"


def test_a_tampered_or_expired_link_gets_a_plain_refusal_and_changes_nothing(
    world, notifications_service, inbox, browser_like
):
    skill = world.skill()
    volunteer = world.volunteer(skill)
    task = world.task(world.coordinator(), skill)
    accept_url = links_in_mail(inbox, volunteer.email)["accept"]
    base, token = accept_url.rsplit("/", 1)
    link = answer_links.verify(token, answer_links.public_key("dev-only-insecure-secret"))

    payload, signature = token.split(".")
    decline_claim = answer_links._b64(answer_links._unb64(payload).replace(b'"accept"', b'"decline"'))
    for tampered in (f"{decline_claim}.{signature}", token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), "nonsense"):
        answer = browser_like.get(f"{base}/{tampered}")
        assert answer.status_code == 400 and text("en", "answer.invalid") in answer.text
        refused = browser_like.post(f"{base}/{tampered}", data={"csrf": "x"})
        assert refused.status_code == 400

    other_key = answer_links.private_key(answer_links.new_key_pair()[0])
    foreign = answer_links.sign(link, other_key)
    assert browser_like.get(f"{base}/{foreign}").status_code == 400

    # A genuine link (signed with the development key this stack uses) whose offer has expired.
    expired = answer_links.sign(
        AnswerLink(link.offer_id, link.member_id, "accept", datetime.now(UTC) - timedelta(minutes=1), "fr"),
        answer_links.private_key("dev-only-insecure-secret"),
    )
    answer = browser_like.get(f"{base}/{expired}")
    assert answer.status_code == 410 and text("fr", "answer.expired") in answer.text
    assert browser_like.post(f"{base}/{expired}", data={"csrf": "x"}).status_code == 410
    assert status_of_offer(world, volunteer, task["id"]) == "PENDING"
    assert link.member_id == UUID(volunteer.member_id)
