"""The public list of open tasks: narrowing it by skill shows only the tasks needing that skill."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.kafka]


def test_choosing_a_skill_narrows_the_open_tasks_to_those_needing_it(web, world):
    wanted, other = world.skill(), world.skill()
    coordinator = world.coordinator()
    kept = world.task(coordinator, wanted, title=f"Banner painting {wanted[-8:]}")
    dropped = world.task(coordinator, other, title=f"Phone tree {other[-8:]}")
    page = web.page(path="index.html")
    expect(page.locator("#tasks li", has_text=dropped["title"])).to_be_visible(timeout=15_000)

    page.locator("#filter-skill").select_option(wanted)

    expect(page.locator("#tasks li", has_text=kept["title"])).to_be_visible(timeout=15_000)
    expect(page.locator("#tasks li", has_text=dropped["title"])).to_have_count(0)
    expect(page.locator("#tasks-status")).to_have_text("1 open task")


def test_task_times_are_shown_in_the_tasks_zone_whatever_the_browsers_zone(web, world):
    skill = world.skill()
    # 21:00 UTC on a July Tuesday is 17:00 in Montréal (EDT, "HAE" in French).
    starts = datetime(datetime.now(UTC).year + 1, 7, 13, 21, 0, tzinfo=UTC)
    task = world.task(
        world.coordinator(),
        skill,
        title=f"Legal clinic {skill[-8:]}",
        timeZone="America/Toronto",
        startsAt=starts.isoformat(),
        endsAt=(starts + timedelta(hours=3)).isoformat(),
    )

    english = web.page(path="index.html", timezone_id="UTC")
    french = web.page(path="index.html", language="fr", timezone_id="Asia/Tokyo")

    expect(english.locator("#tasks li", has_text=task["title"])).to_contain_text("05:00 p.m. EDT", timeout=15_000)
    expect(french.locator("#tasks li", has_text=task["title"])).to_contain_text("17 h 00 HAE", timeout=15_000)
