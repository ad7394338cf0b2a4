"""The volunteer makes, replaces and removes their private calendar address from their page, in
English and French; the address shown is the one a calendar application can follow."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.kafka]

MADE = {"en": "Your calendar address is ready", "fr": "L'adresse de votre agenda est prête"}
REPLACE = {"en": "Replace the address", "fr": "Remplacer l'adresse"}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_volunteer_makes_replaces_and_removes_their_calendar_address(web, world, language):
    page = web.page(world.volunteer(), "VOLUNTEER", language=language, path="volunteer.html")
    panel = page.locator("#calendar-panel")
    expect(panel).to_be_visible()
    expect(page.locator("#calendar-address-field")).to_be_hidden()
    expect(page.locator("#calendar-remove")).to_be_hidden()

    page.locator("#calendar-renew").click()
    expect(panel.locator(".notice")).to_contain_text(MADE[language])
    first = page.locator("#calendar-address").input_value()
    assert first.startswith(web.stack.url + "/calendar/") and first.endswith(".ics")
    feed = httpx.get(first, timeout=30)
    assert feed.status_code == 200 and feed.text.startswith("BEGIN:VCALENDAR")
    expect(page.locator("#calendar-renew")).to_contain_text(REPLACE[language])

    page.locator("#calendar-renew").click()
    expect(page.locator("#calendar-address")).not_to_have_value(first)
    second = page.locator("#calendar-address").input_value()
    assert httpx.get(first, timeout=30).status_code == 404
    assert httpx.get(second, timeout=30).status_code == 200

    page.reload()
    expect(page.locator("#calendar-address")).to_have_value(second)  # the same address, shown again
    page.locator("#calendar-remove").click()
    expect(page.locator("#calendar-address-field")).to_be_hidden()
    assert httpx.get(second, timeout=30).status_code == 404
    assert web.violations(page) == []
