"""The embeddable widget on a partner site of another origin: one script tag, a Shadow DOM list
of open tasks, kept current as tasks open and fill."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from tests.gateway.test_committees import create_committee
from tests.support.processes import free_port

pytestmark = [pytest.mark.browser, pytest.mark.kafka]

HOST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tenant union of Parc-Ex</title>
<style>h3 {{ color: red; font-size: 40px; }}</style></head>
<body><main><h1>Tenant union of Parc-Ex</h1><p>Our partners need volunteers:</p>
<script src="{gateway}/widget.js" {filters} data-limit="5" data-lang="{lang}"></script>
</main></body></html>"""


class PartnerSite:
    """A partner's page on its own origin (a port the gateway's widget allow-list names)."""

    def __init__(self, port: int):
        self.pages: dict[str, str] = {}
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                body = site.pages.get(self.path, "not found").encode()
                self.send_response(200 if self.path in site.pages else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def partner_site(stack):
    site = PartnerSite(stack.widget_host_port)
    yield site
    site.close()


def test_the_widget_lists_a_task_on_a_partner_site_and_drops_it_once_filled(web, world, stack, partner_site):
    skill = world.skill()
    volunteer = world.volunteer(skill)
    task = world.task(world.coordinator(), skill, title=f"Door-knocking {skill[-8:]}")
    partner_site.pages["/join.html"] = HOST_PAGE.format(gateway=stack.url, filters=f'data-skill="{skill}"', lang="en")
    page = web.browser.new_page()
    web.contexts.append(page.context)

    page.goto(f"{stack.widget_host_origin}/join.html")
    item = page.locator(".coalition-open-tasks li", has_text=task["title"])  # locators pierce the shadow root
    expect(item).to_be_visible(timeout=15_000)
    expect(item).to_contain_text("1 of 1 places open")
    expect(item.get_by_role("link", name=f"Sign up to help: {task['title']}")).to_have_attribute(
        "href", f"{stack.url}/signup.html?task={task['id']}&lang=en"
    )
    assert page.evaluate("document.querySelector('.coalition-open-tasks').shadowRoot !== null")
    # The host page's own styles stop at the shadow boundary.
    assert item.locator("h3").evaluate("h => getComputedStyle(h).color") != "rgb(255, 0, 0)"

    world.accept(volunteer, world.wait_for_offer(volunteer, task["id"])["id"])

    expect(item).to_have_count(0, timeout=40_000)
    expect(page.locator(".coalition-open-tasks [role=status]")).to_have_text("No open tasks right now.")


def test_the_widget_lists_tasks_needing_any_of_the_skills_the_partner_names(web, world, stack, partner_site):
    coordinator = world.coordinator()
    wanted, also_wanted, other = world.skill(), world.skill(), world.skill()
    shown = [world.task(coordinator, skill)["title"] for skill in (wanted, also_wanted)]
    hidden = world.task(coordinator, other)["title"]
    committee = create_committee(world, coordinator.organization_id)
    internal = world.task(coordinator, wanted, committeeId=committee["id"], membersOnly=True)["title"]
    partner_site.pages["/skills.html"] = HOST_PAGE.format(
        gateway=stack.url, filters=f'data-skills="{wanted}, {also_wanted}"', lang="en"
    )
    page = web.browser.new_page()
    web.contexts.append(page.context)

    page.goto(f"{stack.widget_host_origin}/skills.html")

    for title in shown:
        expect(page.locator(".coalition-open-tasks li", has_text=title)).to_be_visible(timeout=15_000)
    expect(page.locator(".coalition-open-tasks li")).to_have_count(2)
    expect(page.locator(".coalition-open-tasks li", has_text=hidden)).to_have_count(0)
    expect(page.locator(".coalition-open-tasks li", has_text=internal)).to_have_count(0)  # members only


def test_the_widget_speaks_the_language_the_partner_asks_for(web, world, stack, partner_site):
    skill = world.skill()
    task = world.task(world.coordinator(), skill, slots=3)
    single = world.task(world.coordinator(), skill, slots=1, title=f"Banderole {skill[-8:]}")
    partner_site.pages["/rejoindre.html"] = HOST_PAGE.format(
        gateway=stack.url, filters=f'data-skill="{skill}"', lang="fr"
    )
    page = web.browser.new_page()
    web.contexts.append(page.context)

    page.goto(f"{stack.widget_host_origin}/rejoindre.html")

    item = page.locator(".coalition-open-tasks li", has_text=task["title"])
    expect(item).to_contain_text("3 places libres sur 3", timeout=15_000)
    expect(page.locator(".coalition-open-tasks li", has_text=single["title"])).to_contain_text("1 place libre sur 1")
    expect(page.locator(".coalition-open-tasks h2")).to_have_text("Faites du bénévolat avec nous")


def test_the_widget_keeps_its_look_under_a_strict_content_security_policy(web, world, stack):
    task = world.task(world.coordinator(), world.skill())
    page = web.browser.new_page()  # no CSP bypass: the demo page's own strict policy applies
    web.contexts.append(page.context)
    blocked = []
    page.on(
        "console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None
    )

    page.goto(f"{stack.url}/widget-demo")

    expect(page.locator(".coalition-open-tasks li").first).to_be_visible(timeout=15_000)
    assert task["title"]  # at least this task is open, so the list cannot be empty
    section = page.locator(".coalition-open-tasks section")
    assert section.evaluate("s => getComputedStyle(s).borderTopLeftRadius") == "6px"
    assert blocked == []


HOSTILE_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Partner</title><style>{style}</style></head>
<body><main><h1>Partner</h1>
<script src="{gateway}/widget.js" data-skill="{skill}" data-limit="5" data-lang="en"></script>
</main></body></html>"""
HOSTILE_STYLES = {
    "plain": "",
    "hostile": "div { display: none !important } * { color: red !important; font-size: 40px !important }",
    "tiny root font": "html { font-size: 5px }",
}
LOOK = """host => {
  const root = host.shadowRoot, box = host.getBoundingClientRect();
  const style = selector => getComputedStyle(root.querySelector(selector));
  return {width: box.width, height: box.height, display: getComputedStyle(host).display,
          titleColor: style('h3').color, titleSize: parseFloat(style('h3').fontSize),
          metaColor: style('.meta').color, metaSize: parseFloat(style('.meta').fontSize),
          headingSize: parseFloat(style('h2').fontSize)};
}"""


def widget_look(web, site, name: str, style: str, stack, skill: str, title: str) -> dict:
    site.pages[f"/{name.replace(' ', '-')}.html"] = HOSTILE_PAGE.format(style=style, gateway=stack.url, skill=skill)
    page = web.browser.new_page(viewport={"width": 1000, "height": 900})
    web.contexts.append(page.context)
    page.goto(f"{stack.widget_host_origin}/{name.replace(' ', '-')}.html")
    expect(page.locator(".coalition-open-tasks li", has_text=title)).to_be_visible(timeout=15_000)
    return page.locator(".coalition-open-tasks").evaluate(LOOK)


def test_the_widget_keeps_its_size_and_colours_on_a_hostile_host_page(web, world, stack, partner_site):
    skill = world.skill()
    task = world.task(world.coordinator(), skill, title=f"Flyer run {skill[-8:]}")

    looks = {
        name: widget_look(web, partner_site, name, style, stack, skill, task["title"])
        for name, style in HOSTILE_STYLES.items()
    }

    plain = looks["plain"]
    assert plain["display"] == "block" and plain["titleColor"] != "rgb(255, 0, 0)"
    for name in ("hostile", "tiny root font"):
        look = looks[name]
        assert look["display"] == "block", name
        for measure in ("width", "height", "titleSize", "metaSize", "headingSize"):
            assert abs(look[measure] - plain[measure]) <= 3, (name, measure, look[measure], plain[measure])
        assert (look["titleColor"], look["metaColor"]) == (plain["titleColor"], plain["metaColor"]), name


@pytest.fixture
def unlisted_site():
    """A partner page on an origin the gateway's widget allow-list does not name."""
    site = PartnerSite(free_port())
    site.origin = f"http://127.0.0.1:{site.server.server_address[1]}"
    yield site
    site.close()


def test_a_widget_on_a_site_not_yet_allowed_says_so_and_backs_off(web, world, stack, unlisted_site):
    unlisted_site.pages["/join.html"] = HOST_PAGE.format(gateway=stack.url, filters="", lang="fr")
    page = web.browser.new_page()
    web.contexts.append(page.context)
    attempts: list[float] = []
    page.on(
        "request",
        lambda request: (
            attempts.append(time.monotonic()) if request.url.endswith("/graphql") and request.method == "POST" else None
        ),
    )

    page.goto(f"{unlisted_site.origin}/join.html")

    status = page.locator(".coalition-open-tasks [role=status]")
    expect(status).to_have_text("La liste des tâches ne peut pas encore s'afficher sur ce site.", timeout=15_000)
    expect(page.locator(".coalition-open-tasks .hint")).to_contain_text(unlisted_site.origin)
    expect(page.locator(".coalition-open-tasks .hint")).to_contain_text("GATEWAY_WIDGET_ORIGINS")
    deadline = time.monotonic() + 40
    while len(attempts) < 3 and time.monotonic() < deadline:
        page.wait_for_timeout(250)
    assert len(attempts) >= 3, attempts
    first_gap, second_gap = attempts[1] - attempts[0], attempts[2] - attempts[1]
    assert first_gap >= 4, attempts  # the first retry waits about 5 s
    assert second_gap >= 1.7 * first_gap, (first_gap, second_gap)  # and each one longer than the last


def test_the_widget_shows_times_in_the_tasks_own_zone_and_names_it(web, world, stack, partner_site):
    skill = world.skill()
    # 22:00 UTC on a January Wednesday is 17:00 in Montréal (EST).
    starts = datetime(datetime.now(UTC).year + 1, 1, 13, 22, 0, tzinfo=UTC)
    task = world.task(
        world.coordinator(),
        skill,
        title=f"Clinic {skill[-8:]}",
        timeZone="America/Toronto",
        startsAt=starts.isoformat(),
        endsAt=(starts + timedelta(hours=3)).isoformat(),
    )
    partner_site.pages["/clinic.html"] = HOST_PAGE.format(gateway=stack.url, filters=f'data-skill="{skill}"', lang="en")
    context = web.browser.new_context(timezone_id="UTC")  # a visitor whose browser is set to UTC
    web.contexts.append(context)
    page = context.new_page()

    page.goto(f"{stack.widget_host_origin}/clinic.html")

    meta = page.locator(".coalition-open-tasks li", has_text=task["title"]).locator(".meta")
    expect(meta).to_contain_text("05:00 p.m. EST", timeout=15_000)
    expect(meta).not_to_contain_text("10:00 p.m.")
