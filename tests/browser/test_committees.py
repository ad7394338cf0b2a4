"""Committees on the pages: the admin creates one and names its lead; the lead posts a members-only
task for it and finds it among the committee's tasks; the new parts pass axe in both languages."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.gateway.stack import unique

pytestmark = [pytest.mark.browser, pytest.mark.kafka]


def test_an_admin_creates_a_committee_names_its_lead_and_the_lead_posts_for_it(web, world):
    organization = world.organization()
    lead = world.coordinator()  # of another organization: the committee is what lets them in
    name = unique("Shelters, Not Borders")
    admin = web.page(world.admin, "ADMIN", path="admin.html")

    admin.locator("#committee-name").fill(name)
    admin.locator("#committee-organization").select_option(organization)
    admin.locator("#committee-form button[type=submit]").click()
    expect(admin.locator("#committee-form .notice")).to_have_text("Added.")
    card = admin.locator("#committees li", has=admin.get_by_role("heading", name=name))
    card.get_by_label(f"Email of the coordinator to name as lead of {name}").fill(lead.email)
    card.get_by_role("button", name="Name as lead").click()
    expect(admin.locator("#committees li", has=admin.get_by_role("heading", name=name))).to_contain_text(lead.email)
    assert web.violations(admin) == []

    page = web.page(lead, "COORDINATOR", path="coordinator.html")
    start = (datetime.now() + timedelta(days=4)).replace(hour=18, minute=0, second=0, microsecond=0)
    page.locator("#title").fill(unique("Picket at the school board"))
    page.locator("#starts-at").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#ends-at").fill((start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.locator("#remote").check()
    page.get_by_label("Committee", exact=True).select_option(label=name)
    page.get_by_label("Offer it only to the committee's members").check()
    page.locator("#submit-task").click()
    expect(page.locator("#task-form .notice")).to_contain_text("Posted")

    page.get_by_label("Tasks to show").select_option(label=f"Tasks of {name} (you lead it)")
    expect(page.locator("#tasks li")).to_have_count(1)
    expect(page.locator("#tasks li")).to_contain_text(f"Committee: {name}")
    expect(page.locator("#tasks li")).to_contain_text("Committee members only")
    assert web.violations(page) == []


def test_the_committee_parts_speak_french(web, world):
    lead = world.coordinator()
    name = unique("Santé pour toutes et tous")
    committee = world.gql(
        "mutation($i: CommitteeInput!) { createCommittee(input: $i) { ... on Committee { id } } }",
        {"i": {"name": name}},
        world.admin.token,
    )["createCommittee"]
    world.gql(
        "mutation($c: ID!, $u: ID!) { addCommitteeLead(committeeId: $c, userId: $u) { __typename } }",
        {"c": committee["id"], "u": lead.id},
        world.admin.token,
    )

    page = web.page(lead, "COORDINATOR", language="fr", path="coordinator.html")
    expect(page.get_by_label("Tâches à afficher")).to_contain_text(f"Les tâches de {name} (vous en êtes responsable)")
    expect(page.get_by_label("L'offrir seulement aux membres du comité")).to_be_visible()
    assert web.violations(page) == []
    admin = web.page(world.admin, "ADMIN", language="fr", path="admin.html")
    expect(admin.locator("#committees li", has=admin.get_by_role("heading", name=name))).to_contain_text(
        "Toute la coalition"
    )
    assert web.violations(admin) == []


def test_a_coordinator_posts_a_weekly_need_edits_the_following_and_cancels_the_series(web, world):
    coordinator = world.coordinator()
    page = web.page(coordinator, "COORDINATOR", path="coordinator.html")
    title = unique("Weekly legal clinic")
    start = (datetime.now() + timedelta(days=3)).replace(hour=18, minute=0, second=0, microsecond=0)
    page.locator("#title").fill(title)
    page.locator("#starts-at").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#ends-at").fill((start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.locator("#remote").check()
    page.get_by_label("How often").select_option(label="Every week")
    page.get_by_label("How many times").fill("3")
    page.locator("#submit-task").click()

    expect(page.locator("#task-form .notice")).to_have_text(f"Posted, repeating: {title}")
    cards = page.locator("#tasks li", has_text=title)
    expect(cards).to_have_count(3)
    expect(cards.first).to_contain_text("Repeats: one occurrence of a series")
    assert web.violations(page) == []

    cards.nth(1).get_by_role("button", name=f"Edit: {title}").click()
    page.get_by_label("Apply to this and the following occurrences").check()
    page.locator("#title").fill(f"{title} (new room)")
    page.locator("#submit-task").click()
    expect(page.locator("#tasks li", has_text=f"{title} (new room)")).to_have_count(2)

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#tasks li").first.get_by_role("button", name=f"Cancel the series: {title}").click()
    expect(page.locator("#tasks li", has_text=title)).to_have_count(0)  # cancelled tasks are out of sight
