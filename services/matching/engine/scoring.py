"""How eligible members are ordered: a weighted score, then rotation among equals.

Each part of the score lies in [0, 1] before weighting:

- skill fit: the member's levels on the needed skills over the top level, averaged, so an expert
  ranks above someone who just meets the minimum;
- availability fit: the share of a fixed task's time the member is free for (a flexible task is
  done whenever the member is free, so every eligible member fits it fully);
- fairness: 1 / (1 + recent tasks), so members with fewer recent tasks rank higher;
- less, for someone who lately did not come several times: ``missed`` takes off a share of the
  reliability weight that grows with each no-show after the first (one is forgiven) and never
  reaches the whole weight. It lowers the rank gently; it never makes anyone ineligible, and no
  reason shown on an offer mentions it.

Equal scores are broken by who was offered something least recently (never offered first), then
by a hash of (member, task) that is stable but different for every task, so the same people are not
always first.

Only the best ``limit`` are wanted, so the pool is walked best-possible-first: tier by tier (the
index cuts the pool by level on the first needed skill, and works a tier's members out only when
the walk reaches it), and within a tier by rotation hash. The best a member could rank, (tier
ceiling, never offered, rotation), is known before looking at their availability or load, and the
walk stops as soon as that cannot beat the ``limit``-th best found. A common task thus reads a
few hundred members of its top tier, and the tiers below are never worked out.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Mapping, Sequence
from uuid import UUID

from services.common.contracts import SkillLevel

from .availability import free_minutes
from .index import Tier
from .model import NO_LOAD, MemberLoad, MemberProfile, ScoreWeights
from .query import TaskQuery

# (score in billionths, staleness, rotation, member key): the higher, the better.
RankKey = tuple[int, float, int, int]

TOP_LEVEL = int(max(SkillLevel))
_GOLDEN_64 = 0x9E3779B97F4A7C15  # odd multiplier that spreads the xor across all 64 bits
_MASK_64 = (1 << 64) - 1
_NEVER_OFFERED = float("inf")
# Scores are compared in billionths so that sums differing only by float rounding count as
# equal; otherwise rotation among equals would never apply.
SCORE_SCALE = 1_000_000_000
# A tier this small is sorted outright; a larger one is heapified and popped lazily.
_SORT_BELOW = 256


def quantized(score: float) -> int:
    return int(score * SCORE_SCALE + 0.5)


def fairness(load: MemberLoad) -> float:
    return 1.0 / (1 + max(0, load.recent_tasks))


def missed(load: MemberLoad) -> float:
    """The share of the reliability weight taken off: 0 for none or one no-show, then 1/2, 2/3,
    3/4... (the n-th no-show takes off 1 - 1/n), below 1 however many."""
    repeated = load.no_shows - 1
    return 0.0 if repeated <= 0 else 1.0 - 1.0 / (1 + repeated)


def staleness(load: MemberLoad) -> float:
    offered = load.last_offered_at
    return _NEVER_OFFERED if offered is None else -offered.timestamp()


def rotation(seed: int, salt: int) -> int:
    return ((seed ^ salt) * _GOLDEN_64) & _MASK_64


class _Weighing:
    """One task's score parts, written so that no score can exceed the bounds the walk uses:
    each bound is the same float expression as the score, at a value no smaller."""

    def __init__(self, query: TaskQuery, weights: ScoreWeights) -> None:
        needs = len(query.needs)
        self.skills = [skill for skill, _ in query.needs]
        self.per_level = weights.skill / (TOP_LEVEL * needs) if needs else 0.0
        self.no_skill = 0.0 if needs else weights.skill
        window = query.window
        self.per_minute = 0.0 if window.flexible else weights.availability / window.minutes
        self.flexible = weights.availability if window.flexible else 0.0
        self.full_window = 0 if window.flexible else window.minutes
        self.fairness = weights.fairness
        self.reliability = weights.reliability

    def ceiling(self, first_level: int | None) -> int:
        """The best score at this level on the first skill: top level on the others, free for
        the whole task, no recent tasks."""
        levels = 0 if first_level is None else TOP_LEVEL * (len(self.skills) - 1) + first_level
        return quantized(self._sum(levels, self.full_window) + self.fairness)

    def loadless(self, profile: MemberProfile, free: int) -> float:
        """Skill and availability parts: the score without fairness."""
        levels = profile.skill_levels
        level_sum = 0
        for skill in self.skills:
            level_sum += levels[skill]
        return self._sum(level_sum, free)

    def _sum(self, level_sum: int, free: int) -> float:
        return (self.no_skill + level_sum * self.per_level) + (self.flexible + free * self.per_minute)


def best_ranked(
    query: TaskQuery,
    weights: ScoreWeights,
    profiles: Mapping[int, MemberProfile],
    seeds: Sequence[int],
    tiers: Sequence[Tier],
    loads: Mapping[UUID, MemberLoad],
    limit: int,
) -> list[RankKey]:
    """The ``limit`` best eligible members of the tiers (highest level first), best first.

    A member is dropped as soon as the best rank still open to them cannot beat the worst of
    the best so far: first on the tier's ceiling, then on their skill and free time (before their
    load, the slowest part to read).
    """
    weighing, salt = _Weighing(query, weights), query.rotation_salt
    segments, flexible = query.window.segments, query.window.flexible
    best: list[RankKey] = []  # a min-heap: best[0] is the worst of the best so far
    for level, members in tiers:
        ceiling = weighing.ceiling(level)
        if len(best) == limit and ceiling < best[0][0]:
            break  # before the tier's members are worked out
        for spin, key in _by_rotation(members(), seeds, salt):
            if len(best) == limit and (ceiling, _NEVER_OFFERED, spin, key) <= best[0]:
                break  # everyone left in this tier has a lower rotation
            profile = profiles[key]
            free = free_minutes(profile.weekly, profile.unavailable, segments, flexible)
            if not free:
                continue
            loadless = weighing.loadless(profile, free)
            hopeful = (quantized(loadless + weighing.fairness), _NEVER_OFFERED, spin, key)
            if len(best) == limit and hopeful <= best[0]:
                continue
            load = loads.get(profile.member_id, NO_LOAD) if loads else NO_LOAD
            if not query.within_load(profile, load):
                continue
            if load is not NO_LOAD:
                # Never above ``hopeful``: the fairness part is at most its weight, and missed >= 0.
                score = quantized(loadless + weighing.fairness * fairness(load) - weighing.reliability * missed(load))
                hopeful = (score, staleness(load), spin, key)
            if len(best) < limit:
                heapq.heappush(best, hopeful)
            elif hopeful > best[0]:
                heapq.heapreplace(best, hopeful)
    return sorted(best, reverse=True)


def _by_rotation(keys: set[int], seeds: Sequence[int], salt: int) -> Iterator[tuple[int, int]]:
    """(rotation, key) of every key, highest rotation first, computed lazily.

    Keys fit in 32 bits, so (rotation, key) travels as one integer, which heapify handles
    much faster than tuples.
    """
    # rotation(), inlined: this runs for every member of the tier.
    packed = [-((((seeds[k] ^ salt) * _GOLDEN_64) & _MASK_64) << 32 | k) for k in keys]
    if len(packed) < _SORT_BELOW:
        packed.sort()
        for item in packed:
            yield -item >> 32, -item & 0xFFFFFFFF
        return
    heapq.heapify(packed)
    while packed:
        item = -heapq.heappop(packed)
        yield item >> 32, item & 0xFFFFFFFF
