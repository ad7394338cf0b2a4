"""Each task's IANA time zone, in which pages, mails and calendars show its times.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02

Tasks posted before this revision get the service's default zone (TASKS_DEFAULT_TIME_ZONE).
"""

import os
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: Union[str, Sequence[str], None] = "0002"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    from services.tasks.config import DEFAULT_TIME_ZONE

    zone = os.environ.get("TASKS_DEFAULT_TIME_ZONE", DEFAULT_TIME_ZONE)
    with op.batch_alter_table("task") as task:
        task.add_column(sa.Column("time_zone", sa.String(64), nullable=False, server_default=zone))


def downgrade() -> None:
    with op.batch_alter_table("task") as task:
        task.drop_column("time_zone")
