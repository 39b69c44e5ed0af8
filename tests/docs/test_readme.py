"""The README's examples run: the three-line config is valid, the tour's Python snippets answer
through a real gateway with the demo config, and the tour's commands exist and succeed."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from confiance.app import open_services
from confiance.config.load import parse_config
from confiance.domain.keys import Role
from confiance.gateway.demo import demo_config
from confiance.gateway.runner import build_gateway
from confiance.providers.simulated import SimulatorConfig, serve_simulator
from confiance.settings import Settings

README = (Path(__file__).parents[2] / "README.md").read_text()


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, re.S)


def test_the_three_line_real_vendor_config_is_valid() -> None:
    (printf,) = re.findall(r"printf '(.*?)' > confiance.yaml", README)
    loaded = parse_config(printf.replace("\\n", "\n"), "README")
    assert loaded.config.routes["chat"].target == "openai/gpt-4o-mini"
    assert loaded.config.providers["openai"].api_key_env == "OPENAI_API_KEY"


def test_the_two_set_up_commands_are_the_ones_ci_runs() -> None:
    install_and_serve, install_and_test = blocks("bash")[:2]
    assert install_and_serve.strip().endswith("confiance serve --demo")
    assert install_and_test.strip().endswith("python -m pytest")
    ci = (Path(__file__).parents[2] / ".ci" / "run").read_text()
    assert "pip install -q -e '.[dev]'" in ci
    assert "python -m pytest" in ci


@pytest.fixture
async def demo(tmp_path: Path) -> AsyncIterator[tuple[str, str, str]]:
    """A gateway serving the demo config: (base URL, app key, database URL)."""
    database = f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}"
    async with serve_simulator(SimulatorConfig()) as sim:
        services = await open_services(Settings(database_url=database))
        await services.revisions.apply(parse_config(demo_config(sim.base_url), "demo"), "t", "t")
        key = await services.keys.create("readme", Role.APP)
        runner = web.AppRunner(build_gateway(services).application(), handler_cancellation=True)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        try:
            yield f"http://127.0.0.1:{runner.addresses[0][1]}", key.secret, database
        finally:
            await runner.cleanup()
            await services.close()


async def test_tour_python_snippets_answer_through_the_gateway(
    demo: tuple[str, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    url, key, _ = demo
    snippets = [b for b in blocks("python")]
    assert len(snippets) == 2
    for code in snippets:
        code = code.replace("http://127.0.0.1:8080", url)
        # The SDKs here are synchronous: run them off the gateway's event loop.
        await asyncio.to_thread(exec, code, {"KEY": key})
    printed = capsys.readouterr().out
    assert printed.count('About "Hello"') == 2, printed


async def test_tour_commands_succeed(demo: tuple[str, str, str]) -> None:
    _, _, database = demo
    tour = blocks("bash")[2]
    commands = [line.split("#")[0].strip() for line in tour.splitlines() if line.strip()]
    env = {**os.environ, "CONFIANCE_DATABASE_URL": database}
    root = Path(__file__).parents[2]
    for command in commands:
        args = command.split()[1:]
        if "TRACE_ID" in args:
            continue  # needs an id from the previous command; covered by the traces CLI tests
        if args[:2] in (["routes", "rollback"], ["apply", "-c"]):
            args.append("--yes")
        if args[0] == "scan":
            args = ["scan", "src/confiance/gateway", "--fail-on", "critical"]
        result = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "confiance", *args],
            env=env,
            cwd=root,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, f"{command}: {result.stderr or result.stdout}"
