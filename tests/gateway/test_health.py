"""The gateway's liveness: failing once a background thread (live reader, consumers) has died."""

from __future__ import annotations

from tests.gateway.test_http_edges import FakeServices, make_client


def test_the_gateway_is_alive_while_its_threads_run_and_failing_once_one_died(tmp_path):
    with make_client(tmp_path, FakeServices()) as client:
        runtime = client.app.state.runtime  # the gateway's threads run on the shared runtime
        runtime.start_thread("live-feed-test", lambda stop: stop.wait())
        assert client.get("/healthz").json() == {"status": "ok"}

        runtime.start_thread("live-feed", lambda stop: None)  # ends at once, as after a crash
        runtime.threads[-1].join(5)
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json() == {"status": "failing", "dead_threads": ["live-feed"]}
