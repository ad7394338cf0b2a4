"""``python -m services.common.identity generate-key ISSUER | token --audience SERVICE [--role system]``.

generate-key prints a new key pair: the signing key for the issuer alone, the trusted key for the
services' ``*_TOKEN_ISSUER_KEYS``. token prints a service token signed with ``OPERATOR_TOKEN_KEY``
(the operator's ``system`` role, for calling a service by hand):

    curl -H "Authorization: Bearer $(python -m services.common.identity token --audience members)" ...
"""

from __future__ import annotations

import argparse
import os
import sys
from uuid import UUID

from services.common.identity import OPERATOR_ISSUER, TokenIssuer, new_signing_key, signing_key
from services.common.identity.tokens import MAX_LIFETIME_SECONDS


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m services.common.identity",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    generate = commands.add_parser("generate-key", help="print a new key pair of an issuer")
    generate.add_argument("issuer", help="gateway, operator, or another configured issuer")
    token = commands.add_parser("token", help="print an operator's service token")
    token.add_argument("--audience", required=True, help="the service it is for: members, tasks, matching")
    token.add_argument("--role", default="system")
    token.add_argument("--actor-id", type=UUID, default=None)
    token.add_argument("--ttl", type=int, default=60, help=f"seconds it lives, at most {MAX_LIFETIME_SECONDS}")
    args = parser.parse_args(argv)
    if args.command == "generate-key":
        key = new_signing_key(args.issuer)
        print(f"signing key (for {args.issuer} only): {key.text}")
        print(f"trusted key (for the services):  {key.trusted_key(args.issuer).text}")
        return
    development = os.environ.get("ENVIRONMENT", "development") in {"development", "test"}
    try:
        key = signing_key("OPERATOR_TOKEN_KEY", OPERATOR_ISSUER, os.environ.get("OPERATOR_TOKEN_KEY", ""), development)
    except ValueError as error:
        sys.exit(str(error))
    print(TokenIssuer(OPERATOR_ISSUER, key, args.ttl).issue(args.audience, args.role, args.actor_id))


if __name__ == "__main__":
    main()
