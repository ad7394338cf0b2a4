"""The coalition's areas as matching needs them: which city or region holds each, where its coarse
centre lies, and so which areas a member can reach.

Only public geography is here (an area's name, parent and centre), never a person's address. A
member's reach (their own area, areas they chose, the whole city of their area, every area within
some kilometres of their area's centre) is resolved into the set of area slugs they can go to;
the index lists them under each (see ``entries``). Resolutions are shared by every member with
the same reach, so the engine stores one copy per pattern.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from services.common.contracts import AreaState

EARTH_RADIUS_KM = 6371.0088

# What a member's reach says, as the engine keeps it: (chosen areas, whole city, km).
ReachSpec = tuple[tuple[str, ...], bool, int | None]
NO_REACH: ReachSpec = ((), False, None)


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    parent: str | None
    centre: tuple[float, float] | None  # (latitude, longitude) in degrees


class Geography:
    """Areas by slug. Not thread-safe; belongs to one engine. Never mutated in place: a change
    makes a new ``Geography`` (so resolutions cached on the old one stay right for it)."""

    def __init__(self, areas: Iterable[AreaState] = ()) -> None:
        # Retired areas stay: members who live in one still match and are told its name.
        self.states: dict[str, AreaState] = {area.slug: area for area in areas}
        self.places: dict[str, Place] = {
            area.slug: Place(area.name, area.parent, _centre(area)) for area in self.states.values()
        }
        self._reachable: dict[tuple[str | None, ReachSpec], frozenset[str]] = {}

    def with_area(self, area: AreaState) -> Geography:
        return Geography({**self.states, area.slug: area}.values())

    def __len__(self) -> int:
        return len(self.places)

    def name(self, slug: str) -> str:
        place = self.places.get(slug)
        return place.name if place is not None else slug.replace("-", " ")

    def city_of(self, slug: str) -> str:
        """The city or region holding the area (its parent); an area without one is its own."""
        place = self.places.get(slug)
        return place.parent if place is not None and place.parent is not None else slug

    def distance_km(self, first: str, second: str) -> float | None:
        a, b = self.places.get(first), self.places.get(second)
        if a is None or b is None or a.centre is None or b.centre is None:
            return None
        return haversine_km(a.centre, b.centre)

    def reachable(self, home: str | None, reach: ReachSpec) -> frozenset[str]:
        """Every area a member living in ``home`` with this reach can go to."""
        found = self._reachable.get((home, reach))
        if found is None:
            found = self._reachable[(home, reach)] = frozenset(self._resolve(home, reach))
        return found

    def _resolve(self, home: str | None, reach: ReachSpec) -> set[str]:
        chosen, whole_city, km = reach
        areas = set(chosen)
        if home is None:
            return areas
        areas.add(home)
        if whole_city:
            city = self.city_of(home)
            areas.add(city)
            areas.update(slug for slug, place in self.places.items() if place.parent == city)
        if km is not None:
            areas.update(slug for slug in self.places if (self.distance_km(home, slug) or math.inf) <= km)
        return areas


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _centre(area: AreaState) -> tuple[float, float] | None:
    if area.latitude is None or area.longitude is None:
        return None
    return (area.latitude, area.longitude)
