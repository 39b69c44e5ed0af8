"""A whole gateway on loopback: real store (SQLite in tmp_path), real aiohttp server, the
simulated vendor as the far end. Tests call it with the real OpenAI and Anthropic SDKs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import web

from confiance.app import Services, open_services
from confiance.config.load import parse_config
from confiance.domain.keys import Role
from confiance.domain.trace import Trace
from confiance.gateway.runner import build_gateway
from confiance.gateway.server import Gateway
from confiance.providers.simulated import RunningSimulator, SimulatorConfig, serve_simulator
from confiance.settings import Settings

ROUTES = """\
version: 1
providers:
  sim: {{kind: simulated, base_url: "{sim}/v1"}}
  simant: {{kind: anthropic, base_url: "{sim}"}}
  dead:
    kind: openai
    base_url: "http://127.0.0.1:9/v1"
    timeouts: {{connect: 0.5, attempt: 2, total: 4}}
routes:
  chat:
    target: sim/gpt-4o
  echo:
    target: sim/echo
    retention: full
  limited:
    target: sim/gpt-4o
    limits: {{n: 2, max_tokens: 100}}
  system:
    target: "sim/gpt-4o+leak-system"
    system_prompt: "You are the support bot of ACME."
    params: {{temperature: 0.2}}
  retry:
    target: "sim/gpt-4o+fail-first-2"
    retry: {{max_attempts: 3, backoff_initial: 0.01}}
  fallback:
    target: sim/fail-503
    fallbacks: [simant/claude-fallback]
    retry: {{max_attempts: 2, backoff_initial: 0.01}}
  unreachable:
    target: dead/gpt-4o
    fallbacks: [sim/gpt-4o]
    retry: {{max_attempts: 1}}
  ratelimited:
    target: "sim/gpt-4o+fail-first-1-429"
    retry: {{max_attempts: 2}}
  hang:
    target: "sim/gpt-4o+hang"
    timeouts: {{attempt: 0.4, total: 1.5}}
    retry: {{max_attempts: 2, backoff_initial: 0.01}}
  garbage:
    target: "sim/gpt-4o+malformed"
    fallbacks: ["sim/gpt-4o+reset"]
    retry: {{max_attempts: 1}}
  breaks:
    target: "sim/gpt-4o+words-60+break-after-3"
    fallbacks: [sim/gpt-4o]
  slowstream:
    target: "sim/gpt-4o+words-400+tps-20"
  renamed:
    target: "sim/gpt-4o+answer-as-gpt-4o-2024-08-06"
  vectors:
    kind: embedding
    target: sim/text-embedding-3-small
  rejected:
    target: "sim/gpt-4o+not-a-directive"
    fallbacks: [sim/gpt-4o]
    retry: {{max_attempts: 3, backoff_initial: 0.01}}
  breaker:
    target: sim/fail-500
    fallbacks: [sim/gpt-4o]
    retry: {{max_attempts: 1}}
prices:
  sim/gpt-4o: {{input: 2.5, output: 10.0}}
circuit_breaker: {{failure_threshold: 3, reset_timeout: 60}}
limits: {{max_body_bytes: 65536}}
"""


@dataclass
class Stack:
    url: str
    app_key: str
    admin_key: str
    narrow_key: str
    services: Services
    gateway: Gateway
    sim: RunningSimulator

    @property
    def v1(self) -> str:
        return f"{self.url}/v1"

    async def apply(self, text: str) -> int:
        loaded = parse_config(text.format(sim=self.sim.base_url), "test config")
        result = await self.services.revisions.apply(loaded, "test", "test")
        await self.gateway.refresh()
        return result.revision.number

    async def traces(self) -> list[Trace]:
        """Every trace, oldest first, after flushing what the sink holds."""
        assert self.gateway.sink is not None
        await self.gateway.sink.flush()
        return list(reversed(await self.services.store.traces.query(limit=1000)))

    async def trace(self, trace_id: str) -> Trace:
        assert self.gateway.sink is not None
        await self.gateway.sink.flush()
        return await self.services.store.traces.get(trace_id)


@pytest.fixture
async def sim() -> AsyncIterator[RunningSimulator]:
    async with serve_simulator(SimulatorConfig(), host="127.0.0.1", port=0) as running:
        yield running


@pytest.fixture
async def stack(tmp_path: Path, sim: RunningSimulator) -> AsyncIterator[Stack]:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}")
    services = await open_services(settings, actor="test")
    gateway = build_gateway(services, poll_interval=0.1)
    runner = web.AppRunner(gateway.application(), handler_cancellation=True, access_log=None)
    try:
        loaded = parse_config(ROUTES.format(sim=sim.base_url), "routes.yaml")
        await services.revisions.apply(loaded, "test", "initial")
        app = await services.keys.create("app", Role.APP)
        admin = await services.keys.create("admin", Role.ADMIN)
        narrow = await services.keys.create("narrow", Role.APP, routes=["echo"])
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        yield Stack(
            url=f"http://127.0.0.1:{port}",
            app_key=app.secret,
            admin_key=admin.secret,
            narrow_key=narrow.secret,
            services=services,
            gateway=gateway,
            sim=sim,
        )
    finally:
        await runner.cleanup()
        await services.close()


@dataclass
class Served:
    """A gateway serving one config of its own (its server settings apply from the start)."""

    url: str
    key: str
    gateway: Gateway
    runner: web.AppRunner
    services: Services
    database: Path


@asynccontextmanager
async def serve_gateway(config: str, directory: Path) -> AsyncIterator[Served]:
    """A gateway on loopback over a fresh SQLite store in ``directory`` with ``config`` applied
    before it starts; shut down (drain, flush, close) on exit if the test did not already."""
    database = directory / "gateway.db"
    services = await open_services(
        Settings(database_url=f"sqlite+aiosqlite:///{database}"), actor="test"
    )
    await services.revisions.apply(parse_config(config, "test.yaml"), "test", "initial")
    key = await services.keys.create("app", Role.APP)
    gateway = build_gateway(services, poll_interval=60)
    runner = web.AppRunner(gateway.application(), handler_cancellation=True, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield Served(url, key.secret, gateway, runner, services, database)
    finally:
        await runner.cleanup()
        await services.close()
