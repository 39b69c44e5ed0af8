"""Wire-level behaviour: paced streams, stalls, connection resets and hung requests.

Faults here act on the TCP connection itself, below HTTP, because that is where real vendors
fail in ways a client must survive: a reset is a true RST (``SO_LINGER`` 0), a stall keeps the
socket open and silent, a hang accepts the request and never writes a byte.
"""

from __future__ import annotations

import asyncio
import socket
import struct
from dataclasses import dataclass

from aiohttp import web

from confiance.providers.simulated.behaviour import Behaviour
from confiance.providers.simulated.faults import Fault, Plan

__all__ = ["Frame", "hold", "reset_connection", "send_partial_then_reset", "send_stream"]

_LINGER_RST = struct.pack("ii", 1, 0)
_DRAIN_BEFORE_RESET = 0.02
"""Seconds between the last bytes and the RST, so the client reads them before the reset."""


@dataclass(frozen=True, slots=True)
class Frame:
    """One event of a stream, already encoded. ``token`` frames carry generated text and are
    paced by ``tokens_per_s``; the others (headers of the stream, usage, end) are not."""

    data: bytes
    token: bool = False


def reset_connection(request: web.Request) -> None:
    """Drop the connection with a TCP RST, now; unsent bytes are lost."""
    transport = request.transport
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_RST)
    transport.abort()


async def hold(request: web.Request, closing: asyncio.Event) -> web.StreamResponse:
    """Answer nothing more: wait until the client gives up or the simulator shuts down.

    The server cancels the handler when its connection is lost (``handler_cancellation``), so
    this ends with that cancellation or, at shutdown, by dropping the connection itself.
    """
    await closing.wait()
    transport = request.transport
    if transport is not None:
        transport.abort()
    # Ending as cancelled is how aiohttp itself ends a handler whose client went away.
    raise asyncio.CancelledError


async def send_partial_then_reset(
    request: web.Request, body: bytes, closing: asyncio.Event
) -> web.StreamResponse:
    """Send the status line, headers and half of ``body``, then reset the connection."""
    transport = request.transport
    if transport is not None:
        head = (
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        transport.write(head + body[: len(body) // 2])
        await asyncio.sleep(_DRAIN_BEFORE_RESET)
        reset_connection(request)
    return await hold(request, closing)


async def send_stream(
    request: web.Request,
    frames: list[Frame],
    *,
    content_type: str,
    behaviour: Behaviour,
    plan: Plan,
    closing: asyncio.Event,
) -> web.StreamResponse:
    """Stream ``frames`` after ``ttft_ms``, paced at ``tokens_per_s``, applying the plan's
    reset/malformed fault and the behaviour's ``stall_after`` / ``break_after``."""
    response = web.StreamResponse(
        headers={"Content-Type": content_type, "Cache-Control": "no-cache"}
    )
    await response.prepare(request)
    if behaviour.ttft_ms:
        await asyncio.sleep(behaviour.ttft_ms / 1000.0)
    stop_at, stall = _stop_point(len(frames), behaviour, plan)
    if plan.fault is Fault.MALFORMED:
        frames = _spoil_middle(frames)
    if stop_at is None and behaviour.tokens_per_s is None:
        await response.write(b"".join(frame.data for frame in frames))
        await response.write_eof()
        return response
    await _write_paced(response, frames[:stop_at], behaviour.tokens_per_s)
    if stop_at is None:
        await response.write_eof()
        return response
    if not stall:
        await asyncio.sleep(_DRAIN_BEFORE_RESET)
        reset_connection(request)
    return await hold(request, closing)


def _stop_point(count: int, behaviour: Behaviour, plan: Plan) -> tuple[int | None, bool]:
    """Where the stream stops early (a frame count) and whether it stalls there (else breaks)."""
    if behaviour.stall_after is not None:
        return behaviour.stall_after, True
    if behaviour.break_after is not None:
        return behaviour.break_after, False
    if plan.fault is Fault.RESET:
        return count // 2, False
    return None, False


def _spoil_middle(frames: list[Frame]) -> list[Frame]:
    middle = len(frames) // 2
    spoiled = frames[middle].data
    cut = spoiled.rstrip(b"\r\n")
    frames = list(frames)
    frames[middle] = Frame(cut[: max(1, len(cut) * 2 // 3)] + b"\n\n", frames[middle].token)
    return frames


async def _write_paced(
    response: web.StreamResponse, frames: list[Frame], tokens_per_s: float | None
) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    tokens_sent = 0
    for frame in frames:
        if frame.token and tokens_per_s is not None and tokens_sent:
            # Schedule against the start time so sleep overshoot does not accumulate.
            wait = started + tokens_sent / tokens_per_s - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
        if frame.token:
            tokens_sent += 1
        await response.write(frame.data)
