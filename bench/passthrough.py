"""The floor for bench/gateway.py: a bare aiohttp pass-through, nothing else.

    python bench/passthrough.py PORT UPSTREAM_URL

Forwards every POST to ``UPSTREAM_URL`` + path over one pooled client session and relays the
answer: whole bodies as read, event streams chunk by chunk as they arrive. No parsing, no
authentication, no traces: what any Python proxy on aiohttp costs at the least.
"""

from __future__ import annotations

import sys

import aiohttp
import uvloop
from aiohttp import web

_HOP = frozenset({"content-length", "transfer-encoding", "connection", "keep-alive"})


def application(upstream: str) -> web.Application:
    app = web.Application()
    sessions: list[aiohttp.ClientSession] = []

    async def start(_: web.Application) -> None:
        sessions.append(aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=512)))

    async def stop(_: web.Application) -> None:
        await sessions[0].close()

    async def forward(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        headers = {"content-type": request.headers.get("content-type", "application/json")}
        async with sessions[0].post(upstream + request.path, data=body, headers=headers) as up:
            kept = {k: v for k, v in up.headers.items() if k.lower() not in _HOP}
            if not up.content_type.startswith("text/event-stream"):
                return web.Response(body=await up.read(), status=up.status, headers=kept)
            response = web.StreamResponse(status=up.status, headers=kept)
            await response.prepare(request)
            async for data in up.content.iter_any():
                await response.write(data)
            await response.write_eof()
            return response

    app.router.add_post("/{tail:.*}", forward)
    app.on_startup.append(start)
    app.on_cleanup.append(stop)
    return app


if __name__ == "__main__":
    port, upstream = int(sys.argv[1]), sys.argv[2].rstrip("/")
    uvloop.install()
    web.run_app(application(upstream), host="127.0.0.1", port=port, access_log=None, print=None)
