"""Fixtures for the evals tests: a real store on SQLite and PostgreSQL, and the simulator."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from confiance.evals.service import EvalService
from confiance.providers.simulated import (
    Behaviour,
    RunningSimulator,
    SimulatorConfig,
    serve_simulator,
)
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
