"""A volunteer's choices about messages on their page, in English and French: email on or off,
discreet or detailed, quiet hours in their own zone (the browser's by default). Each is saved,
and still there after a reload; after an unsubscribe link, the email switch turns mail on again."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from gateway.web.answer_page import text
from services.common import answer_links
from services.common.answer_links import UnsubscribeLink
from tests.browser.fixtures import wait_until_ready

pytestmark = [pytest.mark.browser, pytest.mark.kafka]

SAVED = {"en": "Your message choices are saved.", "fr": "Vos choix de messages sont enregistrés."}
DISCREET_SAYS = {"en": "no task, place, skill, organization or person", "fr": "sans tâche, lieu, compétence"}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_volunteer_changes_each_message_choice_and_finds_it_kept_after_a_reload(web, world, language):
    volunteer = world.volunteer()
    page = web.page(volunteer, "VOLUNTEER", language=language, path="volunteer.html", timezone_id="America/Toronto")
    expect(page.locator("label[for=detail-discreet]")).to_contain_text(DISCREET_SAYS[language])
    expect(page.locator("#email-on")).to_be_checked()
    expect(page.locator("#detail-discreet")).to_be_checked()
    expect(page.locator("#quiet-on")).not_to_be_checked()
    expect(page.locator("#quiet-zone")).to_have_value("America/Toronto")  # the browser's zone

    page.locator("#email-on").uncheck()
    page.locator("#detail-detailed").check()
    page.locator("#quiet-on").check()
    page.locator("#quiet-start").fill("21:30")
    page.locator("#quiet-end").fill("06:45")
    page.locator("#quiet-zone").fill("Europe/Paris")
    page.locator("#save-messages").click()
    expect(page.locator("#message-settings .notice")).to_have_text(SAVED[language])

    page.reload()
    wait_until_ready(page)
    expect(page.locator("#email-on")).not_to_be_checked()
    expect(page.locator("#detail-detailed")).to_be_checked()
    expect(page.locator("#quiet-on")).to_be_checked()
    expect(page.locator("#quiet-start")).to_have_value("21:30")
    expect(page.locator("#quiet-end")).to_have_value("06:45")
    expect(page.locator("#quiet-zone")).to_have_value("Europe/Paris")

    page.locator("#email-on").check()  # the way back after an unsubscribe link
    page.locator("#detail-discreet").check()
    page.locator("#quiet-on").uncheck()
    page.locator("#save-messages").click()
    expect(page.locator("#message-settings .notice")).to_have_text(SAVED[language])
    page.reload()
    wait_until_ready(page)
    expect(page.locator("#email-on")).to_be_checked()
    expect(page.locator("#detail-discreet")).to_be_checked()
    expect(page.locator("#quiet-on")).not_to_be_checked()
    expect(page.locator("#quiet-zone")).to_have_value("America/Toronto")


def test_quiet_hours_that_start_when_they_end_or_an_unknown_zone_are_marked_and_not_saved(web, world):
    volunteer = world.volunteer()
    page = web.page(volunteer, "VOLUNTEER", path="volunteer.html", timezone_id="UTC")
    page.locator("#quiet-on").check()
    page.locator("#quiet-start").fill("22:00")
    page.locator("#quiet-end").fill("22:00")
    page.locator("#quiet-zone").fill("Mars/Olympus")
    page.locator("#save-messages").click()

    expect(page.locator("#quiet-end")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#quiet-end-error")).to_contain_text("must differ from start")
    expect(page.locator("#quiet-zone")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#message-settings .notice")).to_have_count(0)
    page.reload()
    wait_until_ready(page)
    expect(page.locator("#quiet-on")).not_to_be_checked()


def test_the_unsubscribe_page_in_french_turns_email_off_and_the_volunteer_page_turns_it_on_again(web, world, stack):
    volunteer = world.volunteer()
    token = answer_links.sign_unsubscribe(
        UnsubscribeLink(uuid.UUID(volunteer.member_id), datetime.now(UTC), "fr"),
        answer_links.private_key("dev-only-insecure-secret"),
    )  # the pair the test stack's gateway checks
    page = web.browser.new_context().new_page()
    page.goto(f"{stack.url}/unsubscribe/{token}")
    expect(page.locator(".unsubscribe-message")).to_have_text(text("fr", "unsubscribe.intro"))
    page.get_by_role("button", name=text("fr", "unsubscribe.button")).click()
    expect(page.locator(".unsubscribe-message")).to_have_text(text("fr", "unsubscribe.done"))
    page.context.close()

    mine = web.page(volunteer, "VOLUNTEER", language="fr", path="volunteer.html")
    expect(mine.locator("#email-on")).not_to_be_checked()
    mine.locator("#email-on").check()
    mine.locator("#save-messages").click()
    expect(mine.locator("#message-settings .notice")).to_have_text(SAVED["fr"])
    mine.reload()
    wait_until_ready(mine)
    expect(mine.locator("#email-on")).to_be_checked()
