"""``confiance eval ...`` through the real CLI, against the simulated vendor on loopback."""

from __future__ import annotations

import asyncio
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import typer
from sqlalchemy import text
from typer.testing import CliRunner, Result

from confiance.cli import evals as evals_cli
from confiance.domain.evaluation import RunStatus, RunSummary
from confiance.domain.trace import Trace
from confiance.providers.simulated import RunningSimulator, SimulatorConfig, simulator_in_thread
from confiance.store import Store

SUITE = """\
name: cli-suite
defaults:
  system: You are the support bot.
cases:
  - id: parcel
    input: Where is my parcel?
    tags: [shipping]
    assert: [{kind: contains, value: About}]
  - id: refund
    input: Can I get a refund?
    tags: [billing]
    assert: [{kind: contains, value: About}]
  - id: hours
    input: When are you open?
    tags: [shipping]
    assert: [{kind: contains, value: About}]
"""


@pytest.fixture(scope="module")
def sim() -> Iterator[RunningSimulator]:
    with simulator_in_thread(SimulatorConfig()) as running:
        yield running


class Cli:
    def __init__(self, tmp_path: Path, sim: RunningSimulator) -> None:
        self.app = typer.Typer()
        evals_cli.register(self.app)

        @self.app.callback()
        def _root() -> None:
            """The group under test."""

        self.db = f"sqlite+aiosqlite:///{tmp_path / 'cf.db'}"
        self.env = {"CONFIANCE_DATABASE_URL": self.db, "CONFIANCE_CONFIG": str(tmp_path / "no")}
        self.sim = sim
        self.suite = tmp_path / "suite.yaml"
        self.suite.write_text(SUITE, encoding="utf-8")
        self.tmp = tmp_path

    def __call__(self, *args: str, env: dict[str, str] | None = None) -> Result:
        return CliRunner().invoke(self.app, list(args), env={**self.env, **(env or {})})

    def run(self, model: str, *args: str) -> Result:
        base = self.sim.openai_base_url
        return self("eval", "run", str(self.suite), "--base-url", base, "-t", model, *args)

    def run_json(self, model: str, *args: str) -> dict[str, Any]:
        result = self.run(model, "--json", *args)
        assert result.exit_code in (0, 1), result.output
        data: dict[str, Any] = json.loads(result.stdout)
        return data

    def store(self, work: Any) -> Any:
        async def main() -> Any:
            async with await Store.open(self.db) as store:
                return await work(store)

        return asyncio.run(main())


@pytest.fixture
def cli(tmp_path: Path, sim: RunningSimulator) -> Cli:
    return Cli(tmp_path, sim)


def test_run_stores_reports_and_lists(cli: Cli) -> None:
    junit, html = cli.tmp / "r.xml", cli.tmp / "r.html"
    result = cli.run("bot", "--json", "--repeats", "2", "--junit", str(junit), "--html", str(html))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    run_id = data["run"]["id"]
    assert data["run"]["summary"]["trials"] == 6
    assert {t["name"] for t in data["tags"]} == {"shipping", "billing"}
    assert data["gate"]["passed"] is True
    assert "6 calls" in result.stderr
    assert ET.parse(junit).getroot().tag == "testsuites"
    assert html.read_text().startswith("<!DOCTYPE html>")

    listed = cli("eval", "list", "--json")
    assert [r["id"] for r in json.loads(listed.stdout)["runs"]] == [run_id]
    table = cli("eval", "list")
    assert run_id[:8] in table.stdout
    shown = cli("eval", "show", run_id, "--json")
    assert shown.exit_code == 0
    assert json.loads(shown.stdout)["run"]["id"] == run_id
    text_report = cli("eval", "show", run_id)
    assert "Gate" in text_report.stdout


def test_a_regression_fails_the_run_and_compare(cli: Cli) -> None:
    # The gate's paired test needs at least five cases moving to reach p < 0.05 (2^-5).
    extra = "".join(
        f"  - id: extra{i}\n    input: Question {i}?\n"
        "    assert: [{kind: contains, value: About}]\n"
        for i in range(3)
    )
    cli.suite.write_text(SUITE + extra, encoding="utf-8")
    good = cli.run_json("bot")["run"]["id"]
    result = cli.run("bot", "--baseline", "last", "--param", 'stop=["About"]')
    assert result.exit_code == 1, result.output
    assert "regressed" in result.stdout
    bad = cli("eval", "list", "--json")
    newest = json.loads(bad.stdout)["runs"][0]["id"]
    compared = cli("eval", "compare", good, newest, "--json")
    assert compared.exit_code == 1
    data = json.loads(compared.stdout)
    assert {c["id"] for c in data["cases"]} == {
        "parcel",
        "refund",
        "hours",
        "extra0",
        "extra1",
        "extra2",
    }
    assert cli("eval", "compare", good, good).exit_code == 0
    again = cli.run("bot", "--baseline", "last")
    assert again.exit_code == 0  # against the last *passing* run, not the failed one


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["eval", "run", "--target", "x"], "give a suite file or --pack"),
        (["eval", "run", "SUITE", "--pack", "security", "-t", "x"], "one of them"),
        (["eval", "run", "SUITE"], "name at least one --target"),
        (["eval", "run", "SUITE", "-t", "x", "--param", "bad", "--base-url", "B"], "key=value"),
        (["eval", "run", "SUITE", "-t", "route"], "CONFIANCE_API_KEY is not set"),
        (
            ["eval", "run", "SUITE", "-t", "x", "--baseline", "ev_nope", "--base-url", "B"],
            "ev_nope",
        ),
        (["eval", "run", "--pack", "nope", "-t", "x", "--base-url", "B"], "no probe pack 'nope'"),
        (["eval", "run", "--resume", "ev_nope"], "ev_nope"),
        (["eval", "show", "ev_nope"], "does not exist"),
        (["eval", "import", "--route", "r", "-o", "OUT"], "--from-traces"),
    ],
)
def test_usage_errors_exit_2(cli: Cli, args: list[str], message: str) -> None:
    replaced = [
        str(cli.suite)
        if a == "SUITE"
        else cli.sim.openai_base_url
        if a == "B"
        else str(cli.tmp / "out.yaml")
        if a == "OUT"
        else a
        for a in args
    ]
    result = cli(*replaced, env={"CONFIANCE_API_KEY": ""})
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_a_broken_suite_names_file_and_line(cli: Cli) -> None:
    cli.suite.write_text("name: s\ncases:\n  - input: hi\n    assert: [{kind: nope}]\n")
    result = cli.run("bot")
    assert result.exit_code == 2
    assert f"{cli.suite}:4:" in result.output
    assert "unknown assertion kind 'nope'" in result.output


