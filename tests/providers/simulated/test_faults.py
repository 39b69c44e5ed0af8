"""Faults as clients meet them: latency, errors, retries, hangs, resets, stalls, broken bodies."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import anthropic
import openai
import pytest
from tests.providers.simulated.conftest import USER, post_json

from confiance.providers.simulated import (
    Behaviour,
    RunningSimulator,
    SimulatorConfig,
    serve_simulator,
)

SLACK = 0.25
EARLY = 0.01  # timer and scheduling jitter on a busy 2-core machine
"""Seconds of scheduling noise a timing assertion tolerates on a busy two-core machine."""


async def collect(items: AsyncIterator[Any]) -> tuple[list[Any], BaseException | None]:
    """Everything an async iterator yields before it ends, and the error it ended with."""
    seen: list[Any] = []
    try:
        async for item in items:
            seen.append(item)
    except Exception as error:
        return seen, error
    return seen, None


def connection_dropped(error: BaseException | None) -> bool:
    """Whether a client error says the connection went away (SDKs wrap it, or not, in their own
    APIConnectionError; the transport's read error is the same fact)."""
    if isinstance(error, openai.APIConnectionError | anthropic.APIConnectionError):
        return not isinstance(error, openai.APITimeoutError | anthropic.APITimeoutError)
    return type(error).__name__ in {"ReadError", "RemoteProtocolError"}


async def timed(coroutine: object) -> float:
    started = time.perf_counter()
    await coroutine  # type: ignore[misc]
    return time.perf_counter() - started


async def test_fixed_latency_is_waited(oai: openai.AsyncOpenAI) -> None:
    fast = await timed(oai.chat.completions.create(model="m", messages=USER))
    slow = await timed(oai.chat.completions.create(model="m+latency-300ms", messages=USER))
    assert fast < 0.1
    assert 0.3 <= slow < 0.3 + SLACK


async def test_configured_uniform_latency_stays_in_range() -> None:
    config = SimulatorConfig(
        models={
            "slow-*": Behaviour(latency={"distribution": "uniform", "low_ms": 100, "high_ms": 200})
        }
    )
    async with serve_simulator(config) as sim:
        client = openai.AsyncOpenAI(base_url=sim.openai_base_url, api_key="k", max_retries=0)
        async with client:
            waits = [
                await timed(client.chat.completions.create(model="slow-1", messages=USER))
                for _ in range(4)
            ]
            other = await timed(client.chat.completions.create(model="quick", messages=USER))
    assert all(0.1 <= wait < 0.2 + SLACK for wait in waits)
    assert other < 0.1


async def test_fail_first_then_success_is_counted_per_model(sim: RunningSimulator) -> None:
    model = "m+fail-first-2+retry-after-0.01s"
    client = openai.AsyncOpenAI(base_url=sim.openai_base_url, api_key="k", max_retries=3)
    async with client:
        answer = await client.chat.completions.create(model=model, messages=USER)  # type: ignore[arg-type]
        assert answer.choices[0].message.content
        assert sim.stats[model] == 3
        assert sim.stats.statuses[500] == 2
        await client.chat.completions.create(model="m", messages=USER)  # type: ignore[arg-type]
    assert sim.stats["m"] == 1
    assert sim.stats[model] == 3


async def test_fail_first_without_retries_fails_exactly_n_times(oai: openai.AsyncOpenAI) -> None:
    model = "m+fail-first-2-503"
    outcomes = []
    for _ in range(4):
        try:
            await oai.chat.completions.create(model=model, messages=USER)
            outcomes.append("ok")
        except openai.InternalServerError as error:
            outcomes.append(str(error.status_code))
    assert outcomes == ["503", "503", "ok", "ok"]


async def test_429_carries_retry_after(sim: RunningSimulator, http: aiohttp.ClientSession) -> None:
    target = f"{sim.openai_base_url}/chat/completions"
    status, body, response = await post_json(
        http, target, {"model": "m+fail-429", "messages": USER}
    )
    assert status == 429
    assert body["error"]["code"] == "rate_limit_exceeded"
    assert response.headers["Retry-After"] == "1"
    assert response.headers["retry-after-ms"] == "1000"
    _, _, response = await post_json(
        http, target, {"model": "m+fail-429+retry-after-3s", "messages": USER}
    )
    assert response.headers["Retry-After"] == "3"
    status, _, response = await post_json(http, target, {"model": "m+fail-500", "messages": USER})
    assert status == 500
    assert "Retry-After" not in response.headers


async def test_error_rate_is_a_seeded_probability(http: aiohttp.ClientSession) -> None:
    config = SimulatorConfig(seed=11, models={"shaky": Behaviour(error_rate=0.5, error_status=503)})

    async def statuses() -> list[int]:
        async with serve_simulator(config) as sim:
            target = f"{sim.openai_base_url}/chat/completions"
            return [
                (await post_json(http, target, {"model": "shaky", "messages": USER}))[0]
                for _ in range(40)
            ]

    first, second = await statuses(), await statuses()
    assert first == second
    assert set(first) == {200, 503}
    assert 8 <= first.count(503) <= 32


async def test_anthropic_sdk_retries_an_overloaded_model(sim: RunningSimulator) -> None:
    model = "c+fail-first-1-529+retry-after-0.01s"
    async with anthropic.AsyncAnthropic(
        base_url=sim.base_url, api_key="k", max_retries=2
    ) as client:
        message = await client.messages.create(model=model, max_tokens=20, messages=USER)  # type: ignore[arg-type]
    assert message.content
    assert sim.stats[model] == 2


async def test_hang_is_detected_by_the_client_timeout(oai: openai.AsyncOpenAI) -> None:
    started = time.perf_counter()
    with pytest.raises(openai.APITimeoutError):
        await oai.with_options(timeout=0.3).chat.completions.create(model="m+hang", messages=USER)
    assert 0.3 <= time.perf_counter() - started < 0.3 + SLACK


async def test_reset_is_a_connection_error_after_half_an_answer(
    sim: RunningSimulator, oai: openai.AsyncOpenAI
) -> None:
    with pytest.raises(openai.APIConnectionError):
        await oai.chat.completions.create(model="m+reset", messages=USER)
    reader, writer = await asyncio.open_connection(sim.host, sim.port)
    body = json.dumps({"model": "m+reset", "messages": USER}).encode()
    writer.write(
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: sim\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    received = b""
    try:
        while chunk := await reader.read(65536):
            received += chunk
        ending: BaseException | None = None
    except ConnectionResetError as error:
        ending = error
    assert isinstance(ending, ConnectionResetError)
    writer.close()
    head, _, partial = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    declared = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
    assert 0 < len(partial) < declared


async def test_malformed_body_makes_the_sdk_raise(
    sim: RunningSimulator, oai: openai.AsyncOpenAI, http: aiohttp.ClientSession
) -> None:
    with pytest.raises(json.JSONDecodeError):
        await oai.chat.completions.create(model="m+malformed", messages=USER)
    async with http.post(
        f"{sim.openai_base_url}/chat/completions", json={"model": "m+malformed", "messages": USER}
    ) as response:
        assert response.status == 200
        text = await response.text()
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)


async def test_stalled_stream_is_caught_by_the_read_timeout(oai: openai.AsyncOpenAI) -> None:
    stream = await oai.with_options(timeout=0.4).chat.completions.create(
        model="m+stall-after-3", messages=USER, stream=True
    )
    chunks, error = await collect(stream)
    assert isinstance(error, openai.APITimeoutError)
    assert len(chunks) == 3


async def test_broken_stream_drops_the_connection(
    oai: openai.AsyncOpenAI, claude: anthropic.AsyncAnthropic
) -> None:
    stream = await oai.chat.completions.create(model="m+break-after-4", messages=USER, stream=True)
    chunks, error = await collect(stream)
    assert connection_dropped(error)
    assert len(chunks) == 4
    async with claude.messages.stream(
        model="c+break-after-2", max_tokens=50, messages=USER
    ) as anthropic_stream:
        events, error = await collect(anthropic_stream)
    assert connection_dropped(error)
    assert [event.type for event in events][:1] == ["message_start"]
    assert "message_stop" not in [event.type for event in events]


async def test_malformed_stream_event_makes_the_sdk_raise(oai: openai.AsyncOpenAI) -> None:
    stream = await oai.chat.completions.create(model="m+malformed", messages=USER, stream=True)
    with pytest.raises(json.JSONDecodeError):
        async for _ in stream:
            pass


async def test_time_to_first_token_and_tokens_per_second(oai: openai.AsyncOpenAI) -> None:
    started = time.perf_counter()
    stream = await oai.chat.completions.create(
        model="m+ttft-200ms+tps-50+words-9", messages=USER, stream=True
    )
    arrivals = []
    async for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            arrivals.append(time.perf_counter() - started)
    tokens = len(arrivals)
    assert tokens >= 10
    # The lower bounds allow a few ms: the client may see the first chunk a little late, which
    # shortens the measured span; a stream sent all at once would still be far below them.
    assert 0.2 - EARLY <= arrivals[0] < 0.2 + SLACK
    expected = (tokens - 1) / 50
    assert expected - EARLY <= arrivals[-1] - arrivals[0] < expected + SLACK
    whole = await timed(
        oai.chat.completions.create(model="m+ttft-200ms+tps-50+words-9", messages=USER)
    )
    assert 0.2 + expected <= whole < 0.2 + expected + SLACK


async def test_shutdown_releases_hung_and_stalled_requests() -> None:
    async with aiohttp.ClientSession() as http:
        async with serve_simulator() as sim:
            target = f"{sim.openai_base_url}/chat/completions"
            hung = asyncio.create_task(
                http.post(target, json={"model": "m+hang", "messages": USER})
            )
            stalled = await http.post(
                target, json={"model": "m+stall-after-1", "messages": USER, "stream": True}
            )
            await stalled.content.readline()
            await asyncio.sleep(0.1)
            started = time.perf_counter()
        assert time.perf_counter() - started < 1.0
        with pytest.raises(aiohttp.ServerDisconnectedError):
            await hung
        with pytest.raises(aiohttp.ClientPayloadError):
            await stalled.read()
        stalled.release()
