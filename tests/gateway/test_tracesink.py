from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from confiance.domain.trace import Attempt, Trace, TraceStatus
from confiance.domain.types import JSONObject
from confiance.errors import StoreError
from confiance.gateway.tracesink import TraceSink
from confiance.observability.metrics import GatewayMetrics
from confiance.store import Store


def trace(i: int) -> Trace:
    return Trace(id=f"t{i}", started_at=datetime.now(UTC), endpoint="chat", route="r")


def dropped(metrics: GatewayMetrics, reason: str) -> float:
    value = metrics.registry.get_sample_value("confiance_traces_dropped_total", {"reason": reason})
    return value or 0.0


async def test_batches_are_written_in_order_and_close_flushes_everything() -> None:
    batches: list[list[str]] = []

    async def write(items: Sequence[Trace]) -> None:
        batches.append([t.id for t in items])

    sink = TraceSink(write, GatewayMetrics(), batch_size=3, flush_interval=60)
    sink.start()
    for i in range(7):
        sink.submit(trace(i))
    await asyncio.sleep(0.01)  # the full batches are written without waiting for the interval
    assert batches[:2] == [["t0", "t1", "t2"], ["t3", "t4", "t5"]]
    await sink.close()
    assert [t for b in batches for t in b] == [f"t{i}" for i in range(7)]


async def test_full_queue_drops_and_counts_never_blocks() -> None:
    metrics = GatewayMetrics()
    release = asyncio.Event()

    async def slow(items: Sequence[Trace]) -> None:
        await release.wait()

    sink = TraceSink(slow, metrics, max_queue=5, batch_size=100, flush_interval=60)
    for i in range(8):
        sink.submit(trace(i))
    assert len(sink) == 5
    assert dropped(metrics, "queue_full") == 3
    release.set()
    await sink.close()
    assert dropped(metrics, "closed") == 0


def nested(depth: int) -> JSONObject:
    value: JSONObject = {"leaf": "x"}
    for _ in range(depth):
        value = {"a": value}
    return value


async def test_a_record_the_store_refuses_is_stored_as_a_stub_and_its_batch_is_kept(
    tmp_path: Path,
) -> None:
    # The reproduction: one body nested ~300 levels deep made the whole batch fail
    # to encode, and the sink dropped all 500 traces of it.
    metrics = GatewayMetrics()
    async with await Store.open(f"sqlite+aiosqlite:///{tmp_path / 't.db'}") as store:
        sink = TraceSink(store.traces.add_many, metrics, batch_size=500)
        bad = replace(
            trace(7),
            status=TraceStatus.ERROR,
            http_status=502,
            error_class="upstream_error",
            request_body={"messages": [nested(300)]},
            attempts=[Attempt("sim", "m", 0.0, 1.5, 500, "http_5xx", "boom")],
        )
        for i in range(40):
            sink.submit(bad if i == 7 else trace(i))
        await sink.flush()
        stored = {t.id: t for t in await store.traces.query(limit=100)}
    assert sorted(stored) == sorted(f"t{i}" for i in range(40))
    stub = stored["t7"]
    assert (stub.status, stub.http_status, stub.error_class) == ("error", 502, "upstream_error")
    assert stub.attempts == bad.attempts and stub.request_body is None
    assert "Recursion limit" in stub.metadata["trace_store_error"]
    assert metrics.registry.get_sample_value("confiance_traces_stubbed_total") == 1
    assert metrics.registry.get_sample_value("confiance_traces_written_total") == 40


async def test_a_failing_store_drops_nothing_and_is_retried_until_it_answers() -> None:
    metrics = GatewayMetrics()
    stored: list[str] = []
    down = True

    async def flaky(items: Sequence[Trace]) -> None:
        if down:
            raise StoreError("database error: connection refused")
        stored.extend(t.id for t in items)

    sink = TraceSink(flaky, metrics, batch_size=4, flush_interval=0.01, retry_initial=0.01)
    sink.start()
    for i in range(10):
        sink.submit(trace(i))
    await asyncio.sleep(0.1)
    assert sink.store_failing and len(sink) == 10 and stored == []
    down = False
    await asyncio.sleep(0.3)
    assert not sink.store_failing and sorted(stored) == sorted(f"t{i}" for i in range(10))
    assert dropped(metrics, "store_error") == 0
    await sink.close()


async def test_close_lets_a_write_in_progress_finish_instead_of_cancelling_it() -> None:
    started, release = asyncio.Event(), asyncio.Event()
    stored: list[str] = []

    async def slow(items: Sequence[Trace]) -> None:
        started.set()
        await release.wait()
        stored.extend(t.id for t in items)

    sink = TraceSink(slow, GatewayMetrics(), batch_size=2, flush_interval=60)
    sink.start()
    for i in range(5):
        sink.submit(trace(i))
    await started.wait()
    closing = asyncio.create_task(sink.close(timeout=5))
    await asyncio.sleep(0.05)
    assert not closing.done()
    release.set()
    await closing
    assert stored == [f"t{i}" for i in range(5)]


async def test_close_gives_up_after_its_timeout_and_counts_what_it_drops() -> None:
    metrics = GatewayMetrics()

    async def broken(items: Sequence[Trace]) -> None:
        raise StoreError("database error: gone")

    sink = TraceSink(broken, metrics, retry_initial=0.01)
    for i in range(3):
        sink.submit(trace(i))
    await sink.close(timeout=0.2)
    assert dropped(metrics, "shutdown") == 3
