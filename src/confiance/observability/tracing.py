"""OpenTelemetry spans for gateway requests, with the ``gen_ai.*`` semantic conventions.

Spans are built from the finished :class:`~confiance.domain.trace.Trace` (its start time and
duration are known then), one span per request and a child span per upstream attempt, so the
request path does no span bookkeeping while it runs. A ``traceparent`` header the client sent
becomes the parent, so the gateway's spans join the application's own trace.

Enabled by the standard OpenTelemetry environment: ``OTEL_EXPORTER_OTLP_ENDPOINT`` (or
``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``) set → spans are exported over OTLP/HTTP in batches.
Needs the ``otel`` extra (``pip install 'confiance[otel]'``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Protocol

from opentelemetry import trace as otel
from opentelemetry.trace import SpanKind, Status, StatusCode, Tracer
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from confiance.domain.trace import Trace, TraceStatus

__all__ = ["SpanRecorder", "TraceSpans", "spans_from_env"]

log = logging.getLogger(__name__)

_OPERATIONS = {"chat": "chat", "messages": "chat", "embeddings": "embeddings"}
_PROPAGATOR = TraceContextTextMapPropagator()


class SpanRecorder(Protocol):
    def record(self, trace: Trace, traceparent: str | None) -> None:
        """Emit the spans of one finished request."""
        ...

    def close(self) -> None:
        """Export what is buffered and stop (graceful shutdown)."""
        ...


class TraceSpans:
    """Turns finished traces into spans on ``tracer``; ``close`` runs ``shutdown``."""

    def __init__(self, tracer: Tracer, shutdown: Callable[[], object] | None = None) -> None:
        self._tracer = tracer
        self._shutdown = shutdown

    def close(self) -> None:
        if self._shutdown is not None:
            self._shutdown()

    def record(self, trace: Trace, traceparent: str | None) -> None:
        operation = _OPERATIONS.get(trace.endpoint)
        if operation is None:
            return
        start = int(trace.started_at.timestamp() * 1e9)
        end = start + int(trace.latency_ms * 1e6)
        parent = _PROPAGATOR.extract({"traceparent": traceparent}) if traceparent else None
        span = self._tracer.start_span(
            f"{operation} {trace.route}",
            context=parent,
            kind=SpanKind.SERVER,
            start_time=start,
            attributes=_attributes(trace, operation),
        )
        context = otel.set_span_in_context(span)
        for attempt in trace.attempts:
            child = self._tracer.start_span(
                f"{operation} {attempt.model}",
                context=context,
                kind=SpanKind.CLIENT,
                start_time=start + int(attempt.started_ms * 1e6),
                attributes={
                    "gen_ai.operation.name": operation,
                    "gen_ai.provider.name": attempt.provider,
                    "gen_ai.request.model": attempt.model,
                    "http.response.status_code": attempt.status or 0,
                },
            )
            if attempt.error_class:
                child.set_attribute("error.type", attempt.error_class)
                child.set_status(Status(StatusCode.ERROR, attempt.error or attempt.error_class))
            child.end(end_time=start + int((attempt.started_ms + attempt.duration_ms) * 1e6))
        if trace.status is not TraceStatus.OK:
            span.set_attribute("error.type", trace.error_class or trace.status.value)
            span.set_status(Status(StatusCode.ERROR, trace.error or trace.status.value))
        span.end(end_time=end)


def _attributes(trace: Trace, operation: str) -> dict[str, str | int | float | bool]:
    attributes: dict[str, str | int | float | bool] = {
        "gen_ai.operation.name": operation,
        "gen_ai.usage.input_tokens": trace.prompt_tokens,
        "gen_ai.usage.output_tokens": trace.completion_tokens,
        "http.response.status_code": trace.http_status,
        "confiance.trace_id": trace.id,
        "confiance.route": trace.route,
        "confiance.fallback_used": trace.fallback_used,
        "confiance.attempts": len(trace.attempts),
        "confiance.stream": trace.stream,
    }
    optional = {
        "gen_ai.provider.name": trace.provider,
        "gen_ai.request.model": trace.model_requested,
        "gen_ai.response.model": trace.model_answered,
        "confiance.revision": trace.revision,
        "confiance.cost_usd": trace.cost_usd,
        "confiance.ttft_ms": trace.ttft_ms,
    }
    attributes.update({k: v for k, v in optional.items() if v is not None})
    return attributes


def spans_from_env(env: Mapping[str, str]) -> SpanRecorder | None:
    """An OTLP-exporting recorder when the OpenTelemetry environment asks for one, else None."""
    if not (
        env.get("OTEL_EXPORTER_OTLP_ENDPOINT") or env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    ):
        return None
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError:
        log.warning(
            "OTEL_EXPORTER_OTLP_ENDPOINT is set but the otel extra is not installed: "
            "pip install 'confiance[otel]'"
        )
        return None
    name = env.get("OTEL_SERVICE_NAME", "confiance-gateway")
    provider = TracerProvider(
        resource=Resource.create({"service.name": name}), shutdown_on_exit=False
    )
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    return TraceSpans(provider.get_tracer("confiance.gateway"), provider.shutdown)
