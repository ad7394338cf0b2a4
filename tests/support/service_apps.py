"""One harness for the service apps under test (members, tasks): the real app (lifespan, outbox
relay, consumers) on a fresh database and the test's own topics on the real broker.

A service's conftest names its :class:`ServiceApp` and takes the fixtures::

    settings, client, sqlite_settings, sqlite_client, shared_client = app_fixtures(MEMBERS)

Clients call as ``ServiceApp.caller`` (the system: the operator's tools) unless a request names
its own caller (tests/support/service_tokens.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.support.infra import new_sqlite_database, new_topic_prefix
from tests.support.service_tokens import SignedHeaders, calling_as


@dataclass(frozen=True)
class ServiceApp:
    name: str  # also the label of its databases
    # (database URL, Kafka bootstrap, topic prefix) -> the service's Settings
    settings: Callable[[str, str, str], Any]
    # (settings, the requesting fixture's request) -> the app; the request gives the fixtures it needs
    app: Callable[[Any, pytest.FixtureRequest], FastAPI]
    caller: SignedHeaders


@contextmanager
def serving(app: FastAPI, caller: SignedHeaders) -> Iterator[TestClient]:
    """The app with its lifespan running, calling as ``caller`` unless a request says otherwise."""
    with TestClient(app) as test_client:
        yield calling_as(test_client, caller)


def app_fixtures(service: ServiceApp) -> tuple[Any, ...]:
    """The fixtures every service's tests use: ``settings`` and ``client`` on SQLite and on
    PostgreSQL (tests using them run twice), ``sqlite_settings`` and ``sqlite_client`` for behaviour
    that does not depend on the database, and a module's ``shared_client`` on SQLite for tests that
    only check answers to single requests."""

    @pytest.fixture
    def settings(database_url, kafka_bootstrap, topic_prefix):
        return service.settings(database_url, kafka_bootstrap, topic_prefix)

    @pytest.fixture
    def client(settings, request):
        with serving(service.app(settings, request), service.caller) as test_client:
            yield test_client

    @pytest.fixture
    def sqlite_settings(new_database, kafka_bootstrap, topic_prefix):
        return service.settings(new_database("sqlite", service.name), kafka_bootstrap, topic_prefix)

    @pytest.fixture
    def sqlite_client(sqlite_settings, request):
        with serving(service.app(sqlite_settings, request), service.caller) as test_client:
            yield test_client

    @pytest.fixture(scope="module")
    def shared_client(kafka_bootstrap, tmp_path_factory, request):
        database_url = new_sqlite_database(tmp_path_factory.mktemp(service.name), service.name)
        settings = service.settings(database_url, kafka_bootstrap, new_topic_prefix())
        with serving(service.app(settings, request), service.caller) as test_client:
            yield test_client

    return settings, client, sqlite_settings, sqlite_client, shared_client
