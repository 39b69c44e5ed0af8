from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime

from confiance.domain.trace import Trace
from confiance.gateway.tracesink import TraceSink
from confiance.observability.metrics import GatewayMetrics


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


async def test_failed_write_is_retried_then_dropped_and_counted() -> None:
    metrics = GatewayMetrics()
    calls = 0

    async def failing(items: Sequence[Trace]) -> None:
        nonlocal calls
        calls += 1
        if calls < 3:
            raise OSError("disk full")

    sink = TraceSink(failing, metrics, write_attempts=3)
    sink.submit(trace(1))
    await sink.flush()
    assert calls == 3 and dropped(metrics, "store_error") == 0

    async def broken(items: Sequence[Trace]) -> None:
        raise OSError("gone")

    sink = TraceSink(broken, metrics, write_attempts=2)
    sink.submit(trace(2))
    sink.submit(trace(3))
    await sink.flush()
    assert dropped(metrics, "store_error") == 2
