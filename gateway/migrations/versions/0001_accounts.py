"""Accounts and coordinator invitations.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gateway_user",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("email_lookup", sa.String(64), nullable=False),
        sa.Column("email_encrypted", sa.String(500), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=True),
        sa.Column("organization_id", sa.Uuid(), nullable=True),
        sa.Column("locale", sa.String(10), nullable=False, server_default="en"),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("token_version", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_gateway_user_email_lookup", "gateway_user", ["email_lookup"], unique=True)
    op.create_index("ix_gateway_user_member_id", "gateway_user", ["member_id"])
    op.create_table(
        "coordinator_invite",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_by", sa.Uuid(), nullable=True),
    )
    op.create_index("ix_coordinator_invite_code_hash", "coordinator_invite", ["code_hash"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_coordinator_invite_code_hash", "coordinator_invite")
    op.drop_table("coordinator_invite")
    op.drop_index("ix_gateway_user_member_id", "gateway_user")
    op.drop_index("ix_gateway_user_email_lookup", "gateway_user")
    op.drop_table("gateway_user")
