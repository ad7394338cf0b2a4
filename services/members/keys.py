"""Key rotation: re-seal every member's personal data under the newest configured key.

Run with ``uv run python -m services.members rotate-keys`` (see KEY_ROTATION.md). Works in batches,
one transaction each, so it can run while the service serves requests and can be stopped and
started again: rows already under the newest key are left as they are.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from services.common.db import session_scope
from services.members.crypto import FieldCipher
from services.members.models import Member
from services.members.personal_data import context_of


def rotate_keys(engine: Engine, cipher: FieldCipher, batch_size: int = 500) -> dict[str, int]:
    """Returns how many rows were re-sealed and how many were already current."""
    resealed = current = 0
    after = None
    while True:
        with session_scope(engine) as session:
            query = select(Member).order_by(col(Member.id)).limit(batch_size).with_for_update()
            batch = session.exec(query.where(col(Member.id) > after) if after is not None else query).all()
            for member in batch:
                if cipher.is_current(member.personal_data):
                    current += 1
                    continue
                member.personal_data = cipher.reseal(member.personal_data, context_of(member.id))
                session.add(member)
                resealed += 1
        if len(batch) < batch_size:
            return {"resealed": resealed, "already_current": current}
        after = batch[-1].id


def key_usage(engine: Engine, cipher: FieldCipher) -> dict[str, str | int]:
    """Rows per sealing key id (hex); ``newest`` names the key rotation moves rows to."""
    with Session(engine) as session:
        counts = Counter(FieldCipher.sealed_with(token).hex() for token in session.exec(select(Member.personal_data)))
    return {"newest": cipher.newest_key_id.hex(), **counts}
