"""Areas get a parent (the city or region containing them) and a coarse centre; members say
where they can go (``reach``). The seeded Montréal neighbourhoods get their city and centres.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: Union[str, Sequence[str], None] = "0002"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

CITY = ("montreal", "Montréal", 45.5019, -73.5674)
# Public geography: a rough centre of each borough, never anyone's address.
CENTRES = {
    "montreal-ville-marie": (45.5017, -73.5673),
    "montreal-plateau": (45.5225, -73.5815),
    "montreal-cote-des-neiges": (45.4850, -73.6260),
    "montreal-parc-extension": (45.5460, -73.6250),
    "montreal-hochelaga": (45.5750, -73.5400),
    "montreal-sud-ouest": (45.4740, -73.5850),
    "montreal-nord": (45.6030, -73.6350),
}


def upgrade() -> None:
    with op.batch_alter_table("area") as batch:
        batch.add_column(sa.Column("parent", sa.String(60), nullable=True))
        batch.add_column(sa.Column("latitude", sa.Float(), nullable=True))
        batch.add_column(sa.Column("longitude", sa.Float(), nullable=True))
    with op.batch_alter_table("member") as batch:
        batch.add_column(sa.Column("reach", sa.JSON(), nullable=True))
    area = sa.table(
        "area",
        sa.column("slug"),
        sa.column("name"),
        sa.column("city"),
        sa.column("parent"),
        sa.column("latitude"),
        sa.column("longitude"),
    )
    slug, name, latitude, longitude = CITY
    op.bulk_insert(area, [{"slug": slug, "name": name, "city": name, "latitude": latitude, "longitude": longitude}])
    for child, (lat, lon) in CENTRES.items():
        op.execute(area.update().where(area.c.slug == child).values(parent=slug, latitude=lat, longitude=lon))


def downgrade() -> None:
    area = sa.table("area", sa.column("slug"), sa.column("parent"))
    op.execute(area.update().values(parent=None))
    op.execute(area.delete().where(area.c.slug == CITY[0]))
    with op.batch_alter_table("member") as batch:
        batch.drop_column("reach")
    with op.batch_alter_table("area") as batch:
        batch.drop_column("longitude")
        batch.drop_column("latitude")
        batch.drop_column("parent")
