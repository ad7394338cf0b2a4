"""A task may accept members from its whole city, and ask for a least fluency per language.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: Union[str, Sequence[str], None] = "0003"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("task") as task:
        task.add_column(sa.Column("whole_city", sa.Boolean(), nullable=False, server_default=sa.false()))
        task.add_column(sa.Column("min_fluency", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("task") as task:
        task.drop_column("min_fluency")
        task.drop_column("whole_city")
