"""A coordinator asks why a task is not filling and reads the counts in their language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.gateway.test_reach import add_city

pytestmark = [pytest.mark.browser, pytest.mark.kafka]

LIVE = 40_000  # ms: matching must have read the task from Kafka


@pytest.mark.parametrize(
    ("language", "button", "left_out", "eligible"),
    [
        ("en", "Why is this not filling?", "lack the skill or its level", "0 people can still be asked"),
        (
            "fr",
            "Pourquoi ce n’est pas comblé ?",
            "n’ont pas la compétence ou son niveau",
            "0 personne peut encore être sollicitée",
        ),  # French counts 0 as one
    ],
)
def test_a_coordinator_reads_why_a_task_is_not_filling(web, world, language, button, left_out, eligible):
    world.volunteer(world.skill())  # someone matching holds, without the skill this task needs
    coordinator = world.coordinator()
    task = world.task(coordinator, world.skill())
    page = web.page(coordinator, "COORDINATOR", language=language, path="coordinator.html")
    card = page.locator("#tasks > li", has_text=task["title"])

    def ask_until_answered() -> None:
        card.get_by_role("button", name=f"{button}: {task['title']}").click()
        expect(card.locator(".why")).to_be_visible(timeout=5_000)

    for _ in range(8):  # matching reads the task from Kafka a moment after it is posted
        try:
            ask_until_answered()
            break
        except AssertionError:
            page.wait_for_timeout(LIVE // 8)
    why = card.locator(".why")
    expect(why).to_contain_text(eligible)
    expect(why).to_contain_text(left_out)
    assert web.violations(page) == []


def test_a_coordinator_reads_that_their_task_opened_to_the_whole_city_by_itself(web, world, graphql):
    _, downtown, glanbrook = add_city(world, graphql)
    skill = world.skill()
    world.volunteer(skill, area=downtown, remoteOk=False)
    coordinator = world.coordinator()
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=30)  # within the default 48 hours
    task = world.task(
        coordinator,
        skill,
        remote=False,
        area=glanbrook,
        startsAt=starts.isoformat(),
        endsAt=(starts + timedelta(hours=2)).isoformat(),
    )
    page = web.page(coordinator, "COORDINATOR", path="coordinator.html")
    card = page.locator("#tasks > li", has_text=task["title"])
    button = card.get_by_role("button", name=f"Why is this not filling?: {task['title']}")

    for _ in range(8):  # until matching has read the task and taken the step
        button.click()
        try:
            expect(card.locator(".why")).to_contain_text("Opened to the whole city by itself on", timeout=5_000)
            break
        except AssertionError:
            page.wait_for_timeout(LIVE // 8)
    expect(card.locator(".why")).to_contain_text("1 more person could be asked")
    assert web.violations(page) == []
