"""Two people in two browsers: a volunteer signs up, a coordinator posts a task, the offer
appears for the volunteer without a reload, they accept it, and the coordinator sees it fill."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.kafka]

LIVE = 40_000  # ms: matching's tick plus Kafka hops, on a busy machine


def sign_up_volunteer(page, email: str, skill_name: str) -> None:
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password").fill("volunteer-password")
    page.get_by_label("Name coordinators may call you").fill("Amina Diallo")
    page.get_by_label(skill_name, exact=True).select_option("EXPERT")
    page.get_by_label("French", exact=True).select_option("FLUENT")
    for day in range(7):
        page.locator(f"#day-{day}").check()
        page.locator(f"#day-{day}-start").fill("00:00")
        page.locator(f"#day-{day}-end").fill("23:59")
    page.get_by_label("I can also help remotely").check()
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url("**/volunteer.html")


def post_task(page, title: str, skill_name: str) -> None:
    day = (date.today() + timedelta(days=4)).isoformat()
    page.get_by_label("Title").fill(title)
    page.get_by_label("Short summary (public)").fill("Two pages, French to Spanish")
    page.get_by_label(skill_name, exact=True).select_option("CAPABLE")
    page.get_by_label("French", exact=True).check()
    page.get_by_label("Starts").fill(f"{day}T10:00")
    page.get_by_label("Ends").fill(f"{day}T12:00")
    page.get_by_label("It can be done remotely").check()
    page.get_by_role("button", name="Post the task").click()


def test_an_offer_appears_live_is_accepted_and_the_coordinator_watches_it_fill(web, world, stack):
    skill = world.skill()
    skill_name = skill.replace("-", " ").title()
    title = f"Translate a leaflet {skill[-8:]}"

    volunteer = web.page(path="signup.html")
    sign_up_volunteer(volunteer, f"{skill}@example.org", skill_name)
    expect(volunteer.locator("#live-status")).to_have_text("Live updates are on.")
    volunteer.evaluate("window.stillTheSamePage = true")
    coordinator = web.page(path=f"coordinator-signup.html?code={world.invite(world.organization())}")
    coordinator.get_by_label("Email").fill(f"coordinator-{skill}@example.org")
    coordinator.get_by_label("Password").fill("coordinator-password")
    coordinator.get_by_role("button", name="Sign up").click()
    coordinator.wait_for_url("**/coordinator.html")
    expect(coordinator.locator("#live-status")).to_have_text("Live updates are on.")

    post_task(coordinator, title, skill_name)
    offer = volunteer.locator("#pending > li", has_text=title)
    expect(offer).to_be_visible(timeout=LIVE)
    expect(offer).to_contain_text(f"{skill_name}: expert")
    expect(offer).to_contain_text("speaks French")
    assert volunteer.evaluate("window.stillTheSamePage") is True  # no reload happened
    offer.get_by_role("button", name=f"Accept: {title}").click()

    expect(volunteer.locator("#accepted > li", has_text=title)).to_be_visible()
    card = coordinator.locator("#tasks > li", has_text=title)
    expect(card).to_contain_text("1 of 1 places filled", timeout=LIVE)
    expect(card.locator(".badge")).to_have_text("Filled")
    card.get_by_role("button", name="Show contact details").click()
    expect(card).to_contain_text("Amina Diallo")
    expect(card).to_contain_text(f"{skill}@example.org")
    assert web.violations(volunteer) == []
    assert web.violations(coordinator) == []
