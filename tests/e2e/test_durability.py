"""Trace durability in process with real parts: `trace_durability: sync`, and what a store that
cannot keep up does (a SQLite lock held by another connection, as a busy writer would)."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
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
  spooled: {{target: sim/echo}}
  sync: {{target: sim/echo, trace_durability: sync}}
  slow: {{target: sim/echo, trace_overflow: slow}}
server: {{trace_queue_size: 100, trace_sync_timeout: 0.5, trace_flush_interval: 0.05}}
"""

USER = [{"role": "user", "content": "hello"}]


@pytest.fixture
async def served(tmp_path: Path, sim: RunningSimulator) -> AsyncIterator[Served]:
    async with serve_gateway(CONFIG.format(sim=sim.base_url), tmp_path) as served:
        yield served


@pytest.fixture
async def client(served: Served) -> AsyncIterator[openai.AsyncOpenAI]:
    async with openai.AsyncOpenAI(
        base_url=f"{served.url}/v1", api_key=served.key, max_retries=0
    ) as sdk:
        yield sdk


@contextmanager
def store_locked(database: Path) -> Iterator[None]:
    """Another connection holds SQLite's write lock: the gateway's trace writes wait."""
    other = sqlite3.connect(database, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


async def readyz(served: Served) -> httpx.Response:
    async with httpx.AsyncClient() as http:
        return await http.get(f"{served.url}/readyz")


async def test_a_sync_route_answers_only_once_its_trace_is_in_the_store(
    served: Served, client: openai.AsyncOpenAI
) -> None:
    for _ in range(3):
        raw = await client.chat.completions.with_raw_response.create(model="sync", messages=USER)
        # No flush: the answer came after the commit, so the trace is readable already.
        stored = await served.services.store.traces.get(raw.headers["x-confiance-trace-id"])
        assert (stored.route, stored.status, stored.http_status) == ("sync", "ok", 200)


async def test_a_sync_route_withholds_the_answer_when_the_store_cannot_take_its_trace(
    served: Served, client: openai.AsyncOpenAI
) -> None:
    with store_locked(served.database):
        with pytest.raises(openai.APIStatusError) as refused:
            await client.chat.completions.create(model="sync", messages=USER)
    assert refused.value.status_code == 503
    assert refused.value.body["code"] == "trace_not_stored"  # type: ignore[index]
    trace_id = refused.value.response.headers["x-confiance-trace-id"]
    assert served.gateway.sink is not None
    await served.gateway.sink.flush()
    stored = await served.services.store.traces.get(trace_id)
    assert (stored.status, stored.http_status, stored.error_class) == (
        "error",
        503,
        "trace_not_stored",
    )


async def test_a_store_that_cannot_keep_up_is_on_readyz_and_in_the_log_and_shed_is_counted(
    served: Served, client: openai.AsyncOpenAI, caplog: pytest.LogCaptureFixture
) -> None:
    assert (await readyz(served)).status_code == 200
    with caplog.at_level(logging.WARNING), store_locked(served.database):
        for _ in range(3):
            await asyncio.gather(
                *(client.chat.completions.create(model="spooled", messages=USER) for _ in range(50))
            )
        ready = await readyz(served)
    assert ready.status_code == 503
    assert ready.json()["status"] == "backpressure"
    assert "trace queue 100 of 100" in ready.json()["reason"]
    dropped = served.gateway.metrics.registry.get_sample_value(
        "confiance_traces_dropped_total", {"reason": "queue_full"}
    )
    assert dropped == 50
    assert any("dropped 1 traces (queue_full)" in r.message for r in caplog.records)
    assert served.gateway.sink is not None
    await served.gateway.sink.flush()
    assert len(await served.services.store.traces.query(limit=500)) == 100
    assert (await readyz(served)).status_code == 200


async def test_a_slow_route_waits_for_room_instead_of_dropping_its_traces(
    served: Served, client: openai.AsyncOpenAI
) -> None:
    def call() -> asyncio.Task[object]:
        return asyncio.create_task(client.chat.completions.create(model="slow", messages=USER))

    with store_locked(served.database):
        first = [call() for _ in range(100)]
        await asyncio.gather(*first)  # admitted while there was room: the queue is full now
        assert served.gateway.sink is not None and len(served.gateway.sink) == 100
        later = [call() for _ in range(30)]
        await asyncio.sleep(0.5)
        assert not any(task.done() for task in later)  # held at admission, vendor not called
        ready = await readyz(served)
        assert ready.json()["status"] == "backpressure"
    await asyncio.gather(*later)
    await served.gateway.sink.flush()
    assert len(await served.services.store.traces.query(limit=500)) == 130
    dropped = served.gateway.metrics.registry.get_sample_value(
        "confiance_traces_dropped_total", {"reason": "queue_full"}
    )
    assert not dropped
