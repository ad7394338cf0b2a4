"""The small server-rendered pages one-click answer links open: no script, no sign-in, one form.

Texts come from the web front end's catalogues (``public/i18n/<lang>.json``, keys ``answer.*``),
so a new language is still one catalogue file.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from datetime import datetime
from html import escape

from starlette.responses import HTMLResponse

from gateway.web.pages import PAGE_POLICY, PUBLIC

FALLBACK = "en"


@functools.cache
def catalogue(language: str) -> dict[str, str]:
    path = PUBLIC / "i18n" / f"{language}.json"
    if language.isalpha() and path.is_file():
        return json.loads(path.read_text())
    return catalogue(FALLBACK) if language != FALLBACK else {}


def text(language: str, key: str, **values: str) -> str:
    entry = catalogue(language).get(key) or catalogue(FALLBACK)[key]
    return entry.format(**values)


@dataclass(frozen=True)
class OfferDetails:
    title: str
    summary: str = ""
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    deadline: datetime | None = None
    place: str = ""
    reasons: list[str] = field(default_factory=list)


def page(language: str, status: int, message_key: str | None = None, *, details: OfferDetails | None = None,
         action: str | None = None, csrf: str | None = None) -> HTMLResponse:
    parts = [f"<h1>{escape(text(language, 'answer.title'))}</h1>"]
    if message_key:
        parts.append(f'<p class="answer-message" role="status">{escape(text(language, message_key))}</p>')
    if details is not None and action is not None and csrf is not None:
        parts += [f"<p>{escape(text(language, f'answer.intro_{action}'))}</p>", _details(language, details),
                  _form(language, action, csrf)]
    parts.append(f'<p><a href="/volunteer.html">{escape(text(language, "answer.volunteer_page"))}</a></p>')
    body = (
        f'<!doctype html>\n<html lang="{escape(language)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(text(language, 'answer.title'))}</title>\n"
        '<link rel="icon" href="data:,">\n<link rel="stylesheet" href="/assets/app.css">\n</head>\n'
        f'<body>\n<main id="main">\n{chr(10).join(parts)}\n</main>\n</body>\n</html>\n'
    )
    return HTMLResponse(body, status_code=status, headers={
        "Content-Security-Policy": PAGE_POLICY,
        # The token is in the address: no other site may learn it from a Referer, no cache keeps it.
        "Referrer-Policy": "no-referrer", "Cache-Control": "no-store", "X-Robots-Tag": "noindex",
        "X-Content-Type-Options": "nosniff",
    })


def _details(language: str, details: OfferDetails) -> str:
    rows = []
    when = _when(details)
    if when:
        rows.append(("answer.when", f"{when} ({text(language, 'answer.times_in', zone='UTC')})"))
    if details.place:
        rows.append(("answer.where", details.place))
    if details.reasons:
        rows.append(("answer.why_you", "; ".join(details.reasons)))
    items = [f'<h2 class="answer-task">{escape(details.title)}</h2>']
    if details.summary:
        items.append(f"<p>{escape(details.summary)}</p>")
    items.append("<dl>" + "".join(f"<dt>{escape(text(language, key))}</dt><dd>{escape(value)}</dd>"
                                  for key, value in rows) + "</dl>")
    return "\n".join(items)


def _when(details: OfferDetails) -> str:
    if details.starts_at and details.ends_at:
        same_day = details.starts_at.date() == details.ends_at.date()
        return f"{details.starts_at:%Y-%m-%d %H:%M} - {details.ends_at:{'%H:%M' if same_day else '%Y-%m-%d %H:%M'}}"
    if details.deadline:
        return f"... {details.deadline:%Y-%m-%d %H:%M}"
    return ""


def _form(language: str, action: str, csrf: str) -> str:
    return (f'<form method="post"><input type="hidden" name="csrf" value="{escape(csrf)}">'
            f'<button type="submit" class="answer-{escape(action)}">'
            f"{escape(text(language, f'answer.button_{action}'))}</button></form>")
