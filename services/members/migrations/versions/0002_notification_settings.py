"""What each member chose about the platform's messages: email on or off, detail, quiet hours.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: Union[str, Sequence[str], None] = "0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# Members who registered before they could choose get the defaults: email on, discreet, no quiet hours.
DEFAULTS = '{"email": true, "detail": "discreet", "quiet_hours": null}'


def upgrade() -> None:
    with op.batch_alter_table("member") as member:
        member.add_column(sa.Column("notifications", sa.JSON(), nullable=False, server_default=DEFAULTS))


def downgrade() -> None:
    with op.batch_alter_table("member") as member:
        member.drop_column("notifications")
