"""Serves gateway/web/public: plain HTML pages, JS modules, CSS, catalogues and widget.js.

Pages get a strict Content-Security-Policy (scripts and connections to this origin only);
widget.js is meant to be loaded by partner sites, so it may be fetched from any origin.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from starlette.responses import RedirectResponse
from starlette.staticfiles import StaticFiles

PUBLIC = Path(__file__).resolve().parent / "public"
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


class WebFiles(StaticFiles):
    async def get_response(self, path: str, scope):
        response = await super().get_response(path, scope)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        if path.endswith("widget.js"):
            response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
            response.headers["Cache-Control"] = "public, max-age=300"
        elif response.media_type == "text/html" or path.endswith(".html") or path in ("", "."):
            response.headers["Content-Security-Policy"] = PAGE_POLICY
            response.headers["Cache-Control"] = "no-cache"
        else:
            response.headers["Cache-Control"] = "no-cache"
        return response


def mount_web(app: FastAPI) -> None:
    @app.get("/widget-demo", include_in_schema=False)
    def widget_demo() -> RedirectResponse:
        return RedirectResponse("/widget-demo.html")

    app.mount("/", WebFiles(directory=PUBLIC, html=True), name="web")
