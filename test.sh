#!/usr/bin/env bash
# Command 2: run the whole test suite against a real Kafka broker, PostgreSQL and headless Chromium.
# Extra arguments go to pytest, e.g. ./test.sh tests/common -x
# ./test.sh --fast: only the tests that need none of the real parts, in a few minutes, nothing started.
cd "$(dirname "$0")"
source deploy/bootstrap.sh
exec uv run python -m deploy.test_env "$@"
