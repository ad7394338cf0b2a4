from sqlmodel import SQLModel

import gateway.models  # noqa: F401  (registers the tables on the metadata)
from services.common.alembic_env import run_migrations

run_migrations(SQLModel.metadata)
