"""Comparing two eval runs: run A (the baseline) against run B (the candidate).

Shows what ``confiance eval compare A B`` shows: cases that regressed or were fixed, new and
removed cases, pass rates per tag and per category in both runs with the difference and its
interval, and the gate's regression verdict (a drop beyond the tolerance that is also
statistically credible). The comparison and the gate are the evals service's own
(:func:`~confiance.evals.compare.compare_runs`, :func:`~confiance.evals.gate.evaluate_gate`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from confiance.domain.evaluation import RunSummary
from confiance.errors import UsageError
from confiance.evals.compare import Change, GroupComparison, RunComparison
from confiance.evals.gate import GateCheck, evaluate_gate, family_level, is_regression
from confiance.evals.queries import compare_stored
from confiance.evals.reports.view import CONFIDENCE
from confiance.evals.suite import GateSpec
from confiance.web.access import state_of, viewer_for
from confiance.web.charts import RateChart, compare_chart
from confiance.web.viewers import Area

__all__ = ["GroupLine", "routes"]

_CHOICES = 200


@dataclass(frozen=True, slots=True)
class GroupLine:
    """A tag, a category or the whole run in both runs."""

    group: GroupComparison
    regressed: bool


def _policy(request: Request) -> GateSpec:
    values: dict[str, str] = {}
    for name in ("tolerance", "confidence"):
        text = request.query_params.get(name, "").strip()
        if text:
            values[name] = text
    try:
        return GateSpec.model_validate(values)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in issue['loc'])}: {issue['msg']}" for issue in error.errors()
        )
        raise UsageError(f"the gate settings are not valid ({problems})") from error


def _lines(groups: Sequence[GroupComparison], policy: GateSpec, alpha: float) -> list[GroupLine]:
    return [GroupLine(g, is_regression(g, policy.tolerance, alpha)) for g in groups]


def _chart(lines: Sequence[GroupLine], subject: str) -> RateChart | None:
    if not lines:
        return None
    rows = []
    for line in lines:
        a, b = line.group.baseline.proportion, line.group.candidate.proportion
        rows.append(
            (
                line.group.name,
                (a.rate, a.effective.interval(CONFIDENCE), a.trials),
                (b.rate, b.effective.interval(CONFIDENCE), b.trials),
                line.regressed,
            )
        )
    return compare_chart(rows, subject=subject)


def _regression_checks(comparison: RunComparison, policy: GateSpec) -> list[GateCheck]:
    """The gate's regression checks, as ``confiance eval compare`` decides its exit code."""
    summary = comparison.candidate.summary or RunSummary()
    decision = evaluate_gate(policy, summary, comparison)
    return [check for check in decision.checks if check.name.startswith("regression")]


async def compare(request: Request) -> Response:
    viewer = await viewer_for(request, Area.EVALS)
    state = state_of(request)
    run_a = request.query_params.get("a", "").strip()
    run_b = request.query_params.get("b", "").strip()
    policy = _policy(request)
    runs = await state.services.store.evals.list(limit=_CHOICES)
    context: dict[str, object] = {"a": run_a, "b": run_b, "policy": policy, "runs": runs}
    if not run_a or not run_b:
        context["comparison"] = None
        return state.renderer.page(
            request, "eval_compare.html", context, viewer=viewer, area=Area.EVALS
        )
    comparison = await compare_stored(
        state.services.store.evals, run_a, run_b, confidence=policy.confidence
    )
    alpha = 1 - policy.confidence
    categories = comparison.categories
    checks = _regression_checks(comparison, policy)
    # Tags are flagged by the rule the gate applies to categories (Tarone over the tags);
    # they inform the reader, while the verdict counts the overall rate and categories only.
    tags = _lines(comparison.tags, policy, family_level(comparison.tags, alpha))
    category_lines = _lines(categories, policy, family_level(categories, alpha))
    context |= {
        "comparison": comparison,
        "overall": GroupLine(comparison.overall, not checks[0].passed if checks else False),
        "tags": tags,
        "categories": category_lines,
        "tag_chart": _chart(tags, "tag"),
        "category_chart": _chart(category_lines, "category"),
        "checks": checks,
        "regressed": any(not check.passed for check in checks),
        "changes": {change: comparison.changed(change) for change in Change},
    }
    return state.renderer.page(
        request, "eval_compare.html", context, viewer=viewer, area=Area.EVALS
    )


routes = [Route("/evals/compare", compare, methods=["GET"], name="eval_compare")]
