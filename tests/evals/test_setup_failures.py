"""Set-up mistakes stop an eval run with exit 2 and one line; cost comes from the gateway.

The CLI runs in a worker thread (it owns its event loop) against a real gateway on loopback
(over its own SQLite store, with the simulator behind it): a closed port, a wrong key, an
unknown route, a wrong base URL. None of them may store a finished run.
"""

from __future__ import annotations

import asyncio
import json
import socket
from datetime import UTC, datetime
from pathlib import Path

import pytest
import typer
from aiohttp import web
from sqlalchemy import text
from typer.testing import CliRunner, Result

from confiance.cli import evals as evals_cli
from confiance.domain.evaluation import RunStatus, RunSummary
from confiance.errors import ProviderConnectionError, ProviderHTTPError, ProviderTimeout
from confiance.evals.failures import SetupFailure, setup_failure
from confiance.store import Store

from .conftest import GatewayStack

SUITE = """\
name: setup-suite
cases:
  - id: one
    input: Where is my parcel?
    assert: [{kind: contains, value: About}]
  - id: two
    input: Can I get a refund?
    assert: [{kind: contains, value: About}]
  - id: three
    input: When are you open?
    assert: [{kind: contains, value: About}]
"""


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


class EvalCli:
    def __init__(self, tmp_path: Path, stack: GatewayStack) -> None:
        self.app = typer.Typer()
        evals_cli.register(self.app)

        @self.app.callback()
        def _root() -> None:
            """The group under test."""

        self.db = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
        self.suite = tmp_path / "suite.yaml"
        self.suite.write_text(SUITE, encoding="utf-8")
        self.env = {
            "CONFIANCE_DATABASE_URL": self.db,
            "CONFIANCE_CONFIG": str(tmp_path / "none.yaml"),  # no local prices at all
            "CONFIANCE_API_KEY": stack.key,
            "CONFIANCE_GATEWAY_URL": stack.url,
        }

    async def __call__(self, *args: str, **env: str) -> Result:
        def invoke() -> Result:
            return CliRunner().invoke(self.app, list(args), env={**self.env, **env})

        return await asyncio.to_thread(invoke)

    async def run(self, *args: str, **env: str) -> Result:
        return await self("eval", "run", str(self.suite), *args, **env)

    async def runs(self) -> list[dict[str, object]]:
        async with await Store.open(self.db) as store:
            return [
                {"id": r.id, "status": r.status, "passed_gate": r.passed_gate}
                for r in await store.evals.list()
            ]


@pytest.fixture
def cli(tmp_path: Path, stack: GatewayStack) -> EvalCli:
    return EvalCli(tmp_path, stack)


def one_error_line(result: Result) -> str:
    lines = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output
    return lines[0]


async def test_a_wrong_gateway_url_stops_the_run_and_stores_nothing(cli: EvalCli) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    result = await cli.run("-t", "good", "--gateway-url", url)
    assert result.exit_code == 2, result.output
    line = one_error_line(result)
    assert f"cannot reach {url}/v1/chat/completions" in line
    assert "is the gateway running? check --gateway-url" in line
    assert "nothing was stored" in line
    assert await cli.runs() == []


async def test_a_wrong_key_stops_the_run(cli: EvalCli, stack: GatewayStack) -> None:
    result = await cli.run("-t", "good", CONFIANCE_API_KEY="cf-wrong-key")
    assert result.exit_code == 2, result.output
    line = one_error_line(result)
    assert f"the gateway at {stack.url}/v1 refused the API key" in line
    assert "CONFIANCE_API_KEY" in line
    assert await cli.runs() == []


async def test_an_unknown_route_stops_the_run(cli: EvalCli) -> None:
    result = await cli.run("-t", "no-such-route", "--json")
    assert result.exit_code == 2, result.output
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "target_unusable"
    assert "does not know the target 'no-such-route'" in error["message"]
    assert "confiance routes list" in error["message"]
    assert await cli.runs() == []


