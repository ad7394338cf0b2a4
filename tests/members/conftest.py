"""Members service under test: the real app on a fresh database and its own topics on the real
broker (tests/support/service_apps.py); profiles and callers are in tests/support/members_app.py."""

from __future__ import annotations

from tests.support.members_app import MEMBERS
from tests.support.service_apps import app_fixtures

settings, client, sqlite_settings, sqlite_client, shared_client = app_fixtures(MEMBERS)
