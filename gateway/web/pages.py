"""Serves the web front end: the pages, and public/ (JS modules, CSS, catalogues and widget.js).

A page file, public/<page>.html, holds only what is its own: its <title> line first, then the
content of its <main>. layout.html adds the head, header, footer and the page's script
(assets/js/<page>.js) around it, through ``$title``, ``$script`` and ``$main``. Pages are assembled
once at start-up and served from memory, with an ETag so that browsers revalidate cheaply.

Pages get a strict Content-Security-Policy (scripts and connections to this origin only);
widget.js is meant to be loaded by partner sites, so it may be fetched from any origin. It is
served with its strings filled in from the catalogues (``widget.*`` keys of i18n/<lang>.json), so a
widget whose partner site is not (yet) allowed to call /graphql still speaks the visitor's language.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from email.utils import formatdate
from pathlib import Path
from string import Template

from fastapi import FastAPI
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response
from starlette.staticfiles import NotModifiedResponse, StaticFiles
from starlette.types import Scope

WEB = Path(__file__).resolve().parent
PUBLIC = WEB / "public"
LAYOUT = WEB / "layout.html"
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


WIDGET = PUBLIC / "widget.js"
WIDGET_STRINGS = "/*widget-strings*/{}/*end-widget-strings*/"


@dataclass(frozen=True)
class Page:
    body: bytes
    etag: str
    last_modified: str
    media_type: str = "text/html"

    @classmethod
    def of(cls, body: bytes, modified: float, media_type: str = "text/html") -> Page:
        etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
        return cls(body, etag, formatdate(modified, usegmt=True), media_type)


def assemble_page(source: Path, layout: Template) -> bytes:
    """One page: its title line and main content put into the shared layout."""
    title, _, main = source.read_text().partition("\n")
    if not (title.startswith("<title") and title.endswith("</title>")):
        raise ValueError(f"{source} must start with its <title> line")
    script = source.parent / "assets" / "js" / f"{source.stem}.js"
    if not script.is_file():
        raise ValueError(f"{source} has no script: {script} is missing")
    return layout.substitute(title=title, script=source.stem, main=main).encode()


def load_pages(public: Path = PUBLIC, layout: Path = LAYOUT) -> dict[str, Page]:
    """Every page of ``public``, by file name, assembled; a broken page stops the start-up."""
    template = Template(layout.read_text())
    pages = {}
    for source in sorted(public.glob("*.html")):
        body = assemble_page(source, template)
        pages[source.name] = Page.of(body, max(source.stat().st_mtime, layout.stat().st_mtime))
    pages[WIDGET.name] = load_widget(public / WIDGET.name, public / "i18n")
    return pages


def load_widget(script: Path, catalogues: Path) -> Page:
    """widget.js with the ``widget.*`` strings of every catalogue written into it."""
    source = script.read_text()
    if WIDGET_STRINGS not in source:
        raise ValueError(f"{script} has no {WIDGET_STRINGS} placeholder for its strings")
    strings = {}
    files = sorted(catalogues.glob("*.json"))
    for catalogue in files:
        entries = json.loads(catalogue.read_text())
        strings[catalogue.stem] = {key: text for key, text in entries.items() if key.startswith("widget.")}
    # "</" cannot end a script block here, but keep the file safe to inline anyway.
    filled = json.dumps(strings, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")
    body = source.replace(WIDGET_STRINGS, filled).encode()
    modified = max([script.stat().st_mtime, *(catalogue.stat().st_mtime for catalogue in files)])
    return Page.of(body, modified, "text/javascript")


class WebFiles(StaticFiles):
    def __init__(self, pages: dict[str, Page]) -> None:
        super().__init__(directory=PUBLIC)
        self.pages = pages

    async def get_response(self, path: str, scope: Scope) -> Response:
        page = self.pages.get("index.html" if path == "." else path)
        if page is not None:
            response = self.page_response(page, scope)
            if page.media_type == "text/html":
                response.headers["Content-Security-Policy"] = PAGE_POLICY
        else:
            response = await super().get_response(path, scope)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        if path.endswith("widget.js"):
            response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
            response.headers["Cache-Control"] = "public, max-age=300"
        else:
            response.headers["Cache-Control"] = "no-cache"
        return response

    def page_response(self, page: Page, scope: Scope) -> Response:
        if scope["method"] not in ("GET", "HEAD"):
            raise HTTPException(status_code=405, headers={"Allow": "GET, HEAD"})
        validators = Headers({"etag": page.etag, "last-modified": page.last_modified})
        if self.is_not_modified(validators, Headers(scope=scope)):
            return NotModifiedResponse(validators)
        body = b"" if scope["method"] == "HEAD" else page.body
        return Response(body, media_type=page.media_type, headers={**validators, "content-length": str(len(page.body))})


def mount_web(app: FastAPI) -> None:
    from gateway.web.answers import router as answers  # imports this module: import it late
    from gateway.web.calendar_feed import router as calendar_feed
    from gateway.web.unsubscribe import router as unsubscribe

    app.include_router(answers)
    app.include_router(calendar_feed)
    app.include_router(unsubscribe)

    @app.get("/widget-demo", include_in_schema=False)
    def widget_demo() -> RedirectResponse:
        return RedirectResponse("/widget-demo.html")

    app.mount("/", WebFiles(load_pages()), name="web")
