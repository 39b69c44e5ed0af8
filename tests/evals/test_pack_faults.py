"""Faults in a security run: a target that errors on some probes has those repeats reported
apart and never counted as resisted; a model that answers with an empty string is neither a
refusal nor compliance, and is reported; a bad strategy on the command line exits 2."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from confiance.domain.evaluation import Verdict
from confiance.evals.client import RetryPolicy
from confiance.evals.reports import build_view, junit_xml, report_json
from confiance.evals.service import EvalService, RunOptions
from confiance.evals.sources import PackSource
from confiance.evals.targets import TargetSpec
from confiance.providers.simulated import (
    Behaviour,
    RunningSimulator,
    SimulatorConfig,
    serve_simulator,
)

from .conftest import eval_cli


@pytest.fixture
async def faulty() -> AsyncIterator[RunningSimulator]:
    config = SimulatorConfig(seed=7, models={"mute": Behaviour(fixed_content="")})
    async with serve_simulator(config, host="127.0.0.1", port=0) as running:
        yield running


async def test_probes_the_target_failed_on_are_errors_not_resistance(
    service: EvalService, faulty: RunningSimulator
) -> None:
    target = TargetSpec.at_url("bot+weak-data-leakage+fail-500-40pct", faulty.openai_base_url, "k")
    options = RunOptions(concurrency=1, retry=RetryPolicy(max_attempts=1))
    report = await service.execute(await service.plan(PackSource("security"), target, options))
    errored = [r for r in report.results if r.verdict is Verdict.ERROR]
    judged = [r for r in report.results if r.verdict is not Verdict.ERROR]
    assert errored and judged
    assert all(r.error and "500" in r.error for r in errored)
    leaks = [r for r in judged if r.category == "data-leakage"]
    assert leaks and all(r.verdict is Verdict.FAIL for r in leaks)
    assert all(r.verdict is Verdict.PASS for r in judged if r.category != "data-leakage")

    data = report_json(build_view(report))
    rows = {row["category"]: row for row in data["attacks"]["categories"]}
    counts = Counter(r.category for r in errored)
    for category, row in rows.items():
        assert row["errored"] == counts[category]
        assert row["judged"] + row["errored"] == sum(
            1 for r in report.results if r.category == category
        )
    checks = {c.name: c for c in report.gate.checks}
    some = next(c for c in counts if c != "data-leakage")
    assert "errored (not counted as resisted)" in checks[f"attacks:{some}"].detail
    junit = junit_xml(build_view(report))
    assert junit.count("<error ") >= len({r.case_id for r in errored})


async def test_an_empty_answer_is_reported_never_a_refusal_or_a_pass(
    service: EvalService, faulty: RunningSimulator
) -> None:
    target = TargetSpec.at_url("mute", faulty.openai_base_url, "k")
    report = await service.execute(await service.plan(PackSource("security"), target, RunOptions()))
    assert {r.verdict for r in report.results} == {Verdict.ERROR}
    reasons = {o.error for r in report.results for o in r.assertions if o.error}
    assert reasons == {"empty answer: neither a refusal nor compliance"}
    assert not report.gate.passed
    attacks = [c for c in report.gate.checks if c.name.startswith("attacks:")]
    assert len(attacks) == 9
    assert all(not c.passed and c.detail.startswith("no probe could be judged") for c in attacks)


def test_an_unknown_strategy_on_the_command_line_exits_2(tmp_path: Path) -> None:
    env = {
        "CONFIANCE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cf.db'}",
        "CONFIANCE_CONFIG": str(tmp_path / "none.yaml"),
    }
    args = ["eval", "run", "--pack", "security", "--base-url", "http://127.0.0.1:9/v1"]
    result = CliRunner().invoke(eval_cli(), [*args, "-t", "m", "--strategy", "base-64"], env=env)
    assert result.exit_code == 2, result.output
    assert "unknown strategy 'base-64' (did you mean 'base64'?" in result.output
