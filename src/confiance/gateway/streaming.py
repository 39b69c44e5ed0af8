"""Relaying a started stream to the client as server-sent events.

The upstream's chunks arrive in batches, one per read from the network; each batch becomes one
write to the client, and the end of the stream goes out with the last write. When the client
speaks the vendor's wire format and nothing must be rewritten (an OpenAI client, an OpenAI-format
vendor, a route that keeps no bodies), events the gateway need not read arrive as the vendor's
SSE bytes and are written as they came; only the first chunk (the model that answered), the
usage chunk and finish reasons arrive parsed, to be read and re-encoded.

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
from confiance.providers.base import StreamItem

__all__ = ["SSE_HEADERS", "ChunkEncoder", "relay"]

SSE_HEADERS = {
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-cache",
    "X-Accel-Buffering": "no",
}


class ChunkEncoder(Protocol):
    """Turns OpenAI chunks into the bytes of the client's wire format.

    ``relays_raw`` is true when the client reads OpenAI events exactly as a vendor sends them,
    so an unparsed event (``bytes``) can be relayed without this encoder."""

    @property
    def relays_raw(self) -> bool: ...

    def encode(self, chunk: JSONObject) -> bytes: ...

    def finish(self, usage: Usage) -> bytes: ...

    def error(self, error: ConfianceError) -> bytes: ...


class _Batches:
    """Encodes one batch of chunks into one write, keeping the last usage seen."""

    __slots__ = ("collect", "encoder", "usage")

    def __init__(self, encoder: ChunkEncoder, collect: StreamBody | None) -> None:
        self.encoder = encoder
        self.collect = collect
        self.usage: JSONObject | None = None

    def encode(self, batch: list[StreamItem]) -> bytes:
        parts: list[bytes] = []
        for item in batch:
            if isinstance(item, bytes):  # OpenAI events as the vendor framed them
                parts.append(item)
                continue
            usage = item.get("usage")
            if isinstance(usage, dict):
                self.usage = usage
            if self.collect is not None:
                self.collect.add(item)
            data = self.encoder.encode(item)
            if data:
                parts.append(data)
        return b"".join(parts)


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
    batches = _Batches(encoder, collect)
    rest: AsyncIterator[list[StreamItem]] = start.rest
    try:
        await response.prepare(request)
        await response.write(batches.encode(start.first))  # with the headers, in one send
        trace.ttft_ms = (clock() - t0) * 1000
        try:
            async for batch in rest:
                data = batches.encode(batch)
                if data:
                    await response.write(data)
        except ConfianceError as error:
            trace.status, trace.http_status = TraceStatus.ERROR, error.http_status
            trace.error_class, trace.error = error.code, f"after first chunk: {error.message}"
            await response.write_eof(encoder.error(error))
        else:
            await response.write_eof(encoder.finish(Usage.from_openai(batches.usage)))
    except (ConnectionResetError, ConnectionError) as error:
        trace.status, trace.http_status = TraceStatus.CLIENT_DISCONNECTED, 499
        trace.error = f"client disconnected mid-stream: {type(error).__name__}"
    finally:
        await aclose(rest)
        if batches.usage is not None:
            usage = Usage.from_openai(batches.usage)
            trace.prompt_tokens, trace.completion_tokens = (
                usage.prompt_tokens,
                usage.completion_tokens,
            )
    return response
