"""Audit tests run against a real store on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest

from confiance.audit import AuditLog
from confiance.store import Store
from contract.support import BACKENDS, T0, at, backend_url


class StepClock:
    """A clock that moves one second forward on every reading."""

    def __init__(self) -> None:
        self.readings = 0

    def __call__(self) -> datetime:
        self.readings += 1
        return at(self.readings)


@pytest.fixture(params=BACKENDS)
async def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    async for url in backend_url(request, tmp_path):
        yield url


@pytest.fixture
async def store(store_url: str) -> AsyncIterator[Store]:
    opened = await Store.open(store_url)
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
def audit_log(store: Store) -> AuditLog:
    return AuditLog(store, StepClock())


__all__ = ["T0", "StepClock"]
