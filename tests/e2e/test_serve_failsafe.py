"""``confiance serve`` fails safe: a start that cannot succeed changes nothing.

Against a real gateway already holding the port, a second ``serve`` (with or without
``--demo``) exits 2 with one line, having applied no revision and created no key, and the first
gateway keeps answering. ``--demo`` keeps its own store and revokes its keys when it stops. A
read-only store makes ``serve`` refuse to start, and a store that stops being writable turns
``/readyz`` not ready with the reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import openai
import pytest
from aiohttp import web

from confiance.app import open_services
from confiance.config.load import parse_config
from confiance.gateway.runner import build_gateway
from confiance.providers.simulated import RunningSimulator
from confiance.settings import Settings
from confiance.store import Store
from confiance.store.testing import honour_file_modes
from e2e.test_serve_process import CONFIG, run_cli, wait_port

USER = [{"role": "user", "content": "ping"}]


async def counts(url: str) -> tuple[int, int]:
    """(revisions, keys) in the store at ``url``."""
    async with await Store.open(url, migrate=False) as store:
        return await store.revisions.latest_number(), len(await store.keys.list(True))


def wait_ready(port: int, timeout: float = 60.0) -> None:
    """Until ``/readyz`` answers 200: the port is bound before the config is applied."""
    wait_port(port, timeout)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as ready:
                if ready.status == 200:
                    return
        time.sleep(0.1)
    raise AssertionError(f"gateway on {port} never became ready")


@pytest.fixture
def running(
    tmp_path: Path, sim: RunningSimulator, unused_port: int
) -> Iterator[tuple[dict[str, str], str, int]]:
    """A real gateway (``confiance serve``) on ``unused_port``, and an app key for it."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'prod.db'}"
    env = {**os.environ, "CONFIANCE_DATABASE_URL": url}
    config = tmp_path / "confiance.yaml"
    config.write_text(CONFIG.format(sim=sim.base_url))
    created = run_cli("keys", "create", "--role", "app", "--json", env=env)
    key = json.loads(created.stdout)["secret"]
    server = subprocess.Popen(
        [sys.executable, "-m", "confiance", "serve", "-c", str(config), "--port", str(unused_port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_ready(unused_port)
        yield env, key, unused_port
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


async def test_a_second_serve_on_a_taken_port_changes_nothing(
    running: tuple[dict[str, str], str, int], tmp_path: Path
) -> None:
    env, key, port = running
    url = env["CONFIANCE_DATABASE_URL"]
    before = await counts(url)
    other = tmp_path / "other.yaml"
    other.write_text(CONFIG.format(sim="http://127.0.0.1:9"))
    attempts = [
        ["serve", "--demo", "--port", str(port), "--database-url", url],
        ["serve", "-c", str(other), "--port", str(port)],
        ["serve", "--workers", "2", "--port", str(port)],
    ]
    for args in attempts:
        failed = run_cli(*args, env=env)
        assert failed.returncode == 2, failed.stderr
        lines = [line for line in failed.stderr.splitlines() if line.strip()]
        assert lines == [
            f"error: port {port} on 127.0.0.1 is already in use (another gateway or program "
            f"listens there; `ss -ltnp 'sport = :{port}'` shows which): stop it, or choose "
            "another port with --port or CONFIANCE_PORT"
        ], args
        assert "Traceback" not in failed.stdout + failed.stderr
    assert await counts(url) == before, "no revision applied, no key created"
    client = openai.AsyncOpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key=key, max_retries=0)
    reply = await client.chat.completions.create(model="chat", messages=USER)
    await client.close()
    assert reply.choices[0].message.content == "ping", "the running gateway still answers"


async def test_demo_keeps_its_own_store_and_revokes_its_keys(tmp_path: Path) -> None:
    prod = f"sqlite+aiosqlite:///{tmp_path / 'prod.db'}"
    await (await Store.open(prod)).close()
    env = {**os.environ, "CONFIANCE_DATABASE_URL": prod}
    demo = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "confiance", "serve", "--demo", "--port", "0",
        cwd=tmp_path, env=env, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert demo.stderr is not None
    said: list[str] = []
    while not said or "Gateway listening on" not in said[-1]:
        line = await asyncio.wait_for(demo.stderr.readline(), 60)
        assert line, "\n".join(said)
        said.append(line.decode().rstrip())
    text = "\n".join(said)
    app_key = re.search(r"App key \(shown once\): +(\S+)", text)
    base = said[-1].rsplit(" ", 1)[1]
    assert app_key is not None
    assert "ignores CONFIANCE_DATABASE_URL" in text
    assert "revoked when the demo stops" in text
    async with aiohttp.ClientSession() as http:
        headers = {"Authorization": f"Bearer {app_key[1]}"}
        body = {"model": "chat", "messages": USER}
        async with http.post(f"{base}/v1/chat/completions", json=body, headers=headers) as answer:
            assert answer.status == 200
    demo.send_signal(signal.SIGINT)
    _, rest = await asyncio.wait_for(demo.communicate(), 60)
    assert demo.returncode == 0, rest.decode()
    assert "Demo keys revoked." in rest.decode()
    assert await counts(prod) == (0, 0), "the production store was not touched"
    async with await Store.open(f"sqlite:///{tmp_path / 'confiance-demo.db'}") as store:
        keys = await store.keys.list(include_revoked=True)
    assert {k.name for k in keys} == {"demo-app", "demo-admin"}
    assert all(k.revoked_at is not None for k in keys)
    soon = datetime.now(UTC) + timedelta(hours=24, minutes=1)
    assert all(k.expires_at is not None and k.expires_at < soon for k in keys)


def test_serve_refuses_a_read_only_store(tmp_path: Path, unused_port: int) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'ro' / 's.db'}"
    (tmp_path / "ro").mkdir()
    asyncio.run(_close(url))
    (tmp_path / "ro" / "s.db").chmod(0o444)
    (tmp_path / "ro").chmod(0o555)
    config = tmp_path / "c.yaml"
    config.write_text(CONFIG.format(sim="http://127.0.0.1:9"))
    try:
        for args in (["-c", str(config)], ["--demo", "--database-url", url]):
            refused = subprocess.run(
                [sys.executable, "-m", "confiance", "serve", *args, "--port", str(unused_port)],
                env={**os.environ, "CONFIANCE_DATABASE_URL": url},
                capture_output=True,
                text=True,
                preexec_fn=honour_file_modes,
                timeout=120,
            )
            assert refused.returncode == 2, refused.stderr
            said = " ".join(refused.stderr.split())
            assert "read-only; make the file and its folder writable" in said
            assert "attempt to write a readonly database" in said
            assert "Traceback" not in refused.stderr
    finally:
        (tmp_path / "ro").chmod(0o755)
    assert asyncio.run(counts(url)) == (0, 0)


async def _close(url: str) -> None:
    await (await Store.open(url)).close()


@pytest.fixture
async def pg_role_store(postgres_url: str) -> AsyncIterator[tuple[str, str]]:
    """A schema and a login role owning nothing, granted rights on the schema's tables: the
    role can be stripped of INSERT while gateways run, as a DBA (or a full disk) would."""
    import asyncpg

    name = f"cf_ro_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(postgres_url)
    base = postgres_url.replace("postgresql+asyncpg://", "postgresql://")
    try:
        async with await Store.open(f"{base}?schema={name}"):
            pass
        await admin.execute(f"CREATE ROLE {name} LOGIN")
        await admin.execute(f"GRANT USAGE ON SCHEMA {name} TO {name}")
        await admin.execute(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {name} TO {name}"
        )
        role_url = re.sub(r"//[^@/]*@", f"//{name}@", base, count=1)
        yield f"{role_url}?schema={name}", name
    finally:
        await admin.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
        await admin.execute(f"DROP ROLE IF EXISTS {name}")
        await admin.close()


async def test_readyz_reports_a_store_that_stops_being_writable(
    pg_role_store: tuple[str, str], postgres_url: str, sim: RunningSimulator
) -> None:
    import asyncpg

    url, name = pg_role_store
    services = await open_services(Settings(database_url=url), migrate=False)
    await services.revisions.apply(parse_config(CONFIG.format(sim=sim.base_url), "c"), "t", "t")
    gateway = build_gateway(services)
    runner = web.AppRunner(gateway.application())
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    readyz = f"http://127.0.0.1:{runner.addresses[0][1]}/readyz"
    admin = await asyncpg.connect(postgres_url)
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(readyz) as ready:
                assert ready.status == 200
            await admin.execute(f"REVOKE INSERT ON ALL TABLES IN SCHEMA {name} FROM {name}")
            await gateway.follower.probe()
            async with http.get(readyz) as unready:
                assert unready.status == 503
                body = await unready.json()
            assert body["status"] == "not_ready"
            assert "permission denied for table traces" in body["reason"]
            assert "grant the role INSERT" in body["reason"]
            await admin.execute(f"GRANT INSERT ON ALL TABLES IN SCHEMA {name} TO {name}")
            await gateway.follower.probe()
            async with http.get(readyz) as again:
                assert again.status == 200
    finally:
        await admin.close()
        await runner.cleanup()
        await services.close()
