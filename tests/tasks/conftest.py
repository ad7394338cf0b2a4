"""Tasks service under test: the real app on a fresh database and its own topics on the real broker
(tests/support/service_apps.py), checking skills against a real members service shared by the
session (its taxonomy is all the tasks service reads from it). Organizations, coordinators and
tasks are made with tests/support/tasks_app.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from services.common.identity import TAXONOMY_READER
from services.members.main import create_app as create_members_app
from services.tasks.skills import SkillCatalogue
from tests.support.infra import new_sqlite_database, new_topic_prefix
from tests.support.members_app import members_settings
from tests.support.service_apps import app_fixtures, serving
from tests.support.service_tokens import signed_headers
from tests.support.tasks_app import TASKS

settings, client, sqlite_settings, sqlite_client, shared_client = app_fixtures(TASKS)


@pytest.fixture(scope="session")
def members_service(kafka_bootstrap, tmp_path_factory) -> Iterator[TestClient]:
    database_url = new_sqlite_database(tmp_path_factory.mktemp("members-taxonomy"), "members")
    app = create_members_app(members_settings(database_url, kafka_bootstrap, new_topic_prefix()))
    # Calls as the tasks service reads the taxonomy (issuer "tasks", role "taxonomy") unless told otherwise.
    with serving(app, signed_headers("members", TAXONOMY_READER)) as client:
        yield client


@pytest.fixture(scope="session")
def skills(members_service) -> SkillCatalogue:
    return SkillCatalogue(members_service)
