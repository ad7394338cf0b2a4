"""Fixtures shared by every test: the real broker, real databases, isolated topic names."""

from __future__ import annotations

import os

import pytest

from tests.support.infra import (
    delete_topics_with_prefix,
    ensure_kafka,
    ensure_postgres,
    new_postgres_database,
    new_sqlite_database,
    new_topic_prefix,
)


@pytest.fixture(scope="session")
def kafka_bootstrap() -> str:
    return ensure_kafka()


@pytest.fixture(scope="session")
def postgres_server() -> str:
    return ensure_postgres()


@pytest.fixture
def topic_prefix(request) -> str:
    prefix = new_topic_prefix()
    yield prefix
    # Thousands of tests leave thousands of topics behind otherwise, and the one test broker
    # slows down (and once ran out of heap) carrying them all.
    if "kafka_bootstrap" in request.fixturenames:
        delete_topics_with_prefix(request.getfixturevalue("kafka_bootstrap"), prefix)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """A fresh, empty database; tests using it run once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return new_sqlite_database(tmp_path)
    return new_postgres_database(request.getfixturevalue("postgres_server"))


@pytest.fixture
def new_database(request, tmp_path):
    """Factory for more fresh databases of a given kind: ``new_database("postgresql", "members")``."""

    def make(kind: str, label: str = "t") -> str:
        if kind == "sqlite":
            return new_sqlite_database(tmp_path, label)
        return new_postgres_database(request.getfixturevalue("postgres_server"), label)

    return make


# The fast tier (``./test.sh --fast``): only the tests that need none of the real parts (broker,
# PostgreSQL, mail server, browser): the engine, handlers against SQLite through the composition
# root with an in-memory producer, and the checks. Everything else is deselected, not skipped.
FAST_TIER = os.environ.get("TEST_TIER") == "fast"
REAL_PARTS = {"kafka_bootstrap", "postgres_server", "mail_server", "browser"}


def pytest_collection_modifyitems(config, items):
    if not FAST_TIER:
        return
    kept, dropped = [], []
    for item in items:
        spec = getattr(item, "callspec", None)
        on_postgres = spec is not None and spec.params.get("database_url") == "postgresql"
        real = REAL_PARTS & set(getattr(item, "fixturenames", ())) or any(
            item.get_closest_marker(name) for name in ("kafka", "browser", "postgres")
        )
        (dropped if real or on_postgres else kept).append(item)
    config.hook.pytest_deselected(items=dropped)
    items[:] = kept
