"""Why a member was picked, in plain words shown to the volunteer and the coordinator.

For example ``["legal knowledge: expert", "speaks Spanish", "free Saturday 10:00-14:00"]``.
Only matching data appears here (skills, languages, free time, area), never anything personal.
"""

from __future__ import annotations

import functools

from services.common.contracts import Fluency, SkillLevel

from .availability import MINUTES_PER_DAY, Segment, free_pieces
from .model import MemberLoad, MemberProfile
from .query import TaskQuery

# English names for the languages coalitions most often work in; other codes are shown as given.
LANGUAGE_NAMES = {
    "am": "Amharic",
    "ar": "Arabic",
    "asl": "American Sign Language",
    "bn": "Bengali",
    "de": "German",
    "en": "English",
    "es": "Spanish",
    "fa": "Persian",
    "fcs": "Quebec Sign Language",
    "fr": "French",
    "hi": "Hindi",
    "ht": "Haitian Creole",
    "it": "Italian",
    "ko": "Korean",
    "pa": "Punjabi",
    "pl": "Polish",
    "prs": "Dari",
    "ps": "Pashto",
    "pt": "Portuguese",
    "ru": "Russian",
    "so": "Somali",
    "sw": "Swahili",
    "ta": "Tamil",
    "ti": "Tigrinya",
    "tl": "Tagalog",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "ur": "Urdu",
    "vi": "Vietnamese",
    "yue": "Cantonese",
    "zh": "Chinese",
}
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# How many free stretches a reason lists before it stops.
MAX_FREE_PIECES = 2


@functools.cache
def skill_words(slug: str) -> str:
    return slug.replace("-", " ").replace("_", " ").strip()


@functools.cache
def language_name(code: str) -> str:
    code = code.lower()
    return LANGUAGE_NAMES.get(code) or LANGUAGE_NAMES.get(code.split("-", 1)[0]) or code


def reasons_for(query: TaskQuery, profile: MemberProfile, load: MemberLoad) -> list[str]:
    reasons = [
        f"{skill_words(skill)}: {SkillLevel(profile.skill_levels[skill]).name}"
        for skill, _ in query.needs
    ]
    spoken = query.shared_language(profile)
    if spoken is not None:
        reasons.append(_speaks(*spoken))
    free = _free_time(query, profile)
    if free:
        reasons.append(free)
    if query.task.remote:
        reasons.append("open to remote work")
    elif query.task.area is not None:
        reasons.append(_place(query, profile))
    if load.recent_tasks <= 0:
        reasons.append("no recent tasks")
    return reasons


def _place(query: TaskQuery, profile: MemberProfile) -> str:
    """"in Glanbrook", and how far it is when it is not the member's own area."""
    area, geography = query.task.area, query.geography
    if area is None:  # a task with no place has nothing to say here
        return ""
    words = f"in {geography.name(area)}"
    if profile.area is None or profile.area == area:
        return words
    distance = geography.distance_km(profile.area, area)
    return words if distance is None else f"{words}, about {max(1, round(distance))} km from your area"


def _speaks(code: str, fluency: int) -> str:
    words = f"speaks {language_name(code)}"
    return words if fluency >= Fluency.fluent else f"{words} ({Fluency(fluency).name})"


def _free_time(query: TaskQuery, profile: MemberProfile) -> str:
    window = query.window
    limit = 1 if window.flexible else MAX_FREE_PIECES + 1
    pieces = free_pieces(profile.weekly, profile.unavailable, window.segments, limit)
    if not pieces:
        return ""
    if window.flexible:
        deadline = ", before the deadline" if window.has_deadline else ""
        return f"free {_piece_words(pieces[0])}{deadline}"
    words = "free " + " and ".join(_piece_words(p) for p in pieces[:MAX_FREE_PIECES])
    if len(pieces) > MAX_FREE_PIECES:
        words += ", and more"
    free = sum(end - start for _, _, start, end in pieces)
    if len(pieces) <= MAX_FREE_PIECES and free < window.minutes:
        words += f" ({100 * free // window.minutes}% of the task's time)"
    return words


def _piece_words(piece: Segment) -> str:
    _, weekday, start, end = piece
    return f"{WEEKDAY_NAMES[weekday]} {_clock(start)}-{_clock(end)}"


def _clock(minute: int) -> str:
    if minute == MINUTES_PER_DAY:
        return "24:00"
    return f"{minute // 60:02d}:{minute % 60:02d}"
