"""The engine's ranking against a straightforward one: every member checked and scored in full,
sorted, cut at the limit. The engine walks only what can still make the top ``limit`` (tier by
tier, each worked out when reached, best possible rank first); it must return exactly this."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from hypothesis import given
from hypothesis import strategies as st

from services.common.contracts import MemberState, SkillLevel, TaskState, Weekday
from services.matching.engine import MatchingEngine, MemberLoad, ScoreWeights
from services.matching.engine.model import stable_hash64
from services.matching.engine.scoring import rotation

from .factories import NOW, TORONTO, engine_with, member, task, window
from .test_properties import GEOGRAPHY, blocked, bounded, day_pieces, plainly_eligible, scenarios

TOP_LEVEL = 3


# -- the ranking, written plainly from the rules in scoring ---------------------------------------


def plainly_ranked(
    crowd: list[MemberState],
    t: TaskState,
    load_of: dict[UUID, MemberLoad],
    excluded: set[UUID],
    weights: ScoreWeights,
    limit: int,
) -> list[tuple[UUID, float]]:
    ranked = []
    for m in crowd:
        load = load_of.get(m.member_id, MemberLoad())
        if not plainly_eligible(m, t, load, excluded, NOW):
            continue
        score = int(plain_score(m, t, load, weights) * 1_000_000_000 + 0.5)  # billionths
        never_offered = load.last_offered_at is None
        offered_at = 0.0 if never_offered else load.last_offered_at.timestamp()
        spin = rotation(stable_hash64(m.member_id), stable_hash64(t.task_id))
        ranked.append(((score, never_offered, -offered_at, spin), m.member_id))
    ranked.sort(reverse=True)
    return [(member_id, rank[0] / 1_000_000_000) for rank, member_id in ranked[:limit]]


def plain_score(m: MemberState, t: TaskState, load: MemberLoad, weights: ScoreWeights) -> float:
    levels = {}
    for claim in m.skills:
        levels[claim.skill] = max(levels.get(claim.skill, 0), int(claim.level))
    skill = sum(levels[need.skill] for need in t.skills) / (TOP_LEVEL * len(t.skills)) if t.skills else 1.0
    if t.starts_at is None:
        available = 1.0  # a flexible task is done whenever the member is free
    else:
        start, end = local_minute(t.starts_at), local_minute(t.ends_at or t.starts_at + timedelta(hours=1))
        available = len(free_minutes(m, start, end)) / ((end - start) / timedelta(minutes=1))
    fairness = 1 / (1 + max(0, load.recent_tasks))
    missed = 1 - 1 / load.no_shows if load.no_shows > 1 else 0.0  # the first is forgiven
    return (
        weights.skill * skill
        + weights.availability * available
        + weights.fairness * fairness
        - weights.reliability * missed
    )


def local_minute(moment: datetime) -> datetime:
    return moment.astimezone(TORONTO).replace(tzinfo=None, second=0, microsecond=0)


def free_minutes(m: MemberState, start: datetime, end: datetime) -> set[datetime]:
    """Every minute of [start, end) the member is free for (windows that overlap count once)."""
    free = set()
    day = start.date() - timedelta(days=1)
    while day <= end.date():
        for w in m.weekly_availability:
            if w.weekday != day.weekday():
                continue
            for piece_start, piece_end in day_pieces(day, w.start, w.end):
                minute = max(piece_start, start)
                while minute < min(piece_end, end):
                    if not blocked(m, minute.date()):
                        free.add(minute)
                    minute += timedelta(minutes=1)
        day += timedelta(days=1)
    return free


# -- properties ----------------------------------------------------------------------------------

weights = st.builds(
    ScoreWeights,
    skill=st.sampled_from([0.0, 0.5, 1.0, 3.0]),
    availability=st.sampled_from([0.0, 1.0, 2.0]),
    fairness=st.sampled_from([0.0, 1.0, 5.0]),
    reliability=st.sampled_from([0.0, 0.5, 2.0]),
)


@bounded
@given(scenarios(), weights, st.integers(1, 8))
def test_the_best_few_are_those_of_a_full_plain_ranking(scenario, score_weights, limit):
    crowd, t, load_of, excluded = scenario
    engine = MatchingEngine(weights=score_weights, tz=TORONTO)
    for area in GEOGRAPHY:
        engine.upsert_area(area)
    for state in crowd:
        engine.upsert_member(state)

    found = engine.candidates(t, now=NOW, limit=limit, loads=load_of, excluded=excluded)
    everyone = engine.candidates(t, now=NOW, limit=len(crowd), loads=load_of, excluded=excluded)

    assert [(c.member_id, c.score) for c in found] == plainly_ranked(crowd, t, load_of, excluded, score_weights, limit)
    # Each member's reasons are the same however far the walk went.
    assert found == everyone[:limit]


def test_a_lower_level_tied_on_score_still_wins_on_never_having_been_offered():
    # The expert, free for two hours of three, scores 1 + 2/3 + 1; the capable member, free for
    # all three, 2/3 + 1 + 1: a tie, which the capable member wins as never offered anything.
    # The walk must not stop at the capable tier, whose best score only equals the worst kept.
    two_hours = [window(Weekday.saturday, "10:00", "12:00")]
    expert = member(skills={"translation": SkillLevel.expert}, windows=two_hours)
    capable = member(skills={"translation": SkillLevel.capable})
    engine = engine_with(expert, capable)
    loads = {expert.member_id: MemberLoad(last_offered_at=NOW - timedelta(days=1))}
    needing_a_learner = task(skills={"translation": SkillLevel.learning}, hours=3)

    found = engine.candidates(needing_a_learner, now=NOW, limit=1, loads=loads)
    everyone = engine.candidates(needing_a_learner, now=NOW, limit=2, loads=loads)

    assert [c.member_id for c in everyone] == [capable.member_id, expert.member_id]
    assert everyone[0].score == everyone[1].score
    assert found == everyone[:1]
