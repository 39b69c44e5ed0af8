"""The trace sink: a bounded in-memory queue drained by one writer task in batches.

``submit`` never blocks and never raises: when the queue is full the trace is dropped and counted
(``confiance_traces_dropped{reason="queue_full"}``). A batch is never dropped because of one of
its records: a batch the store refuses is split in halves until the refused record is alone,
the rest is stored, and the refused record is stored as a stub (its bodies and metadata replaced
by the error, so the status, timing and attempts of the call stay on record). When the store
itself fails (the stub is refused too), the batch goes back to the head of the queue and the
writer retries with backoff until the store answers again. ``close`` flushes everything queued.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace

from confiance.domain.trace import Trace
from confiance.errors import StoreError
from confiance.observability.metrics import GatewayMetrics

__all__ = ["TraceSink"]

log = logging.getLogger(__name__)

Writer = Callable[[Sequence[Trace]], Awaitable[None]]

_MAX_BACKOFF_S = 5.0


class _StoreDown(Exception):
    """The store refused even a stub: the failure is the store's, not a record's."""


class TraceSink:
    def __init__(
        self,
        write: Writer,
        metrics: GatewayMetrics,
        *,
        max_queue: int = 50_000,
        batch_size: int = 500,
        flush_interval: float = 0.5,
        retry_initial: float = 0.1,
    ) -> None:
        self._write = write
        self._metrics = metrics
        self._queue: deque[Trace] = deque()
        self._max_queue = max_queue
        self._batch_size = batch_size
        self._flush_interval = flush_interval
        self._retry_initial = retry_initial
        self._backoff = 0.0
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

    @property
    def store_failing(self) -> bool:
        """True while the last write found the store failing (the writer is backing off)."""
        return self._backoff > 0

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="trace-sink")

    async def flush(self) -> None:
        """Write everything queued now (used by tests and shutdown); waits while the store fails."""
        while self._queue:
            if not await self._write_batch():
                await asyncio.sleep(self._backoff)

    async def close(self, timeout: float | None = None) -> None:
        """Stop accepting traces, then let the writer finish what is queued and stop it.

        A write in progress is never cancelled (that loses or duplicates work): the writer task
        drains the queue and ends. ``timeout`` bounds the wait while the store fails; what is
        still queued then is counted as dropped (``reason="shutdown"``) and logged.
        """
        self._closing = True
        self._wake.set()
        if self._task is None:
            self.start()
        assert self._task is not None
        try:
            await asyncio.wait_for(asyncio.shield(self._task), timeout)
        except TimeoutError:
            self._task.cancel()
            left = len(self._queue)
            self._metrics.traces_dropped.labels("shutdown").inc(left)
            log.error("trace store did not take %d queued traces before shutdown: dropped", left)
        self._task = None

    async def _run(self) -> None:
        while not (self._closing and not self._queue):
            if not self._closing:
                try:
                    async with asyncio.timeout(self._flush_interval):
                        await self._wake.wait()
                except TimeoutError:
                    pass
                self._wake.clear()
            while self._queue:
                if not await self._write_batch():
                    await asyncio.sleep(self._backoff)

    async def _write_batch(self) -> bool:
        """Write the next batch; False (batch requeued) when the store is failing."""
        count = min(len(self._queue), self._batch_size)
        batch = [self._queue.popleft() for _ in range(count)]
        try:
            await self._store(batch)
        except asyncio.CancelledError:
            self._queue.extendleft(reversed(batch))
            raise
        except _StoreDown as down:
            self._queue.extendleft(reversed(batch))
            self._backoff = min(_MAX_BACKOFF_S, max(self._retry_initial, self._backoff * 2))
            log.warning(
                "trace store failing (%s): %d traces queued, retrying in %.1f s",
                down,
                len(self._queue),
                self._backoff,
            )
            return False
        finally:
            self._metrics.trace_queue.set(len(self._queue))
        if self._backoff:
            log.info("trace store answering again: %d traces queued", len(self._queue))
            self._backoff = 0.0
        return True

    async def _store(self, batch: Sequence[Trace]) -> None:
        try:
            await self._write(batch)
        except Exception as error:
            if len(batch) == 1:
                await self._store_alone(batch[0], error)
                return
            # One record can make the whole statement fail: halve until it is alone.
            half = len(batch) // 2
            await self._store(batch[:half])
            await self._store(batch[half:])
            return
        self._metrics.traces_written.inc(len(batch))

    async def _store_alone(self, trace: Trace, error: Exception) -> None:
        if isinstance(error, StoreError):
            try:  # a store hiccup rather than this record: try it once more as it is
                await self._write([trace])
            except Exception as again:
                error = again
            else:
                self._metrics.traces_written.inc()
                return
        stub = _stub(trace, error)
        try:
            await self._write([stub])
        except Exception as down:
            raise _StoreDown(str(down)) from down
        self._metrics.traces_written.inc()
        self._metrics.traces_stubbed.inc()
        log.warning("trace %s stored without its bodies: the store refused it: %s", trace.id, error)


def _stub(trace: Trace, error: Exception) -> Trace:
    """``trace`` without what came from the caller or the vendor beyond its outcome."""
    return replace(
        trace,
        model_answered=_clean(trace.model_answered),
        error=_clean(trace.error),
        attempts=[replace(attempt, error=_clean(attempt.error)) for attempt in trace.attempts],
        request_body=None,
        response_body=None,
        metadata={
            "trace_store_error": f"{type(error).__name__}: {error}".replace("\x00", "")[:500]
        },
    )


def _clean(text: str | None) -> str | None:
    # NUL is what PostgreSQL refuses in text; the rest of a stub is the gateway's own values.
    return None if text is None else text.replace("\x00", "")
