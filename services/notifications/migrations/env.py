from sqlmodel import SQLModel

import services.common.consumer  # noqa: F401  (processed_event)
import services.common.outbox  # noqa: F401  (outbox_message)
import services.notifications.models  # noqa: F401
from services.common.alembic_env import run_migrations

run_migrations(SQLModel.metadata)
