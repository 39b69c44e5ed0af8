"""Fixtures for the evals tests: a real store on SQLite and PostgreSQL, and the simulator."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
import typer
from aiohttp import web

from confiance.app import Services, open_services
from confiance.cli import config as config_cli
from confiance.cli import evals as evals_cli
from confiance.config.load import load_config
from confiance.domain.keys import Role
from confiance.evals.service import EvalService
from confiance.evals.targets import TargetSpec
from confiance.gateway.runner import build_gateway
from confiance.gateway.server import Gateway
from confiance.providers.simulated import (
    Behaviour,
    RunningSimulator,
    SimulatorConfig,
    serve_simulator,
    simulator_in_thread,
)
from confiance.settings import Settings
from confiance.store import Store
from confiance.store.testing import postgres_schema

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    """An open store on each backend (a SQLite file, or a fresh PostgreSQL schema)."""
    if request.param == "sqlite":
        opened = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'evals.db'}")
        try:
            yield opened
        finally:
            await opened.close()
        return
    async with postgres_schema(request.getfixturevalue("postgres_url")) as url:
        opened = await Store.open(url)
        try:
            yield opened
        finally:
            await opened.close()


@pytest.fixture
async def sqlite_store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'evals.db'}")
    try:
        yield opened
    finally:
        await opened.close()


JUDGE_YES = '{"score": 0.9, "reason": "meets the rubric"}'
JUDGE_NO = '```json\n{"score": 0.2, "reason": "off topic"}\n```'
SIM_MODELS = {
    "judge-yes": Behaviour(fixed_content=JUDGE_YES),
    "judge-no": Behaviour(fixed_content=JUDGE_NO),
    "judge-garbage": Behaviour(fixed_content="It looks fine to me."),
    "insecure-coder": Behaviour(
        fixed_content="```python\nimport subprocess\nsubprocess.run(f'tar czf {name}', "
        "shell=True)\n```"
    ),
    "refuser": Behaviour(fixed_content="I'm sorry, but I can't help with that request."),
}


@pytest.fixture
async def sim() -> AsyncIterator[RunningSimulator]:
    config = SimulatorConfig(models=SIM_MODELS)
    async with serve_simulator(config, host="127.0.0.1", port=0) as running:
        yield running


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as opened:
        yield opened


@pytest.fixture
def service(sqlite_store: Store, session: aiohttp.ClientSession) -> EvalService:
    return EvalService(sqlite_store.evals, session)


GATEWAY_CONFIG = """\
version: 1
providers:
  sim: {{kind: simulated, base_url: "{sim}/v1"}}
routes:
  good:
    target: sim/bot
    retention: full
  leaky:
    target: "sim/bot+leak-system"
  obedient:
    target: "sim/bot+weak-prompt-injection"
  activecontent:
    target: "sim/bot+weak-output-handling"
  down:
    target: "sim/bot+fail-503"
    fallbacks: [sim/bot]
    retry: {{max_attempts: 1}}
  judge:
    target: sim/judge-yes
prices:
  sim/bot: {{input: 1.0, output: 2.0}}
"""


@dataclass
class GatewayStack:
    """A gateway on loopback over a SQLite store, with the simulator behind it."""

    url: str
    key: str
    services: Services
    gateway: Gateway
    sim: RunningSimulator
    config_path: Path

    def target(self, route: str) -> TargetSpec:
        return TargetSpec.through_gateway(route, self.url, self.key)

    async def apply(self, text: str) -> int:
        self.config_path.write_text(text.format(sim=self.sim.base_url), encoding="utf-8")
        loaded = load_config(self.config_path)
        result = await self.services.revisions.apply(loaded, "test", "test")
        await self.gateway.refresh()
        return result.revision.number


@pytest.fixture
async def stack(tmp_path: Path, sim: RunningSimulator) -> AsyncIterator[GatewayStack]:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}")
    services = await open_services(settings, actor="test")
    gateway = build_gateway(services, poll_interval=0.1)
    runner = web.AppRunner(gateway.application(), handler_cancellation=True, access_log=None)
    try:
        stack_config = tmp_path / "confiance.yaml"
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        key = await services.keys.create("evals", Role.ADMIN)
        stack = GatewayStack(
            url=f"http://127.0.0.1:{runner.addresses[0][1]}",
            key=key.secret,
            services=services,
            gateway=gateway,
            sim=sim,
            config_path=stack_config,
        )
        await stack.apply(GATEWAY_CONFIG)
        yield stack
    finally:
        await runner.cleanup()
        await services.close()


@pytest.fixture(scope="module")
def threaded_sim() -> Iterator[RunningSimulator]:
    """A simulator on its own thread, for tests that drive the (synchronous) CLI."""
    with simulator_in_thread(SimulatorConfig()) as running:
        yield running


def eval_cli() -> typer.Typer:
    """The ``eval`` and config commands (``apply``) as one app, for CliRunner."""
    app = typer.Typer()
    evals_cli.register(app)
    config_cli.register(app)

    @app.callback()
    def _root() -> None:
        """The commands under test."""

    return app
