"""``python -m services.members [serve | rotate-keys | key-status | generate-key | republish [--id ID ...]]``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from uuid import UUID

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m services.members", description="The members service.")
    parser.add_argument(
        "command",
        nargs="?",
        default="serve",
        choices=["serve", "rotate-keys", "key-status", "generate-key", "republish"],
        help="serve (default): run the HTTP service; rotate-keys: re-seal every row with the newest key; "
        "key-status: rows per key; generate-key: print a new random key; republish: refill members.state "
        "from the database (every member's state and every erasure's tombstone, or only --id)",
    )
    parser.add_argument(
        "--id",
        dest="ids",
        action="append",
        type=UUID,
        metavar="MEMBER_ID",
        help="with republish: only this member (repeatable)",
    )
    args = parser.parse_args()
    command = args.command
    if command == "generate-key":
        from services.members.crypto import generate_key

        print(generate_key())
        return
    from services.members.config import Settings

    settings = Settings()
    if command == "serve":
        import uvicorn

        uvicorn.run("services.members.main:app", host=settings.host, port=settings.port)
        return
    from services.common.db import make_engine, migrate
    from services.members.keys import key_usage, rotate_keys

    engine = make_engine(settings.database_url)
    migrate(engine, MIGRATIONS)
    if command == "republish":
        from services.members.events import republish

        print(json.dumps(republish(engine, settings, args.ids)))
        return
    if command == "rotate-keys":
        print(json.dumps(rotate_keys(engine, settings.cipher())))
    print(json.dumps(key_usage(engine, settings.cipher())))


if __name__ == "__main__":
    main()
