"""Two gateway replicas sharing one PostgreSQL store: config and key changes made through one
reach the other within a second, and both write their traces to the same store."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import openai
import pytest
from aiohttp import web

from confiance.app import Services, open_services
from confiance.config.load import parse_config
from confiance.domain.keys import Role
from confiance.gateway.runner import build_gateway
from confiance.gateway.server import Gateway
from confiance.providers.simulated import RunningSimulator
from confiance.settings import Settings
from confiance.store.testing import postgres_schema

CONFIG = """\
version: 1
providers:
  sim: {{kind: simulated, base_url: "{sim}/v1"}}
routes:
  chat: {{target: "sim/{model}"}}
"""
USER = [{"role": "user", "content": "ping"}]


async def start(services: Services) -> tuple[Gateway, web.AppRunner, str]:
    gateway = build_gateway(services, poll_interval=0.2)
    runner = web.AppRunner(gateway.application(), handler_cancellation=True)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return gateway, runner, f"http://127.0.0.1:{runner.addresses[0][1]}/v1"


@pytest.fixture
async def replicas(
    postgres_url: str, sim: RunningSimulator
) -> AsyncIterator[tuple[Services, list[str], list[Gateway]]]:
    async with postgres_schema(postgres_url) as url:
        first = await open_services(Settings(database_url=url))
        second = await open_services(Settings(database_url=url), migrate=False)
        await first.revisions.apply(
            parse_config(CONFIG.format(sim=sim.base_url, model="echo"), "c"), "t", "t"
        )
        a, runner_a, url_a = await start(first)
        b, runner_b, url_b = await start(second)
        try:
            yield first, [url_a, url_b], [a, b]
        finally:
            await runner_a.cleanup()
            await runner_b.cleanup()
            await first.close()
            await second.close()


async def wait_until(check: object, timeout: float = 2.0) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if await check():  # type: ignore[operator]
            return time.monotonic() - started
        await asyncio.sleep(0.05)
    raise AssertionError("condition not reached in time")


async def test_replicas_share_config_keys_and_traces(
    replicas: tuple[Services, list[str], list[Gateway]], sim: RunningSimulator
) -> None:
    services, urls, gateways = replicas
    created = await services.keys.create("shared", Role.APP)
    clients = [openai.AsyncOpenAI(base_url=u, api_key=created.secret, max_retries=0) for u in urls]

    async def both_answer_echo() -> bool:
        try:
            replies = [
                await c.chat.completions.create(model="chat", messages=USER) for c in clients
            ]
        except openai.AuthenticationError:
            return False
        return all(r.choices[0].message.content == "ping" for r in replies)

    assert await wait_until(both_answer_echo) < 1.5, "the new key reached both replicas"

    new = parse_config(CONFIG.format(sim=sim.base_url, model="gpt-4o+words-3"), "c")
    revision = (await services.revisions.apply(new, "t", "switch model")).revision.number

    async def both_on_new_revision() -> bool:
        raws = [
            await c.chat.completions.with_raw_response.create(model="chat", messages=USER)
            for c in clients
        ]
        return all(r.headers["x-confiance-revision"] == str(revision) for r in raws)

    assert await wait_until(both_on_new_revision) < 1.5, "config reached both within a second"

    await services.keys.revoke(created.key.id)

    async def both_refuse() -> bool:
        for client in clients:
            try:
                await client.chat.completions.create(model="chat", messages=USER)
            except openai.AuthenticationError:
                continue
            return False
        return True

    assert await wait_until(both_refuse) < 1.5, "revocation reached both within a second"
    for client in clients:
        await client.close()
    for gateway in gateways:
        assert gateway.sink is not None
        await gateway.sink.flush()
    traces = await services.store.traces.query(route="chat", limit=1000)
    assert {t.revision for t in traces} == {1, revision}
    assert len(traces) >= 4
