"""Forms that report back on the page: a failed login, the admin's catalogue forms, erasure on request."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.gateway.stack import unique

pytestmark = [pytest.mark.browser, pytest.mark.kafka]


def test_a_wrong_password_is_said_on_the_login_page_and_the_person_can_try_again(web, world):
    volunteer = world.volunteer()
    page = web.page(path="login.html")

    page.get_by_label("Email").fill(volunteer.email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()

    expect(page.locator("#login .problem[role=alert]")).to_have_text("The email or the password is not right.")
    expect(page.get_by_role("button", name="Log in")).to_be_enabled()
    page.get_by_label("Password").fill(volunteer.password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/volunteer.html")


def test_an_admin_adds_an_area_and_a_bad_short_code_is_marked_on_its_field(web, world):
    page = web.page(world.admin, "ADMIN", path="admin.html")
    slug = unique("riverside")

    page.locator("#area-slug").fill("Not a short code!")
    page.locator("#area-name").fill("Riverside")
    page.locator("#area-city").fill("Portland")
    page.locator("#area-form button[type=submit]").click()
    expect(page.locator("#area-form .problem[role=alert]")).to_contain_text("Please correct the marked fields.")
    expect(page.locator("#area-slug")).to_have_attribute("aria-invalid", "true")

    page.locator("#area-slug").fill(slug)
    page.locator("#area-form button[type=submit]").click()

    expect(page.locator("#area-form .notice")).to_have_text("Added.")
    expect(page.locator("#areas li", has_text=f"({slug})")).to_have_text(f"Riverside, Portland ({slug})")
    expect(page.locator("#area-slug")).to_have_value("")


def test_erasure_on_request_happens_only_once_the_admin_confirms(web, world):
    volunteer = world.volunteer()
    page = web.page(world.admin, "ADMIN", path="admin.html")
    page.locator("#erasure-email").fill(volunteer.email)
    page.get_by_role("button", name="Find").click()
    erase = page.get_by_role("button", name="Erase this person")

    page.once("dialog", lambda dialog: dialog.dismiss())
    erase.click()
    expect(erase).to_be_enabled()
    expect(page.locator("#erasure-result")).to_contain_text(f"Found: {volunteer.email}")

    page.once("dialog", lambda dialog: dialog.accept())
    erase.click()
    expect(page.locator("#erasure-result")).to_have_text("Erased.")
    page.locator("#erasure-email").fill(volunteer.email)
    page.get_by_role("button", name="Find").click()
    expect(page.locator("#erasure-result")).to_have_text("No account uses this email.")
