"""The simulator's HTTP server: routes, key check, in-process and blocking runners.

One aiohttp server on one port speaks the three wire formats::

    POST /v1/chat/completions                     OpenAI chat (whole or SSE)
    POST /v1/embeddings                           OpenAI embeddings
    GET  /v1/models, /v1/models/{id}              OpenAI (or Anthropic, given anthropic-version)
    POST /v1/messages                             Anthropic Messages (whole or SSE)
    POST /v1beta/models/{model}:generateContent   Gemini (also :streamGenerateContent, and /v1/)
    GET  /v1beta/models                           Gemini model list
    GET  /healthz                                 readiness, never faulted, no key needed
    GET  /simulator/stats                         the counters of :class:`SimulatorStats`
"""

from __future__ import annotations

import asyncio
import hmac
import signal
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import Future
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass

import orjson
from aiohttp import web
from aiohttp.typedefs import Middleware

from confiance.providers.simulated.anthropic_wire import AnthropicMessages
from confiance.providers.simulated.catalogue import (
    handle_gemini_models,
    handle_model,
    handle_models,
)
from confiance.providers.simulated.config import SimulatorConfig
from confiance.providers.simulated.embeddings import handle_embeddings
from confiance.providers.simulated.gemini_wire import GeminiGenerate
from confiance.providers.simulated.openai_wire import OpenAIChat
from confiance.providers.simulated.simulator import Simulator
from confiance.providers.simulated.stats import SimulatorStats
from confiance.providers.simulated.vendor_errors import Vendor, error_response

__all__ = [
    "RunningSimulator",
    "build_app",
    "run_simulator",
    "serve_simulator",
    "simulator_in_thread",
]

_MAX_BODY = 64 * 1024 * 1024
_SHUTDOWN_GRACE = 2.0
_OPEN_PATHS = frozenset({"/healthz"})

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True, slots=True)
class RunningSimulator:
    """A simulator listening on ``host:port``; ``stats`` changes as requests arrive."""

    host: str
    port: int
    config: SimulatorConfig
    stats: SimulatorStats

    @property
    def base_url(self) -> str:
        """``http://HOST:PORT``: the Anthropic and Gemini base URL."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def openai_base_url(self) -> str:
        """``http://HOST:PORT/v1``: the OpenAI SDK's ``base_url``."""
        return f"{self.base_url}/v1"


