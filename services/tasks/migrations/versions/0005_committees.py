"""Committees of an organization or of the whole coalition, their leads, and a task's committee
(and whether it is offered only to the committee's members).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: Union[str, Sequence[str], None] = "0004"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "committee",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("organization_id", sa.Uuid(), sa.ForeignKey("organization.id"), nullable=True),
        sa.Column("name", sa.String(120), nullable=False, unique=True),
        sa.Column("description", sa.String(1000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_committee_organization_id", "committee", ["organization_id"])
    op.create_table(
        "committee_lead",
        sa.Column("committee_id", sa.Uuid(), sa.ForeignKey("committee.id"), primary_key=True),
        sa.Column("lead_id", sa.Uuid(), primary_key=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_committee_lead_lead_id", "committee_lead", ["lead_id"])
    with op.batch_alter_table("task") as task:
        task.add_column(sa.Column("committee_id", sa.Uuid(), nullable=True))
        task.add_column(sa.Column("members_only", sa.Boolean(), nullable=False, server_default=sa.false()))
        task.create_foreign_key("fk_task_committee_id", "committee", ["committee_id"], ["id"])
        task.create_index("ix_task_committee_id", ["committee_id"])


def downgrade() -> None:
    with op.batch_alter_table("task") as task:
        task.drop_index("ix_task_committee_id")
        task.drop_constraint("fk_task_committee_id", type_="foreignkey")
        task.drop_column("members_only")
        task.drop_column("committee_id")
    op.drop_index("ix_committee_lead_lead_id", "committee_lead")
    op.drop_table("committee_lead")
    op.drop_index("ix_committee_organization_id", "committee")
    op.drop_table("committee")
