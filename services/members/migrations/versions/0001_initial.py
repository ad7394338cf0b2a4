"""Members, taxonomy (seeded), audit log, erasure records, outbox.

Revision ID: 0001
Revises:
Create Date: 2025-01-01

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from services.common.migration_ops import create_infrastructure_tables, drop_infrastructure_tables

revision: str = "0001"
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# The coalition's starting taxonomy. Admins edit it afterwards through /skills and /areas.
SEED_SKILLS = [
    ("website-maintenance", "Website maintenance"),
    ("graphic-design", "Graphic design"),
    ("legal-knowledge", "Legal knowledge"),
    ("immigration-law", "Immigration law"),
    ("public-speaking", "Public speaking"),
    ("meeting-facilitation", "Meeting facilitation"),
    ("rally-support", "Rally support"),
    ("one-on-one-outreach", "One-on-one outreach"),
    ("translation", "Translation"),
    ("interpretation", "Interpretation"),
    ("accompaniment", "Accompaniment"),
    ("event-logistics", "Event logistics"),
    ("social-media", "Social media"),
    ("writing", "Writing"),
]
SEED_AREAS = [
    ("montreal-ville-marie", "Ville-Marie (downtown)", "Montréal"),
    ("montreal-plateau", "Plateau-Mont-Royal", "Montréal"),
    ("montreal-cote-des-neiges", "Côte-des-Neiges–Notre-Dame-de-Grâce", "Montréal"),
    ("montreal-parc-extension", "Villeray–Saint-Michel–Parc-Extension", "Montréal"),
    ("montreal-hochelaga", "Mercier–Hochelaga-Maisonneuve", "Montréal"),
    ("montreal-sud-ouest", "Le Sud-Ouest", "Montréal"),
    ("montreal-nord", "Montréal-Nord", "Montréal"),
]


def _timestamp(name: str, **kwargs) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False, **kwargs)


def upgrade() -> None:
    now = sa.func.current_timestamp()
    skill = op.create_table(
        "skill",
        sa.Column("slug", sa.String(60), primary_key=True),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("description", sa.String(500), nullable=False, server_default=""),
        sa.Column("retired", sa.Boolean(), nullable=False, server_default=sa.false()),
        _timestamp("created_at", server_default=now),
    )
    area = op.create_table(
        "area",
        sa.Column("slug", sa.String(60), primary_key=True),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("city", sa.String(80), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False, server_default=sa.false()),
        _timestamp("created_at", server_default=now),
    )
    op.create_table(
        "member",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("personal_data", sa.LargeBinary(), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("weekly_availability", sa.JSON(), nullable=False),
        sa.Column("unavailable", sa.JSON(), nullable=False),
        sa.Column("area", sa.String(60), sa.ForeignKey("area.slug"), nullable=True),
        sa.Column("remote_ok", sa.Boolean(), nullable=False),
        sa.Column("max_tasks_per_month", sa.Integer(), nullable=False),
        sa.Column("interests", sa.JSON(), nullable=False),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        _timestamp("last_active_at"),
    )
    op.create_index("ix_member_last_active_at", "member", ["last_active_at"])
    op.create_table(
        "erased_member",
        sa.Column("member_id", sa.Uuid(), primary_key=True),
        _timestamp("erased_at"),
        sa.Column("reason", sa.String(30), nullable=False),
    )
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        _timestamp("occurred_at"),
        sa.Column("actor_role", sa.String(20), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("purpose", sa.String(40), nullable=True),
        sa.Column("task_id", sa.Uuid(), nullable=True),
    )
    op.create_index("ix_audit_entry_member_id", "audit_entry", ["member_id"])
    create_infrastructure_tables()
    op.bulk_insert(skill, [{"slug": slug, "name": name, "description": ""} for slug, name in SEED_SKILLS])
    op.bulk_insert(area, [{"slug": slug, "name": name, "city": city} for slug, name, city in SEED_AREAS])


def downgrade() -> None:
    drop_infrastructure_tables()
    op.drop_index("ix_audit_entry_member_id", "audit_entry")
    op.drop_table("audit_entry")
    op.drop_table("erased_member")
    op.drop_index("ix_member_last_active_at", "member")
    op.drop_table("member")
    op.drop_table("area")
    op.drop_table("skill")
