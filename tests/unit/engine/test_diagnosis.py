"""Why a task is not filling: each member counted under the first constraint that leaves them
out, and what widening the task would add."""

from __future__ import annotations

from services.common.contracts import Fluency, SkillLevel, Weekday
from services.matching.engine import MemberLoad

from .factories import NOW, member, task, window
from .test_reach import engine_in_hamilton


def test_each_member_is_counted_under_the_first_constraint_that_leaves_them_out():
    asked = member(area="downtown")
    crowd = [
        member(area="downtown", skills={"translation": SkillLevel.learning}),  # skill level
        member(area="downtown", languages={"pa": Fluency.basic}),  # language fluency
        member(area="glanbrook"),
        member(area="glanbrook"),  # place: only the whole city would reach them
        member(area="parkdale"),  # place, even for the whole city
        member(area="downtown", windows=[window(Weekday.monday, "09:00", "12:00")]),  # time
        member(area="downtown"),  # load: at their monthly limit
        asked,
        member(area="downtown"),  # eligible
    ]
    engine = engine_in_hamilton(*crowd)
    outreach = task(area="downtown", skills={"translation": SkillLevel.capable}, languages=("en", "pa")).model_copy(
        update={"min_fluency": {"pa": Fluency.conversational}}
    )
    loads = {crowd[6].member_id: MemberLoad(tasks_this_month=4)}

    found = engine.diagnose(outreach, now=NOW, loads=loads, asked={asked.member_id})

    assert found.active == 9
    assert found.excluded == {"skill": 1, "language": 1, "place": 3, "time": 1, "load": 1, "already_asked": 1}
    assert found.eligible == 1
    assert found.widenings == {"whole_city": 2, "any_level": 1, "any_fluency": 1}


def test_the_count_of_eligible_members_is_who_candidates_would_find():
    crowd = [member(area=area) for area in ("downtown", "glanbrook", "parkdale", None)]
    engine = engine_in_hamilton(*crowd)
    rally = task(area="glanbrook").model_copy(update={"whole_city": True})

    found = engine.diagnose(rally, now=NOW)

    assert found.eligible == len(engine.candidates(rally, now=NOW, limit=100)) == 2
    assert "whole_city" not in found.widenings
