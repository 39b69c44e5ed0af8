"""Comparisons and the gate: per-case changes, group rates, and a gate that fails on real
regressions and passes on noise (checked by simulation and against the simulated vendor)."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

from confiance.domain.evaluation import (
    CaseResult,
    EvalRun,
    RunSummary,
    TargetKind,
    Verdict,
)
from confiance.evals.compare import CaseState, Change, compare_runs
from confiance.evals.gate import evaluate_gate
from confiance.evals.runner import summarize
from confiance.evals.service import LAST_PASSING, EvalService, RunOptions
from confiance.evals.suite import GateSpec
from confiance.evals.targets import TargetSpec
from confiance.providers.simulated import RunningSimulator

from .test_runner import suite_file

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def run(run_id: str) -> EvalRun:
    return EvalRun(run_id, "s", "h" * 64, "route", TargetKind.ROUTE, T0)


def results(
    run_id: str, outcomes: dict[str, list[Verdict]], category: str = ""
) -> list[CaseResult]:
    return [
        CaseResult(
            run_id=run_id,
            case_id=case,
            repeat=repeat,
            verdict=verdict,
            finished_at=T0,
            tags=("t", f"tag-{case[0]}"),
            category=category or None,
        )
        for case, verdicts in outcomes.items()
        for repeat, verdict in enumerate(verdicts)
    ]


P, F, E = Verdict.PASS, Verdict.FAIL, Verdict.ERROR


def test_case_changes_follow_pass_flaky_fail_order() -> None:
    before = results("a", {"a1": [P, P], "a2": [F, F], "b1": [P, F], "b2": [P, P], "gone": [P]})
    after = results("b", {"a1": [P, F], "a2": [P, P], "b1": [F, F], "b2": [E, E], "new": [P]})
    comparison = compare_runs(run("a"), before, run("b"), after)
    changes = {c.case_id: c.change for c in comparison.cases}
    assert changes == {
        "a1": Change.REGRESSED,
        "a2": Change.FIXED,
        "b1": Change.REGRESSED,
        "b2": Change.UNCHANGED,  # only errors now: nothing to say about behaviour
        "gone": Change.REMOVED,
        "new": Change.NEW,
    }
    states = {c.case_id: c.candidate.state for c in comparison.cases if c.candidate}
    assert states["a1"] is CaseState.FLAKY
    assert states["b2"] is CaseState.ERROR
    assert {g.name for g in comparison.tags} == {"t", "tag-a", "tag-b"}
    # Shared cases a1, a2, b1, b2: before 5 of 8 repeats passed; after 3 of the 6 judged
    # (b2 only errored).
    assert comparison.overall.baseline.pass_rate == 5 / 8
    assert comparison.overall.candidate.pass_rate == 3 / 6


def _simulated_pair(rng: random.Random, drop: float) -> tuple[list[CaseResult], list[CaseResult]]:
    rates = {f"c{i}": rng.uniform(0.6, 1.0) for i in range(40)}

    def draw(run_id: str, shift: float) -> list[CaseResult]:
        outcomes = {
            case: [P if rng.random() < max(0.0, rate - shift) else F for _ in range(3)]
            for case, rate in rates.items()
        }
        return results(run_id, outcomes)

    return draw("a", 0.0), draw("b", drop)


def _gate_fails(before: list[CaseResult], after: list[CaseResult]) -> bool:
    comparison = compare_runs(run("a"), before, run("b"), after)
    return not evaluate_gate(GateSpec(), summarize(after, 0), comparison).passed


def test_the_gate_rarely_fails_on_noise_and_catches_real_drops() -> None:
    rng = random.Random(2026)
    false_alarms = sum(_gate_fails(*_simulated_pair(rng, 0.0)) for _ in range(300))
    detected = sum(_gate_fails(*_simulated_pair(rng, 0.3)) for _ in range(100))
    assert false_alarms / 300 <= 0.06
    assert detected / 100 >= 0.95


def test_one_noisy_case_does_not_fail_the_gate() -> None:
    stable = {f"c{i}": [P, P, P] for i in range(39)}
    before = results("a", {**stable, "noisy": [P, P, P]})
    after = results("b", {**stable, "noisy": [F, F, F]})
    assert not _gate_fails(before, after)
    broken = results("b", {**{k: [F, F, F] for k in list(stable)[:8]}, "noisy": [P, P, P]})
    assert _gate_fails(before, broken + results("b", dict(list(stable.items())[8:])))


def test_category_regressions_are_gated_separately() -> None:
    big = {f"x{i}": [P] for i in range(200)}
    before = results("a", big, "harmless") + results("a", {f"s{i}": [P] for i in range(8)}, "leak")
    after = results("b", big, "harmless") + results("b", {f"s{i}": [F] for i in range(8)}, "leak")
    comparison = compare_runs(run("a"), before, run("b"), after)
    decision = evaluate_gate(GateSpec(tolerance=0.05), summarize(after, 0), comparison)
    assert [c.name for c in decision.failures] == ["regression:leak"]


def test_absolute_floors_and_errors() -> None:
    summary = RunSummary(cases=10, trials=10, passed=6, failed=4)
    decision = evaluate_gate(GateSpec(min_pass_rate=0.8), summary)
    assert [c.name for c in decision.failures] == ["pass-rate"]
    errored = RunSummary(cases=10, trials=10, passed=1, errored=9)
    assert [c.name for c in evaluate_gate(GateSpec(), errored).failures] == ["errors"]


async def test_flaky_noise_passes_and_a_real_regression_fails_against_the_simulator(
    service: EvalService, sim: RunningSimulator, tmp_path: Path
) -> None:
    source = suite_file(tmp_path, cases=40)
    options = RunOptions(repeats=3, concurrency=1, baseline=LAST_PASSING)

    async def gate(model: str) -> bool:
        target = TargetSpec.at_url(model, sim.openai_base_url, "k")
        plan = await service.plan(source, target, options)
        report = await service.execute(plan)
        return report.gate.passed

    assert await gate("bot+flaky-15pct")  # first run: no baseline yet
    assert await gate("bot+flaky-15pct")
    # Both runs hit the same model name; a real change of behaviour on that name:
    regressed = TargetSpec.at_url("bot+flaky-15pct", sim.openai_base_url, "k")
    plan = await service.plan(
        source, regressed, RunOptions(repeats=3, baseline=LAST_PASSING, params={"stop": ["About"]})
    )
    report = await service.execute(plan)
    assert report.comparison is not None
    assert not report.gate.passed
    assert report.comparison.overall.candidate.pass_rate < 0.2
