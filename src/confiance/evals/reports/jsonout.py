"""The JSON report: everything a script or CI step needs, stable keys, no secrets."""

from __future__ import annotations

from confiance.domain.evaluation import EvalRun
from confiance.domain.types import JSONObject
from confiance.evals.compare import CaseComparison, GroupComparison, RunComparison
from confiance.evals.controls import Control
from confiance.evals.reports.view import GroupRow, ReportView

__all__ = ["comparison_json", "report_json", "run_json"]


def run_json(run: EvalRun) -> JSONObject:
    """A stored run's identity, state and summary (the canary stays in ``params``)."""
    return {
        "id": run.id,
        "suite": run.suite,
        "suite_hash": run.suite_hash,
        "target": run.target,
        "target_kind": run.target_kind.value,
        "base_url": run.base_url,
        "route_revision": run.route_revision,
        "resolved_model": run.resolved_model,
        "seed": run.seed,
        "status": run.status.value,
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "passed_gate": run.passed_gate,
        "summary": run.summary.to_json() if run.summary else None,
        "params": run.params,
    }


def _group(row: GroupRow) -> JSONObject:
    return {
        "name": row.name,
        "cases": row.cases,
        "trials": row.trials,
        "passed": row.passed,
        "errored": row.errored,
        "pass_rate": row.pass_rate,
        "pass_rate_ci": [row.interval.low, row.interval.high],
        "attack_success_rate": row.attack_success_rate,
        "attack_success_rate_ci": [row.attack_interval.low, row.attack_interval.high],
    }


def report_json(view: ReportView) -> JSONObject:
    """The whole report of one run."""
    return {
        "run": run_json(view.run),
        "overall": _group(view.overall),
        "categories": [_group(row) for row in view.categories],
        "tags": [_group(row) for row in view.tags],
        "gate": {
            "passed": view.gate.passed,
            "checks": [
                {"name": c.name, "passed": c.passed, "detail": c.detail} for c in view.gate.checks
            ],
        },
        "cases": [
            {
                "id": case.case_id,
                "state": case.state.value,
                "category": case.category,
                "tags": list(case.tags),
                "passed": case.passed,
                "judged": case.judged,
                "errored": case.errored,
                "reasons": list(case.reasons),
            }
            for case in view.cases
        ],
        "comparison": comparison_json(view.comparison) if view.comparison else None,
        "attacks": _attacks(view),
        "controls": _controls(view),
    }


def _controls(view: ReportView) -> JSONObject | None:
    """Per category, probes whose detectors fired on the echo and refusal controls."""
    if view.controls is None:
        return None
    controls = view.controls
    return {
        "categories": [
            {
                "category": category,
                "checked": checked,
                **{f"{c.value}_fired": controls.fired(category, c) for c in Control},
            }
            for category, checked in sorted(controls.checked.items())
        ],
        "unreliable": [fire.to_json() for fire in controls.fires],
    }


def _attacks(view: ReportView) -> JSONObject | None:
    """Probe runs: attack success per category and every probe whose attack succeeded."""
    if not view.attacks:
        return None
    return {
        "categories": [
            {
                "category": group.category,
                "judged": group.judged,
                "succeeded": group.succeeded,
                "errored": group.errored,
                "attack_success_rate": group.rate,
            }
            for group in view.attacks
        ],
        "successful": [
            {
                "id": case.case_id,
                "category": case.category,
                "succeeded": case.judged - case.passed,
                "judged": case.judged,
                "reasons": list(case.reasons),
            }
            for case in view.successful_attacks
        ],
    }


def _group_change(group: GroupComparison) -> JSONObject:
    diff = group.difference
    return {
        "name": group.name,
        "baseline_pass_rate": group.baseline.pass_rate,
        "candidate_pass_rate": group.candidate.pass_rate,
        "difference": diff.difference,
        "difference_ci": [diff.interval.low, diff.interval.high],
        "p_value_drop": diff.p_value,
        "cases_paired": diff.test.cases,
        "cases_worse": diff.test.worse,
        "cases_better": diff.test.better,
        "test": diff.test.method.value,
    }


def _case_change(case: CaseComparison) -> JSONObject:
    return {
        "id": case.case_id,
        "change": case.change.value,
        "baseline": case.baseline.state.value if case.baseline else None,
        "candidate": case.candidate.state.value if case.candidate else None,
    }


def comparison_json(comparison: RunComparison) -> JSONObject:
    return {
        "baseline": comparison.baseline.id,
        "candidate": comparison.candidate.id,
        "suite_changed": comparison.suite_changed,
        "overall": _group_change(comparison.overall),
        "tags": [_group_change(g) for g in comparison.tags],
        "categories": [_group_change(g) for g in comparison.categories],
        "cases": [_case_change(c) for c in comparison.cases if c.change.value != "unchanged"],
    }
