"""``confiance serve --demo``: the whole gateway against the simulated vendor, no keys needed.

Starts the simulator in-process on a free loopback port, applies a demo config whose routes point
at it (one with a failing primary, to show fallbacks), creates an app key and an admin key, prints
how to call them, and serves until interrupted.

The demo keeps its state apart: its own store, ``./confiance-demo.db``, unless ``--database-url``
names one (``CONFIANCE_DATABASE_URL`` is ignored: it may well point at production). Its keys
expire after :data:`KEY_LIFETIME` and are revoked when it stops, so none outlives it unnoticed.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from confiance.app import open_services
from confiance.config.load import parse_config
from confiance.domain.keys import Role
from confiance.errors import Conflict
from confiance.gateway.runner import listening_url, serve_forever
from confiance.providers.simulated import SimulatorConfig, serve_simulator
from confiance.settings import Settings

__all__ = ["DEMO_DATABASE_FILE", "KEY_LIFETIME", "demo_config", "demo_database_url", "run_demo"]

DEMO_DATABASE_FILE = "confiance-demo.db"
KEY_LIFETIME = timedelta(hours=24)
"""How long a demo key lives at most (it is revoked earlier, when the demo stops)."""


def demo_config(simulator_url: str) -> str:
    """The demo's confiance.yaml, pointing at a simulator listening at ``simulator_url``."""
    return f"""\
version: 1
providers:
  sim:
    kind: simulated
    base_url: {simulator_url}/v1
  sim-anthropic:
    kind: anthropic
    base_url: {simulator_url}
routes:
  chat:
    description: A well-behaved model.
    target: sim/demo-model
  resilient:
    description: >-
      Primary always fails with 503 and asks to wait a second; that is longer than this
      route's max_retry_after, so the gateway falls back at once.
    target: sim/fail-503
    fallbacks: [sim-anthropic/claude-demo, sim/demo-model]
    retry: {{max_attempts: 2, backoff_initial: 0.05, max_retry_after: 0.2}}
  embed:
    kind: embedding
    target: sim/demo-embedding
prices:
  sim/demo-model: {{input: 0.15, output: 0.6}}
"""


def demo_database_url(folder: Path) -> str:
    """The demo's own store: ``confiance-demo.db`` in ``folder`` (an absolute SQLite URL)."""
    return f"sqlite+aiosqlite:///{(folder / DEMO_DATABASE_FILE).resolve()}"


async def run_demo(settings: Settings, sock: socket.socket, say: Callable[[str], None]) -> None:
    """Start the simulator, probe the store, apply the demo config, create two keys that expire
    within :data:`KEY_LIFETIME`, serve on ``sock`` until stopped, then revoke the keys."""
    async with serve_simulator(SimulatorConfig(), host="127.0.0.1", port=0) as simulator:
        services = await open_services(settings, actor="demo")
        try:
            await services.store.check_writable()
            loaded = parse_config(demo_config(simulator.base_url), "demo config")
            result = await services.revisions.apply(loaded, "demo", "confiance serve --demo")
            expires = services.clock() + KEY_LIFETIME
            app_key = await services.keys.create(
                "demo-app", Role.APP, author="demo", expires_at=expires
            )
            admin_key = await services.keys.create(
                "demo-admin", Role.ADMIN, author="demo", expires_at=expires
            )
        finally:
            await services.close()
        base = listening_url(sock)
        say(f"Simulated vendor at {simulator.base_url}; {result.message}")
        say(f"Store: {services.store.where} (the demo's own; pass --database-url to choose one)")
        say(f"App key (shown once):   {app_key.secret}")
        say(f"Admin key (shown once): {admin_key.secret}")
        say(
            "Both keys are revoked when the demo stops, and expire at "
            f"{expires:%Y-%m-%d %H:%M} UTC at the latest."
        )
        say(
            "In another terminal:\n"
            f"  export CONFIANCE_DATABASE_URL={settings.database_url} KEY={app_key.secret}\n"
            f'  curl {base}/v1/chat/completions -H "Authorization: Bearer $KEY" '
            "-H 'Content-Type: application/json' "
            '-d \'{"model": "resilient", "messages": [{"role": "user", "content": "Hello"}]}\'\n'
            "  confiance traces tail   # every call, with its attempts and fallbacks\n"
            f"  curl {base}/api/routes -H 'Authorization: Bearer {admin_key.secret}'"
        )
        try:
            await serve_forever(
                settings, sock, on_ready=lambda url: say(f"Gateway listening on {url}")
            )
        finally:
            await _revoke(settings, [app_key.key.id, admin_key.key.id])
            say("Demo keys revoked.")


async def _revoke(settings: Settings, key_ids: list[str]) -> None:
    services = await open_services(settings, actor="demo")
    try:
        for key_id in key_ids:
            with contextlib.suppress(Conflict):  # already revoked, e.g. through the API
                await services.keys.revoke(key_id, author="demo")
    finally:
        await services.close()


def run_demo_blocking(settings: Settings, sock: socket.socket, say: Callable[[str], None]) -> None:
    asyncio.run(run_demo(settings, sock, say))
