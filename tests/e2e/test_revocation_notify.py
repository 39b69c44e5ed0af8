"""Revocation is immediate across replicas: two gateways on one store, polling only every 30 s,
refuse a revoked key within 100 ms of the revoke returning, because the store announces the
change (PostgreSQL LISTEN/NOTIFY; Redis pub/sub for a store shared through Redis). A config
change reaches both the same way."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from confiance.app import Services, open_services
from confiance.config.load import parse_config
from confiance.domain.keys import Role
from confiance.gateway.runner import build_gateway
from confiance.providers.simulated import RunningSimulator
from confiance.settings import Settings
from confiance.store.testing import postgres_schema
from e2e.test_replicas_postgres import CONFIG

BODY = {"model": "chat", "messages": [{"role": "user", "content": "ping"}]}
POLL = 30.0  # far longer than the bound: only a notification can explain a fast refusal


async def replicas(
    settings: Settings, sim: RunningSimulator
) -> AsyncIterator[tuple[Services, list[str]]]:
    writer = await open_services(settings)
    await writer.revisions.apply(
        parse_config(CONFIG.format(sim=sim.base_url, model="echo"), "c"), "t", "t"
    )
    opened, runners, urls = [], [], []
    for _ in range(2):
        services = await open_services(settings, migrate=False)
        runner = web.AppRunner(build_gateway(services, poll_interval=POLL).application())
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        opened.append(services)
        runners.append(runner)
        urls.append(f"http://127.0.0.1:{runner.addresses[0][1]}/v1/chat/completions")
    try:
        await asyncio.sleep(0.5)  # the listeners connect
        yield writer, urls
    finally:
        for runner in runners:
            await runner.cleanup()
        for services in [*opened, writer]:
            await services.close()


async def statuses(http: aiohttp.ClientSession, urls: list[str], key: str) -> list[int]:
    headers = {"Authorization": f"Bearer {key}"}

    async def one(url: str) -> int:
        async with http.post(url, json=BODY, headers=headers) as answer:
            await answer.read()
            return answer.status

    return list(await asyncio.gather(*(one(url) for url in urls)))


async def until_all(http: aiohttp.ClientSession, urls: list[str], key: str, status: int) -> float:
    started = time.monotonic()
    while time.monotonic() - started < 5:
        if await statuses(http, urls, key) == [status] * len(urls):
            return time.monotonic() - started
        await asyncio.sleep(0.005)
    raise AssertionError(f"not every replica answered {status} within 5 s")


async def check_immediate(writer: Services, urls: list[str], sim: RunningSimulator) -> None:
    async with aiohttp.ClientSession() as http:
        created = await writer.keys.create("shared", Role.APP)
        assert await until_all(http, urls, created.secret, 200) < 0.1, "the new key, at once"
        await writer.keys.revoke(created.key.id)
        lag = await until_all(http, urls, created.secret, 401)
        assert lag < 0.1, f"a revoked key was still accepted {lag * 1000:.0f} ms after revoke"
        other = await writer.keys.create("other", Role.APP)
        await until_all(http, urls, other.secret, 200)
        new = parse_config(CONFIG.format(sim=sim.base_url, model="gpt-4o"), "c")
        number = (await writer.revisions.apply(new, "t", "switch")).revision.number
        started = time.monotonic()
        headers = {"Authorization": f"Bearer {other.secret}"}
        while time.monotonic() - started < 5:
            seen = []
            for url in urls:
                async with http.post(url, json=BODY, headers=headers) as answer:
                    seen.append(answer.headers.get("x-confiance-revision"))
            if seen == [str(number)] * len(urls):
                break
            await asyncio.sleep(0.005)
        assert time.monotonic() - started < 0.2, "the new revision reached both at once"


@pytest.fixture
async def on_postgres(
    postgres_url: str, sim: RunningSimulator
) -> AsyncIterator[tuple[Services, list[str]]]:
    async with postgres_schema(postgres_url) as url:
        async for made in replicas(Settings(database_url=url), sim):
            yield made


async def test_revocation_reaches_every_replica_at_once_on_postgresql(
    on_postgres: tuple[Services, list[str]], sim: RunningSimulator
) -> None:
    writer, urls = on_postgres
    await check_immediate(writer, urls, sim)


async def test_revocation_reaches_every_replica_at_once_through_redis(
    tmp_path: Path, redis_url: str, sim: RunningSimulator
) -> None:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'r.db'}", redis_url=redis_url
    )
    async for writer, urls in replicas(settings, sim):
        await check_immediate(writer, urls, sim)
