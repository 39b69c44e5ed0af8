"""Client connections: read timeouts and a cap per worker, so slow or idle clients cannot hold
the gateway (slowloris: request headers sent a byte at a time; slow bodies; file-descriptor
exhaustion).

- **Headers** must arrive whole within ``header_timeout`` seconds: counted from the connection's
  start for its first request, from the first byte of each later one. Past that the connection
  gets ``408`` and is closed.
- **A body** must arrive whole within ``body_timeout`` seconds of its headers. Past that the
  handler reading it gets :class:`~confiance.errors.RequestTimeout` (answered ``408`` in the
  caller's error shape, and traced), and the connection is closed after the answer.
- **Idle** keep-alive connections are closed after ``keepalive_timeout`` seconds.
- **At most** ``max_connections`` connections per worker. One more is answered ``503`` with
  ``Retry-After: 1`` and closed, without reaching the application; the soft limit of open files
  is raised to fit the cap (and the cap lowered, with a warning, where the hard limit is less).

aiohttp offers no header or body timeout, so each connection's protocol is aiohttp's own
``RequestHandler`` with these timers added; the common case (a request whose head and body come
in one read) arms no timer at all beyond the connection's first.
"""

from __future__ import annotations

import asyncio
import logging
import resource
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from aiohttp import web
from aiohttp.web_protocol import RequestHandler

from confiance.errors import RequestTimeout
from confiance.observability.metrics import GatewayMetrics

__all__ = ["ConnectionGuard", "ConnectionLimits", "GuardedSite"]

log = logging.getLogger(__name__)

_RESERVED_FILES = 256  # for the store, provider connections, logs and the spool


