"""Reading stored runs: reports and comparisons that need no call to any target.

The management API, the web pages and ``confiance eval show|compare`` use these; they read the
store only.
"""

from __future__ import annotations

from pydantic import ValidationError

from confiance.domain.evaluation import EvalRun
from confiance.evals.attacks import with_attack_checks
from confiance.evals.compare import RunComparison, compare_runs
from confiance.evals.gate import evaluate_gate
from confiance.evals.records import LAST_PASSING, RunReport
from confiance.evals.runner import summarize
from confiance.evals.suite import AttackPolicy, GateSpec
from confiance.store.evals import EvalRunRepository

__all__ = ["compare_stored", "find_baseline", "stored_gate", "stored_report"]


def stored_gate(run: EvalRun) -> GateSpec | None:
    """The gate policy ``run`` was judged by (recorded with the run), if it recorded one."""
    recorded = run.params.get("gate")
    if not isinstance(recorded, dict):
        return None
    try:
        return GateSpec.model_validate(recorded)
    except ValidationError:
        return None  # recorded by another version: judge by the defaults instead


async def find_baseline(
    runs: EvalRunRepository, baseline: str | None, target: str, suite: str, exclude: str
) -> EvalRun | None:
    """``None``, the run ``baseline`` names, or with :data:`LAST_PASSING` the newest run on
    ``target`` of ``suite`` that passed its gate (other than ``exclude``)."""
    if baseline is None:
        return None
    if baseline == LAST_PASSING:
        return await runs.last_passing(target, suite=suite, exclude=exclude)
    return await runs.get(baseline)


async def compare_stored(
    runs: EvalRunRepository, baseline_id: str, candidate_id: str, *, confidence: float = 0.95
) -> RunComparison:
    """Compare two stored runs. Raises ``NotFound``."""
    baseline, candidate = await runs.get(baseline_id), await runs.get(candidate_id)
    return compare_runs(
        baseline,
        await runs.results(baseline_id),
        candidate,
        await runs.results(candidate_id),
        confidence=confidence,
    )


async def stored_report(
    runs: EvalRunRepository,
    run_id: str,
    *,
    baseline: str | None = None,
    gate: GateSpec | None = None,
) -> RunReport:
    """The report of a stored run, gated by ``gate`` (default policy when ``None``) against
    ``baseline`` (a run id or ``last``). Raises ``NotFound``."""
    run = await runs.get(run_id)
    results = await runs.results(run_id)
    recorded = stored_gate(run)
    policy = gate or recorded or GateSpec()
    if policy.attacks is None and recorded is not None and recorded.attacks is not None:
        policy = policy.model_copy(update={"attacks": recorded.attacks})
    elif policy.attacks is None and recorded is None and run.suite.startswith("pack:"):
        # A probe run stored before runs recorded their gate: judge its attacks by default.
        policy = policy.model_copy(update={"attacks": AttackPolicy()})
    base = await find_baseline(runs, baseline, run.target, run.suite, run.id)
    comparison = None
    if base is not None:
        base_results = await runs.results(base.id)
        comparison = compare_runs(base, base_results, run, results, confidence=policy.confidence)
    summary = run.summary or summarize(results, 0.0)
    decision = with_attack_checks(evaluate_gate(policy, summary, comparison), policy, results)
    return RunReport(run, run.suite, tuple(results), decision, comparison)
