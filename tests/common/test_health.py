"""Liveness: a service whose background thread died must say so, so that it gets restarted."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.common.runtime import Runtime, operations_router


def health_of(runtime: Runtime):
    app = FastAPI()
    app.include_router(operations_router(lambda: runtime))
    return TestClient(app).get("/healthz")


def test_a_service_whose_threads_run_is_alive():
    runtime = Runtime(settings=None, engine=None, producer=None)
    runtime.start_thread("consumer-tasks", lambda stop: stop.wait())
    try:
        response = health_of(runtime)
        assert (response.status_code, response.json()) == (200, {"status": "ok"})
    finally:
        runtime.stop.set()


def test_a_service_whose_consumer_thread_died_fails_its_liveness_check():
    runtime = Runtime(settings=None, engine=None, producer=None)
    runtime.start_thread("consumer-tasks", lambda stop: None)  # ends at once, as after a crash
    runtime.start_thread("outbox-relay", lambda stop: stop.wait())
    runtime.threads[0].join(5)
    try:
        response = health_of(runtime)
        assert response.status_code == 503
        assert response.json() == {"status": "failing", "dead_threads": ["consumer-tasks"]}
    finally:
        runtime.stop.set()


def test_threads_ending_because_the_service_stops_are_not_a_failure():
    runtime = Runtime(settings=None, engine=None, producer=None)
    runtime.start_thread("outbox-relay", lambda stop: stop.wait())
    runtime.stop.set()
    runtime.threads[0].join(5)
    assert runtime.dead_threads() == []
