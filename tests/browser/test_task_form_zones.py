"""The coordinator's task form reads and shows times in the task's zone, naming it, whatever zone
the browser is in: the coalition's zone by default, or the one chosen in the form."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from tests.gateway.stack import unique

pytestmark = [pytest.mark.browser, pytest.mark.kafka]

MY_TASKS = "{ myTasks(first: 50) { nodes { title startsAt endsAt timeZone } } }"


def fill_task(page, title: str, day: str, starts: str, ends: str) -> None:
    page.locator("#title").fill(title)
    page.locator("#starts-at").fill(f"{day}T{starts}")
    page.locator("#ends-at").fill(f"{day}T{ends}")
    page.locator("#remote").check()


def stored(graphql, coordinator, title: str) -> dict:
    tasks = graphql(MY_TASKS, token=coordinator.token)["myTasks"]["nodes"]
    return next(task for task in tasks if task["title"] == title)


def test_a_browser_in_utc_entering_17_00_for_a_toronto_task_stores_22_00_utc_in_winter(web, world, graphql):
    coordinator = world.coordinator()
    page = web.page(coordinator, "COORDINATOR", path="coordinator.html", timezone_id="UTC")
    expect(page.locator("#time-zone")).to_have_value("America/Toronto")  # the coalition's zone, named
    expect(page.locator("label[for=time-zone]")).to_have_text("Time zone of these times (where the task happens)")
    winter_day = f"{datetime.now(UTC).year + 1}-01-15"
    title = unique("Winter legal clinic")

    fill_task(page, title, winter_day, "17:00", "19:30")
    page.get_by_role("button", name="Post the task").click()
    expect(page.locator("#task-form .notice")).to_contain_text(title)

    task = stored(graphql, coordinator, title)
    assert task["timeZone"] == "America/Toronto"
    assert datetime.fromisoformat(task["startsAt"]) == datetime.fromisoformat(f"{winter_day}T22:00:00+00:00")
    assert datetime.fromisoformat(task["endsAt"]) == datetime.fromisoformat(f"{winter_day}T00:30:00+00:00").replace(
        day=16
    )

    page.get_by_role("button", name=f"Edit: {title}").click()  # the form shows the task's own times again
    expect(page.locator("#starts-at")).to_have_value(f"{winter_day}T17:00")
    expect(page.locator("#ends-at")).to_have_value(f"{winter_day}T19:30")
    expect(page.locator("#time-zone")).to_have_value("America/Toronto")


def test_a_zone_chosen_in_the_form_is_the_tasks_and_an_unknown_one_is_marked(web, world, graphql):
    coordinator = world.coordinator()
    page = web.page(coordinator, "COORDINATOR", language="fr", path="coordinator.html", timezone_id="Asia/Tokyo")
    summer_day = f"{datetime.now(UTC).year + 1}-07-13"
    title = unique("Paris rally support")
    fill_task(page, title, summer_day, "17:00", "18:00")
    page.locator("#time-zone").fill("Mars/Olympus")
    page.locator("#submit-task").click()
    expect(page.locator("#time-zone")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#time-zone-error")).to_contain_text("fuseau horaire n'est pas connu")

    page.locator("#time-zone").fill("Europe/Paris")
    page.locator("#submit-task").click()
    expect(page.locator("#task-form .notice")).to_contain_text(title)
    task = stored(graphql, coordinator, title)
    assert task["timeZone"] == "Europe/Paris"
    assert datetime.fromisoformat(task["startsAt"]) == datetime.fromisoformat(f"{summer_day}T15:00:00+00:00")
    expect(page.locator("#time-zone")).to_have_value("America/Toronto")  # the next task starts from the coalition's
