"""The public list of open tasks: narrowing it by skill shows only the tasks needing that skill."""

from __future__ import annotations

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
