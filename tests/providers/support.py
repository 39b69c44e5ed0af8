"""Shared constants and helpers of the adapter tests."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from confiance.providers.simulated import RunningSimulator

SIM_KEY = "sk-sim-0123456789abcdef"

MakeAdapter = Callable[..., Any]
"""``await make_adapter(kind, base_url, api_key=SIM_KEY, **provider_config)`` → a Provider."""


def base_url_for(kind: str, sim: RunningSimulator) -> str:
    """The base URL a provider of ``kind`` uses to reach the simulator."""
    return sim.openai_base_url if kind in ("openai", "simulated") else sim.base_url


class ScriptedVendor:
    """A tiny vendor far end for what the simulator does not show: the exact URL and headers a
    call carries, and whether the client hung up. Set ``handler`` per test; every request is
    recorded in ``seen`` as (path with query, headers, body)."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, dict[str, str], bytes]] = []
        self.peers: list[object] = []
        self.client_gone = asyncio.Event()
        self.handler: Handler = _empty
        self.base_url = ""
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        self.seen.append((request.path_qs, dict(request.headers), await request.read()))
        if request.transport is not None:
            self.peers.append(request.transport.get_extra_info("peername"))
        return await self.handler(request)

    async def stream_forever(self, request: web.Request, events: list[bytes]) -> web.StreamResponse:
        """Send ``events`` then one more every 20 ms until the client hangs up."""
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        try:
            for event in events:
                await response.write(event)
            while True:
                await asyncio.sleep(0.02)
                await response.write(events[-1])
        except (ConnectionError, asyncio.CancelledError):
            self.client_gone.set()
            raise
        return response


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


async def _empty(request: web.Request) -> web.StreamResponse:
    return web.json_response({})
