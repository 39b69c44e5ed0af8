"""Graceful shutdown in the right order, in process: real aiohttp server, real SQLite, the
``openai`` SDK as the client. Requests in flight finish, ``/readyz`` says so from the start of the
drain, traces are written, and only then are provider sessions closed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import openai
import pytest

from confiance.providers.simulated import RunningSimulator

from .conftest import Served, serve_gateway

CONFIG = """\
version: 1
providers:
  sim: {{kind: simulated, base_url: "{sim}/v1"}}
routes:
  slow: {{target: "sim/gpt-4o+latency-1s", retention: full}}
  slower: {{target: "sim/gpt-4o+latency-20s", timeouts: {{attempt: 30, total: 30}}}}
server: {{drain_timeout: {drain}}}
"""


@pytest.fixture
async def served(
    tmp_path: Path, sim: RunningSimulator, request: pytest.FixtureRequest
) -> AsyncIterator[Served]:
    drain = getattr(request, "param", 10)
    async with serve_gateway(CONFIG.format(sim=sim.base_url, drain=drain), tmp_path) as served:
        yield served


@pytest.fixture
async def client(served: Served) -> AsyncIterator[openai.AsyncOpenAI]:
    async with openai.AsyncOpenAI(
        base_url=f"{served.url}/v1", api_key=served.key, max_retries=0
    ) as sdk:
        yield sdk


def calls(client: openai.AsyncOpenAI, route: str, n: int) -> list[asyncio.Task[object]]:
    return [
        asyncio.create_task(
            client.chat.completions.create(
                model=route, messages=[{"role": "user", "content": f"call {i}"}]
            )
        )
        for i in range(n)
    ]


async def test_requests_in_flight_finish_and_every_trace_is_written(
    served: Served, client: openai.AsyncOpenAI
) -> None:
    in_flight = calls(client, "slow", 20)
    await asyncio.sleep(0.4)  # all 20 are waiting for the vendor now
    draining = asyncio.create_task(served.gateway.drain())
    async with httpx.AsyncClient() as http:
        ready = await http.get(f"{served.url}/readyz")
    assert (ready.status_code, ready.json()) == (503, {"status": "draining"})
    assert not draining.done()
    answers = await asyncio.gather(*in_flight)
    await draining
    assert len(answers) == 20
    await served.runner.cleanup()  # what SIGTERM runs: flush traces, then close providers
    stored = await served.services.store.traces.query(limit=100)
    assert len(stored) == 20
    assert {(t.route, t.status, t.http_status) for t in stored} == {("slow", "ok", 200)}
    assert all(t.response_body is not None for t in stored)


@pytest.mark.parametrize("served", [0.5], indirect=True)
async def test_requests_past_the_drain_timeout_are_cut_and_recorded_as_such(
    served: Served, client: openai.AsyncOpenAI
) -> None:
    in_flight = calls(client, "slower", 3)
    await asyncio.sleep(0.3)
    started = asyncio.get_running_loop().time()
    await served.runner.cleanup()
    assert asyncio.get_running_loop().time() - started < 5  # not the vendor's 20 s
    for call in in_flight:
        with pytest.raises(openai.APIConnectionError):
            await call
    stored = await served.services.store.traces.query(limit=100)
    assert len(stored) == 3
    assert {(t.status, t.http_status, t.error_class) for t in stored} == {
        ("error", 499, "drain_timeout")
    }


async def test_shutdown_with_requests_in_flight_answers_them_all_before_closing_providers(
    served: Served, client: openai.AsyncOpenAI
) -> None:
    # The issue: providers and the sink closed before in-flight handlers finished, so all 20
    # got 503 "circuit breaker open" and no trace was stored.
    in_flight = calls(client, "slow", 20)
    await asyncio.sleep(0.4)
    await served.runner.cleanup()
    answers = await asyncio.gather(*in_flight)
    assert len(answers) == 20
    stored = await served.services.store.traces.query(limit=100)
    assert sorted(t.http_status for t in stored) == [200] * 20
