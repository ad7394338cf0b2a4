"""Gateway commands.

uv run python -m gateway                 # serve (host/port from GATEWAY_HOST / GATEWAY_PORT)
uv run python -m gateway create-admin --email a@example.org
                                         # bootstrap an admin; the password comes from a prompt
                                         # or GATEWAY_ADMIN_PASSWORD (the email may come from
                                         # GATEWAY_ADMIN_EMAIL); see also the
                                         # GATEWAY_BOOTSTRAP_ADMIN_* settings
uv run python -m gateway export-schema   # rewrite gateway/schema.graphql from the code
uv run python -m gateway export-schema --check   # exit 1 when the committed file is stale
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

SCHEMA_FILE = Path(__file__).resolve().parent / "schema.graphql"


def serve(_args) -> int:
    import uvicorn

    from gateway.config import Settings

    settings = Settings()
    # X-Forwarded-For is the gateway's to read, from GATEWAY_TRUSTED_PROXIES only.
    uvicorn.run("gateway.main:app", host=settings.host, port=settings.port, proxy_headers=False)
    return 0


def create_admin(args) -> int:
    from gateway.app import MIGRATIONS
    from gateway.auth.accounts import Accounts
    from gateway.auth.emails import EmailVault
    from gateway.config import Settings
    from gateway.models import Role
    from services.common.db import make_engine, migrate
    from services.common.problems import DomainError

    settings = Settings()
    password = os.environ.get("GATEWAY_ADMIN_PASSWORD") or getpass.getpass("Password for the new admin: ")
    engine = make_engine(settings.database_url)
    migrate(engine, MIGRATIONS)
    try:
        user = Accounts(engine, EmailVault(settings.data_key)).create(args.email, password, Role.admin)
    except DomainError as error:
        print(f"Could not create the admin: {error.detail}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(f"Admin account created (id {user.id}).")
    return 0


def export_schema(args) -> int:
    from gateway.schema import schema_sdl

    current = schema_sdl()
    if args.check:
        if not SCHEMA_FILE.exists() or SCHEMA_FILE.read_text() != current:
            print(f"{SCHEMA_FILE} is out of date: run `uv run python -m gateway export-schema`.", file=sys.stderr)
            return 1
        print("schema.graphql is up to date.")
        return 0
    SCHEMA_FILE.write_text(current)
    print(f"Wrote {SCHEMA_FILE}.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gateway", description="The GraphQL gateway.")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve", help="run the gateway (the default)").set_defaults(run=serve)
    admin = commands.add_parser("create-admin", help="create an admin account")
    admin.add_argument(
        "--email",
        default=os.environ.get("GATEWAY_ADMIN_EMAIL"),
        required="GATEWAY_ADMIN_EMAIL" not in os.environ,
        help="the admin's login email (or GATEWAY_ADMIN_EMAIL)",
    )
    admin.set_defaults(run=create_admin)
    schema = commands.add_parser("export-schema", help="write gateway/schema.graphql")
    schema.add_argument("--check", action="store_true", help="only check that the committed file is current")
    schema.set_defaults(run=export_schema)
    args = parser.parse_args(argv)
    return getattr(args, "run", serve)(args)


if __name__ == "__main__":
    sys.exit(main())
