"""The catalogue's GraphQL types read the services through the contract models, and the taxonomy
inputs go out as the members service's bodies: on their own, no service running."""

from __future__ import annotations

from uuid import uuid4

import pytest
from pydantic import ValidationError

from gateway.clients.contracts.members import AreaBody, AreaChangesBody, SkillBody, SkillChangesBody
from gateway.schema.catalogue.types import (
    Area,
    AreaInput,
    AreaUpdateInput,
    PublicTask,
    Skill,
    SkillInput,
    SkillUpdateInput,
    term_body,
)
from gateway.schema.enums import SkillLevel, TaskStatus, Urgency

TASK = {
    "id": str(uuid4()),
    "organization_id": str(uuid4()),
    "coordinator_id": str(uuid4()),
    "title": "Accompany a family to a hearing",
    "summary": "Court house, Spanish",
    "description": "Call Ana: 514 555 0100",
    "skills": [{"skill": "accompaniment", "min_level": 2}, {"skill": "driving"}],
    "languages": ["es", "fr"],
    "slots": 2,
    "accepted_count": 3,
    "status": "open",
    "starts_at": "2027-03-02T14:00:00Z",
    "ends_at": None,
    "area": "montreal-nord",
    "urgency": "high",
    "time_zone": "America/Toronto",
    "has_address": True,
}


@pytest.mark.parametrize(
    ("input", "body", "sent"),
    [
        (SkillInput(slug="canvassing", name="Canvassing"), SkillBody, {"slug": "canvassing", "name": "Canvassing"}),
        (SkillUpdateInput(retired=True), SkillChangesBody, {"retired": True}),
        (
            AreaInput(slug="verdun", name="Verdun", city="Montréal", latitude=45.46, longitude=-73.57),
            AreaBody,
            {"slug": "verdun", "name": "Verdun", "city": "Montréal", "latitude": 45.46, "longitude": -73.57},
        ),
        (AreaUpdateInput(name="Verdun-Sud", parent=None), AreaChangesBody, {"name": "Verdun-Sud"}),
    ],
    ids=["skill", "skill changes", "area", "area changes"],
)
def test_a_taxonomy_input_is_sent_as_its_body_with_the_fields_given_and_none_as_null(input, body, sent):
    made = term_body(input)
    assert type(made) is body
    # A skill's description defaults to "" in the input: given, so sent.
    assert made.sent() == sent | ({"description": ""} if isinstance(input, SkillInput) else {})


def test_a_public_task_is_read_from_the_service_s_task_with_the_taxonomy_s_names():
    task = PublicTask.from_service(TASK, {"accompaniment": "Accompaniment"}, {"montreal-nord": "Montréal-Nord"})

    assert (task.id, task.title, task.summary) == (TASK["id"], TASK["title"], TASK["summary"])
    assert [(need.skill, need.name, need.min_level) for need in task.skills] == [
        ("accompaniment", "Accompaniment", SkillLevel.CAPABLE),  # the contract's number, read as its name
        ("driving", "driving", SkillLevel.LEARNING),  # no name known: the slug; no level sent: learning
    ]
    assert (task.area, task.area_name, task.remote) == ("montreal-nord", "Montréal-Nord", False)
    assert task.starts_at is not None and task.starts_at.isoformat() == "2027-03-02T14:00:00+00:00"
    assert (task.ends_at, task.deadline) == (None, None)
    assert (task.urgency, task.status, task.time_zone) == (Urgency.HIGH, TaskStatus.OPEN, "America/Toronto")
    assert (task.slots, task.open_slots) == (2, 0)  # more accepted than places: none open, never fewer
    assert not hasattr(task, "description") and not hasattr(task, "has_address")


def test_a_task_without_an_area_has_no_area_name_and_the_defaults_of_the_contract():
    bare = {key: TASK[key] for key in ("id", "organization_id", "coordinator_id", "title", "slots", "status")}
    task = PublicTask.from_service(bare | {"time_zone": "UTC"}, {}, {"montreal-nord": "Montréal-Nord"})

    assert (task.area, task.area_name, task.summary, task.skills, task.languages) == (None, None, "", [], [])
    assert (task.urgency, task.open_slots) == (Urgency.NORMAL, 2)


def test_a_task_missing_a_field_the_gateway_needs_is_refused_by_the_contract_not_shown_half_empty():
    with pytest.raises(ValidationError, match="time_zone"):
        PublicTask.from_service({key: value for key, value in TASK.items() if key != "time_zone"}, {}, {})


def test_skills_and_areas_are_read_from_the_members_service_s_terms():
    skill = Skill.from_service({"slug": "driving", "name": "Driving", "description": "B licence", "retired": False})
    area = Area.from_service({"slug": "verdun", "name": "Verdun", "city": "Montréal", "retired": False})

    assert (skill.slug, skill.name, skill.description) == ("driving", "Driving", "B licence")
    assert (area.slug, area.name, area.city, area.parent, area.latitude, area.longitude) == (
        "verdun",
        "Verdun",
        "Montréal",
        None,
        None,
        None,
    )
