"""The management API served the way the gateway serves it: mounted under ``/api`` in a real
aiohttp server on loopback (``ASGIResource`` + lifespan), over a real store."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from aiohttp import web
from aiohttp_asgi import ASGIResource

from confiance.api import create_api
from confiance.app import Services, open_services
from confiance.domain.keys import Role
from confiance.settings import Settings
from confiance.store.testing import postgres_schema

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


class StepClock:
    """A clock tests control: each reading is one second after the previous one."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@dataclass
class Api:
    """A running management API and what tests need around it."""

    base_url: str
    services: Services
    clock: StepClock
    admin_secret: str
    make_client: Callable[..., httpx.AsyncClient]

    def client(self, secret: str | None = "admin") -> httpx.AsyncClient:
        """A client for ``/api``; ``secret="admin"`` uses the admin key, ``None`` sends none."""
        key = self.admin_secret if secret == "admin" else secret
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return self.make_client(base_url=self.base_url, headers=headers, timeout=10)


@pytest.fixture(params=["sqlite"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """The store's URL: a SQLite file (modules override the params to add PostgreSQL)."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'api.db'}"
        return
    async with postgres_schema(request.getfixturevalue("postgres_url")) as url:
        yield url


@pytest.fixture
async def api(database_url: str, unused_port: int) -> AsyncIterator[Api]:
    clock = StepClock()
    services = await open_services(Settings(database_url=database_url), actor="api", clock=clock)
    created = await services.keys.create("ops-admin", Role.ADMIN, author="test")
    app = web.Application()
    resource = ASGIResource(create_api(services), root_path="/api")
    app.router.register_resource(resource)
    resource.lifespan_mount(app)
    runner = web.AppRunner(app)
    await runner.setup()
    port = unused_port
    await web.TCPSite(runner, "127.0.0.1", port).start()
    clients: list[httpx.AsyncClient] = []

    def make_client(**options: object) -> httpx.AsyncClient:
        client = httpx.AsyncClient(**options)  # type: ignore[arg-type]
        clients.append(client)
        return client

    try:
        yield Api(f"http://127.0.0.1:{port}/api", services, clock, created.secret, make_client)
    finally:
        for client in clients:
            await client.aclose()
        await runner.cleanup()
        await services.close()


@pytest.fixture
async def admin(api: Api) -> httpx.AsyncClient:
    return api.client()
