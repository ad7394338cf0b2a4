"""Who is offered a task first."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from services.common.contracts import SkillLevel, Weekday
from services.matching.engine import MemberLoad, ScoreWeights

from .factories import NOW, candidate_ids, engine_with, member, task, window


def test_fewer_recent_tasks_ranks_higher():
    rested, busy, busier = member(), member(), member()
    engine = engine_with(busier, rested, busy)
    loads = {busy.member_id: MemberLoad(recent_tasks=1), busier.member_id: MemberLoad(recent_tasks=3)}

    found = candidate_ids(engine, task(), loads=loads)

    assert found == [rested.member_id, busy.member_id, busier.member_id]


def test_a_higher_level_above_the_minimum_ranks_higher():
    capable = member(skills={"translation": SkillLevel.capable})
    expert = member(skills={"translation": SkillLevel.expert})
    learner = member(skills={"translation": SkillLevel.learning})
    engine = engine_with(capable, learner, expert)

    found = candidate_ids(engine, task(skills={"translation": SkillLevel.learning}))

    assert found == [expert.member_id, capable.member_id, learner.member_id]


def test_covering_more_of_the_task_window_ranks_higher():
    whole = member(windows=[window(Weekday.saturday, "09:00", "17:00")])
    half = member(windows=[window(Weekday.saturday, "12:00", "17:00")])
    engine = engine_with(half, whole)

    assert candidate_ids(engine, task(hours=4)) == [whole.member_id, half.member_id]


def test_weights_decide_between_skill_and_fairness():
    expert_but_busy = member(skills={"translation": SkillLevel.expert})
    learner_rested = member(skills={"translation": SkillLevel.learning})
    loads = {expert_but_busy.member_id: MemberLoad(recent_tasks=4)}
    shift = task()

    skill_first = engine_with(expert_but_busy, learner_rested, weights=ScoreWeights(skill=5.0))
    fairness_first = engine_with(expert_but_busy, learner_rested, weights=ScoreWeights(fairness=5.0))

    assert candidate_ids(skill_first, shift, loads=loads)[0] == expert_but_busy.member_id
    assert candidate_ids(fairness_first, shift, loads=loads)[0] == learner_rested.member_id


def test_among_equals_the_one_offered_least_recently_comes_first():
    never, long_ago, yesterday = member(), member(), member()
    engine = engine_with(yesterday, long_ago, never)
    loads = {
        long_ago.member_id: MemberLoad(last_offered_at=NOW - timedelta(days=30)),
        yesterday.member_id: MemberLoad(last_offered_at=NOW - timedelta(days=1)),
    }

    found = candidate_ids(engine, task(), loads=loads)

    assert found == [never.member_id, long_ago.member_id, yesterday.member_id]


def test_rotation_among_equals_changes_who_is_first_across_tasks():
    equals = [member(member_id=UUID(int=n)) for n in range(1, 9)]
    engine = engine_with(*equals)

    firsts = [candidate_ids(engine, task(task_id=UUID(int=n)), limit=1)[0] for n in range(40)]

    assert len(set(firsts)) >= 6
    assert max(firsts.count(m) for m in set(firsts)) <= 12


def test_the_same_task_always_ranks_equals_the_same_way():
    engine = engine_with(*[member() for _ in range(8)])
    shift = task()

    assert candidate_ids(engine, shift) == candidate_ids(engine, shift)


def test_candidates_are_the_best_first_and_no_more_than_the_limit():
    members = [member(skills={"translation": level}) for level in SkillLevel for _ in range(5)]
    engine = engine_with(*members)

    best = engine.candidates(task(), now=NOW, limit=4)

    assert len(best) == 4
    assert [c.score for c in best] == sorted((c.score for c in best), reverse=True)
    experts = {m.member_id for m in members if m.skills[0].level == SkillLevel.expert}
    assert {c.member_id for c in best} <= experts
    assert engine.candidates(task(), now=NOW, limit=0) == []


def test_the_score_adds_the_weighted_parts():
    capable = member(skills={"translation": SkillLevel.capable})
    engine = engine_with(capable, weights=ScoreWeights(skill=3.0, availability=2.0, fairness=1.0))
    loads = {capable.member_id: MemberLoad(recent_tasks=1)}

    (found,) = engine.candidates(task(), now=NOW, limit=1, loads=loads)

    # skill 2/3 of the top level, free for the whole task, fairness 1 / (1 + 1)
    assert found.score == round(3.0 * 2 / 3 + 2.0 * 1.0 + 1.0 * 0.5, 9)
