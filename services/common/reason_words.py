"""Offer reasons (``contracts.OfferReason``) in a reader's words, for what is rendered in Python:
the notification mails and the gateway's one-click answer page. The web pages word them the same
way in JavaScript (``gateway/web/public/assets/js/i18n.js``, ``describeReason``), from the same keys.

The words come from the caller's catalogue (``reason.*``, ``level.*``, ``fluency.*``, ``lang.*``
and, when the catalogue names a skill, ``skill.<slug>``); a name the catalogue lacks is shown as
its code (a skill's slug as words). Times are shown in the task's zone, which is named.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, time
from zoneinfo import ZoneInfo

from services.common.contracts import OfferReason, ReasonKind

Words = Callable[[str], str | None]  # a catalogue entry by key, None when the catalogue lacks it


def describe_reasons(
    reasons: Sequence[OfferReason],
    words: Words,
    weekdays: Sequence[str],
    zone: ZoneInfo,
    area_names: Mapping[str, str] | None = None,
) -> list[str]:
    """Each reason as one line, e.g. "Droit de l'immigration : experte ou expert", "dans le
    secteur Glanbrook", "disponible samedi 10:00-14:00 (America/Toronto)"."""
    phrase = _Phrases(words, weekdays, zone, area_names or {})
    return [line for line in (phrase.of(reason) for reason in reasons) if line]


class _Phrases:
    def __init__(self, words: Words, weekdays: Sequence[str], zone: ZoneInfo, area_names: Mapping[str, str]):
        self.words, self.weekdays, self.zone, self.area_names = words, weekdays, zone, area_names

    def say(self, key: str, **values: object) -> str:
        entry = self.words(key)
        return entry.format(**values) if entry is not None else ""

    def name(self, key: str, fallback: str) -> str:
        return self.words(key) or fallback

    def of(self, reason: OfferReason) -> str:
        kind = reason.kind
        if kind is ReasonKind.skill and reason.skill and reason.level is not None:
            skill = self.name(f"skill.{reason.skill}", reason.skill.replace("-", " ").replace("_", " "))
            return self.say(
                "reason.skill", skill=skill, level=self.name(f"level.{reason.level.name}", reason.level.name)
            )
        if kind is ReasonKind.language and reason.language:
            return self._speaks(reason)
        if kind is ReasonKind.free_time and reason.windows:
            return self.say("reason.free", when=self._when(reason))
        if kind is ReasonKind.place and reason.area:
            area = self.area_names.get(reason.area) or reason.area_name or reason.area
            if reason.distance_km is not None:
                return self.say("reason.in_area_distance", area=area, km=reason.distance_km)
            return self.say("reason.in_area", area=area)
        if kind is ReasonKind.recent_load:
            return self.say("reason.no_recent") if not reason.recent_tasks else ""  # never a count of tasks
        if kind in SIMPLE:
            return self.say(SIMPLE[kind])
        return reason.text or ""  # an older offer's reason, as it was written

    def _speaks(self, reason: OfferReason) -> str:
        code = (reason.language or "").lower()
        spoken = self.words(f"lang.{code}") or self.words(f"lang.{code.split('-', 1)[0]}") or code
        if reason.fluency is None or reason.fluency.name == "fluent":
            return self.say("reason.speaks", language=spoken)
        return self.say(
            "reason.speaks_level",
            language=spoken,
            fluency=self.name(f"fluency.{reason.fluency.name}", reason.fluency.name),
        )

    def _when(self, reason: OfferReason) -> str:
        text = self.say("reason.and").join(self._window(w.start, w.end) for w in reason.windows)
        if reason.before_deadline:
            text += self.say("reason.before_deadline")
        if reason.more_windows:
            text += self.say("reason.and_more")
        if reason.share_percent is not None:
            text += self.say("reason.share_of_time", percent=reason.share_percent)
        return text + self.say("reason.time_zone", zone=self.zone.key)

    def _window(self, start: datetime, end: datetime) -> str:
        start, end = start.astimezone(self.zone), end.astimezone(self.zone)
        # A stretch that runs to midnight ends at 24:00 of its day, as members write their windows.
        until = "24:00" if end.time() == time(0) and end.date() > start.date() else f"{end:%H:%M}"
        return f"{self.weekdays[start.weekday()]} {start:%H:%M}-{until}"


# Kinds said by one fixed entry.
SIMPLE = {ReasonKind.remote: "reason.remote", ReasonKind.asked_for: "reason.asked_for"}
