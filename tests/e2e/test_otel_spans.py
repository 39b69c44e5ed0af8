"""OpenTelemetry spans with gen_ai.* attributes, joined to the caller's trace via traceparent."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import openai
import pytest
from aiohttp import web
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from confiance.app import open_services
from confiance.config.load import parse_config
from confiance.domain.keys import Role
from confiance.gateway.server import Gateway
from confiance.observability.tracing import TraceSpans, spans_from_env
from confiance.providers.builtin import builtin_registry
from confiance.providers.simulated import RunningSimulator
from confiance.settings import Settings

CONFIG = """\
version: 1
providers:
  sim: {{kind: simulated, base_url: "{sim}/v1"}}
routes:
  chat:
    target: "sim/gpt-4o+fail-first-1"
    retry: {{max_attempts: 2, backoff_initial: 0.01}}
"""
PARENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"


@pytest.fixture
async def traced(
    tmp_path: Path, sim: RunningSimulator
) -> AsyncIterator[tuple[str, str, InMemorySpanExporter]]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    services = await open_services(Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/o.db"))
    await services.revisions.apply(parse_config(CONFIG.format(sim=sim.base_url), "c"), "t", "t")
    key = await services.keys.create("k", Role.APP)
    gateway = Gateway(
        services.store, builtin_registry(), spans=TraceSpans(provider.get_tracer("test"))
    )
    runner = web.AppRunner(gateway.application(), handler_cancellation=True)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/v1", key.secret, exporter
    finally:
        await runner.cleanup()
        await services.close()


async def test_request_and_attempt_spans(traced: tuple[str, str, InMemorySpanExporter]) -> None:
    url, key, exporter = traced
    async with openai.AsyncOpenAI(base_url=url, api_key=key, max_retries=0) as client:
        answer = await client.chat.completions.with_raw_response.create(
            model="chat",
            messages=[{"role": "user", "content": "hi"}],
            extra_headers={"traceparent": f"00-{PARENT_TRACE}-00f067aa0ba902b7-01"},
        )
    spans = {s.name: s for s in exporter.get_finished_spans()}
    request = spans["chat chat"]
    assert request.kind is SpanKind.SERVER
    assert f"{request.context.trace_id:032x}" == PARENT_TRACE, "joined the caller's trace"
    attributes = dict(request.attributes or {})
    usage = answer.parse().usage
    assert usage is not None
    assert attributes["gen_ai.operation.name"] == "chat"
    assert attributes["gen_ai.request.model"] == "gpt-4o+fail-first-1"
    assert attributes["gen_ai.usage.output_tokens"] == usage.completion_tokens
    assert attributes["confiance.trace_id"] == answer.headers["x-confiance-trace-id"]
    attempts = [s for s in exporter.get_finished_spans() if s.kind is SpanKind.CLIENT]
    assert [s.status.status_code for s in attempts] == [StatusCode.ERROR, StatusCode.UNSET]
    assert all(
        s.parent is not None and s.parent.span_id == request.context.span_id for s in attempts
    )
    assert attempts[0].start_time is not None and request.start_time is not None
    assert request.start_time <= attempts[0].start_time


def test_spans_are_off_unless_an_otlp_endpoint_is_configured() -> None:
    assert spans_from_env({}) is None
    recorder = spans_from_env({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"})
    assert isinstance(recorder, TraceSpans)
    recorder.close()
