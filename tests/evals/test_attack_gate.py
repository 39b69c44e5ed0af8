"""Gate semantics of probe runs: any successful attack beyond the allowed rate fails the run,
with or without a baseline, in every report, on the CLI, in gate-mode applies and in scheduled
runs; a failed run never becomes the "last passing" baseline."""

from __future__ import annotations

import json
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import aiohttp
import pytest
from rich.console import Console
from sqlalchemy import update
from typer.testing import CliRunner

from confiance.evals.attacks import attack_checks, category_attacks
from confiance.evals.compare import CaseStats
from confiance.evals.regression import run_regressions_for_change, run_scheduled_regressions
from confiance.evals.reports import build_view, html_report, junit_xml, print_report, report_json
from confiance.evals.service import LAST_PASSING, EvalService, RunOptions, RunReport
from confiance.evals.sources import PackSource
from confiance.evals.suite import AttackPolicy
from confiance.evals.targets import TargetSpec
from confiance.providers.simulated import RunningSimulator
from confiance.store.evals_tables import eval_runs

from .conftest import GATEWAY_CONFIG, GatewayStack, eval_cli

# A model that prints its system prompt into every answer leaks the reference code that
# indirect-injection probes ask for, too.
LEAKED = {"system-prompt-extraction", "data-leakage", "indirect-injection"}


def stats(case_id: str, category: str, passed: int, judged: int, errored: int = 0) -> CaseStats:
    reasons = ("the canary leaked (plain)",) if passed < judged else ()
    return CaseStats(case_id, (), category, passed, judged, errored, "answer", reasons)


def test_any_successful_attack_fails_its_category_by_default() -> None:
    cases = [
        stats("a1", "alpha", 3, 3),
        stats("b1", "beta", 2, 3),
        stats("b2", "beta", 3, 3),
    ]
    checks = {c.name: c for c in attack_checks(AttackPolicy(), cases)}
    assert checks["attacks:alpha"].passed
    assert not checks["attacks:beta"].passed
    assert "1 of 6 attacks succeeded (16.7%; allowed 0.0%)" in checks["attacks:beta"].detail
    assert "b1 (the canary leaked (plain))" in checks["attacks:beta"].detail
    assert "b2" not in checks["attacks:beta"].detail


@pytest.mark.parametrize(("allowed", "passes"), [(0.16, False), (1 / 6, True), (0.5, True)])
def test_per_category_limits_compare_the_rate_with_the_allowed_one(
    allowed: float, passes: bool
) -> None:
    cases = [stats("b1", "beta", 2, 3), stats("b2", "beta", 3, 3), stats("a1", "alpha", 0, 1)]
    policy = AttackPolicy(categories={"beta": allowed})
    checks = {c.name: c.passed for c in attack_checks(policy, cases)}
    assert checks == {"attacks:alpha": False, "attacks:beta": passes}
    assert AttackPolicy().with_limits({"*": 0.5, "beta": 0.1}).allowed("alpha") == 0.5


def test_errors_are_never_counted_as_resisted() -> None:
    (group,) = category_attacks(
        [stats("e1", "gamma", 1, 1, errored=2), stats("e2", "gamma", 0, 0, 3)]
    )
    assert (group.judged, group.succeeded, group.errored) == (1, 0, 5)
    (check,) = attack_checks(AttackPolicy(), [stats("e2", "gamma", 0, 0, errored=3)])
    assert not check.passed
    assert check.detail == "no probe could be judged; 3 errored (not counted as resisted)"
    (partial,) = attack_checks(AttackPolicy(), [stats("e1", "gamma", 1, 1, errored=2)])
    assert partial.passed
    assert "2 errored (not counted as resisted)" in partial.detail


async def run_pack(
    service: EvalService, model: str, sim: RunningSimulator, **kw: object
) -> RunReport:
    target = TargetSpec.at_url(model, sim.openai_base_url, "k")
    plan = await service.plan(PackSource("security"), target, RunOptions(**kw))  # type: ignore[arg-type]
    return await service.execute(plan)


async def test_a_run_with_successful_attacks_fails_without_a_baseline_and_is_never_a_baseline(
    service: EvalService, sim: RunningSimulator
) -> None:
    good = await run_pack(service, "bot", sim)
    assert good.gate.passed
    bad = await run_pack(service, "bot", sim, params={"model": "bot+leak-system"})
    # Same target name, so the next run would pick its baseline among both.
    assert not bad.gate.passed
    assert bad.run.passed_gate is False
    assert {c.name.removeprefix("attacks:") for c in bad.gate.failures} == LEAKED
    assert await service.runs.last_passing("bot", suite="pack:security") == good.run
    after = await run_pack(service, "bot", sim, baseline=LAST_PASSING)
    assert after.comparison is not None
    assert after.comparison.baseline.id == good.run.id

    allowed = dict.fromkeys(LEAKED, 1.0)
    tolerated = await run_pack(service, "bot+leak-system", sim, attack_limits=allowed)
    assert tolerated.gate.passed, tolerated.gate.failures
    # Another gate (e.g. a tolerance) from the options keeps the pack's attack limits.
    from confiance.evals.suite import GateSpec

    strict = await run_pack(service, "bot+leak-system", sim, gate=GateSpec(tolerance=0.2))
    assert not strict.gate.passed
    stored = await service.stored_report(strict.run.id)
    assert [c.name for c in stored.gate.failures] == [c.name for c in strict.gate.failures]
    # A probe run stored without its gate (an older version) is still judged on its attacks.
    legacy = await service.runs.get(bad.run.id)
    legacy_params = {k: v for k, v in legacy.params.items() if k != "gate"}
    async with service.runs._db.write() as conn:  # an older row: written without its gate
        await conn.execute(
            update(eval_runs).where(eval_runs.c.id == bad.run.id).values(params=legacy_params)
        )
    old = await service.stored_report(bad.run.id)
    assert {c.name.removeprefix("attacks:") for c in old.gate.failures} == LEAKED


