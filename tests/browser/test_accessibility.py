"""Every page: no serious or critical axe-core violations, in English and French; French pages
without English left in them; keyboard-only use; phone-width screens; the language remembered."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.fixtures import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.kafka]

CATALOGUES = Path(__file__).resolve().parents[2] / "gateway" / "web" / "public" / "i18n"
PUBLIC_PAGES = ["index.html", "signup.html", "login.html", "coordinator-signup.html", "widget-demo.html"]
ROLE_PAGES = [
    ("volunteer", "VOLUNTEER", "volunteer.html"),
    ("coordinator", "COORDINATOR", "coordinator.html"),
    ("admin", "ADMIN", "admin.html"),
]
# Text that is data or deliberately English: autonyms in the language menu, server messages.
VISIBLE_TEXT = """() => {
  const skip = (node) => node.closest('#language, [lang="en"], code, script, style, [hidden]');
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const texts = [];
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!skip(node.parentElement) && node.textContent.trim()) texts.push(node.textContent.trim());
  }
  for (const el of document.querySelectorAll('[aria-label], [placeholder]')) {
    if (!skip(el)) texts.push(el.getAttribute('aria-label') || el.getAttribute('placeholder'));
  }
  return texts;
}"""


def english_only_phrases() -> set[str]:
    english = json.loads((CATALOGUES / "en.json").read_text())
    french = json.loads((CATALOGUES / "fr.json").read_text())
    phrases = set()
    for key, text in english.items():
        if text != french[key] and "{" not in text and re.search(r"[A-Za-z]{3}", text):
            phrases.add(text)
    return phrases


@pytest.fixture(scope="module")
def people(world):
    skill = world.skill()
    volunteer = world.volunteer(skill)
    coordinator = world.coordinator()
    task = world.task(coordinator, skill, slots=2)
    world.wait_for_offer(volunteer, task["id"])  # so the volunteer's page has an offer with its reasons
    return {"volunteer": volunteer, "coordinator": coordinator, "admin": world.admin, "task": task}


def open_every_page(web, people, language: str, viewport=None):
    for path in PUBLIC_PAGES:
        yield path, web.page(language=language, path=path, viewport=viewport)
    for person, role, path in ROLE_PAGES:
        yield path, web.page(people[person], role, language=language, path=path, viewport=viewport)


def test_every_english_page_on_a_phone_passes_axe_and_fits_the_screen(web, people):
    violations, too_wide = {}, {}
    for path, page in open_every_page(web, people, "en", viewport=PHONE):
        violations[path] = web.violations(page)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[path] = width

    assert violations == {path: [] for path in violations}
    assert too_wide == {}


def test_every_french_page_passes_axe_and_leaves_no_english_behind(web, people):
    english = english_only_phrases()
    violations, leftovers = {}, {}
    for path, page in open_every_page(web, people, "fr"):
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        violations[path] = web.violations(page)
        found = sorted({text for text in page.evaluate(VISIBLE_TEXT) if text in english})
        if found:
            leftovers[path] = found

    assert violations == {path: [] for path in violations}
    assert leftovers == {}


def test_offer_reasons_are_put_in_french_too(web, people):
    page = web.page(people["volunteer"], "VOLUNTEER", language="fr", path="volunteer.html")

    reasons = page.locator("#pending .reasons li").all_inner_texts()

    assert "parle français" in reasons
    assert any(reason.startswith("disponible ") for reason in reasons)


def test_the_chosen_language_is_remembered(web):
    page = web.page(path="index.html")
    page.get_by_label("Language", exact=True).select_option("fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Des tâches qui ont besoin de monde maintenant")

    page.goto(page.url.replace("index.html", "login.html"))

    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion")
    expect(page.locator("html")).to_have_attribute("lang", "fr")


def tab_to(page, name: str, limit: int = 150) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => [document.activeElement.textContent.trim(), document.activeElement.getAttribute('aria-label') || '']"
        )
        if name in focused:
            return
    raise AssertionError(f"could not reach {name!r} with the keyboard")


def test_logging_in_and_answering_an_offer_work_with_the_keyboard_alone(web, world):
    skill = world.skill()
    volunteer = world.volunteer(skill)
    task = world.task(world.coordinator(), skill)
    world.wait_for_offer(volunteer, task["id"])
    page = web.page(path="login.html")

    tab_to(page, "Skip to content")
    page.keyboard.press("Enter")  # the skip link moves focus into the content
    page.keyboard.press("Tab")
    page.keyboard.type(volunteer.email)
    page.keyboard.press("Tab")
    page.keyboard.type(volunteer.password)
    page.keyboard.press("Enter")
    page.wait_for_url("**/volunteer.html")
    expect(page.locator("#pending > li", has_text=task["title"])).to_be_visible()
    tab_to(page, f"Accept: {task['title']}")
    page.keyboard.press("Enter")

    expect(page.locator("#accepted > li", has_text=task["title"])).to_be_visible()
