"""One trace follows a posted task across processes; metrics expose the named series."""

from __future__ import annotations

import json
import secrets

import httpx
import pytest

from tests.e2e.test_pipeline import ACCEPT, MY_OFFERS, POST_TASK, in_a_week
from tests.support.processes import eventually

pytestmark = pytest.mark.kafka


def log_lines_with(process, trace_id: str) -> list[dict]:
    lines = []
    for line in process.log_text().splitlines():
        if trace_id in line and line.startswith("{"):
            lines.append(json.loads(line))
    return lines


def test_one_trace_id_shows_in_the_gateway_tasks_and_matching_logs_for_one_posted_task(world, graphql, stack):
    skill = world.skill()
    world.volunteer(skill)
    coordinator = world.coordinator()
    trace_id = secrets.token_hex(16)
    variables = {
        "i": {
            "title": "Translate the know-your-rights leaflet",
            "skills": [{"skill": skill}],
            "languages": ["fr"],
            "remote": True,
            "deadline": in_a_week(),
        }
    }
    headers = {
        "Authorization": f"Bearer {coordinator.token}",
        "traceparent": f"00-{trace_id}-{secrets.token_hex(8)}-01",
    }
    response = graphql.http.post(graphql.url, json={"query": POST_TASK, "variables": variables}, headers=headers)
    assert response.json()["data"]["postTask"]["__typename"] == "Task"

    for process in (stack.gateway, stack.tasks, stack.matching):
        lines = eventually(
            lambda p=process: log_lines_with(p, trace_id),
            timeout_s=15,
            message=f"trace {trace_id} in the {process.name} log",
        )
        assert all(line["trace_id"] == trace_id for line in lines)


def metric_names(url: str) -> set[str]:
    text = httpx.get(url + "/metrics", timeout=10).text
    return {line.split("{")[0].split(" ")[0] for line in text.splitlines() if line and not line.startswith("#")}


def test_metrics_expose_requests_lag_backlog_and_offer_outcomes_after_a_flow(world, graphql, stack):
    skill = world.skill()
    volunteer = world.volunteer(skill)
    coordinator = world.coordinator()
    task = graphql(
        POST_TASK,
        {
            "i": {
                "title": "Stack chairs after the assembly",
                "skills": [{"skill": skill}],
                "languages": ["fr"],
                "remote": True,
                "deadline": in_a_week(),
            }
        },
        coordinator.token,
    )["postTask"]
    offer = eventually(
        lambda: [
            o for o in graphql(MY_OFFERS, token=volunteer.token)["myOffers"]["nodes"] if o["taskId"] == task["id"]
        ],
        timeout_s=10,
        message="an offer",
    )[0]
    assert graphql(ACCEPT, {"id": offer["id"]}, volunteer.token)["acceptOffer"]["status"] == "ACCEPTED"

    every_service = {"http_requests_total", "http_request_duration_seconds_bucket", "outbox_backlog"}
    for process in (stack.members, stack.tasks, stack.matching):
        assert every_service <= metric_names(process.url), process.name
    assert {"events_consumed_total", "consumer_lag"} <= metric_names(stack.tasks.url)
    matching = metric_names(stack.matching.url)
    assert {"offers_total", "offer_response_seconds_bucket", "events_consumed_total"} <= matching
    assert "http_requests_total" in metric_names(stack.gateway.url)