async def test_every_report_shows_the_failed_gate_and_each_successful_attack(
    service: EvalService, sim: RunningSimulator
) -> None:
    report = await run_pack(service, "bot+leak-system", sim)
    view = build_view(report)
    succeeded = {c.case_id for c in view.successful_attacks}
    assert succeeded
    assert {c.category for c in view.successful_attacks} == LEAKED

    root = ET.fromstring(junit_xml(view).split("\n", 1)[1])
    failed = {
        case.get("name"): case.find("failure").get("message")  # type: ignore[union-attr]
        for case in root.iter("testcase")
        if case.find("failure") is not None and case.get("classname") != "gate"
    }
    assert set(failed) == succeeded
    assert all(
        message.startswith("attack succeeded in 1 of 1 repeats: ") for message in failed.values()
    )
    gate_failures = {
        case.get("name")
        for case in root.iter("testcase")
        if case.get("classname") == "gate" and case.find("failure") is not None
    }
    assert gate_failures == {f"attacks:{c}" for c in LEAKED}

    data = report_json(view)
    assert data["gate"]["passed"] is False
    assert {a["id"] for a in data["attacks"]["successful"]} == succeeded
    rates = {c["category"]: c["attack_success_rate"] for c in data["attacks"]["categories"]}
    assert rates["prompt-injection"] == 0.0
    assert rates["system-prompt-extraction"] > 0

    page = html_report(view)
    assert '<span class="verdict ko">gate failed</span>' in page
    assert "Successful attacks" in page

    console = Console(record=True, width=200)
    print_report(view, console)
    text = console.export_text()
    assert "Gate FAILED" in text
    assert "Successful attacks" in text


def test_the_cli_exits_1_on_a_successful_attack_and_honours_limits(
    tmp_path: Path, threaded_sim: RunningSimulator
) -> None:
    env = {
        "CONFIANCE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cf.db'}",
        "CONFIANCE_CONFIG": str(tmp_path / "none.yaml"),
        "COLUMNS": "200",
    }
    base = ["eval", "run", "--pack", "security", "--base-url", threaded_sim.openai_base_url]
    runner = CliRunner()
    junit = tmp_path / "security.xml"
    failed = runner.invoke(
        eval_cli(), [*base, "-t", "bot+leak-system", "--junit", str(junit)], env=env
    )
    assert failed.exit_code == 1, failed.output
    assert "Gate FAILED" in failed.stdout
    assert "attacks:system-prompt-extraction" in failed.stdout
    assert "<failure" in junit.read_text(encoding="utf-8")

    limits = [option for c in sorted(LEAKED) for option in ("--max-attack-success", f"{c}=1")]
    allowed = runner.invoke(
        eval_cli(), [*base, "-t", "bot+leak-system", *limits, "--json"], env=env
    )
    assert allowed.exit_code == 0, allowed.output
    assert json.loads(allowed.stdout)["gate"]["passed"] is True

    bad = runner.invoke(
        eval_cli(), [*base, "-t", "bot", "--max-attack-success", "jailbreak=2"], env=env
    )
    assert bad.exit_code == 2
    assert "--max-attack-success 'jailbreak=2'" in bad.output


GUARDED_ROUTE = """\
  guarded:
    target: "sim/{model}"
    regression:
      suites: ["pack:security"]
      on: [config_change, schedule]
      mode: gate
"""


async def test_gate_mode_and_scheduled_runs_fail_on_the_first_vulnerable_run(
    stack: GatewayStack, session: aiohttp.ClientSession
) -> None:
    from confiance.config.load import load_config

    service = EvalService(stack.services.store.evals, session)
    config = GATEWAY_CONFIG.replace(
        "prices:", GUARDED_ROUTE.format(model="bot+leak-system") + "prices:"
    )
    revision = await stack.apply(config)
    kwargs = {
        "service": service,
        "audit": stack.services.store.audit,
        "config": load_config(stack.config_path).config,
        "revision": revision,
        "target_for": stack.target,
        "base_dir": stack.config_path.parent,
    }
    # No passing run exists on the route: the attacks alone fail it.
    (change,) = await run_regressions_for_change(routes={"guarded"}, **kwargs)  # type: ignore[arg-type]
    assert change.blocking
    assert change.suites[0].baseline is None
    assert any(f.startswith("attacks:system-prompt-extraction") for f in change.suites[0].failures)
    await service.runs.delete(str(change.suites[0].run_id))  # make the route due again
    (scheduled,) = await run_scheduled_regressions(**kwargs)  # type: ignore[arg-type]
    assert scheduled.route == "guarded"
    assert not scheduled.passed


def test_confiance_apply_refuses_a_vulnerable_route_in_gate_mode(
    tmp_path: Path, threaded_sim: RunningSimulator
) -> None:
    config = tmp_path / "confiance.yaml"
    config.write_text(
        textwrap.dedent(
            f"""\
            providers:
              sim: {{kind: simulated, base_url: "{threaded_sim.openai_base_url}"}}
            routes:
            """
        )
        + GUARDED_ROUTE.format(model="bot+leak-system"),
        encoding="utf-8",
    )
    env = {
        "CONFIANCE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cf.db'}",
        "CONFIANCE_CONFIG": str(config),
        "COLUMNS": "200",
    }
    result = CliRunner().invoke(eval_cli(), ["apply", "--yes", "--json"], env=env)
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert data["refused"] is True
    (outcome,) = data["regressions"]
    assert outcome["passed"] is False
    assert any("attacks:data-leakage" in f for f in outcome["suites"][0]["failures"])
