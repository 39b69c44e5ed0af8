"""The web UI served the way the gateway serves it: mounted under ``/ui`` in a real aiohttp
server on loopback (``ASGIResource`` + lifespan), over a real SQLite store, with a clock the
tests move."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from aiohttp import web
from aiohttp_asgi import ASGIResource

from confiance.app import Services, open_services
from confiance.domain.keys import Role
from confiance.settings import Settings
from confiance.web import create_web

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
SECRET_KEY = "test-secret-key-for-web-sessions-0123456789"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Clock:
    """A clock tests move by hand."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = _CSRF.search(html)
    assert match is not None, "the page has no form with a CSRF token"
    return match.group(1)


@dataclass
class WebUI:
    """A running web UI and what tests need around it."""

    origin: str
    services: Services
    clock: Clock
    secrets: dict[str, str]
    clients: list[httpx.AsyncClient] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"{self.origin}/ui"

    def client(self) -> httpx.AsyncClient:
        """A browser-like client (keeps cookies, does not follow redirects)."""
        client = httpx.AsyncClient(base_url=self.base_url, timeout=10)
        self.clients.append(client)
        return client

    async def sign_in(self, client: httpx.AsyncClient, who: str = "admin") -> httpx.Response:
        """Sign ``client`` in with the key named ``who`` (admin, reviewer, app) or a secret."""
        page = await client.get("/login")
        secret = self.secrets.get(who, who)
        return await client.post("/login", data={"key": secret, "csrf_token": csrf_of(page.text)})

    async def signed_in(self, who: str = "admin") -> httpx.AsyncClient:
        client = self.client()
        response = await self.sign_in(client, who)
        assert response.status_code == 303, response.text
        return client

    async def post_form(
        self, client: httpx.AsyncClient, page: str, action: str, data: dict[str, str]
    ) -> httpx.Response:
        """Open ``page``, take its CSRF token and post ``data`` to ``action``."""
        token = csrf_of((await client.get(page)).text)
        return await client.post(action, data={**data, "csrf_token": token})


@pytest.fixture
async def ui(tmp_path: Path, unused_port: int) -> AsyncIterator[WebUI]:
    clock = Clock()
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'web.db'}")
    services = await open_services(settings, actor="test", clock=clock)
    secrets = {}
    for role in (Role.ADMIN, Role.REVIEWER, Role.APP):
        created = await services.keys.create(f"{role.value}-person", role, author="test")
        secrets[role.value] = created.secret
    app = web.Application()
    resource = ASGIResource(create_web(services, secret_key=SECRET_KEY), root_path="/ui")
    app.router.register_resource(resource)
    resource.lifespan_mount(app)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", unused_port).start()
    running = WebUI(f"http://127.0.0.1:{unused_port}", services, clock, secrets)
    try:
        yield running
    finally:
        for client in running.clients:
            await client.aclose()
        await runner.cleanup()
        await services.close()
