"""Offers' reasons become data (OfferReason objects) instead of English strings.

Stored rows are rewritten so that the column holds one shape: the three fixed phrases become their
kinds; any other string (a skill, a language, a free time or a place in English words) becomes a
``text`` reason holding it unchanged, which readers show as written. Parsing those words back into
data would need the very re-parsing this change removes, for offers that are history by now.
Readers still accept plain strings (offers.events version 1 on the topic), so the order of
deployment does not matter.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# The phrases the matcher wrote before reasons were data, and the kinds they were.
FIXED_PHRASES: dict[str, dict[str, str | int]] = {
    "open to remote work": {"kind": "remote"},
    "no recent tasks": {"kind": "recent_load", "recent_tasks": 0},
    "you asked for this task": {"kind": "asked_for"},
}
BATCH = 500

offer = sa.table("offer", sa.column("id", sa.Uuid()), sa.column("reasons", sa.JSON()))


def upgrade() -> None:
    _rewrite(_as_data)


def downgrade() -> None:
    """Back to strings: text reasons and the fixed phrases return; the older code cannot read
    the other kinds, so they are left out (the offers themselves are untouched)."""
    _rewrite(_as_words)


def _as_data(reasons: list) -> list:
    return [
        FIXED_PHRASES.get(item, {"kind": "text", "text": item}) if isinstance(item, str) else item for item in reasons
    ]


def _as_words(reasons: list) -> list:
    phrases = {value["kind"]: phrase for phrase, value in FIXED_PHRASES.items()}
    words = []
    for item in reasons:
        if isinstance(item, str):
            words.append(item)
        elif item.get("kind") == "text" and item.get("text"):
            words.append(item["text"])
        elif item.get("kind") in phrases:
            words.append(phrases[item["kind"]])
    return words


def _rewrite(convert) -> None:
    """Every offer's reasons through ``convert``, a batch of rows at a time in id order."""
    connection = op.get_bind()
    last = None
    while True:
        query = sa.select(offer.c.id, offer.c.reasons).order_by(offer.c.id).limit(BATCH)
        if last is not None:
            query = query.where(offer.c.id > last)
        rows = connection.execute(query).all()
        for offer_id, reasons in rows:
            changed = convert(reasons or [])
            if changed != (reasons or []):
                connection.execute(sa.update(offer).where(offer.c.id == offer_id).values(reasons=changed))
        if len(rows) < BATCH:
            return
        last = rows[-1][0]
