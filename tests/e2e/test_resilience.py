"""Retries, fallbacks, breakers and timeouts, every fault injected through the simulator."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import aiohttp
import openai
import pytest

from confiance.domain.trace import TraceStatus

from .conftest import Stack

USER = [{"role": "user", "content": "hello"}]


def client(stack: Stack) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=stack.v1, api_key=stack.app_key, max_retries=0)


async def test_retryable_failures_are_retried_on_the_same_target(stack: Stack) -> None:
    async with client(stack) as c:
        raw = await c.chat.completions.with_raw_response.create(model="retry", messages=USER)
    assert raw.parse().choices[0].message.content
    assert stack.sim.stats["gpt-4o+fail-first-2"] == 3
    trace = await stack.trace(raw.headers["x-confiance-trace-id"])
    assert [a.status for a in trace.attempts] == [500, 500, 200]
    assert not trace.fallback_used and trace.status is TraceStatus.OK


async def test_fallback_chain_answers_when_the_primary_keeps_failing(stack: Stack) -> None:
    async with client(stack) as c:
        raw = await c.chat.completions.with_raw_response.create(model="fallback", messages=USER)
    assert raw.headers["x-confiance-model"] == "claude-fallback"
    trace = await stack.trace(raw.headers["x-confiance-trace-id"])
    assert trace.fallback_used and trace.provider == "simant"
    assert [(a.provider, a.status) for a in trace.attempts] == [
        ("sim", 503),
        ("sim", 503),
        ("simant", 200),
    ]


async def test_connection_refused_falls_back(stack: Stack) -> None:
    async with client(stack) as c:
        raw = await c.chat.completions.with_raw_response.create(model="unreachable", messages=USER)
    trace = await stack.trace(raw.headers["x-confiance-trace-id"])
    assert trace.attempts[0].error_class == "upstream_connection"
    assert trace.fallback_used and trace.provider == "sim"


async def test_retry_after_is_honoured(stack: Stack) -> None:
    started = time.perf_counter()
    async with client(stack) as c:
        await c.chat.completions.create(model="ratelimited", messages=USER)
    assert time.perf_counter() - started >= 0.95, "simulator sends Retry-After: 1"
    traces = await stack.traces()
    assert [a.status for a in traces[-1].attempts] == [429, 200]


async def test_circuit_breaker_stops_calling_a_failing_target(stack: Stack) -> None:
    async with client(stack) as c:
        for _ in range(6):
            answer = await c.chat.completions.create(model="breaker", messages=USER)
            assert answer.choices[0].message.content
    # threshold 3: the first three requests try the primary, the rest skip it
    assert stack.sim.stats["fail-500"] == 3
    traces = await stack.traces()
    assert traces[-1].attempts[0].error_class == "circuit_open"
    assert traces[-1].attempts[0].duration_ms == 0.0
    metrics = await _metrics(stack)
    assert 'confiance_circuit_open{model="fail-500",provider="sim"} 1.0' in metrics


async def test_stream_falls_back_before_the_first_byte(stack: Stack) -> None:
    async with client(stack) as c:
        stream = await c.chat.completions.create(model="fallback", messages=USER, stream=True)
        text = "".join([ch.choices[0].delta.content or "" async for ch in stream if ch.choices])
    assert text
    traces = await stack.traces()
    assert traces[-1].stream and traces[-1].fallback_used


async def test_stream_failing_midway_is_not_retried_and_ends_with_an_error(stack: Stack) -> None:
    body = {"model": "breaks", "stream": True, "messages": USER}
    headers = {"Authorization": f"Bearer {stack.app_key}"}
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{stack.v1}/chat/completions", json=body, headers=headers) as r:
            assert r.status == 200
            lines = [line async for line in r.content if line.startswith(b"data: ")]
    assert any(b'"error"' in line for line in lines), "the client is told the stream failed"
    assert b"[DONE]" not in lines[-1]
    assert stack.sim.stats["gpt-4o"] == 0, "no fallback after bytes reached the client"
    trace = (await stack.traces())[-1]
    assert trace.status is TraceStatus.ERROR and "after first chunk" in (trace.error or "")


def _established_to(port: int) -> int:
    """Open TCP connections to ``port`` on loopback, read from /proc (Linux)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[2].rsplit(":", 1)[1], 16) == port and fields[3] == "01":
                count += 1
    return count


