"""From a widget's "Sign up to help" link to the first task: the visitor signs up and finds that
task first on their page, offered to them when they fit, or told plainly why not."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_live_matching import sign_up_volunteer

pytestmark = [pytest.mark.browser, pytest.mark.kafka]

SETTLE = 40_000  # ms: the new member reaches matching through Kafka


def test_a_visitor_from_the_widget_signs_up_and_is_offered_that_task_first(web, world, stack):
    skill = world.skill()
    task = world.task(world.coordinator(), skill, title=f"Translate a leaflet {skill[-8:]}")
    page = web.page(path=f"signup.html?task={task['id']}&lang=en")
    assert "task=" not in page.url  # out of the address bar, history and Referer headers at once

    sign_up_volunteer(page, f"{skill}@example.org", skill.replace("-", " ").title())

    asked = page.locator("#asked")
    expect(asked).to_contain_text("The task you came to help with")
    expect(asked).to_contain_text("It is yours to take: answer here.", timeout=SETTLE)
    card = asked.locator("li", has_text=task["title"])
    expect(card).to_contain_text("speaks French")
    assert "task=" not in page.url
    expect(page.locator("#pending > li")).to_have_count(0)  # shown once, first
    assert web.violations(page) == []
    card.get_by_role("button", name=f"Accept: {task['title']}").click()

    expect(asked).to_contain_text(f"You accepted “{task['title']}”")
    expect(page.locator("#accepted > li", has_text=task["title"])).to_be_visible()


def test_a_visitor_who_does_not_fit_the_task_is_told_why(web, world, stack):
    skill = world.skill()
    task = world.task(world.coordinator(), world.skill(), title=f"Legal clinic {skill[-8:]}")
    page = web.page(path=f"signup.html?task={task['id']}")

    sign_up_volunteer(page, f"{skill}@example.org", skill.replace("-", " ").title())

    asked = page.locator("#asked")
    expect(asked).to_contain_text("We cannot offer you this task, because:", timeout=SETTLE)
    expect(asked.locator("li", has_text=task["title"])).to_be_visible()
    reasons = asked.get_by_role("list", name="Why you cannot be offered this task")
    expect(reasons).to_have_text("it needs a skill, or a level of it, that you did not give.")
    assert web.violations(page) == []

    page.locator("#language").select_option("fr")  # and in French
    expect(asked).to_contain_text("Nous ne pouvons pas vous proposer cette tâche, car :")
    expect(asked.get_by_role("list", name="Pourquoi cette tâche ne peut pas vous être proposée")).to_have_text(
        "elle demande une compétence, ou un niveau, que vous n'avez pas indiqué."
    )