def _answer(status: str, code: str, message: str, extra: str = "") -> bytes:
    """A whole HTTP/1.1 answer with an OpenAI-shaped JSON error, sent before (or instead of)
    the application: the request never reached it."""
    body = orjson.dumps({"error": {"type": code, "code": code, "message": message}})
    head = (
        f"HTTP/1.1 {status}\r\n{extra}Connection: close\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


@dataclass(frozen=True, slots=True)
class ConnectionLimits:
    """Per-worker connection limits (settings ``CONFIANCE_HEADER_TIMEOUT`` …)."""

    header_timeout: float = 10.0
    body_timeout: float = 60.0
    keepalive_timeout: float = 75.0
    max_connections: int = 1000


class ConnectionGuard:
    """Builds each connection's protocol and counts what this worker holds."""

    def __init__(self, limits: ConnectionLimits, metrics: GatewayMetrics) -> None:
        self.limits = _fit_open_files(limits)
        self.metrics = metrics
        self.open = 0
        self.refusal = _answer(
            "503 Service Unavailable",
            "too_many_connections",
            f"this gateway worker holds its maximum of {self.limits.max_connections} "
            "connections; retry shortly",
            "Retry-After: 1\r\n",
        )
        self.timed_out = _answer(
            "408 Request Timeout",
            "request_timeout",
            f"request headers not received within {self.limits.header_timeout:g} s",
        )

    def factory(self, server: web.Server) -> Callable[[], asyncio.Protocol]:
        """The protocol factory for ``loop.create_server``, over aiohttp's ``server``."""
        loop = asyncio.get_running_loop()
        # The keyword arguments aiohttp's own factory (Server.__call__) passes on.
        options: dict[str, Any] = {
            **server._kwargs,
            "keepalive_timeout": self.limits.keepalive_timeout,
        }

        def protocol() -> asyncio.Protocol:
            if self.open >= self.limits.max_connections:
                self.metrics.connections_refused.inc()
                return _Refusal(self.refusal, loop)
            return _GuardedHandler(self, server, loop=loop, **options)

        return protocol

    def opened(self) -> None:
        self.open += 1
        self.metrics.connections.set(self.open)

    def closed(self) -> None:
        self.open -= 1
        self.metrics.connections.set(self.open)


class GuardedSite(web.SockSite):
    """aiohttp's site on an already listening socket, with each connection guarded."""

    __slots__ = ("_guard",)

    def __init__(
        self, runner: web.BaseRunner, sock: socket.socket, guard: ConnectionGuard, backlog: int
    ) -> None:
        super().__init__(runner, sock, backlog=backlog)
        self._guard = guard

    async def start(self) -> None:
        await web.BaseSite.start(self)  # registers the site with its runner
        server = self._runner.server
        assert isinstance(server, web.Server)
        self._server = await asyncio.get_running_loop().create_server(
            self._guard.factory(server), sock=self._sock, backlog=self._backlog
        )


class _Refusal(asyncio.Protocol):
    """A connection over the cap: ``503`` and close, reading nothing."""

    def __init__(self, answer: bytes, loop: asyncio.AbstractEventLoop) -> None:
        self._answer = answer
        self._loop = loop
        self._timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        transport.write(self._answer)
        if transport.can_write_eof():
            transport.write_eof()
        # Closing at once could reset the connection before the client reads the answer.
        self._timer = self._loop.call_later(1.0, transport.close)

    def data_received(self, data: bytes) -> None:
        pass

    def connection_lost(self, exc: Exception | None) -> None:
        if self._timer is not None:
            self._timer.cancel()


class _GuardedHandler(RequestHandler):
    __slots__ = ("_body_timer", "_counted", "_guard", "_head_timer", "_pending_body")

    def __init__(self, guard: ConnectionGuard, server: web.Server, **options: Any) -> None:
        super().__init__(server, **options)
        self._guard = guard
        self._head_timer: asyncio.TimerHandle | None = None
        self._body_timer: asyncio.TimerHandle | None = None
        self._pending_body: Any = None
        self._counted = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._guard.opened()
        self._counted = True
        super().connection_made(transport)
        self._arm_head()

    def connection_lost(self, exc: BaseException | None) -> None:
        if self._counted:
            self._counted = False
            self._guard.closed()
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        before = self._request_count
        super().data_received(data)
        parsed = self._request_count - before
        if parsed:
            self._cancel_head()
            # The newest message is last; only its body can still be arriving.
            payload = self._messages[-1][1] if self._messages else None
            if payload is not None and not payload.is_eof():
                self._arm_body(payload)
        elif data and self._head_timer is None and self._pending_body is None:
            self._arm_head()  # the first bytes of the next request's head

    # -- timers ----------------------------------------------------------------------------

    def _arm_head(self) -> None:
        self._head_timer = self._loop.call_later(self._guard.limits.header_timeout, self._head_late)

    def _cancel_head(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_late(self) -> None:
        self._head_timer = None
        if self._request_in_progress:
            self._arm_head()  # a pipelined head behind an answer being sent: look again later
            return
        self._guard.metrics.connection_timeouts.labels("headers").inc()
        if self.transport is not None:
            self.transport.write(self._guard.timed_out)
        self.force_close()

    def _arm_body(self, payload: Any) -> None:
        self._pending_body = payload
        timeout = self._guard.limits.body_timeout
        self._body_timer = self._loop.call_later(timeout, self._body_late, payload)
        payload.on_eof(self._body_done)

    def _body_done(self) -> None:
        if self._body_timer is not None:
            self._body_timer.cancel()
            self._body_timer = None
        self._pending_body = None

    def _body_late(self, payload: Any) -> None:
        self._body_timer = None
        if payload.is_eof():
            return
        self._guard.metrics.connection_timeouts.labels("body").inc()
        seconds = self._guard.limits.body_timeout
        payload.set_exception(RequestTimeout(f"request body not received within {seconds:g} s"))
        self.close()  # after the handler's answer: what the client still sends is not read
        self._pending_body = None

    def _disarm(self) -> None:
        self._cancel_head()
        if self._body_timer is not None:
            self._body_timer.cancel()
            self._body_timer = None
        self._pending_body = None


def _fit_open_files(limits: ConnectionLimits) -> ConnectionLimits:
    """Raise the soft limit of open files to hold ``max_connections`` plus a reserve; lower the
    cap (with a warning) where the hard limit does not allow it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = limits.max_connections + _RESERVED_FILES
    if hard != resource.RLIM_INFINITY and wanted > hard:
        fitted = max(1, hard - _RESERVED_FILES)
        log.warning(
            "max connections %d lowered to %d: open-files limit %d (raise it: ulimit -n)",
            limits.max_connections, fitted, hard,
        )  # fmt: skip
        limits = ConnectionLimits(
            limits.header_timeout, limits.body_timeout, limits.keepalive_timeout, fitted
        )
        wanted = hard
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    return limits
