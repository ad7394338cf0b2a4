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
    said = world.gql(
        "query($t: ID!) { taskAttendance(taskId: $t) { volunteers { presence markedBy } } }",
        {"t": task["id"]},
        coordinator.token,
    )["taskAttendance"]["volunteers"]
    assert said == [{"presence": "EXCUSED", "markedBy": "VOLUNTEER"}]


def test_counts_for_funders_and_a_list_with_names_only_when_asked_for_and_told(web, world, stack):
    skill, coordinator = world.skill(), world.coordinator()
    volunteer = world.volunteer(skill)
    task = world.task(coordinator, skill)
    assert world.accept(volunteer, world.wait_for_offer(volunteer, task["id"])["id"])["status"] == "ACCEPTED"
    took_place(stack, task["id"], hours_ago=80, hours=2)  # unmarked for over 72 h: counted as come

    page = web.page(coordinator, "COORDINATOR", language="fr", path="coordinator.html")
    panel = page.locator("#totals-panel")
    panel.get_by_role("button", name="Afficher les totaux").click()
    row = panel.locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("td")).to_have_text(["1", "1", "0", "0", "2"])  # tasks, came, did not come, excused, hours
    with page.expect_download() as counts:
        panel.get_by_role("button", name="Télécharger ces totaux (CSV)").click()
    assert "Amina Diallo" not in open(counts.value.path()).read()

    names_button = panel.get_by_role("button", name="Télécharger avec les noms")
    expect(names_button).to_be_disabled()  # a deliberate step
    panel.get_by_label("J'ai besoin des noms, et chaque bénévole en sera informé·e").check()
    with page.expect_download() as named:
        names_button.click()
    lines = open(named.value.path()).read().splitlines()
    assert lines[0] == "month,date,task,volunteer,attendance,hours"
    assert lines[1].endswith(f",{task['title']},Amina Diallo,attended,2.0")
    expect(panel).to_contain_text("1 bénévole verra que son nom a été lu.")
    expect(names_button).to_be_disabled()
    assert web.violations(page) == []

    mine = web.page(volunteer, "VOLUNTEER", path="volunteer.html")
    expect(mine.locator("#record-history li")).to_have_count(1)
    expect(mine.locator("#record-history li")).to_contain_text(f"{task['title']} — ")
    expect(mine.locator("#record-history li")).to_contain_text("you came: 2 hours")
    mine.locator("#audit summary").click()
    expect(mine.locator("#audit")).to_contain_text("your name was read for a list of who came, downloaded")
    assert web.violations(mine) == []