async def test_client_disconnect_mid_stream_cancels_upstream_and_is_traced(stack: Stack) -> None:
    sim_port = int(stack.sim.base_url.rsplit(":", 1)[1])
    body = {"model": "slowstream", "stream": True, "messages": USER}
    headers = {"Authorization": f"Bearer {stack.app_key}"}
    session = aiohttp.ClientSession()
    response = await session.post(f"{stack.v1}/chat/completions", json=body, headers=headers)
    await response.content.readline()
    assert _established_to(sim_port) >= 1, "upstream stream is open while the client reads"
    response.close()  # the client goes away mid-stream (400 words at 20 tokens/s)
    await session.close()
    deadline = time.monotonic() + 5
    while _established_to(sim_port) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert _established_to(sim_port) == 0, "the upstream call was cancelled"
    for _ in range(50):
        traces = await stack.traces()
        if traces and traces[-1].route == "slowstream":
            break
        await asyncio.sleep(0.05)
    assert traces[-1].status is TraceStatus.CLIENT_DISCONNECTED
    assert traces[-1].http_status == 499


async def test_garbage_from_upstream_gives_502_after_the_chain(stack: Stack) -> None:
    async with client(stack) as c:
        with pytest.raises(openai.APIStatusError) as info:
            await c.chat.completions.create(model="garbage", messages=USER)
    assert info.value.status_code == 502
    assert "all 2 target(s) failed" in info.value.message
    trace = (await stack.traces())[-1]
    assert [a.error_class for a in trace.attempts] == ["upstream_protocol", "upstream_connection"]


async def test_hanging_upstream_gives_504_within_the_route_timeout(stack: Stack) -> None:
    started = time.perf_counter()
    async with client(stack) as c:
        with pytest.raises(openai.APIStatusError) as info:
            await c.chat.completions.create(model="hang", messages=USER)
    elapsed = time.perf_counter() - started
    assert info.value.status_code == 504
    assert 0.75 <= elapsed < 2.5, "two 0.4 s attempts, bounded by the 1.5 s total"
    trace = (await stack.traces())[-1]
    assert [a.error_class for a in trace.attempts] == ["upstream_timeout", "upstream_timeout"]
    assert (await _health(stack)) == 200, "the worker keeps serving"


async def test_config_change_is_picked_up_without_restart(stack: Stack) -> None:
    new = (
        'version: 1\nproviders:\n  sim: {{kind: simulated, base_url: "{sim}/v1"}}\n'
        "routes:\n  chat: {{target: sim/echo}}\n"
    )
    loaded_rev = await stack.apply(new)
    async with client(stack) as c:
        raw = await c.chat.completions.with_raw_response.create(model="chat", messages=USER)
    assert raw.headers["x-confiance-revision"] == str(loaded_rev)
    assert raw.parse().choices[0].message.content == "hello"


async def _metrics(stack: Stack) -> str:
    headers = {"Authorization": f"Bearer {stack.admin_key}"}
    async with aiohttp.ClientSession() as s, s.get(f"{stack.url}/metrics", headers=headers) as r:
        assert r.status == 200
        return await r.text()


async def _health(stack: Stack) -> int:
    async with aiohttp.ClientSession() as s, s.get(f"{stack.url}/healthz") as r:
        return r.status


async def test_a_request_the_vendor_rejects_is_the_callers_error(stack: Stack) -> None:
    async with client(stack) as c:
        with pytest.raises(openai.BadRequestError) as info:
            await c.chat.completions.create(model="rejected", messages=USER)
    assert "not a simulator directive" in info.value.message, "the vendor's own message"
    assert "sim rejected the request" in info.value.message
    assert stack.sim.stats.statuses[400] == 1, "not retried: the vendor said 400 once"
    assert stack.sim.stats["gpt-4o"] == 0, "no fallback: another model would reject it too"
    trace = (await stack.traces())[-1]
    assert trace.http_status == 400
    assert trace.error_class == "upstream_rejected"
