"""Alembic environment of the tasks service."""

from sqlmodel import SQLModel

import services.tasks.committee_models  # noqa: F401  (registers the tables on the metadata)
import services.tasks.models  # noqa: F401
import services.tasks.series_models  # noqa: F401
from services.common.alembic_env import run_migrations

run_migrations(SQLModel.metadata)
