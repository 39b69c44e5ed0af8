"""Fixtures for the evals tests: a real store on SQLite and PostgreSQL, and the simulator."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

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
