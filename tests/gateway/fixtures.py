"""Fixtures shared by tests/gateway and tests/browser: one real stack per test session."""

from __future__ import annotations

import pytest

from tests.gateway.client import GraphQL, World
from tests.gateway.stack import Stack, start_stack

_stack: Stack | None = None


@pytest.fixture(scope="session")
def stack(request, kafka_bootstrap, tmp_path_factory) -> Stack:
    """Members, tasks, matching and the gateway as real processes; started once per session."""
    global _stack
    if _stack is None:
        _stack = start_stack(tmp_path_factory.mktemp("stack"), kafka_bootstrap)
        request.config.add_cleanup(_stack.stop)
    return _stack


@pytest.fixture(scope="session")
def graphql(stack) -> GraphQL:
    return GraphQL(stack.graphql_url)


@pytest.fixture(scope="session")
def world(graphql) -> World:
    return World(graphql)
