"""After a task, its coordinator marks who came on the coordinator page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.gateway.test_attendance import took_place

pytestmark = [pytest.mark.browser, pytest.mark.kafka]


def test_a_coordinator_marks_who_came_after_the_task(web, world, stack):
    skill, coordinator = world.skill(), world.coordinator()
    volunteer = world.volunteer(skill)
    task = world.task(coordinator, skill)
    assert world.accept(volunteer, world.wait_for_offer(volunteer, task["id"])["id"])["status"] == "ACCEPTED"
    took_place(stack, task["id"], hours_ago=2, hours=3)

    page = web.page(coordinator, "COORDINATOR", path="coordinator.html")
    page.locator("#show-ended").check()  # a task whose time has passed
    card = page.locator("#tasks > li", has_text=task["title"])
    card.get_by_role("button", name=f"Who came?: {task['title']}").click()
    expect(card.locator(".attendance")).to_contain_text("Volunteer 1 — not marked yet")
    card.get_by_label("Hours given").fill("2.5")
    card.get_by_role("button", name=f"Came: Volunteer 1, {task['title']}").click()
    expect(card.locator(".attendance")).to_contain_text("Volunteer 1 — came")
    expect(card.get_by_label("Hours given")).to_have_value("2.5")
    assert web.violations(page) == []
    mine = web.page(volunteer, "VOLUNTEER", path="volunteer.html")
    expect(mine.locator("#record-summary")).to_have_text("You came to 1 task and gave 2.5 hours. Thank you.")
    assert web.violations(mine) == []


def test_a_volunteer_says_they_could_not_come_to_a_task_that_has_begun(web, world, stack):
    skill, coordinator = world.skill(), world.coordinator()
    volunteer = world.volunteer(skill)
    task = world.task(coordinator, skill)
    assert world.accept(volunteer, world.wait_for_offer(volunteer, task["id"])["id"])["status"] == "ACCEPTED"
    took_place(stack, task["id"], hours_ago=-1, hours=3)  # began two hours ago, ends in one

    page = web.page(volunteer, "VOLUNTEER", language="fr", path="volunteer.html")
    card = page.locator("#accepted > li", has_text=task["title"])
    expect(card.get_by_role("button", name=f"Je ne peux plus venir: {task['title']}")).to_have_count(0)
    card.get_by_role("button", name=f"Je n'ai pas pu venir: {task['title']}").click()
    expect(card).to_contain_text("Merci de nous l'avoir dit.")
    expect(page.locator("#record-summary")).to_have_text("Vous êtes venu·e à 0 tâche et avez donné 0 heures. Merci.")
    assert web.violations(page) == []
    said = world.gql("query($t: ID!) { taskAttendance(taskId: $t) { volunteers { presence markedBy } } }",
                     {"t": task["id"]}, coordinator.token)["taskAttendance"]["volunteers"]
    assert said == [{"presence": "EXCUSED", "markedBy": "VOLUNTEER"}]
