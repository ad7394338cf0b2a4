"""Place is more than one neighbourhood: members reach other areas, a whole city or a distance,
tasks accept their whole city, and a task may ask for a least fluency in a language."""

from __future__ import annotations

from services.common.contracts import AreaState, Fluency, Reach, ReasonKind
from services.matching.engine.reasons import Reason

from .factories import NOW, candidate_ids, engine_with, member, task

# Hamilton's neighbourhoods (coarse public centres) and a Toronto one, 60 km away.
HAMILTON = [
    AreaState(slug="hamilton", name="Hamilton", latitude=43.2557, longitude=-79.8711),
    AreaState(slug="downtown", name="Downtown Hamilton", parent="hamilton", latitude=43.2560, longitude=-79.8690),
    AreaState(slug="glanbrook", name="Glanbrook", parent="hamilton", latitude=43.1720, longitude=-79.9360),
    AreaState(slug="stoney-creek", name="Stoney Creek", parent="hamilton", latitude=43.2170, longitude=-79.7650),
    AreaState(slug="toronto", name="Toronto"),
    AreaState(slug="parkdale", name="Parkdale", parent="toronto", latitude=43.6400, longitude=-79.4360),
]


def engine_in_hamilton(*members):
    engine = engine_with(*members)
    for area in HAMILTON:
        engine.upsert_area(area)
    return engine


def test_a_task_open_to_its_whole_city_reaches_every_neighbourhood_of_it_and_no_further():
    downtown, glanbrook, parkdale = member(area="downtown"), member(area="glanbrook"), member(area="parkdale")
    engine = engine_in_hamilton(downtown, glanbrook, parkdale)

    rally = task(area="downtown").model_copy(update={"whole_city": True})

    assert set(candidate_ids(engine, rally)) == {downtown.member_id, glanbrook.member_id}
    assert candidate_ids(engine, task(area="downtown")) == [downtown.member_id]


def test_members_reach_areas_they_chose_their_whole_city_or_a_distance():
    chose = member(area="parkdale", reach=Reach(areas=["glanbrook"]))
    city = member(area="downtown", reach=Reach(whole_city=True))
    near = member(area="downtown", reach=Reach(km=12))  # Glanbrook is about 11 km away
    too_near = member(area="downtown", reach=Reach(km=5))
    engine = engine_in_hamilton(chose, city, near, too_near)

    found = set(candidate_ids(engine, task(area="glanbrook")))

    assert found == {chose.member_id, city.member_id, near.member_id}


def test_reasons_name_the_place_and_how_far_it_is_from_the_members_area():
    near = member(area="downtown", reach=Reach(km=15))
    engine = engine_in_hamilton(near)

    [candidate] = engine.candidates(task(area="glanbrook"), now=NOW, limit=1)

    assert Reason(kind=ReasonKind.place, area="glanbrook", area_name="Glanbrook", distance_km=11) in candidate.reasons


def test_an_area_learned_after_its_members_moves_them_into_reach():
    city = member(area="downtown", reach=Reach(whole_city=True))
    engine = engine_with(city)
    assert candidate_ids(engine, task(area="glanbrook")) == []

    for area in HAMILTON:
        engine.upsert_area(area)

    assert candidate_ids(engine, task(area="glanbrook")) == [city.member_id]


def test_a_task_asking_for_conversational_punjabi_passes_over_basic_speakers():
    basic = member(languages={"pa": Fluency.basic})
    conversational = member(languages={"pa": Fluency.conversational, "en": Fluency.fluent})
    engine = engine_with(basic, conversational)

    outreach = task(languages=("pa",)).model_copy(update={"min_fluency": {"pa": Fluency.conversational}})
    [candidate] = engine.candidates(outreach, now=NOW, limit=5)

    assert candidate.member_id == conversational.member_id
    assert Reason(kind=ReasonKind.language, language="pa", fluency=Fluency.conversational) in candidate.reasons
    assert not engine.is_eligible(basic.member_id, outreach, now=NOW)
    assert set(candidate_ids(engine, task(languages=("pa",)))) == {basic.member_id, conversational.member_id}
