"""Real headless Chromium (Debian's) driven by Playwright, against the real stack."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

WEB = Path(__file__).resolve().parents[2] / "gateway" / "web"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PHONE = {"width": 375, "height": 740}


def axe_source() -> str:
    """axe-core from npm (gateway/web/package-lock.json), installed on first use."""
    script = WEB / "node_modules" / "axe-core" / "axe.min.js"
    if not script.exists():
        npm = shutil.which("npm")
        assert npm, "npm is needed once to install axe-core (cd gateway/web && npm ci)"
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=WEB, check=True, capture_output=True, timeout=300)
    return script.read_text()


@pytest.fixture(scope="module")
def browser():
    # Module scope: the sync API's own event loop is gone before any asyncio test runs.
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


# Seeds the session once per context (each ``Web.page`` has its own): a page that later signs out
# or erases the person clears it for good, as in a real tab, instead of getting it back on the next
# navigation with a token that no longer works.
_STORAGE_SCRIPT = """(() => {
  const language = %s, session = %s;
  if (!localStorage.getItem('coalition.lang')) localStorage.setItem('coalition.lang', language);
  if (session && !localStorage.getItem('coalition.test-session-seeded')) {
    sessionStorage.setItem('coalition.session', session);
    localStorage.setItem('coalition.test-session-seeded', '1');
  }
})();"""


def wait_until_ready(page) -> None:
    """Pages mark <html data-ready> once drawn with their first data and live updates started."""
    page.wait_for_selector("html[data-ready='true']", state="attached")


class Web:
    """Pages of one gateway, opened as a given person, in a given language and screen size."""

    def __init__(self, browser, stack):
        self.browser = browser
        self.stack = stack
        self.axe = axe_source()
        self.contexts = []

    def page(
        self,
        person=None,
        role: str | None = None,
        language: str = "en",
        viewport=None,
        path: str = "index.html",
        timezone_id: str | None = None,
    ):
        # bypass_csp only so axe can be injected; the pages run under their real policy otherwise.
        context = self.browser.new_context(
            bypass_csp=True, viewport=viewport or {"width": 1280, "height": 900}, timezone_id=timezone_id
        )
        self.contexts.append(context)
        session = None
        if person is not None:
            expires = (datetime.now(UTC) + timedelta(minutes=25)).isoformat()
            session = json.dumps({"token": person.token, "expiresAt": expires, "role": role, "locale": language})
        # As if the person had chosen the language and logged in earlier (later choices are kept).
        context.add_init_script(script=_STORAGE_SCRIPT % (json.dumps(language), json.dumps(session)))
        page = context.new_page()
        page.goto(f"{self.stack.url}/{path}")
        wait_until_ready(page)
        return page

    def violations(self, page, impacts=("serious", "critical")) -> list[dict]:
        page.evaluate(self.axe)
        found = page.evaluate(
            "async () => (await axe.run(document)).violations.map(v => ({id: v.id, "
            "impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' '))}))"
        )
        return [v for v in found if v["impact"] in impacts]

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def web(browser, stack):
    pages = Web(browser, stack)
    yield pages
    pages.close()


@pytest.fixture
def page_in(web):
    return web.page