def test_interrupted_runs_resume_only_what_is_missing(cli: Cli) -> None:
    run_id = cli.run_json("bot", "--repeats", "2")["run"]["id"]

    async def interrupt(store: Store) -> None:
        async with store.database.engine.begin() as conn:
            await conn.execute(
                text("DELETE FROM eval_case_results WHERE run_id = :r AND case_id = 'refund'"),
                {"r": run_id},
            )
        await store.evals.finish(
            run_id,
            status=RunStatus.INTERRUPTED,
            finished_at=datetime.now(UTC),
            summary=RunSummary(trials=4),
        )

    cli.store(interrupt)
    before = cli.sim.stats["bot"]
    result = cli("eval", "run", "--resume", run_id, "--json")
    assert result.exit_code == 0, result.output
    assert cli.sim.stats["bot"] - before == 2  # the two missing repeats of `refund`
    assert json.loads(result.stdout)["run"]["summary"]["trials"] == 6
    again = cli("eval", "run", "--resume", run_id)
    assert again.exit_code == 2
    assert "already finished" in again.output


def test_cost_estimate_and_max_cost(cli: Cli) -> None:
    config = cli.tmp / "prices.yaml"
    config.write_text(
        'providers: {sim: {kind: simulated, base_url: "http://127.0.0.1:9/v1"}}\n'
        "routes: {r: {target: sim/bot}}\n"
        "prices: {sim/bot: {input: 1000, output: 1000}}\n"
    )
    refused = cli.run("bot", "--config", str(config), "--max-cost", "0.01")
    assert refused.exit_code == 2
    assert "exceeds --max-cost" in refused.output
    data = cli.run_json("bot", "--config", str(config))
    assert data["run"]["summary"]["cost_usd"] > 0


def test_import_from_traces(cli: Cli) -> None:
    at = datetime(2026, 3, 1, tzinfo=UTC)
    traces = [
        Trace(
            id=f"t{i}",
            started_at=at,
            endpoint="chat",
            route="support",
            request_body={"model": "support", "messages": [{"role": "user", "content": f"q{i}"}]},
            response_body={"choices": [{"message": {"role": "assistant", "content": f"a{i}"}}]},
        )
        for i in range(3)
    ] + [Trace(id="t9", started_at=at, endpoint="chat", route="support")]
    cli.store(lambda store: store.traces.add_many(traces))
    output = cli.tmp / "replay.yaml"
    result = cli("eval", "import", "--from-traces", "--route", "support", "-o", str(output))
    assert result.exit_code == 0, result.output
    assert "wrote 3 cases" in result.stdout
    assert "1 skipped" in result.stdout
    replayed = cli("eval", "run", str(output), "--base-url", cli.sim.openai_base_url, "-t", "echo")
    assert replayed.exit_code == 0
    refused = cli("eval", "import", "--from-traces", "--route", "support", "-o", str(output))
    assert refused.exit_code == 2
    assert "nothing overwritten" in refused.output
    empty = cli("eval", "import", "--from-traces", "--route", "other", "-o", str(cli.tmp / "x"))
    assert empty.exit_code == 2


def test_packs_and_help(cli: Cli) -> None:
    packs = json.loads(cli("eval", "packs", "--json").stdout)["packs"]
    assert "security" in {p["name"] for p in packs}
    for command in ("run", "compare", "show", "list", "import", "packs"):
        help_text = cli("eval", command, "--help").stdout
        assert "Example" in help_text, command


@pytest.mark.parametrize(
    "args",
    [
        ["eval", "list"],
        ["eval", "show", "ev_x"],
        ["eval", "compare", "ev_a", "ev_b"],
        ["eval", "import", "--from-traces", "--route", "bot", "-o", "out.yaml"],
    ],
)
def test_reading_commands_in_the_wrong_folder_create_no_store(cli: Cli, args: list[str]) -> None:
    result = cli(*args)
    assert result.exit_code == 2, result.output
    assert "no Confiance store here" in result.output
    assert not (cli.tmp / "cf.db").exists(), "a command that only reads created a store"
