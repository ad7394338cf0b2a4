"""``python -m services.tasks [serve | republish [--id ID ...]]``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from uuid import UUID

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m services.tasks", description="The tasks service.")
    parser.add_argument(
        "command",
        nargs="?",
        default="serve",
        choices=["serve", "republish"],
        help="serve (default): run the HTTP service; republish: refill tasks.state from the database "
        "(every task's state, or only --id)",
    )
    parser.add_argument(
        "--id",
        dest="ids",
        action="append",
        type=UUID,
        metavar="TASK_ID",
        help="with republish: only this task (repeatable)",
    )
    args = parser.parse_args()
    from services.tasks.config import Settings

    settings = Settings()
    if args.command == "serve":
        import uvicorn

        uvicorn.run("services.tasks.main:app", host=settings.host, port=settings.port)
        return
    from services.common.db import make_engine, migrate
    from services.tasks.events import republish

    engine = make_engine(settings.database_url)
    migrate(engine, MIGRATIONS)
    print(json.dumps(republish(engine, settings, args.ids)))


if __name__ == "__main__":
    main()
