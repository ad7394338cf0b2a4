"""The schemathesis runs of the members and tasks services: each is a :class:`FuzzedService`.

A test module makes one from the service's app, parametrizes its test with ``fuzz.schema`` and
``FUZZ_SETTINGS``, calls ``fuzz.call`` per case, and ``fuzz.check_figures`` once the running
service stops: every operation was exercised and the service logged no error.
"""

from __future__ import annotations

import json
import random
import uuid
from collections import Counter

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.support.processes import REPO
from tests.support.service_tokens import signed_headers

EXAMPLES_PER_OPERATION = 25
# Explicit examples plus property-based fuzzing (valid and invalid inputs), each bounded by
# EXAMPLES_PER_OPERATION. The "coverage" phase is left out: it is unbounded (about 1,400 extra
# requests per service here) and the suite must stay fast.
PHASES = ["examples", "fuzzing"]
ROLES = ["admin", "system", "volunteer", "coordinator"]
FUZZ_SETTINGS = settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck))


class FuzzedService:
    """One service's run: the schema its app publishes at /openapi.json (built without starting
    the app) and how many examples each operation got."""

    def __init__(self, name: str, app: FastAPI):
        self.name = name  # also the audience of the tokens the cases carry
        self.schema = schemathesis.openapi.from_dict(app.openapi())
        self.schema.config.phases.update(phases=PHASES)
        self.examples_run: Counter = Counter()

    def call(self, case, base_url: str, real_ids: dict[str, list[str]], actors: dict[str, list[str]]) -> None:
        """Send ``case`` (aimed at real data): no 500, and the answer matches the schema."""
        aim_at_real_data(case, self.name, real_ids, actors)
        case.call_and_validate(base_url=base_url, checks=[not_a_server_error, response_schema_conformance])
        self.examples_run[case.operation.label] += 1

    def check_figures(self, log_text: str) -> None:
        figures = report_figures(self.name, self.examples_run, log_text)
        assert figures["operations"] == len(list(self.schema.get_all_operations())), "every operation was exercised"
        assert figures["errors_logged_by_service"] == 0, "the service logged errors; see var/test-logs"


def aim_at_real_data(case, audience: str, real_ids: dict[str, list[str]], actors: dict[str, list[str]]) -> None:
    """Point most generated requests at existing entities and give them a known role (a service
    token signed for ``audience``; the others go without and meet the 401 door).

    Random ids and roles mostly hit 404 and 403; this lets the fuzzing reach the handlers. The
    choice is seeded from the case itself, so a failing case replays the same way.
    """
    chooser = random.Random(repr((case.path_parameters, case.query, case.body, case.headers)))
    for name, ids in real_ids.items():
        if case.path_parameters and name in case.path_parameters and chooser.random() < 0.7:
            case.path_parameters[name] = chooser.choice(ids)
    if chooser.random() < 0.7:
        role = chooser.choice(ROLES)
        actor = chooser.choice(actors.get(role) or [str(uuid.uuid4())])
        headers = case.headers if case.headers is not None else {}
        headers.update(signed_headers(audience, role, None if role == "system" else actor))
        case.headers = headers


def service_errors(log_text: str) -> list[str]:
    """Error lines the service itself wrote (the Kafka client's shutdown chatter aside)."""
    errors = []
    for line in log_text.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            if "Traceback" in line:
                errors.append(line)
            continue
        if entry.get("level") == "error" and not entry.get("logger", "").startswith("kafka"):
            errors.append(line)
    return errors


def report_figures(service: str, examples_run: Counter, log_text: str) -> dict:
    """Print and keep the figures: operations exercised and examples per operation."""
    figures = {
        "service": service,
        "operations": len(examples_run),
        "examples": sum(examples_run.values()),
        "per_operation": dict(sorted(examples_run.items())),
        "errors_logged_by_service": len(service_errors(log_text)),
    }
    reports = REPO / "var" / "test-reports"
    reports.mkdir(parents=True, exist_ok=True)
    (reports / f"schemathesis-{service}.json").write_text(json.dumps(figures, indent=2))
    print(
        f"\nschemathesis {service}: {figures['operations']} operations, {figures['examples']} examples, "
        f"{figures['errors_logged_by_service']} errors logged by the service"
    )
    return figures
