"""The trace sink: a bounded in-memory queue drained by one writer task in batches.

``submit`` never blocks and never raises: when the queue is full the trace is dropped and counted
(``confiance_traces_dropped{reason="queue_full"}``). The writer retries a failed batch a few
times before dropping it (``reason="store_error"``). ``close`` flushes everything still queued.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence

from confiance.domain.trace import Trace
from confiance.observability.metrics import GatewayMetrics

__all__ = ["TraceSink"]

log = logging.getLogger(__name__)

Writer = Callable[[Sequence[Trace]], Awaitable[None]]


class TraceSink:
    def __init__(
        self,
        write: Writer,
        metrics: GatewayMetrics,
        *,
        max_queue: int = 50_000,
        batch_size: int = 500,
        flush_interval: float = 0.5,
        write_attempts: int = 3,
    ) -> None:
        self._write = write
        self._metrics = metrics
        self._queue: deque[Trace] = deque()
        self._max_queue = max_queue
        self._batch_size = batch_size
        self._flush_interval = flush_interval
        self._write_attempts = write_attempts
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing = False

    def submit(self, trace: Trace) -> None:
        if self._closing or len(self._queue) >= self._max_queue:
            self._metrics.traces_dropped.labels(
                "queue_full" if not self._closing else "closed"
            ).inc()
            return
        self._queue.append(trace)
        if len(self._queue) >= self._batch_size:
            self._wake.set()

    def __len__(self) -> int:
        return len(self._queue)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="trace-sink")

    async def flush(self) -> None:
        """Write everything queued now (used by tests and shutdown)."""
        while self._queue:
            await self._write_batch()

    async def close(self) -> None:
        """Stop accepting traces, write what is queued, stop the writer task."""
        self._closing = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.flush()

    async def _run(self) -> None:
        while True:
            try:
                async with asyncio.timeout(self._flush_interval):
                    await self._wake.wait()
            except TimeoutError:
                pass
            self._wake.clear()
            while self._queue:
                await self._write_batch()

    async def _write_batch(self) -> None:
        count = min(len(self._queue), self._batch_size)
        batch = [self._queue.popleft() for _ in range(count)]
        self._metrics.trace_queue.set(len(self._queue))
        for attempt in range(1, self._write_attempts + 1):
            try:
                await self._write(batch)
            except asyncio.CancelledError:
                # Shutdown interrupted a write: put the batch back so close() flushes it.
                self._queue.extendleft(reversed(batch))
                raise
            except Exception as error:
                log.warning("trace batch write failed (attempt %d): %s", attempt, error)
                if attempt < self._write_attempts:
                    await asyncio.sleep(0.05 * 2**attempt)
                continue
            self._metrics.traces_written.inc(len(batch))
            return
        self._metrics.traces_dropped.labels("store_error").inc(len(batch))
