"""Relaying a started stream to the client as server-sent events, chunk by chunk.

The relay never retries: by the time it runs, bytes have reached the client. An upstream failure
mid-stream ends the stream with an error event in the client's format; a client that goes away
makes the relay close the upstream stream (cancelling the vendor call) and mark the trace.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Protocol

from aiohttp import web

from confiance.domain.chat import Usage
from confiance.domain.trace import Trace, TraceStatus
from confiance.domain.types import JSONObject
from confiance.errors import ConfianceError
from confiance.gateway.pipeline import StreamStart, aclose
from confiance.gateway.retention import StreamBody

__all__ = ["SSE_HEADERS", "ChunkEncoder", "relay"]

SSE_HEADERS = {
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-cache",
    "X-Accel-Buffering": "no",
}


class ChunkEncoder(Protocol):
    """Turns OpenAI chunks into the bytes of the client's wire format."""

    def encode(self, chunk: JSONObject) -> bytes: ...

    def finish(self, usage: Usage) -> bytes: ...

    def error(self, error: ConfianceError) -> bytes: ...


def _usage_of(chunk: JSONObject) -> Usage | None:
    usage = chunk.get("usage")
    return Usage.from_openai(usage) if isinstance(usage, dict) else None


async def relay(
    request: web.Request,
    start: StreamStart,
    encoder: ChunkEncoder,
    trace: Trace,
    headers: Iterable[tuple[str, str]],
    t0: float,
    collect: StreamBody | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> web.StreamResponse:
    """Send ``start.first`` and the rest of the stream; fills in the trace's usage, TTFT, status.
    Chunks are added to ``collect`` when given (full body retention)."""
    response = web.StreamResponse(status=200, headers={**SSE_HEADERS, **dict(headers)})
    usage = _usage_of(start.first)
    rest: AsyncIterator[JSONObject] = start.rest
    try:
        await response.prepare(request)
        await response.write(encoder.encode(start.first))
        trace.ttft_ms = (clock() - t0) * 1000
        if collect is not None:
            collect.add(start.first)
        try:
            async for chunk in rest:
                usage = _usage_of(chunk) or usage
                if collect is not None:
                    collect.add(chunk)
                data = encoder.encode(chunk)
                if data:
                    await response.write(data)
        except ConfianceError as error:
            trace.status, trace.http_status = TraceStatus.ERROR, error.http_status
            trace.error_class, trace.error = error.code, f"after first chunk: {error.message}"
            await response.write(encoder.error(error))
        else:
            await response.write(encoder.finish(usage or Usage()))
        await response.write_eof()
    except (ConnectionResetError, ConnectionError) as error:
        trace.status, trace.http_status = TraceStatus.CLIENT_DISCONNECTED, 499
        trace.error = f"client disconnected mid-stream: {type(error).__name__}"
    finally:
        await aclose(rest)
        if usage is not None:
            trace.prompt_tokens, trace.completion_tokens = (
                usage.prompt_tokens,
                usage.completion_tokens,
            )
    return response
