"""A service refuses a body over its limit with a 413 problem, before reading it: a 20 MB
Content-Length is answered at once, and a body streamed without a length stops at the limit."""

from __future__ import annotations

import json
import socket

import httpx
import pytest

from tests.support.infra import new_sqlite_database, new_topic_prefix
from tests.support.processes import start_service

pytestmark = pytest.mark.kafka

LIMIT = 64 * 1024


@pytest.fixture(scope="module")
def tasks_service(kafka_bootstrap, tmp_path_factory):
    database_url = new_sqlite_database(tmp_path_factory.mktemp("body-limit"), "tasks")
    service = start_service(
        "services.tasks.main",
        env={
            "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
            "KAFKA_TOPIC_PREFIX": new_topic_prefix(),
            "TASKS_DATABASE_URL": database_url,
            "TASKS_MAX_BODY_BYTES": str(LIMIT),
        },
    )
    try:
        yield service
    finally:
        service.stop()


def test_a_twenty_megabyte_body_is_refused_before_it_is_sent(tasks_service):
    with socket.create_connection(("127.0.0.1", tasks_service.port), timeout=15) as connection:
        connection.sendall(
            b"POST /tasks HTTP/1.1\r\nHost: tasks\r\nContent-Type: application/json\r\n"
            b"Content-Length: 20000000\r\n\r\n" + b'{"title": "' + b"x" * 1000
        )
        answer = _read_response(connection)

    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413"), head
    assert b"application/problem+json" in head
    problem = json.loads(body)
    assert problem["type"] == "/problems/body-too-large" and str(LIMIT) in problem["detail"]


def test_a_body_streamed_without_a_length_is_cut_off_at_the_limit(tasks_service):
    chunks = (b"x" * 16 * 1024 for _ in range(64))  # 1 MB, sent chunked

    response = httpx.post(
        tasks_service.url + "/tasks", content=chunks, headers={"content-type": "application/json"}, timeout=30
    )

    assert response.status_code == 413
    assert response.json()["type"] == "/problems/body-too-large"
    assert httpx.get(tasks_service.url + "/healthz", timeout=10).status_code == 200


def _read_response(connection: socket.socket) -> bytes:
    """Read until the response's declared body has arrived (the server answers before our body ends)."""
    data = b""
    while b"\r\n\r\n" not in data or len(data.partition(b"\r\n\r\n")[2]) < _length(data):
        chunk = connection.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def _length(data: bytes) -> int:
    for line in data.partition(b"\r\n\r\n")[0].split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 0
