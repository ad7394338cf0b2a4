"""The Accept link from an offer mail, in headless Chromium under the page's real security policy:
opening it changes nothing; pressing Accept accepts, as the coordinator sees."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from gateway.web.answer_page import text
from tests.browser.fixtures import browser  # noqa: F401  (fixture)
from tests.notifications.test_answer_links import links_in_mail, status_of_offer

pytestmark = [pytest.mark.browser, pytest.mark.kafka, pytest.mark.timeout(900)]


def test_opening_the_accept_link_changes_nothing_and_pressing_accept_accepts(
    browser,
    world,
    notifications_service,
    inbox,  # noqa: F811
):
    skill = world.skill()
    volunteer = world.volunteer(skill)
    coordinator = world.coordinator()
    task = world.task(coordinator, skill, title="Drive the food bank van")
    accept_url = links_in_mail(inbox, volunteer.email)["accept"]
    context = browser.new_context()  # no sign-in, no storage: as from a mail app
    page = context.new_page()
    blocked = []
    page.on(
        "console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None
    )

    page.goto(accept_url)
    expect(page.get_by_role("heading", name="Drive the food bank van")).to_be_visible()
    assert status_of_offer(world, volunteer, task["id"]) == "PENDING"

    page.get_by_role("button", name=text("fr", "answer.button_accept")).click()

    expect(page.get_by_role("status")).to_have_text(text("fr", "answer.accepted"))
    assert status_of_offer(world, volunteer, task["id"]) == "ACCEPTED"
    fill = world.gql(
        "query($id: ID!) { task(id: $id) { fill { acceptedMemberIds } } }", {"id": task["id"]}, coordinator.token
    )["task"]["fill"]
    assert fill["acceptedMemberIds"] == [volunteer.member_id]

    page.goto(accept_url)
    expect(page.get_by_role("status")).to_have_text(text("fr", "answer.already_accepted"))
    assert blocked == []
    context.close()
