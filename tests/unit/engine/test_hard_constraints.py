"""Who may be offered a task at all."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

from services.common.contracts import Fluency, MemberStatus, SkillLevel, Weekday
from services.matching.engine import MemberLoad

from .factories import (
    NOW,
    SATURDAY,
    at,
    candidate_ids,
    engine_with,
    member,
    task,
    window,
)


def test_a_member_without_the_needed_level_is_never_a_candidate():
    learner = member(skills={"legal-knowledge": SkillLevel.learning})
    expert = member(skills={"legal-knowledge": SkillLevel.expert})
    engine = engine_with(learner, expert)

    found = candidate_ids(engine, task(skills={"legal-knowledge": SkillLevel.expert}))

    assert found == [expert.member_id]


def test_every_needed_skill_is_required():
    translator = member(skills={"translation": SkillLevel.expert})
    both = member(skills={"translation": SkillLevel.capable, "accompaniment": SkillLevel.capable})
    engine = engine_with(translator, both)

    needs = {"translation": SkillLevel.learning, "accompaniment": SkillLevel.learning}
    assert candidate_ids(engine, task(skills=needs)) == [both.member_id]


def test_a_member_needs_a_language_in_common_with_the_task():
    french = member(languages={"fr": Fluency.fluent})
    spanish = member(languages={"es": Fluency.conversational})
    engine = engine_with(french, spanish)

    assert candidate_ids(engine, task(languages=("es", "pt"))) == [spanish.member_id]
    assert set(candidate_ids(engine, task(languages=()))) == {french.member_id, spanish.member_id}


def test_a_task_in_portuguese_finds_a_brazilian_portuguese_speaker():
    speaker = member(languages={"pt-BR": Fluency.fluent})
    engine = engine_with(speaker)

    assert candidate_ids(engine, task(languages=("pt",))) == [speaker.member_id]
    assert candidate_ids(engine, task(languages=("PT-br",))) == [speaker.member_id]


def test_a_remote_task_only_goes_to_members_open_to_remote_work():
    open_to_remote = member(remote_ok=True, area="west-end")
    in_person_only = member(remote_ok=False)
    engine = engine_with(open_to_remote, in_person_only)

    assert candidate_ids(engine, task(remote=True, area=None)) == [open_to_remote.member_id]


def test_an_in_person_task_goes_to_members_of_its_area():
    east = member(area="east-end", remote_ok=True)
    west = member(area="west-end", remote_ok=True)
    nowhere = member(area=None)
    engine = engine_with(east, west, nowhere)

    assert candidate_ids(engine, task(area="east-end")) == [east.member_id]
    everyone = {east.member_id, west.member_id, nowhere.member_id}
    assert set(candidate_ids(engine, task(area=None))) == everyone


def test_a_paused_member_is_never_a_candidate():
    paused = member(status=MemberStatus.paused)
    engine = engine_with(paused)

    assert candidate_ids(engine, task()) == []
    assert engine.get_member(paused.member_id) == paused


def test_a_member_at_their_monthly_limit_is_not_a_candidate():
    busy, free = member(max_tasks_per_month=2), member(max_tasks_per_month=2)
    engine = engine_with(busy, free)
    loads = {busy.member_id: MemberLoad(tasks_this_month=2), free.member_id: MemberLoad(tasks_this_month=1)}

    assert candidate_ids(engine, task(), loads=loads) == [free.member_id]


def test_a_member_who_wants_no_tasks_this_month_is_never_a_candidate():
    engine = engine_with(member(max_tasks_per_month=0))

    assert candidate_ids(engine, task()) == []


def test_members_who_declined_or_were_offered_the_task_are_excluded():
    declined, offered, fresh = member(), member(), member()
    engine = engine_with(declined, offered, fresh)

    found = candidate_ids(engine, task(), excluded={declined.member_id, offered.member_id})

    assert found == [fresh.member_id]


def test_a_member_whose_accepted_task_clashes_is_not_a_candidate():
    clashing, elsewhere = member(), member()
    engine = engine_with(clashing, elsewhere)
    shift = task(starts_at=at(SATURDAY, 10), hours=4)
    loads = {
        clashing.member_id: MemberLoad(busy=((at(SATURDAY, 13), at(SATURDAY, 15)),)),
        # Ends exactly when the shift starts: no clash.
        elsewhere.member_id: MemberLoad(busy=((at(SATURDAY, 8), at(SATURDAY, 10)),)),
    }

    assert candidate_ids(engine, shift, loads=loads) == [elsewhere.member_id]


def test_availability_must_overlap_the_task_window():
    mornings = member(windows=[window(Weekday.saturday, "08:00", "10:30")])
    evenings = member(windows=[window(Weekday.saturday, "18:00", "21:00")])
    sundays = member(windows=[window(Weekday.sunday, "09:00", "17:00")])
    engine = engine_with(mornings, evenings, sundays)

    assert candidate_ids(engine, task(starts_at=at(SATURDAY, 10), hours=4)) == [mornings.member_id]


def test_weekly_windows_are_read_in_the_coalitions_time_zone():
    saturday_morning = member(windows=[window(Weekday.saturday, "10:00", "12:00")])
    engine = engine_with(saturday_morning)
    # 14:00 UTC is 10:00 in Toronto in June.
    in_utc = task(starts_at=at(SATURDAY, 10).astimezone(UTC), hours=1)

    assert candidate_ids(engine, in_utc) == [saturday_morning.member_id]
    # In winter Toronto is UTC-5, so 15:00 UTC is 10:00 there.
    winter = task(starts_at=datetime(2026, 12, 5, 15, 0, tzinfo=UTC), hours=1)
    assert candidate_ids(engine, winter, now=datetime(2026, 12, 1, tzinfo=UTC)) == [saturday_morning.member_id]


def test_an_overnight_window_runs_past_midnight():
    night_owl = member(windows=[window(Weekday.friday, "22:00", "02:00")])
    engine = engine_with(night_owl)

    assert candidate_ids(engine, task(starts_at=at(SATURDAY, 1), hours=1)) == [night_owl.member_id]
    assert candidate_ids(engine, task(starts_at=at(SATURDAY, 3), hours=1)) == []


def test_a_member_on_an_unavailable_date_range_is_not_a_candidate():
    away = member(unavailable=((date(2026, 6, 5), date(2026, 6, 7)),))
    back_before = member(unavailable=((date(2026, 5, 20), date(2026, 6, 5)),))
    engine = engine_with(away, back_before)

    assert candidate_ids(engine, task()) == [back_before.member_id]


def test_a_flexible_task_needs_free_time_before_its_deadline():
    saturdays = member()
    engine = engine_with(saturdays)

    before_saturday = task(flexible=True, deadline=at(SATURDAY, 8))
    after_saturday = task(flexible=True, deadline=at(SATURDAY, 12))

    assert candidate_ids(engine, before_saturday) == []
    assert candidate_ids(engine, after_saturday) == [saturdays.member_id]
    assert candidate_ids(engine, after_saturday, now=at(SATURDAY, 13)) == []


def test_a_flexible_task_skips_the_members_unavailable_days():
    away_this_week = member(unavailable=((date(2026, 6, 1), date(2026, 6, 7)),))
    engine = engine_with(away_this_week)

    assert candidate_ids(engine, task(flexible=True, deadline=at(SATURDAY, 18))) == []
    next_week = task(flexible=True, deadline=at(SATURDAY + timedelta(days=7), 18))
    assert candidate_ids(engine, next_week) == [away_this_week.member_id]


def test_a_flexible_task_without_deadline_needs_some_free_time_soon():
    engine = engine_with(free := member(), member(windows=[]))

    assert candidate_ids(engine, task(flexible=True)) == [free.member_id]


def test_a_task_that_ends_before_it_starts_has_no_candidates():
    engine = engine_with(member())

    assert candidate_ids(engine, task(hours=-1)) == []


def test_is_eligible_rechecks_one_member():
    alice, bob = member(), member(max_tasks_per_month=1)
    engine = engine_with(alice, bob)
    shift = task()

    assert engine.is_eligible(alice.member_id, shift, now=NOW)
    assert not engine.is_eligible(alice.member_id, shift, now=NOW, excluded={alice.member_id})
    assert not engine.is_eligible(bob.member_id, shift, now=NOW, load=MemberLoad(tasks_this_month=1))
    assert not engine.is_eligible(member().member_id, shift, now=NOW)


def test_a_members_only_task_goes_only_to_its_committee_s_members():
    food_for_all, education_for_all = uuid4(), uuid4()
    in_committee = member().model_copy(update={"committees": [education_for_all, food_for_all]})
    elsewhere = member().model_copy(update={"committees": [education_for_all]})
    in_none = member()
    engine = engine_with(in_committee, elsewhere, in_none)
    picket = task().model_copy(update={"committee_id": food_for_all, "members_only": True})

    assert candidate_ids(engine, picket) == [in_committee.member_id]
    assert engine.is_eligible(in_committee.member_id, picket, now=NOW)
    assert not engine.is_eligible(elsewhere.member_id, picket, now=NOW)
    open_to_all = picket.model_copy(update={"members_only": False})
    assert len(candidate_ids(engine, open_to_all)) == 3


def test_leaving_the_committee_ends_eligibility_for_its_members_only_tasks():
    committee = uuid4()
    joined = member().model_copy(update={"committees": [committee]})
    engine = engine_with(joined)
    picket = task().model_copy(update={"committee_id": committee, "members_only": True})
    assert candidate_ids(engine, picket) == [joined.member_id]

    engine.upsert_member(joined.model_copy(update={"committees": []}))

    assert candidate_ids(engine, picket) == []
    assert engine.get_member(joined.member_id).committees == []
