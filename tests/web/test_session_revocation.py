"""Sessions end on the server: sign-out makes a saved copy of the cookie worthless on every
worker sharing the store (SQLite and PostgreSQL), idle and absolute timeouts, and ``Secure``
cookies behind a trusted proxy only. Two real aiohttp servers over one store stand for two
workers (or replicas); the client is a real HTTP client keeping cookies like a browser."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import timedelta
from http.cookies import SimpleCookie
from pathlib import Path

import httpx
import pytest
from aiohttp import web
from aiohttp_asgi import ASGIResource

from confiance.app import Services, open_services
from confiance.domain.keys import Role
from confiance.settings import Settings
from confiance.store.testing import postgres_schema
from confiance.web import create_web
from confiance.web.sessions import COOKIE_NAME

from .conftest import SECRET_KEY, Clock, csrf_of


@dataclasses.dataclass
class Workers:
    origins: list[str]
    services: list[Services]
    clock: Clock
    admin_secret: str

    def client(self, worker: int, cookie: str | None = None) -> httpx.AsyncClient:
        client = httpx.AsyncClient(base_url=f"{self.origins[worker]}/ui", timeout=10)
        if cookie is not None:
            client.cookies.set(COOKIE_NAME, cookie, domain="127.0.0.1", path="/ui")
        return client


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'web.db'}"
        return
    async with postgres_schema(request.getfixturevalue("postgres_url")) as url:
        yield url


async def _serve(services: Services) -> tuple[web.AppRunner, str]:
    app = web.Application()
    resource = ASGIResource(create_web(services, secret_key=SECRET_KEY), root_path="/ui")
    app.router.register_resource(resource)
    resource.lifespan_mount(app)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}"


async def _workers(settings: Settings, count: int) -> AsyncIterator[Workers]:
    clock = Clock()
    # One Services (engine, pool) per worker, as separate processes would have.
    services = [await open_services(settings, actor="test", clock=clock) for _ in range(count)]
    admin = await services[0].keys.create("admin-person", Role.ADMIN, author="test")
    runners: list[web.AppRunner] = []
    try:
        origins = []
        for one in services:
            runner, origin = await _serve(one)
            runners.append(runner)
            origins.append(origin)
        yield Workers(origins, services, clock, admin.secret)
    finally:
        for runner in runners:
            await runner.cleanup()
        for one in services:
            await one.close()


@pytest.fixture
async def workers(database_url: str) -> AsyncIterator[Workers]:
    async for running in _workers(Settings(database_url=database_url), 2):
        yield running


async def _sign_in(client: httpx.AsyncClient, secret: str) -> str:
    page = await client.get("/login")
    response = await client.post("/login", data={"key": secret, "csrf_token": csrf_of(page.text)})
    assert response.status_code == 303, response.text
    cookie = client.cookies.get(COOKIE_NAME)
    assert cookie
    return cookie


async def test_logout_then_reusing_the_old_cookie_is_refused_on_every_worker(
    workers: Workers,
) -> None:
    async with workers.client(0) as browser:
        saved = await _sign_in(browser, workers.admin_secret)
        token = csrf_of((await browser.get("/keys")).text)
        # The session works on the other worker too: the record is in the shared store.
        async with workers.client(1, saved) as other:
            assert (await other.get("/keys")).status_code == 200
        response = await browser.post("/logout", data={"csrf_token": token})
        assert response.status_code == 303
    for worker in (0, 1):
        async with workers.client(worker, saved) as replay:
            page = await replay.get("/keys")
            assert page.status_code == 303, worker
            assert httpx.URL(page.headers["location"]).path == "/ui/login"
            form = {"name": "stolen", "role": "admin", "csrf_token": token}
            post = await replay.post("/keys", data=form)
            assert post.status_code in (303, 403), worker
            login = await replay.get("/login")
            assert "Your session has ended; sign in again." in login.text
    keys = await workers.services[1].keys.list()
    assert [key.name for key in keys] == ["admin-person"]


async def test_signing_out_on_one_worker_ends_the_session_at_once_on_the_other(
    workers: Workers,
) -> None:
    async with workers.client(0) as browser, workers.client(1) as elsewhere:
        saved = await _sign_in(browser, workers.admin_secret)
        elsewhere.cookies.set(COOKIE_NAME, saved, domain="127.0.0.1", path="/ui")
        assert (await elsewhere.get("/")).status_code == 200
        token = csrf_of((await elsewhere.get("/")).text)
        assert (await elsewhere.post("/logout", data={"csrf_token": token})).status_code == 303
        assert (await browser.get("/")).status_code == 303


async def test_sessions_end_after_the_idle_timeout(workers: Workers) -> None:
    async with workers.client(0) as browser:
        await _sign_in(browser, workers.admin_secret)
        workers.clock.advance(timedelta(minutes=29))
        assert (await browser.get("/")).status_code == 200  # activity resets the idle clock
        workers.clock.advance(timedelta(minutes=29))
        assert (await browser.get("/")).status_code == 200
        workers.clock.advance(timedelta(minutes=31))
        response = await browser.get("/")
        assert response.status_code == 303
        login = await browser.get("/login")
        assert "Your session ended after 30 minutes without activity" in login.text
        assert (await browser.get("/")).status_code == 303


async def test_timeouts_come_from_the_settings(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'w.db'}",
        session_idle_minutes=5,
        session_max_hours=0.25,
    )
    async for running in _workers(settings, 1):
        async with running.client(0) as browser:
            await _sign_in(browser, running.admin_secret)
            running.clock.advance(timedelta(minutes=6))
            assert (await browser.get("/")).status_code == 303
            await _sign_in(browser, running.admin_secret)
            for _ in range(3):
                running.clock.advance(timedelta(minutes=4))
                assert (await browser.get("/")).status_code == 200
            running.clock.advance(timedelta(minutes=4))  # 16 minutes after sign-in
            assert (await browser.get("/")).status_code == 303
            assert "expired after 0.25 hours" in (await browser.get("/login")).text


async def _login_cookie(origin: str, headers: dict[str, str]) -> SimpleCookie:
    async with httpx.AsyncClient(base_url=f"{origin}/ui", headers=headers) as client:
        response = await client.get("/login")
    cookie: SimpleCookie = SimpleCookie()
    cookie.load(response.headers["set-cookie"])
    return cookie


@pytest.mark.parametrize(
    ("trusted", "headers", "secure"),
    [
        ((), {}, False),
        ((), {"x-forwarded-proto": "https"}, False),  # anyone may send the header
        (("10.0.0.0/8",), {"x-forwarded-proto": "https"}, False),  # not from that network
        (("127.0.0.1",), {}, False),
        (("127.0.0.1",), {"x-forwarded-proto": "http"}, False),
        (("127.0.0.1",), {"x-forwarded-proto": "https"}, True),
        (("127.0.0.0/8", "::1"), {"x-forwarded-proto": "http, https"}, True),
        (("127.0.0.1",), {"x-forwarded-proto": "https, http"}, False),
    ],
)
async def test_secure_cookies_behind_a_trusted_proxy_only(
    tmp_path: Path, trusted: tuple[str, ...], headers: dict[str, str], secure: bool
) -> None:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'p.db'}", trusted_proxies=trusted
    )
    async for running in _workers(settings, 1):
        cookie = await _login_cookie(running.origins[0], headers)
        assert bool(cookie[COOKIE_NAME]["secure"]) is secure


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("10.0.0.0/33", "'10.0.0.0/33' is not an IP address or network"),
        ("proxy.internal", "'proxy.internal' is not an IP address or network"),
    ],
)
def test_a_malformed_trusted_proxy_setting_is_a_precise_error(value: str, problem: str) -> None:
    with pytest.raises(ValueError, match=f"^CONFIANCE_TRUSTED_PROXIES: {problem}"):
        Settings.from_env({"CONFIANCE_TRUSTED_PROXIES": value})


def test_session_timeouts_are_read_and_checked() -> None:
    settings = Settings.from_env(
        {"CONFIANCE_SESSION_IDLE_MINUTES": "15", "CONFIANCE_SESSION_MAX_HOURS": "12"}
    )
    assert (settings.session_idle_minutes, settings.session_max_hours) == (15.0, 12.0)
    assert Settings.from_env(
        {"CONFIANCE_TRUSTED_PROXIES": "10.1.2.3, 10.0.0.0/8"}
    ).trusted_proxies == (
        "10.1.2.3/32",
        "10.0.0.0/8",
    )
    for bad in ("0", "-1", "nan", "soon", "100000"):
        with pytest.raises(ValueError, match=r"^CONFIANCE_SESSION_IDLE_MINUTES must be a number"):
            Settings.from_env({"CONFIANCE_SESSION_IDLE_MINUTES": bad})


async def test_signing_in_again_ends_the_session_it_replaces(workers: Workers) -> None:
    async with workers.client(0) as browser:
        first = await _sign_in(browser, workers.admin_secret)
        token = csrf_of((await browser.get("/")).text)  # the sign-in form is no longer shown
        again = await browser.post(
            "/login", data={"key": workers.admin_secret, "csrf_token": token}
        )
        assert again.status_code == 303
        assert browser.cookies.get(COOKIE_NAME) != first
        assert (await browser.get("/")).status_code == 200
    async with workers.client(1, first) as replay:
        assert (await replay.get("/")).status_code == 303
