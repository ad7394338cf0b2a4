"""What a message says, in the member's language, from the catalogues in ``catalogues/<lang>.json``.

Adding a language is adding one catalogue file with the same keys as ``en.json``. Messages are
discreet: the subject and the first lines (what a lock screen or a mail preview shows) say that
something is waiting, never what, where, for which organization or with whom.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path

from services.notifications.models import MessageKind

CATALOGUES = Path(__file__).resolve().parent / "catalogues"
FALLBACK = "en"


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # e.g. "text/calendar"
    text: str
    params: dict[str, str] = field(default_factory=dict)  # e.g. {"method": "REQUEST"}


@dataclass(frozen=True)
class Message:
    """A rendered message, ready for a channel; it exists only in memory for the send."""

    subject: str
    text: str  # the plain-text part, always present
    language: str
    headers: dict[str, str] = field(default_factory=dict)
    attachments: tuple[Attachment, ...] = ()


@functools.cache
def catalogues() -> dict[str, dict[str, str]]:
    found = {path.stem: json.loads(path.read_text()) for path in sorted(CATALOGUES.glob("*.json"))}
    reference = set(found[FALLBACK])
    for language, entries in found.items():
        if set(entries) != reference:
            raise ValueError(
                f"catalogue {language}.json must have exactly the keys of {FALLBACK}.json; "
                f"differs in {sorted(set(entries) ^ reference)}"
            )
    return found


def languages() -> list[str]:
    return list(catalogues())


def choose_language(spoken: list[str], default: str) -> str:
    """The first of the member's languages (in the order they listed them) that has a catalogue."""
    for code in spoken:
        base = code.lower().split("-")[0]
        if base in catalogues():
            return base
    return default if default in catalogues() else FALLBACK


def render(
    kind: MessageKind,
    language: str,
    values: dict[str, str],
    variant: str | None = None,
    detailed: bool = False,
    why: str = "why",
    reasons: list[str] | None = None,
) -> Message:
    """``variant`` picks one of a kind's bodies (``<kind>.body.<variant>``), e.g. why an offer went.

    ``detailed`` (the member's choice, when ``values`` has ``about``: the task's title and time)
    names the task in the subject and first line, and lists ``reasons`` (why the member was asked,
    already worded) after the body; otherwise nothing says what the message is about.
    ``why`` is the entry that says why the reader gets the message (a member, a coordinator).
    """
    entries = words(language)
    detailed = detailed and bool(values.get("about"))
    subject = entries[f"{kind.value}.subject" + ("_detailed" if detailed else "")].format(**values)
    body = entries[f"{kind.value}.body" + (f".{variant}" if variant else "")]
    head = [entries["detail.lines"], ""] if detailed else []
    tail = ["-- ", entries["signature"], "", entries["why_detailed" if detailed else why]]
    if values.get("unsubscribe_url"):
        tail += ["", entries["unsubscribe"]]
    # The reasons are worded already (and may hold an area's name with braces): not formatted again.
    listed = [entries["reasons.heading"], *(f"- {reason}" for reason in reasons), ""] if detailed and reasons else []
    text = "\n".join(
        [*(part.format(**values) for part in [*head, body, ""]), *listed, *(part.format(**values) for part in tail)]
    )
    return Message(subject=subject, text=text + "\n", language=language if language in catalogues() else FALLBACK)


def words(language: str) -> dict[str, str]:
    """The catalogue of ``language``, or the fallback's."""
    return catalogues().get(language) or catalogues()[FALLBACK]


def phrase(language: str, key: str, values: dict[str, str]) -> str:
    """One catalogue entry, e.g. a calendar invitation's title."""
    return words(language)[key].format(**values)
