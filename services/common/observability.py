"""Logs, metrics and traces, set up the same way in every service.

Logs are JSON lines with the request/trace id. Personal data never reaches a log: log calls pass
opaque ids only, and :class:`RedactingFilter` masks anything shaped like an email or phone number
as a second line of defence.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
from datetime import UTC, datetime

from opentelemetry import propagate, trace
from opentelemetry.context import Context
from prometheus_client import Counter, Gauge, Histogram

from services.common.contact_patterns import redact

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

HTTP_REQUESTS = Counter("http_requests_total", "HTTP requests served", ["method", "route", "status"])
HTTP_LATENCY = Histogram("http_request_duration_seconds", "HTTP request latency", ["method", "route"])
OUTBOX_BACKLOG = Gauge("outbox_backlog", "Outbox rows not yet published to Kafka")
OUTBOX_PUBLISHED = Counter("outbox_published_total", "Outbox rows published to Kafka")
EVENTS_CONSUMED = Counter(
    "events_consumed_total",
    "Kafka events read, by outcome: applied, ignored, duplicate, dead_lettered",
    ["topic", "outcome"],
)
CONSUMER_LAG = Gauge("consumer_lag", "Messages behind the end of the partition", ["topic", "partition"])
OFFERS_BY_OUTCOME = Counter("offers_total", "Offers by what became of them", ["outcome"])
OFFER_RESPONSE_SECONDS = Histogram(
    "offer_response_seconds",
    "Time from an offer being made to the volunteer's answer",
    ["outcome"],
    buckets=(5, 30, 60, 300, 900, 3600, 4 * 3600, 12 * 3600, 24 * 3600, 72 * 3600),
)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str):
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "message": record.getMessage(),
        }
        span_context = trace.get_current_span().get_span_context()
        if span_context.is_valid:
            entry["trace_id"] = format(span_context.trace_id, "032x")
        if request_id := request_id_var.get():
            entry["request_id"] = request_id
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry)


def configure_logging(service: str, level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter(service))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("kafka", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    selector = logging.getLogger(KAFKA_SELECTOR_LOGGER)
    if not any(isinstance(existing, SlowKafkaStepFilter) for existing in selector.filters):
        selector.addFilter(SlowKafkaStepFilter())


KAFKA_SELECTOR_LOGGER = "kafka.net.selector"
_SLOW_STEP = re.compile(r"ran for (\d+(?:\.\d+)?)s .*blocking the event loop")


class SlowKafkaStepFilter(logging.Filter):
    """Keeps kafka-python's "blocking the event loop" warning for real stalls only.

    kafka-python runs its network IO loop in a thread of ours and warns when one step of it takes
    more than 0.1 s of wall-clock time. In our processes that step shares the GIL with the web
    server, the relay and the consumers, so on a loaded machine it waits its turn for the
    interpreter and crosses 0.1 s with nothing blocking at all (reproduced: an idle consumer beside
    three CPU-bound Python threads logs the warning every few seconds; alone, never). A step that
    takes seconds is still a livelock worth a warning, so only those get through.
    """

    def __init__(self, threshold_s: float = 2.0):
        super().__init__()
        self.threshold_s = threshold_s

    def filter(self, record: logging.LogRecord) -> bool:
        slow = _SLOW_STEP.search(str(record.msg))
        return slow is None or float(slow.group(1)) >= self.threshold_s


def inject_trace_headers() -> list[tuple[str, str]]:
    """The current trace context as message headers (W3C traceparent)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return sorted(carrier.items())


def extract_trace_context(headers: list[tuple[str, bytes]] | None) -> Context:
    carrier = {k: v.decode() for k, v in headers or [] if v is not None}
    return propagate.extract(carrier)
