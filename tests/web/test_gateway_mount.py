"""The gateway serves the UI under /ui beside the management API and the data plane."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest
from aiohttp import web

from confiance.app import open_services
from confiance.domain.keys import Role
from confiance.errors import ConfigError
from confiance.gateway.runner import build_gateway
from confiance.settings import Settings
from confiance.web import create_web
from confiance.web.sessions import SECRET_ENV

from .conftest import csrf_of


async def test_build_gateway_mounts_the_ui(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv(SECRET_ENV, raising=False)
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'gw.db'}")
    services = await open_services(settings, actor="test")
    try:
        admin = await services.keys.create("ops", Role.ADMIN)
        with caplog.at_level(logging.WARNING):
            gateway = build_gateway(services)
        assert "sessions are signed with a random per-process secret" in caplog.text
        runner = web.AppRunner(gateway.application(), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        base = f"http://127.0.0.1:{runner.addresses[0][1]}"
        try:
            async with httpx.AsyncClient(base_url=base, timeout=10) as client:
                login = await client.get("/ui/login")
                assert login.status_code == 200 and "Sign in to Confiance" in login.text
                signed = await client.post(
                    "/ui/login", data={"key": admin.secret, "csrf_token": csrf_of(login.text)}
                )
                assert signed.headers["location"] == "/ui/"
                assert (await client.get("/ui/")).status_code == 200
                assert "x-frame-options" not in (await client.get("/healthz")).headers
                headers = {"Authorization": f"Bearer {admin.secret}"}
                api = await client.get("/api/keys", headers=headers)
                assert api.status_code == 200 and len(api.json()["keys"]) == 1
        finally:
            await runner.cleanup()
    finally:
        await services.close()


async def test_a_short_secret_is_a_config_error(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'gw.db'}")
    services = await open_services(settings, actor="test")
    try:
        with pytest.raises(ConfigError, match="at least 32"):
            create_web(services, env={SECRET_ENV: "short"})
        create_web(services, env={SECRET_ENV: "x" * 32})
    finally:
        await services.close()