class _Routes:
    """Request handlers bound to one :class:`Simulator`."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.openai = OpenAIChat()
        self.anthropic = AnthropicMessages()
        self.gemini = GeminiGenerate()

    async def openai_chat(self, request: web.Request) -> web.StreamResponse:
        return await self.sim.chat(request, self.openai)

    async def anthropic_messages(self, request: web.Request) -> web.StreamResponse:
        return await self.sim.chat(request, self.anthropic)

    async def gemini_generate(self, request: web.Request) -> web.StreamResponse:
        return await self.sim.chat(request, self.gemini)

    async def embeddings(self, request: web.Request) -> web.StreamResponse:
        return await handle_embeddings(self.sim, request)

    async def models(self, request: web.Request) -> web.StreamResponse:
        return await handle_models(self.sim, request)

    async def model(self, request: web.Request) -> web.StreamResponse:
        return await handle_model(self.sim, request)

    async def gemini_models(self, request: web.Request) -> web.StreamResponse:
        return await handle_gemini_models(self.sim, request)

    async def healthz(self, request: web.Request) -> web.StreamResponse:
        return web.Response(body=b'{"status":"ok"}', content_type="application/json")

    async def stats(self, request: web.Request) -> web.StreamResponse:
        stats = self.sim.stats
        body = {
            "total": stats.total,
            "requests": dict(stats.requests),
            "statuses": {str(k): v for k, v in stats.statuses.items()},
            "endpoints": dict(stats.endpoints),
        }
        return web.Response(body=orjson.dumps(body), content_type="application/json")


def _vendor_of(request: web.Request) -> Vendor:
    path = request.path
    if path.startswith("/v1/messages") or "anthropic-version" in request.headers:
        return Vendor.ANTHROPIC
    if path.startswith("/v1beta/") or ":" in path.rsplit("/", 1)[-1]:
        return Vendor.GEMINI
    return Vendor.OPENAI


def _presented_key(request: web.Request) -> str | None:
    authorization = request.headers.get("Authorization", "")
    if authorization[:7].lower() == "bearer ":
        return authorization[7:].strip()
    return (
        request.headers.get("x-api-key")
        or request.headers.get("x-goog-api-key")
        or request.query.get("key")
    )


def _key_check(api_key: str) -> Middleware:
    expected = api_key.encode()

    @web.middleware
    async def check(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path not in _OPEN_PATHS:
            presented = _presented_key(request)
            if presented is None or not hmac.compare_digest(presented.encode(), expected):
                what = "missing" if presented is None else "incorrect"
                message = (
                    f"API key {what}: send it as 'Authorization: Bearer KEY', 'x-api-key', "
                    "'x-goog-api-key' or '?key='"
                )
                return error_response(_vendor_of(request), 401, message)
        return await handler(request)

    return check


def build_app(sim: Simulator, api_key: str | None = None) -> web.Application:
    """The aiohttp application serving ``sim``; with ``api_key``, every route but ``/healthz``
    answers 401 (in the vendor's shape) to requests without that key."""
    middlewares: list[Middleware] = [] if api_key is None else [_key_check(api_key)]
    app = web.Application(client_max_size=_MAX_BODY, middlewares=middlewares)
    routes = _Routes(sim)
    app.router.add_post("/v1/chat/completions", routes.openai_chat)
    app.router.add_post("/v1/embeddings", routes.embeddings)
    app.router.add_get("/v1/models", routes.models)
    app.router.add_get("/v1/models/{model}", routes.model)
    app.router.add_post("/v1/messages", routes.anthropic_messages)
    app.router.add_post("/v1beta/models/{target}", routes.gemini_generate)
    app.router.add_post("/v1/models/{target}", routes.gemini_generate)
    app.router.add_get("/v1beta/models", routes.gemini_models)
    app.router.add_get("/healthz", routes.healthz)
    app.router.add_get("/simulator/stats", routes.stats)
    return app


@asynccontextmanager
async def serve_simulator(
    config: SimulatorConfig | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    api_key: str | None = None,
) -> AsyncIterator[RunningSimulator]:
    """Serve the simulator until the block exits. ``port=0`` picks a free port; read it from
    ``sim.port`` or ``sim.base_url``. On exit, hung and stalled requests are dropped and the
    server closes within about two seconds."""
    sim = Simulator(config or SimulatorConfig())
    runner = web.AppRunner(
        build_app(sim, api_key),
        access_log=None,
        handler_cancellation=True,
        shutdown_timeout=_SHUTDOWN_GRACE,
    )
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port, backlog=1024)
        await site.start()
        bound_port = int(runner.addresses[0][1])
        yield RunningSimulator(host, bound_port, sim.config, sim.stats)
    finally:
        sim.closing.set()
        await runner.cleanup()


def run_simulator(
    config: SimulatorConfig | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 9000,
    api_key: str | None = None,
    on_ready: Callable[[RunningSimulator], None] | None = None,
) -> None:
    """Serve in the foreground until SIGINT or SIGTERM, then shut down cleanly. ``on_ready``
    is called once the port is bound (the CLI prints where it listens there)."""
    asyncio.run(_serve_until_signalled(config, host, port, api_key, on_ready))


async def _serve_until_signalled(
    config: SimulatorConfig | None,
    host: str,
    port: int,
    api_key: str | None,
    on_ready: Callable[[RunningSimulator], None] | None,
) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with serve_simulator(config, host=host, port=port, api_key=api_key) as running:
        if on_ready is not None:
            on_ready(running)
        await stop.wait()


@contextmanager
def simulator_in_thread(
    config: SimulatorConfig | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    api_key: str | None = None,
) -> Iterator[RunningSimulator]:
    """Serve the simulator on its own event loop in a background thread, for synchronous
    callers (sync SDK clients would block an event loop the server shared with them)."""
    started: Future[RunningSimulator] = Future()
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()

    async def serve() -> None:
        try:
            async with serve_simulator(config, host=host, port=port, api_key=api_key) as sim:
                started.set_result(sim)
                await stop.wait()
        except Exception as error:
            if started.done():
                raise
            started.set_exception(error)

    thread = threading.Thread(
        target=loop.run_until_complete, args=(serve(),), name="confiance-simulator", daemon=True
    )
    thread.start()
    try:
        yield started.result(timeout=30)
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=30)
        loop.close()
