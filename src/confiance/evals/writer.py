"""Writing case results to the store in batches, off the workers' path.

Workers hand results to :meth:`BatchWriter.add` (no I/O); a background task writes them with one
``add_results`` call per batch, when ``batch_size`` results are waiting or ``interval`` seconds
have passed. Leaving the ``async with`` block — normally, on error or on cancellation (Ctrl-C) —
writes whatever is still buffered, so every finished result survives an interrupted run. A store
failure stops the run at the next ``add`` with that error.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from types import TracebackType

from confiance.domain.evaluation import CaseResult

__all__ = ["BatchWriter"]

Write = Callable[[Sequence[CaseResult]], Awaitable[None]]


class BatchWriter:
    def __init__(self, write: Write, *, batch_size: int = 100, interval: float = 0.2) -> None:
        self._write = write
        self._batch_size = batch_size
        self._interval = interval
        self._buffer: list[CaseResult] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._failure: BaseException | None = None
        self._closing = False
        self.written = 0

    def add(self, result: CaseResult) -> None:
        """Queue ``result``. Raises the store's error if an earlier write failed."""
        if self._failure is not None:
            raise self._failure
        self._buffer.append(result)
        if len(self._buffer) >= self._batch_size:
            self._wake.set()

    async def __aenter__(self) -> BatchWriter:
        self._task = asyncio.create_task(self._loop(), name="confiance-eval-writer")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        # Let the writer finish the batch it may be writing (cancelling it mid-commit could
        # leave a written batch in the buffer), then write the rest here.
        self._closing = True
        self._wake.set()
        if self._task is not None:
            await asyncio.shield(self._task)
        if self._failure is None:
            await self._flush()
        elif exc is None:
            raise self._failure

    async def _loop(self) -> None:
        while not self._closing:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._interval)
            self._wake.clear()
            try:
                await self._flush()
            except Exception as error:  # kept and raised to the workers at their next add
                self._failure = error
                return

    async def _flush(self) -> None:
        while self._buffer:
            batch = self._buffer[: self._batch_size]
            await self._write(batch)
            # Only drop what was written: a failed write leaves the batch for the final flush.
            del self._buffer[: len(batch)]
            self.written += len(batch)