async def test_a_wrong_base_url_path_is_an_unknown_target(
    cli: EvalCli, stack: GatewayStack
) -> None:
    result = await cli.run("-t", "bot", "--base-url", f"{stack.sim.base_url}/nowhere")
    assert result.exit_code == 2, result.output
    assert "check the model name and that --base-url ends" in one_error_line(result)
    assert await cli.runs() == []


async def test_a_base_url_that_redirects_stops_the_run(cli: EvalCli, stack: GatewayStack) -> None:
    seen: list[str | None] = []

    async def redirect(request: web.Request) -> web.Response:
        seen.append(request.headers.get("Authorization"))
        return web.Response(status=307, headers={"Location": stack.sim.base_url + request.path})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", redirect)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/v1"
        result = await cli.run("-t", "bot", "--base-url", url, CONFIANCE_API_KEY="sk-own-key-1")
    finally:
        await runner.cleanup()
    assert result.exit_code == 2, result.output
    line = one_error_line(result)
    assert "answered HTTP 307 (a redirect to " in line
    assert "never follow redirects" in line
    assert "sk-own-key-1" not in result.output
    assert seen and all(value == "Bearer sk-own-key-1" for value in seen)
    assert await cli.runs() == []


async def test_a_resumed_run_that_fails_set_up_stays_interrupted(cli: EvalCli) -> None:
    first = await cli.run("-t", "good", "--json")
    assert first.exit_code == 0, first.output
    run_id = json.loads(first.stdout)["run"]["id"]
    async with await Store.open(cli.db) as store:
        async with store.database.engine.begin() as conn:
            await conn.execute(
                text("DELETE FROM eval_case_results WHERE run_id = :r AND case_id = 'two'"),
                {"r": run_id},
            )
        await store.evals.finish(
            run_id,
            status=RunStatus.INTERRUPTED,
            finished_at=datetime.now(UTC),
            summary=RunSummary(trials=2),
        )
    url = f"http://127.0.0.1:{closed_port()}"
    result = await cli("eval", "run", "--resume", run_id, "--base-url", f"{url}/v1")
    assert result.exit_code == 2, result.output
    assert f"run {run_id} is kept as interrupted" in one_error_line(result)
    assert await cli.runs() == [
        {"id": run_id, "status": RunStatus.INTERRUPTED, "passed_gate": None}
    ]


async def test_cost_through_the_gateway_is_the_gateway_price(
    cli: EvalCli, stack: GatewayStack
) -> None:
    result = await cli.run("-t", "good", "--json", "--baseline", "last")
    assert result.exit_code == 0, result.output
    assert "no baseline: no earlier run of setup-suite on good passed its gate" in result.stderr
    report = json.loads(result.stdout)
    assert stack.gateway.sink is not None
    await stack.gateway.sink.flush()
    traces = await stack.services.store.traces.query(route="good")
    assert len(traces) == 3
    gateway_cost = sum(t.cost_usd or 0.0 for t in traces)
    assert gateway_cost > 0  # sim/bot is priced in the gateway's config, not locally
    assert report["run"]["summary"]["cost_usd"] == pytest.approx(gateway_cost, rel=1e-6)
    again = await cli.run("-t", "good")
    assert again.exit_code == 0, again.output
    assert "no baseline" not in again.stderr


@pytest.mark.parametrize(
    ("error", "failure"),
    [
        (ProviderConnectionError("cannot reach x"), SetupFailure.UNREACHABLE),
        (ProviderHTTPError("HTTP 401", status=401), SetupFailure.AUTHENTICATION),
        (ProviderHTTPError("HTTP 403", status=403), SetupFailure.AUTHENTICATION),
        (ProviderHTTPError("HTTP 404", status=404), SetupFailure.UNKNOWN_TARGET),
        (ProviderHTTPError("HTTP 307", status=307), SetupFailure.REDIRECTED),
        (ProviderHTTPError("HTTP 500", status=500), None),
        (ProviderHTTPError("HTTP 429", status=429), None),
        (ProviderTimeout("slow"), None),
    ],
)
def test_only_set_up_mistakes_end_a_run(error: Exception, failure: SetupFailure | None) -> None:
    assert isinstance(error, ProviderConnectionError | ProviderHTTPError | ProviderTimeout)
    assert setup_failure(error) is failure
