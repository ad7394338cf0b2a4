"""Abusive queries are refused at validation, before any resolver or service call runs."""

from __future__ import annotations

import pytest
from graphql import parse, validate

from gateway.limits.query_budget import Budget, QueryBudget, budget_rule
from gateway.schema import build_schema

BUDGET = Budget(max_depth=8, max_cost=5000, max_aliases=15, max_page_size=50)
SCHEMA = build_schema(BUDGET)._schema


def problems(query: str) -> list[str]:
    return [error.message for error in validate(SCHEMA, parse(query), [budget_rule(BUDGET)])]


def test_every_request_brings_the_same_rules_so_a_repeated_operation_is_validated_once():
    # The schema makes a QueryBudget per request; strawberry's ValidationCache keys on the rules.
    first, second = QueryBudget(BUDGET), QueryBudget(BUDGET)
    assert tuple(first.validation_rules) == tuple(second.validation_rules)
    assert hash(tuple(first.validation_rules)) == hash(tuple(second.validation_rules))


def test_an_ordinary_page_of_open_tasks_is_within_budget():
    assert problems("{ openTasks(first: 50) { nodes { id title skills { skill name minLevel } } } }") == []


def test_a_page_size_from_a_variable_counts_as_the_largest_page():
    assert problems("query($n: Int!) { openTasks(first: $n) { nodes { id title } } }") == []


def test_the_deepest_screens_of_the_web_pages_are_within_budget():
    coordinator_page = (
        "{ me { organization { name } } myTasks(first: 50) { nodes { id skills { name } "
        "fill { acceptedMemberIds } offers { id memberId } } } }"
    )
    assert problems(coordinator_page) == []


def test_depth_beyond_the_limit_names_the_limit():
    budget = Budget(max_depth=2, max_cost=5000, max_aliases=15, max_page_size=50)
    errors = [
        e.message
        for e in validate(SCHEMA, parse("query Deep { me { member { skills { skill } } } }"), [budget_rule(budget)])
    ]
    assert errors == ["Query too deep: Deep nests 3 levels; the limit is 2."]


def test_a_costly_query_is_refused_with_a_clear_message():
    query = (
        "query Costly { "
        + " ".join(
            f"t{i}: openTasks(first: 50) {{ nodes {{ id title skills {{ skill name minLevel }} }} }}" for i in range(4)
        )
        + " }"
    )
    assert problems(query) == [
        "Query too costly: Costly may fetch about 6804 fields; the limit is 5000. "
        "Ask for fewer fields or smaller pages (first)."
    ]


def test_too_many_aliases_are_refused():
    query = "{ " + " ".join(f"a{i}: skills {{ slug }}" for i in range(16)) + " }"
    assert "Too many aliases: the operation uses 16; the limit is 15." in problems(query)


@pytest.mark.parametrize("first", [0, 51, 100000])
def test_a_page_size_out_of_range_is_refused(first):
    assert problems(f"{{ openTasks(first: {first}) {{ totalCount }} }}") == [
        f"first must be between 1 and 50 (got {first})."
    ]


def test_introspection_is_free_so_tools_keep_working():
    query = "{ __schema { types { name fields { name type { name ofType { name ofType { name } } } } } } }"
    assert problems(query) == []


def test_fragments_count_and_unknown_ones_do_not_crash_the_rule():
    with_fragment = (
        "query F { openTasks(first: 50) { ...Page } } fragment Page on PublicTaskPage { nodes { id skills { name } } }"
    )
    assert problems(with_fragment) == []
    assert problems("{ ...Missing }") == []  # reported by the standard rules, not here
