"""Helpers for tests that need a real store on both backends (contract and audit suites)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from confiance.store import Store
from confiance.store.testing import postgres_schema

T0 = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def at(seconds: float) -> datetime:
    """A fixed instant ``seconds`` after T0 (tests never read the wall clock)."""
    return T0 + timedelta(seconds=seconds)


async def backend_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A database URL for ``request.param``: a SQLite file or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'contract.db'}"
        return
    base = request.getfixturevalue("postgres_url")
    async with postgres_schema(base) as url:
        yield url


async def run_sql(store: Store, statement: str, **params: Any) -> list[Any]:
    """Run raw SQL on the store's database (as someone with database access would)."""
    async with store.database.engine.begin() as conn:
        result = await conn.execute(text(statement), params)
        return list(result.all()) if result.returns_rows else []


def db_time(store: Store, value: datetime) -> datetime:
    """``value`` as a raw SQL parameter: SQLite columns hold naive UTC text."""
    return value.astimezone(UTC).replace(tzinfo=None) if store.dialect == "sqlite" else value
