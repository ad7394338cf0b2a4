"""Why a volunteer was asked, on their page in French: the reasons arrive as data and are worded
from the page's catalogue, the area by its name (never its slug), free times in the task's zone."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.gateway.stack import unique

pytestmark = [pytest.mark.browser, pytest.mark.kafka]

FRENCH = json.loads((Path(__file__).resolve().parents[2] / "gateway/web/public/i18n/fr.json").read_text())
CREATE_AREA = "mutation($i: AreaInput!) { createArea(input: $i) { __typename ... on Problem { message } } }"


def test_a_french_volunteer_reads_why_they_were_asked_with_the_areas_name_and_the_tasks_local_time(web, world):
    area = unique("saint-roch")
    created = world.gql(CREATE_AREA, {"i": {"slug": area, "name": "Saint-Roch", "city": "Québec"}}, world.admin.token)[
        "createArea"
    ]
    assert created["__typename"] == "Area", created
    skill = world.skill()
    volunteer = world.volunteer(skill, area=area, remoteOk=False)
    task = world.task(world.coordinator(), skill, remote=False, area=area, timeZone="America/Toronto")
    world.wait_for_offer(volunteer, task["id"])

    page = web.page(volunteer, "VOLUNTEER", language="fr", path="volunteer.html")
    reasons = page.locator("#pending .reasons li")
    expect(reasons.first).to_be_visible()
    texts = reasons.all_inner_texts()

    assert "dans le secteur Saint-Roch" in texts
    assert not [text for text in texts if area in text]
    assert "parle français" in texts
    assert f"{skill.replace('-', ' ').title()} : experte ou expert" in texts
    # world.task starts at 15:00 UTC for two hours: 10:00-12:00 on Toronto's clock, whatever the browser's zone
    starts = (datetime.now(UTC) + timedelta(days=3)).replace(hour=15, minute=0).astimezone(ZoneInfo("America/Toronto"))
    (free,) = [text for text in texts if text.startswith("disponible ")]
    assert free.startswith(f"disponible {FRENCH[f'weekday.{starts.weekday()}']} 10:00-12:00 (")
