"""Distributed tracing: one OpenTelemetry tracer provider per process, W3C trace context in and out.

:func:`configure_tracing` installs the SDK provider once per process. Even with no exporter it
matters: spans then carry real trace ids, which the JSON logs print (``trace_id``) and the outbox
copies into Kafka headers (``traceparent``), so one volunteer action can be followed across the
gateway, the services and their consumers.

Where spans go is chosen by ``OTEL_EXPORTER`` (``OTEL_TRACES_EXPORTER``, the standard name, is read
when it is unset):

- ``none`` (default): ids for logs and propagation, nothing exported;
- ``console``: one JSON line per finished span on stderr (stdout carries the logs);
- ``otlp``: OTLP over HTTP to a collector; the exporter reads the standard
  ``OTEL_EXPORTER_OTLP_ENDPOINT`` (default ``http://localhost:4318``) and related variables.

Spans never carry personal data: no URL path or query, no client address, no exception message
(only the exception type), because span attributes leave the process when an exporter is on.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from opentelemetry import propagate, trace
from opentelemetry.baggage.propagation import W3CBaggagePropagator
from opentelemetry.propagators.composite import CompositePropagator
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.common.observability import extract_trace_context

log = logging.getLogger(__name__)

EXPORTERS = ("none", "console", "otlp")
_TRACER_NAME = "coalition-match"
_installed: TracerProvider | None = None


def exporter_choice(environ: Mapping[str, str] | None = None) -> str:
    """The exporter named by the environment; a typo fails start-up instead of dropping traces."""
    environ = os.environ if environ is None else environ
    choice = (environ.get("OTEL_EXPORTER") or environ.get("OTEL_TRACES_EXPORTER") or "none").strip().lower()
    if choice not in EXPORTERS:
        raise ValueError(f"OTEL_EXPORTER must be one of {', '.join(EXPORTERS)}, not {choice!r}")
    return choice


def make_span_exporter(choice: str) -> SpanExporter | None:
    if choice == "none":
        return None
    if choice == "console":
        return ConsoleSpanExporter(out=sys.stderr, formatter=lambda span: span.to_json(indent=None) + "\n")
    if choice == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        return OTLPSpanExporter()
    raise ValueError(f"unknown trace exporter {choice!r}; expected one of {', '.join(EXPORTERS)}")


def build_tracer_provider(service_name: str, exporter: SpanExporter | None = None) -> TracerProvider:
    """A provider naming the service; sampling follows the standard ``OTEL_TRACES_SAMPLER`` variable."""
    environment = os.environ.get("ENVIRONMENT", "development")
    provider = TracerProvider(
        resource=Resource.create({SERVICE_NAME: service_name, "deployment.environment.name": environment})
    )
    if exporter is not None:
        provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


def configure_tracing(service_name: str) -> TracerProvider:
    """Install the process-wide tracer provider and W3C propagation; later calls return the first.

    OpenTelemetry allows one global provider per process, so when tests build several apps in one
    process they share the first service's provider.
    """
    global _installed
    if _installed is not None:
        return _installed
    if isinstance(current := trace.get_tracer_provider(), TracerProvider):
        _installed = current  # installed by other code in this process: one provider only
        return current
    choice = exporter_choice()
    provider = build_tracer_provider(service_name, make_span_exporter(choice))
    trace.set_tracer_provider(provider)
    propagate.set_global_textmap(CompositePropagator([TraceContextTextMapPropagator(), W3CBaggagePropagator()]))
    _installed = provider
    log.info("tracing configured (exporter: %s)", choice)
    return provider


def flush_tracing(timeout_ms: int = 5000) -> None:
    """Send finished spans now (call at shutdown; the SDK also flushes when the process exits)."""
    if _installed is not None:
        _installed.force_flush(timeout_ms)


class TracingMiddleware:
    """ASGI middleware: one server span per request, continuing the caller's ``traceparent``.

    Added as the outermost middleware, every log line written while serving the request carries
    the span's trace id, and every event queued in the outbox carries its context to Kafka.
    """

    def __init__(self, app: ASGIApp, tracer_provider: TracerProvider | None = None) -> None:
        self.app = app
        self.tracer = trace.get_tracer(_TRACER_NAME, tracer_provider=tracer_provider)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        method = scope.get("method", "GET")
        with self.tracer.start_as_current_span(
            method,
            context=propagate.extract(_header_carrier(scope)),
            kind=SpanKind.SERVER,
            attributes=_request_attributes(scope, method),
            record_exception=False,
            set_status_on_exception=False,
        ) as span:

            async def send_observed(message: Message) -> None:
                if message["type"] == "http.response.start":
                    _record_status(span, message["status"])
                await send(message)

            try:
                await self.app(scope, receive, send_observed)
            except Exception as error:
                _record_error(span, error)
                raise
            finally:
                _name_after_route(span, scope, method)


@contextmanager
def consumer_span(record: Any, consumer_name: str, tracer_provider: TracerProvider | None = None) -> Iterator[Span]:
    """A consumer span for one Kafka record, child of the context found in its headers."""
    tracer = trace.get_tracer(_TRACER_NAME, tracer_provider=tracer_provider)
    attributes = {
        "messaging.system": "kafka",
        "messaging.operation.type": "process",
        "messaging.destination.name": record.topic,
        "messaging.destination.partition.id": str(record.partition),
        "messaging.kafka.offset": record.offset,
        "messaging.consumer.group.name": consumer_name,
    }
    with tracer.start_as_current_span(
        f"process {record.topic}",
        context=extract_trace_context(record.headers),
        kind=SpanKind.CONSUMER,
        attributes=attributes,
        record_exception=False,
        set_status_on_exception=False,
    ) as span:
        try:
            yield span
        except Exception as error:
            _record_error(span, error)
            raise


def _header_carrier(scope: Scope) -> dict[str, str]:
    return {name.decode("latin-1"): value.decode("latin-1") for name, value in scope.get("headers") or []}


def _request_attributes(scope: Scope, method: str) -> dict[str, str]:
    return {
        "http.request.method": method,
        "url.scheme": scope.get("scheme", "http"),
        "network.protocol.version": scope.get("http_version", "1.1"),
    }


def _record_status(span: Span, status_code: int) -> None:
    span.set_attribute("http.response.status_code", status_code)
    if status_code >= 500:  # a 4xx is the caller's mistake, not a failure of this server
        span.set_status(Status(StatusCode.ERROR))


def _record_error(span: Span, error: Exception) -> None:
    # The type only: exception messages can quote input, and spans leave the process.
    span.set_attribute("error.type", type(error).__qualname__)
    span.set_status(Status(StatusCode.ERROR, type(error).__qualname__))


def _name_after_route(span: Span, scope: Scope, method: str) -> None:
    route = getattr(scope.get("route"), "path", None)
    if route:
        span.set_attribute("http.route", route)
        span.update_name(f"{method} {route}")
