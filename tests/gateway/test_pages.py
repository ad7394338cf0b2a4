"""The web pages: each page file is put into the shared layout once, then served from memory."""

from __future__ import annotations

import json
import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from gateway.web.pages import LAYOUT, PUBLIC, load_pages, mount_web

PAGES = sorted(path.name for path in PUBLIC.glob("*.html"))


@pytest.fixture(scope="module")
def web() -> TestClient:
    app = FastAPI()
    mount_web(app)
    return TestClient(app)


@pytest.mark.parametrize("name", PAGES)
def test_every_page_is_its_own_title_and_content_inside_the_shared_header_and_footer(web, name):
    page = web.get(f"/{name}")
    source = (PUBLIC / name).read_text()
    title, content = source.split("\n", 1)

    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.text.startswith('<!doctype html>\n<html lang="en">')
    assert page.text.count("<title") == 1 and title in page.text
    assert f'<script type="module" src="assets/js/{name.removesuffix(".html")}.js"></script>' in page.text
    assert f'<main id="main" tabindex="-1">\n{content}</main>' in page.text
    assert '<a class="skip-link" href="#main"' in page.text and '<nav aria-label="Main"' in page.text
    assert "$" not in page.text.replace(content, "")  # no layout slot left unfilled


def test_the_site_root_is_the_open_tasks_page(web):
    assert web.get("/").content == web.get("/index.html").content


def test_pages_keep_their_security_and_revalidation_headers(web):
    page = web.get("/login.html")

    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"] == "no-cache"
    assert page.headers["content-length"] == str(len(page.content))


def test_a_browser_holding_the_current_page_is_told_it_has_not_changed(web):
    first = web.get("/volunteer.html")

    again = web.get("/volunteer.html", headers={"if-none-match": first.headers["etag"]})
    stale = web.get("/volunteer.html", headers={"if-none-match": '"an-older-version"'})

    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == first.headers["etag"]
    assert stale.status_code == 200 and stale.content == first.content


def test_a_head_request_gets_the_headers_without_the_page(web):
    full = web.get("/admin.html")
    head = web.head("/admin.html")

    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == full.headers["content-length"]
    assert head.headers["etag"] == full.headers["etag"]


def test_pages_cannot_be_posted_to_and_unknown_pages_are_not_found(web):
    assert web.post("/login.html").status_code == 405
    assert web.get("/no-such-page.html").status_code == 404
    assert web.get("/layout.html").status_code == 404


def test_every_text_key_of_the_assembled_pages_is_in_the_catalogue(web):
    english = json.loads((PUBLIC / "i18n" / "en.json").read_text())
    used = set()
    for name in PAGES:
        used |= set(re.findall(r'data-i18n(?:-[a-z-]+)?="([^"]+)"', web.get(f"/{name}").text))

    assert {"nav.skip", "nav.label", "brand", "footer.privacy"} <= used
    assert used - set(english) == set()


def test_a_page_file_without_its_title_line_stops_the_start_up(tmp_path):
    (tmp_path / "assets" / "js").mkdir(parents=True)
    (tmp_path / "assets" / "js" / "broken.js").write_text("")
    (tmp_path / "broken.html").write_text("  <h1>No title first</h1>\n")

    with pytest.raises(ValueError, match="must start with its <title> line"):
        load_pages(tmp_path, LAYOUT)


def test_a_page_file_without_its_script_stops_the_start_up(tmp_path):
    (tmp_path / "orphan.html").write_text('<title data-i18n="page.x">X</title>\n  <h1>X</h1>\n')

    with pytest.raises(ValueError, match="has no script"):
        load_pages(tmp_path, LAYOUT)
