"""``/evals``: stored evaluation runs, their reports and comparisons (read only).

Runs are started with ``confiance eval run`` (or by a route's automatic regression runs); this
API lists them, shows one with every case result, renders its report (the same JSON as
``confiance eval show --json``) and compares two runs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from confiance.api.deps import State
from confiance.api.errors import error_responses
from confiance.domain.evaluation import CaseResult, EvalRun, RunStatus, TargetKind, Verdict
from confiance.errors import NotFound, UsageError
from confiance.evals.queries import compare_stored, stored_report
from confiance.evals.reports import build_view, comparison_json, report_json
from confiance.evals.suite import GateSpec

__all__ = ["router"]

router = APIRouter(prefix="/evals", tags=["evals"], responses=error_responses(401, 403))

MAX_PAGE = 500
RunId = Annotated[str, Path(description="An eval run id (`ev_...`).")]
Baseline = Annotated[
    str | None,
    Query(description="Compare with this run id, or `last` (the last passing run on the target)."),
]


class EvalRunOut(BaseModel):
    """A run: what ran against what, its state and summary. ``params`` holds the run's settings
    (repeats, concurrency, canary, judge prompt version...)."""

    id: str
    suite: str
    suite_hash: str = Field(description="SHA-256 of the suite content that ran.")
    target: str = Field(examples=["support-bot"])
    target_kind: TargetKind
    base_url: str | None
    route_revision: int | None
    resolved_model: str | None
    seed: int | None
    status: RunStatus
    started_at: datetime
    finished_at: datetime | None
    passed_gate: bool | None
    summary: dict[str, Any] | None
    params: dict[str, Any]

    @classmethod
    def of(cls, run: EvalRun) -> EvalRunOut:
        return cls(
            id=run.id,
            suite=run.suite,
            suite_hash=run.suite_hash,
            target=run.target,
            target_kind=run.target_kind,
            base_url=run.base_url,
            route_revision=run.route_revision,
            resolved_model=run.resolved_model,
            seed=run.seed,
            status=run.status,
            started_at=run.started_at,
            finished_at=run.finished_at,
            passed_gate=run.passed_gate,
            summary=run.summary.to_json() if run.summary else None,
            params=run.params,
        )


class CaseResultOut(BaseModel):
    """One repeat of one case: the answer, usage, and every assertion outcome."""

    case_id: str
    repeat: int
    verdict: Verdict
    finished_at: datetime
    tags: list[str]
    category: str | None
    output: str | None
    tool_calls: list[dict[str, Any]]
    latency_ms: float | None
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float | None
    model: str | None
    trace_id: str | None
    error: str | None = Field(description="A target failure (not an assertion failure).")
    assertions: list[dict[str, Any]]

    @classmethod
    def of(cls, result: CaseResult) -> CaseResultOut:
        return cls(
            case_id=result.case_id,
            repeat=result.repeat,
            verdict=result.verdict,
            finished_at=result.finished_at,
            tags=list(result.tags),
            category=result.category,
            output=result.output,
            tool_calls=[call.to_json() for call in result.tool_calls],
            latency_ms=result.latency_ms,
            prompt_tokens=result.prompt_tokens,
            completion_tokens=result.completion_tokens,
            cost_usd=result.cost_usd,
            model=result.model,
            trace_id=result.trace_id,
            error=result.error,
            assertions=[outcome.to_json() for outcome in result.assertions],
        )


class EvalRunPage(BaseModel):
    runs: list[EvalRunOut] = Field(description="Newest first.")
    next: str | None = Field(description="Pass as `before` for the next (older) page.")


class EvalRunDetail(BaseModel):
    run: EvalRunOut
    results: list[CaseResultOut] = Field(description="Ordered by case id, then repeat.")


@router.get("/runs", summary="List eval runs", responses=error_responses(400, 422))
async def list_runs(
    state: State,
    suite: Annotated[str | None, Query(description="Only runs of this suite.")] = None,
    target: Annotated[str | None, Query(description="Only runs on this target.")] = None,
    status: Annotated[RunStatus | None, Query(description="Only runs in this state.")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    before: Annotated[str | None, Query(description="The `next` of the previous page.")] = None,
) -> EvalRunPage:
    """Stored runs newest first, filtered by suite, target and state, ``limit`` at a time."""
    try:
        runs = await state.services.store.evals.list(
            suite=suite, target=target, status=status, limit=limit + 1, before=before
        )
    except NotFound as error:
        raise UsageError(f"{error.message}; start again without `before`") from error
    page = runs[:limit]
    more = len(runs) > limit
    return EvalRunPage(runs=[EvalRunOut.of(r) for r in page], next=page[-1].id if more else None)


@router.get("/runs/{run_id}", summary="Show one run", responses=error_responses(404))
async def get_run(run_id: RunId, state: State) -> EvalRunDetail:
    """A run with the result of every case repeat."""
    store = state.services.store
    run = await store.evals.get(run_id)
    results = await store.evals.results(run_id)
    return EvalRunDetail(run=EvalRunOut.of(run), results=[CaseResultOut.of(r) for r in results])


@router.get("/runs/{run_id}/report", summary="A run's report", responses=error_responses(404, 422))
async def run_report(
    run_id: RunId,
    state: State,
    baseline: Baseline = None,
    tolerance: Annotated[float, Query(ge=0, le=1, description="Allowed pass-rate drop.")] = 0.05,
    confidence: Annotated[float, Query(gt=0.5, lt=1)] = 0.95,
) -> dict[str, Any]:
    """Rates per category and tag with confidence intervals, failing cases, the gate and,
    with ``baseline``, the comparison: the JSON of ``confiance eval show --json``."""
    gate = GateSpec(tolerance=tolerance, confidence=confidence)
    report = await stored_report(state.services.store.evals, run_id, baseline=baseline, gate=gate)
    return report_json(build_view(report))


@router.get("/compare", summary="Compare two runs", responses=error_responses(404, 422))
async def compare(
    state: State,
    baseline: Annotated[str, Query(description="The baseline run id.")],
    candidate: Annotated[str, Query(description="The run to judge.")],
    confidence: Annotated[float, Query(gt=0.5, lt=1)] = 0.95,
) -> dict[str, Any]:
    """Per-case changes (regressed, fixed, new, removed) and per-group pass-rate differences
    with confidence intervals."""
    comparison = await compare_stored(
        state.services.store.evals, baseline, candidate, confidence=confidence
    )
    return comparison_json(comparison)
