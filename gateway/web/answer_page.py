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
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from starlette.responses import HTMLResponse

from gateway.web.pages import PAGE_POLICY, PUBLIC
from services.common.contracts import OfferReason
from services.common.reason_words import describe_reasons

FALLBACK = "en"


@functools.cache
def catalogue(language: str) -> dict[str, str]:
    path = PUBLIC / "i18n" / f"{language}.json"
    if language.isalpha() and path.is_file():
        return json.loads(path.read_text())
    return catalogue(FALLBACK) if language != FALLBACK else {}


# The answers to reminders ("I'm still coming", "I can't come anymore"), for catalogues that do not
# carry them yet; an entry in public/i18n/<lang>.json wins.
REMINDER_TEXTS = {
    "en": {
        "answer.intro_still_coming": "Here is the task you said yes to. Press the button to confirm you are coming.",
        "answer.intro_cant_come": "Here is the task you said yes to. Press the button to free your place for "
        "someone else.",
        "answer.button_still_coming": "I'm still coming",
        "answer.button_cant_come": "I can't come anymore",
        "answer.still_coming": "Thank you, see you there!",
        "answer.cant_come": "Your place is freed for someone else. Thank you for telling us.",
        "answer.already_withdrawn": "You already stepped back from this task. Thank you for telling us.",
        "answer.started": "This task has started; this link no longer works.",
    },
    "fr": {
        "answer.intro_still_coming": "Voici la tâche à laquelle vous avez dit oui. Appuyez sur le bouton pour "
        "confirmer votre venue.",
        "answer.intro_cant_come": "Voici la tâche à laquelle vous avez dit oui. Appuyez sur le bouton pour libérer "
        "votre place pour quelqu'un d'autre.",
        "answer.button_still_coming": "Je viens toujours",
        "answer.button_cant_come": "Je ne peux plus venir",
        "answer.still_coming": "Merci, à bientôt !",
        "answer.cant_come": "Votre place est libérée pour quelqu'un d'autre. Merci de nous avoir prévenus.",
        "answer.already_withdrawn": "Vous vous êtes déjà retiré·e de cette tâche. Merci de nous avoir prévenus.",
        "answer.started": "Cette tâche a commencé ; ce lien ne fonctionne plus.",
    },
}


def text(language: str, key: str, **values: str) -> str:
    entry = (
        catalogue(language).get(key)
        or REMINDER_TEXTS.get(language, {}).get(key)
        or catalogue(FALLBACK).get(key)
        or REMINDER_TEXTS[FALLBACK][key]
    )
    return entry.format(**values)


@dataclass(frozen=True)
class OfferDetails:
    title: str
    summary: str = ""
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    deadline: datetime | None = None
    place: str = ""
    reasons: list[OfferReason] = field(default_factory=list)
    time_zone: str = "UTC"  # the task's own zone: its times are shown in it, naming it


def page(
    language: str,
    status: int,
    message_key: str | None = None,
    *,
    details: OfferDetails | None = None,
    action: str | None = None,
    csrf: str | None = None,
) -> HTMLResponse:
    parts = [f"<h1>{escape(text(language, 'answer.title'))}</h1>"]
    if message_key:
        parts.append(f'<p class="answer-message" role="status">{escape(text(language, message_key))}</p>')
    if details is not None and action is not None and csrf is not None:
        parts += [
            f"<p>{escape(text(language, f'answer.intro_{action}'))}</p>",
            _details(language, details),
            _form(language, action, csrf),
        ]
    parts.append(f'<p><a href="/volunteer.html">{escape(text(language, "answer.volunteer_page"))}</a></p>')
    body = (
        f'<!doctype html>\n<html lang="{escape(language)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(text(language, 'answer.title'))}</title>\n"
        '<link rel="icon" href="data:,">\n<link rel="stylesheet" href="/assets/app.css">\n</head>\n'
        f'<body>\n<main id="main">\n{chr(10).join(parts)}\n</main>\n</body>\n</html>\n'
    )
    return HTMLResponse(
        body,
        status_code=status,
        headers={
            "Content-Security-Policy": PAGE_POLICY,
            # The token is in the address: no other site may learn it from a Referer, no cache keeps it.
            "Referrer-Policy": "no-referrer",
            "Cache-Control": "no-store",
            "X-Robots-Tag": "noindex",
            "X-Content-Type-Options": "nosniff",
        },
    )


def _details(language: str, details: OfferDetails) -> str:
    rows = []
    when = _when(details)
    if when:
        rows.append(("answer.when", f"{when} ({text(language, 'answer.times_in', zone=details.time_zone)})"))
    if details.place:
        rows.append(("answer.where", details.place))
    if details.reasons:
        rows.append(("answer.why_you", "; ".join(_why(language, details))))
    items = [f'<h2 class="answer-task">{escape(details.title)}</h2>']
    if details.summary:
        items.append(f"<p>{escape(details.summary)}</p>")
    items.append(
        "<dl>"
        + "".join(f"<dt>{escape(text(language, key))}</dt><dd>{escape(value)}</dd>" for key, value in rows)
        + "</dl>"
    )
    return "\n".join(items)


def _why(language: str, details: OfferDetails) -> list[str]:
    """The offer's reasons in the page's language (the web pages' own ``reason.*`` entries)."""

    def entry(key: str) -> str | None:
        return catalogue(language).get(key) or catalogue(FALLBACK).get(key)

    weekdays = [entry(f"weekday.{day}") or "" for day in range(7)]
    return describe_reasons(details.reasons, entry, weekdays, _zone(details.time_zone))


def _when(details: OfferDetails) -> str:
    zone = _zone(details.time_zone)
    if details.starts_at and details.ends_at:
        starts_at, ends_at = details.starts_at.astimezone(zone), details.ends_at.astimezone(zone)
        same_day = starts_at.date() == ends_at.date()
        return f"{starts_at:%Y-%m-%d %H:%M} - {ends_at:{'%H:%M' if same_day else '%Y-%m-%d %H:%M'}}"
    if details.deadline:
        return f"... {details.deadline.astimezone(zone):%Y-%m-%d %H:%M}"
    return ""


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _form(language: str, action: str, csrf: str) -> str:
    return (
        f'<form method="post"><input type="hidden" name="csrf" value="{escape(csrf)}">'
        f'<button type="submit" class="answer-{escape(action)}">'
        f"{escape(text(language, f'answer.button_{action}'))}</button></form>"
    )
