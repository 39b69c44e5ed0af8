"""A real store for control-plane tests: a SQLite file, and PostgreSQL in a throwaway schema."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest

from confiance.store import Store


class FakeClock:
    """A clock tests move by hand; each reading is one second after the previous one."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    if request.param == "sqlite":
        opened = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'confiance.db'}")
        try:
            yield opened
        finally:
            await opened.close()
        return
    base: str = request.getfixturevalue("postgres_url")
    schema = f"cf_control_{secrets.token_hex(6)}"
    separator = "&" if "?" in base else "?"
    opened = await Store.open(f"{base}{separator}schema={schema}")
    try:
        yield opened
    finally:
        await opened.close()
        connection = await asyncpg.connect(base)
        try:
            await connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        finally:
            await connection.close()
