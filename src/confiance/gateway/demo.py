"""``confiance serve --demo``: the whole gateway against the simulated vendor, no keys needed.

Starts the simulator in-process on a free loopback port, applies a demo config whose routes point
at it (one with a failing primary, to show fallbacks), creates an app key and an admin key, prints
how to call them, and serves until interrupted.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from confiance.app import open_services
from confiance.config.load import parse_config
from confiance.domain.keys import Role
from confiance.gateway.runner import serve_forever
from confiance.providers.simulated import SimulatorConfig, serve_simulator
from confiance.settings import Settings

__all__ = ["demo_config", "run_demo"]


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


async def run_demo(settings: Settings, say: Callable[[str], None]) -> None:
    async with serve_simulator(SimulatorConfig(), host="127.0.0.1", port=0) as simulator:
        services = await open_services(settings, actor="demo")
        try:
            loaded = parse_config(demo_config(simulator.base_url), "demo config")
            result = await services.revisions.apply(loaded, "demo", "confiance serve --demo")
            app_key = await services.keys.create("demo-app", Role.APP, author="demo")
            admin_key = await services.keys.create("demo-admin", Role.ADMIN, author="demo")
        finally:
            await services.close()
        base = f"http://{settings.host}:{settings.port}"
        say(f"Simulated vendor at {simulator.base_url}; {result.message}")
        say(f"App key (shown once):   {app_key.secret}")
        say(f"Admin key (shown once): {admin_key.secret}")
        say(
            "Try it:\n"
            f"  curl {base}/v1/chat/completions -H 'Authorization: Bearer {app_key.secret}' "
            "-H 'Content-Type: application/json' "
            '-d \'{"model": "resilient", "messages": [{"role": "user", "content": "Hello"}]}\'\n'
            f"  confiance traces tail   # every call, with its attempts and fallbacks\n"
            f"  curl {base}/api/routes -H 'Authorization: Bearer {admin_key.secret}'"
        )
        await serve_forever(settings, on_ready=lambda url: say(f"Gateway listening on {url}"))


def run_demo_blocking(settings: Settings, say: Callable[[str], None]) -> None:
    asyncio.run(run_demo(settings, say))
