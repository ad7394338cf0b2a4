"""Public open tasks narrowed by several skills at once (any of them), the old single skill still
understood, and every distinct filter answered for itself by the public response cache."""

from __future__ import annotations

import pytest

from tests.gateway.client import GraphQLError

OPEN_TASKS = "query($f: OpenTaskFilter) { openTasks(filter: $f) { totalCount nodes { id skills { skill } } } }"


def found(graphql, filter: dict) -> set[str]:
    return {node["id"] for node in graphql(OPEN_TASKS, {"f": filter})["openTasks"]["nodes"]}


@pytest.fixture(scope="module")
def three_tasks(world):
    """Tasks needing, each, one skill of their own: translation, cooking, driving (in spirit)."""
    coordinator = world.coordinator()
    skills = [world.skill() for _ in range(3)]
    return skills, [world.task(coordinator, skill)["id"] for skill in skills]


def test_open_tasks_needing_any_of_the_given_skills_are_listed(graphql, three_tasks):
    (first, second, third), (a, b, c) = three_tasks
    assert found(graphql, {"skills": [first, second]}) == {a, b}
    assert found(graphql, {"skills": [second, first]}) == {a, b}
    assert found(graphql, {"skills": [third]}) == {c}
    assert found(graphql, {"skills": [third, "nobody-needs-this"]}) == {c}


def test_the_deprecated_single_skill_still_works_and_joins_the_list(graphql, three_tasks):
    (first, second, third), (a, b, c) = three_tasks
    assert found(graphql, {"skill": first}) == {a}
    assert found(graphql, {"skill": first, "skills": [third]}) == {a, c}


def test_every_filter_gets_its_own_answer_from_the_public_cache(graphql, three_tasks):
    (first, second, _), (a, b, _) = three_tasks
    for _ in range(2):  # the second round is served from the cache
        assert found(graphql, {"skills": [first]}) == {a}
        assert found(graphql, {"skills": [second]}) == {b}


def test_too_many_skills_or_a_malformed_one_is_refused_with_a_clear_error(graphql):
    with pytest.raises(GraphQLError, match="filter.skills takes at most 20 skills"):
        found(graphql, {"skills": [f"skill-{n}" for n in range(21)]})
    with pytest.raises(GraphQLError, match="'Not A Slug' is not a skill slug"):
        found(graphql, {"skills": ["Not A Slug"]})
