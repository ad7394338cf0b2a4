"""Write fresh secret files for a deployment: one env file per container, random values.

    uv run python -m deploy.make_secrets                      # deploy/secrets/ for compose
    uv run python -m deploy.make_secrets --dir deploy/k8s/overlays/prod/secrets \\
        --postgres-host db.internal.example.org                # Kubernetes prod overlay

Each service gets only its own secrets (a compromised gateway does not hold the members'
encryption keys). Service tokens: the gateway gets its signing key and every service the public
keys it trusts; the operator's signing key (the ``system`` role) goes to ``operator.env``, which
no container reads. Database passwords are written twice, into ``postgres.env`` (which creates
the roles) and into each service's ``*_DATABASE_URL``, so the two always agree. Existing files
are never overwritten: losing an encryption key loses the data it protects. The variables are
documented in ``deploy/secrets/example.env``.
"""

from __future__ import annotations

import argparse
import base64
import os
import secrets
import sys
from pathlib import Path

from services.common import answer_links
from services.common.identity import (
    GATEWAY_ISSUER,
    NOTIFICATIONS_ISSUER,
    OPERATOR_ISSUER,
    TASKS_ISSUER,
    new_signing_key,
)

DEFAULT_DIR = Path(__file__).resolve().parent / "secrets"
SERVICES = ("members", "tasks", "matching", "notifications", "gateway")
BEHIND_GATEWAY = ("members", "tasks", "matching", "notifications")  # they verify service tokens


def random_key() -> str:
    """32 random bytes, url-safe base64: the format of MEMBERS_ENCRYPTION_KEYS entries."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def secret_files(postgres_host: str = "postgres", postgres_port: int = 5432) -> dict[str, dict[str, str]]:
    """File name -> variables, with fresh random values."""
    passwords = {service: secrets.token_urlsafe(24) for service in SERVICES}
    files = {
        "postgres.env": {"POSTGRES_PASSWORD": secrets.token_urlsafe(24)}
        | {f"{service.upper()}_DB_PASSWORD": passwords[service] for service in SERVICES},
    }
    for service in SERVICES:
        url = f"postgresql://{service}:{passwords[service]}@{postgres_host}:{postgres_port}/{service}"
        files[f"{service}.env"] = {f"{service.upper()}_DATABASE_URL": url}
    files["members.env"]["MEMBERS_ENCRYPTION_KEYS"] = random_key()
    files["gateway.env"]["GATEWAY_JWT_SECRET"] = secrets.token_urlsafe(48)
    files["gateway.env"]["GATEWAY_DATA_KEY"] = secrets.token_urlsafe(48)
    add_token_keys(files)
    # One-click answer links: notifications signs them, the gateway only checks them.
    signing_key, checking_key = answer_links.new_key_pair()
    files["notifications.env"]["NOTIFICATIONS_LINK_SIGNING_KEY"] = signing_key
    files["gateway.env"]["GATEWAY_ANSWER_LINK_PUBLIC_KEY"] = checking_key
    return files


# Services other than the gateway and the operator that call a service, by callee.
OTHER_CALLERS = {"members": [TASKS_ISSUER, NOTIFICATIONS_ISSUER], "matching": [NOTIFICATIONS_ISSUER]}


def add_token_keys(files: dict[str, dict[str, str]]) -> None:
    """A key pair per issuer: the gateway and the operator sign calls to every service; the tasks
    service (reading the skill taxonomy) and the notifications service (reading a delivery address)
    sign calls to members; the notifications service also reads coordinators' addresses from the
    gateway and a task's diagnosis from matching. Each service, and the gateway, lists the public
    keys of those who call it."""
    keys = {
        issuer: new_signing_key(issuer)
        for issuer in (GATEWAY_ISSUER, OPERATOR_ISSUER, TASKS_ISSUER, NOTIFICATIONS_ISSUER)
    }
    files["gateway.env"]["GATEWAY_SERVICE_TOKEN_KEY"] = keys[GATEWAY_ISSUER].text
    files["tasks.env"]["TASKS_SERVICE_TOKEN_KEY"] = keys[TASKS_ISSUER].text
    files["notifications.env"]["NOTIFICATIONS_SERVICE_TOKEN_KEY"] = keys[NOTIFICATIONS_ISSUER].text
    files["operator.env"] = {"OPERATOR_TOKEN_KEY": keys[OPERATOR_ISSUER].text}
    for service in BEHIND_GATEWAY:
        callers = [GATEWAY_ISSUER, OPERATOR_ISSUER] + OTHER_CALLERS.get(service, [])
        trusted = ",".join(keys[issuer].trusted_key(issuer).text for issuer in callers)
        files[f"{service}.env"][f"{service.upper()}_TOKEN_ISSUER_KEYS"] = trusted
    # The gateway's internal routes answer the notifications service alone.
    files["gateway.env"]["GATEWAY_TOKEN_ISSUER_KEYS"] = (
        keys[NOTIFICATIONS_ISSUER].trusted_key(NOTIFICATIONS_ISSUER).text
    )


def write_secret_files(directory: Path, files: dict[str, dict[str, str]]) -> list[Path]:
    existing = [name for name in files if (directory / name).exists()]
    if existing:
        raise FileExistsError(
            f"{', '.join(existing)} already in {directory}; not overwritten (rotate keys as deploy/README.md says)"
        )
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, variables in files.items():
        path = directory / name
        # Created private from the first byte: no window where others can read it.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.writelines(f"{key}={value}\n" for key, value in variables.items())
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="where to write the files")
    parser.add_argument("--postgres-host", default="postgres", help="database host in the *_DATABASE_URL values")
    parser.add_argument("--postgres-port", type=int, default=5432)
    args = parser.parse_args(argv)
    try:
        written = write_secret_files(args.dir, secret_files(args.postgres_host, args.postgres_port))
    except FileExistsError as error:
        sys.exit(str(error))
    for path in written:
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
