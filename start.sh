#!/usr/bin/env bash
# Command 1: run the whole product on this machine (Kafka, services, gateway, demo data). Ctrl-C stops it.
cd "$(dirname "$0")"
source deploy/bootstrap.sh
exec uv run python -m deploy.runner "$@"
