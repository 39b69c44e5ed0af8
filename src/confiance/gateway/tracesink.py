"""The trace sink: every trace into the local spool at once, then into the store in batches.

``submit`` never blocks and never raises. The trace is appended to the spool (see
:mod:`.spool`) in the same event-loop turn, then queued in memory for one writer task that
stores batches and removes spool files once their traces are committed; after a crash the next
start replays what the spool still holds. ``durable`` is the same with a wait for the commit
(routes with ``trace_durability: sync``).

A batch is never dropped because of one of its records: a batch the store refuses is halved
until the refused record is alone, the rest is stored, and the refused record is stored as a
stub (bodies and metadata replaced by the error; status, timing and attempts kept). When the
store itself fails (the stub is refused too), the batch goes back to the head of the queue and
the writer retries with backoff. When the queue is full, a route that sheds drops the trace
(counted in ``confiance_traces_dropped{reason="queue_full"}`` and logged); a route that slows
waits in :meth:`room` before calling its vendor. :attr:`pressure` says why the sink is behind.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace

from confiance.domain.trace import Trace
from confiance.errors import StoreError
from confiance.gateway.spool import CORRECTION, Segment, TraceSpool, encode
from confiance.observability.metrics import GatewayMetrics

__all__ = ["TraceSink"]

log = logging.getLogger(__name__)

Writer = Callable[[Sequence[Trace]], Awaitable[None]]

_MAX_BACKOFF_S = 5.0
_HIGH_WATER = 0.8  # share of the queue above which the sink reports pressure
_REPORT_EVERY_S = 5.0  # drops are logged at most this often, with their count


class _StoreDown(Exception):
    """The store refused even a stub: the failure is the store's, not a record's."""


@dataclass(eq=False, slots=True)
class _Entry:
    trace: Trace
    segment: Segment | None = None
    done: asyncio.Future[None] | None = None
    committed: bool = False
    correction: bool = False  # replaces the stored version of a trace changed after it queued


class TraceSink:
    def __init__(
        self,
        write: Writer,
        metrics: GatewayMetrics,
        *,
        replace_stored: Writer | None = None,
        spool: TraceSpool | None = None,
        max_queue: int = 50_000,
        batch_size: int = 500,
        flush_interval: float = 0.5,
        retry_initial: float = 0.1,
    ) -> None:
        self._write = write
        self._replace = replace_stored
        self._in_write = 0
        self._metrics = metrics
        self._spool = spool
        self._queue: deque[_Entry] = deque()
        self._unspilled: list[tuple[_Entry, bytes]] = []
        self._max_queue = max_queue
        self._batch_size = batch_size
        self._flush_interval = flush_interval
        self._retry_initial = retry_initial
        self._backoff = 0.0
        self._wake = asyncio.Event()
        self._room = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self._spool_error: str | None = None
        self._unreported_drops = 0
        self._reported_at = 0.0
        self._reported_pressure: str | None = None

    # -- the request side --------------------------------------------------------------------

    def submit(self, trace: Trace, *, shed: bool = True) -> None:
        """Queue ``trace``; with ``shed`` (the default) a full queue drops it, counted and
        logged, otherwise it is queued over the limit (the caller waited in :meth:`room`)."""
        if self._closing or (shed and len(self) >= self._max_queue):
            self._drop("closed" if self._closing else "queue_full")
            return
        self._enqueue(_Entry(trace))

    def durable(self, trace: Trace) -> asyncio.Future[None]:
        """Queue ``trace`` and return a future done once it is committed to the store."""
        done = asyncio.get_running_loop().create_future()
        self._enqueue(_Entry(trace, done=done))
        self._wake.set()
        return done

    def amended(self, trace: Trace) -> None:
        """``trace``, already handed over, was changed (what the client got changed after it
        was queued, e.g. a sync wait that timed out): store the change over what was stored."""
        if self._replace is not None:
            self._enqueue(_Entry(trace, correction=True))
            self._wake.set()

    async def room(self) -> None:
        """Wait until the queue has room (routes that slow down instead of shedding)."""
        while len(self) >= self._max_queue and not self._closing:
            self._room.clear()
            await self._room.wait()

    def __len__(self) -> int:
        """Traces not committed yet: queued, or in the write under way."""
        return len(self._queue) + self._in_write

    @property
    def store_failing(self) -> bool:
        """True while the last write found the store failing (the writer is backing off)."""
        return self._backoff > 0

    @property
    def pressure(self) -> str | None:
        """Why traces are not keeping up, or None when they are."""
        if self._backoff:
            return f"trace store failing, {len(self)} traces queued"
        if len(self) >= _HIGH_WATER * self._max_queue:
            return f"trace queue {len(self)} of {self._max_queue}: store falling behind"
        if self._spool_error is not None:
            return f"trace spool not writable: {self._spool_error}"
        return None

    def _enqueue(self, entry: _Entry) -> None:
        if self._spool is not None:
            try:
                line = encode(entry.trace)
            except TypeError as error:  # the store could not encode it either: stub it now
                entry.trace = _stub(entry.trace, error)
                line = encode(entry.trace)
                self._metrics.traces_stubbed.inc()
                log.warning("trace %s kept without its bodies: %s", entry.trace.id, error)
            if entry.correction:
                line = CORRECTION + line
            if not self._unspilled:
                asyncio.get_running_loop().call_soon(self._spill)
            self._unspilled.append((entry, line))
        self._queue.append(entry)
        if len(self._queue) >= self._batch_size:
            self._wake.set()

    def _spill(self) -> None:
        """Append what this loop turn queued to the spool: one write for all of it."""
        pending = [(entry, line) for entry, line in self._unspilled if not entry.committed]
        self._unspilled.clear()
        if not pending or self._spool is None:
            return
        try:
            segment = self._spool.write(b"".join(line for _, line in pending), len(pending))
        except OSError as error:
            if self._spool_error is None:
                log.error("trace spool not writable, traces are only in memory: %s", error)
            self._spool_error = str(error)
            return
        self._spool_error = None
        for entry, _ in pending:
            entry.segment = segment

    def _drop(self, reason: str) -> None:
        self._metrics.traces_dropped.labels(reason).inc()
        self._unreported_drops += 1
        now = time.monotonic()
        if now - self._reported_at >= _REPORT_EVERY_S:
            log.error(
                "dropped %d traces (%s): the store is not keeping up; see /readyz",
                self._unreported_drops,
                reason,
            )
            self._unreported_drops, self._reported_at = 0, now

    # -- the writer side ---------------------------------------------------------------------

    def recover(self) -> int:
        """Queue the traces of spool files left by a process that died; returns how many."""
        if self._spool is None:
            return 0
        count = 0
        for segment in self._spool.recover():
            for trace, correction in segment.recovered:
                self._queue.append(_Entry(trace, segment, correction=correction))
            count += len(segment.recovered)
            segment.recovered = []
            if not segment.pending:
                segment.remove()
        if count:
            log.warning("replaying %d traces from the spool of a process that stopped", count)
        return count

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="trace-sink")

    async def flush(self) -> None:
        """Return once everything queued now is written (tests); waits while the store fails."""
        if self._task is None or self._task.done():
            while self._queue:
                if not await self._write_batch():
                    await asyncio.sleep(self._backoff)
            return
        while len(self):
            self._wake.set()
            await asyncio.sleep(0.005)

    async def close(self, timeout: float | None = None) -> None:
        """Stop accepting traces, then let the writer finish what is queued and stop it.

        A write in progress is never cancelled (that loses or duplicates work). ``timeout``
        bounds the wait while the store fails; what is still queued then stays in the spool for
        the next start (or, without a spool, is counted as dropped, ``reason="shutdown"``)."""
        self._closing = True
        self._room.set()
        self._spill()
        self._wake.set()
        if self._task is None:
            self.start()
        assert self._task is not None
        try:
            await asyncio.wait_for(asyncio.shield(self._task), timeout)
        except TimeoutError:
            self._task.cancel()
            left = len(self._queue)
            if self._spool is None:
                self._metrics.traces_dropped.labels("shutdown").inc(left)
            kept = "kept in the spool for the next start" if self._spool else "dropped"
            log.error("the store did not take %d queued traces before shutdown: %s", left, kept)
        self._task = None
        if self._spool is not None and not self._queue:
            self._spool.close()

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
        self._in_write = len(batch)
        try:
            await self._store([entry for entry in batch if not entry.correction])
            await self._store([entry for entry in batch if entry.correction], correcting=True)
        except (asyncio.CancelledError, _StoreDown) as failure:
            left = [entry for entry in batch if not entry.committed]
            self._queue.extendleft(reversed(left))
            if isinstance(failure, asyncio.CancelledError):
                raise
            self._backoff = min(_MAX_BACKOFF_S, max(self._retry_initial, self._backoff * 2))
            log.warning(
                "trace store failing (%s): %d traces queued, retrying in %.1f s",
                failure,
                len(self._queue),
                self._backoff,
            )
            return False
        finally:
            self._in_write = 0
            self._after_batch()
        if self._backoff:
            log.info("trace store answering again: %d traces queued", len(self._queue))
            self._backoff = 0.0
        return True

    def _after_batch(self) -> None:
        self._metrics.trace_queue.set(len(self))
        if len(self) < self._max_queue:
            self._room.set()
        pressure = self.pressure
        if pressure != self._reported_pressure:
            if pressure is None:
                log.info("traces keeping up again")
            else:
                log.warning("backpressure: %s", pressure)
            self._reported_pressure = pressure

    async def _store(self, batch: Sequence[_Entry], *, correcting: bool = False) -> None:
        if not batch:
            return
        write = self._replace if correcting and self._replace is not None else self._write
        try:
            await write([entry.trace for entry in batch])
        except Exception as error:
            if len(batch) == 1:
                await self._store_alone(batch[0], error, write)
                return
            # One record can make the whole statement fail: halve until it is alone.
            half = len(batch) // 2
            await self._store(batch[:half], correcting=correcting)
            await self._store(batch[half:], correcting=correcting)
            return
        self._committed(batch)

    async def _store_alone(self, entry: _Entry, error: Exception, write: Writer) -> None:
        if isinstance(error, StoreError):
            try:  # a store hiccup rather than this record: try it once more as it is
                await write([entry.trace])
            except Exception as again:
                error = again
            else:
                self._committed([entry])
                return
        stub = _stub(entry.trace, error)
        try:
            await write([stub])
        except Exception as down:
            raise _StoreDown(str(down)) from down
        self._metrics.traces_stubbed.inc()
        log.warning("trace %s stored without its bodies: the store refused it: %s", stub.id, error)
        self._committed([entry])

    def _committed(self, entries: Sequence[_Entry]) -> None:
        self._metrics.traces_written.inc(len(entries))
        per_segment: dict[Segment, int] = {}
        for entry in entries:
            entry.committed = True
            if entry.segment is not None:
                per_segment[entry.segment] = per_segment.get(entry.segment, 0) + 1
            if entry.done is not None and not entry.done.done():
                entry.done.set_result(None)
        if self._spool is not None:
            for segment, count in per_segment.items():
                self._spool.committed(segment, count)


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
