"""Series of tasks: needs that repeat; each occurrence is a task of the series.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: Union[str, Sequence[str], None] = "0005"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "task_series",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("organization_id", sa.Uuid(), sa.ForeignKey("organization.id"), nullable=False),
        sa.Column("committee_id", sa.Uuid(), sa.ForeignKey("committee.id"), nullable=True),
        sa.Column("rule", sa.String(200), nullable=False),
        sa.Column("first_local", sa.String(19), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("time_zone", sa.String(64), nullable=False),
        sa.Column("template", sa.JSON(), nullable=False),
        sa.Column("next_index", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_task_series_organization_id", "task_series", ["organization_id"])
    op.create_index("ix_task_series_status", "task_series", ["status"])
    with op.batch_alter_table("task") as task:
        task.add_column(sa.Column("series_id", sa.Uuid(), nullable=True))
        task.add_column(sa.Column("series_index", sa.Integer(), nullable=True))
        task.create_foreign_key("fk_task_series_id", "task_series", ["series_id"], ["id"])
        task.create_index("ix_task_series_id", ["series_id"])


def downgrade() -> None:
    with op.batch_alter_table("task") as task:
        task.drop_index("ix_task_series_id")
        task.drop_constraint("fk_task_series_id", type_="foreignkey")
        task.drop_column("series_index")
        task.drop_column("series_id")
    op.drop_index("ix_task_series_status", "task_series")
    op.drop_index("ix_task_series_organization_id", "task_series")
    op.drop_table("task_series")
