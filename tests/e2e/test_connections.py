"""Connections under attack, on a real gateway (``serve_forever`` on a loopback socket):
slowloris clients are cut off at the header timeout while SDK clients are served, a body sent
too slowly gets 408, and connections over the per-worker cap get 503 until room is made."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path

import aiohttp
import openai
import pytest

from confiance.app import open_services
from confiance.config.load import parse_config
from confiance.domain.keys import Role
from confiance.gateway.listener import bind_listener
from confiance.gateway.runner import serve_forever
from confiance.providers.simulated import RunningSimulator
from confiance.settings import Settings
from e2e.test_serve_process import CONFIG

USER = [{"role": "user", "content": "ping"}]


@dataclass
class Served:
    port: int
    key: str

    @property
    def v1(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"


async def serve(settings: Settings, sim: RunningSimulator) -> AsyncIterator[Served]:
    services = await open_services(settings)
    await services.revisions.apply(parse_config(CONFIG.format(sim=sim.base_url), "c"), "t", "t")
    key = (await services.keys.create("k", Role.APP)).secret
    await services.close()
    sock = bind_listener("127.0.0.1", 0)
    stop = asyncio.Event()
    ready = asyncio.Event()
    task = asyncio.get_running_loop().create_task(
        serve_forever(settings, sock, stop=stop, on_ready=lambda _: ready.set())
    )
    await asyncio.wait_for(ready.wait(), 30)
    try:
        yield Served(sock.getsockname()[1], key)
    finally:
        stop.set()
        await asyncio.wait_for(task, 60)
        sock.close()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'c.db'}",
        header_timeout=1.0,
        body_timeout=1.0,
        max_connections=400,
    )


@pytest.fixture
async def gateway(settings: Settings, sim: RunningSimulator) -> AsyncIterator[Served]:
    async for served in serve(settings, sim):
        yield served


async def slow_client(port: int, stop: asyncio.Event) -> tuple[float, bytes]:
    """A slowloris client: a request head sent one header line every 0.2 s, never finished.
    Returns how long the server let it live and what it answered."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    started = time.monotonic()
    writer.write(b"POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\n")
    answer = b""
    with contextlib.suppress(ConnectionError):
        for n in range(100):
            await writer.drain()
            try:
                answer = await asyncio.wait_for(reader.read(4096), 0.2)
            except TimeoutError:
                writer.write(f"X-Slow-{n}: {'a' * 10}\r\n".encode())
                continue
            break
    lived = time.monotonic() - started
    writer.close()
    return lived, answer


async def test_slowloris_clients_are_cut_off_while_sdk_clients_are_served(
    gateway: Served,
) -> None:
    stop = asyncio.Event()
    slow = [asyncio.create_task(slow_client(gateway.port, stop)) for _ in range(300)]
    await asyncio.sleep(0.3)
    client = openai.AsyncOpenAI(base_url=gateway.v1, api_key=gateway.key, max_retries=0)
    started = time.monotonic()
    replies = await asyncio.gather(
        *(client.chat.completions.create(model="chat", messages=USER) for _ in range(30))
    )
    served_in = time.monotonic() - started
    await client.close()
    assert all(r.choices[0].message.content == "ping" for r in replies)
    assert served_in < 5, "SDK clients were not held up behind the slow ones"
    results = await asyncio.gather(*slow)
    lifetimes = sorted(lived for lived, _ in results)
    assert lifetimes[-1] < 4.0, f"a slow client lived {lifetimes[-1]:.1f} s (header timeout 1 s)"
    assert lifetimes[0] > 0.8, "cut before the header timeout"
    assert all(answer.startswith(b"HTTP/1.1 408 Request Timeout") for _, answer in results)
    assert b'"request_timeout"' in results[0][1]


async def test_a_body_sent_too_slowly_gets_408_in_the_callers_shape(gateway: Served) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", gateway.port)
    writer.write(
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: g\r\nContent-Type: application/json\r\n"
        + f"Authorization: Bearer {gateway.key}\r\nContent-Length: 400\r\n\r\n".encode()
        + b'{"model": "chat", '
    )
    started = time.monotonic()
    answer = b""
    with contextlib.suppress(ConnectionError):
        while b"\r\n\r\n" not in answer:
            try:
                answer += await asyncio.wait_for(reader.read(4096), 0.2)
            except TimeoutError:
                writer.write(b" ")  # a byte every 0.2 s: never idle, never done
                await writer.drain()
            assert time.monotonic() - started < 10
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408"), head
    assert 0.8 < time.monotonic() - started < 4
    assert b"request body not received within 1 s" in body or b"request_timeout" in body
    writer.close()
    async with aiohttp.ClientSession() as http:  # the gateway still serves everyone else
        headers = {"Authorization": f"Bearer {gateway.key}"}
        body_ok = {"model": "chat", "messages": USER}
        async with http.post(f"{gateway.v1}/chat/completions", json=body_ok, headers=headers) as r:
            assert r.status == 200


async def test_connections_over_the_cap_get_503_until_room_is_made(
    settings: Settings, sim: RunningSimulator
) -> None:
    async for served in serve(replace(settings, max_connections=20), sim):
        idle = [await asyncio.open_connection("127.0.0.1", served.port) for _ in range(20)]
        async with aiohttp.ClientSession() as http:
            headers = {"Authorization": f"Bearer {served.key}"}
            body = {"model": "chat", "messages": USER}
            url = f"{served.v1}/chat/completions"
            async with http.post(url, json=body, headers=headers) as refused:
                assert refused.status == 503
                assert refused.headers["Retry-After"] == "1"
                assert (await refused.json())["error"]["code"] == "too_many_connections"
            await asyncio.sleep(1.5)  # the idle ones sent no head: cut at the header timeout
            async with http.post(url, json=body, headers=headers) as served_now:
                assert served_now.status == 200
        for _, writer in idle:
            writer.close()
