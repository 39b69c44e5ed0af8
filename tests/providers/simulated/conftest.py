"""Fixtures for simulator tests: a running simulator and real SDK clients pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import anthropic
import openai
import pytest

from confiance.providers.simulated import RunningSimulator, serve_simulator, simulator_in_thread

USER = [{"role": "user", "content": "What is the capital of France?"}]


@pytest.fixture
async def sim() -> AsyncIterator[RunningSimulator]:
    async with serve_simulator() as running:
        yield running


@pytest.fixture
def threaded_sim() -> Iterator[RunningSimulator]:
    """A simulator on its own thread, for the synchronous SDK clients."""
    with simulator_in_thread() as running:
        yield running


@pytest.fixture
async def oai(sim: RunningSimulator) -> AsyncIterator[openai.AsyncOpenAI]:
    client = openai.AsyncOpenAI(base_url=sim.openai_base_url, api_key="sk-test", max_retries=0)
    yield client
    await client.close()


@pytest.fixture
async def claude(sim: RunningSimulator) -> AsyncIterator[anthropic.AsyncAnthropic]:
    client = anthropic.AsyncAnthropic(base_url=sim.base_url, api_key="sk-test", max_retries=0)
    yield client
    await client.close()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def post_json(
    http: aiohttp.ClientSession, url: str, body: Any, **kwargs: Any
) -> tuple[int, Any, aiohttp.ClientResponse]:
    """POST ``body`` (JSON, or raw bytes) and return status, parsed JSON body, response."""
    data = body if isinstance(body, bytes) else None
    json_body = None if isinstance(body, bytes) else body
    async with http.post(url, json=json_body, data=data, **kwargs) as response:
        return response.status, await response.json(content_type=None), response
