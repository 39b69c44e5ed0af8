"""Eval runs: the list (suite, target, status, pass rate with its interval, gate, duration) and
one run (groups with charts, every case with its repeats, outputs and assertion outcomes).

Numbers come from the evals service and its report view (:mod:`confiance.evals.reports.view`):
pass rates count repeats of one case as correlated trials, as every other report does.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from confiance.domain.evaluation import CaseResult, EvalRun, RunStatus
from confiance.errors import NotFound, UsageError
from confiance.evals.queries import stored_report
from confiance.evals.reports.view import CONFIDENCE, GroupRow, build_view
from confiance.stats import ClusterCount, Interval, clustered_proportion
from confiance.store.eval_stats import CaseCount
from confiance.web.access import state_of, viewer_for
from confiance.web.charts import RateChart, rate_chart
from confiance.web.viewers import Area

__all__ = ["CASES_PAGE", "RUNS_PAGE", "CaseBlock", "RunRow", "routes"]

RUNS_PAGE = 25
CASES_PAGE = 100
_MAX_FILTER_CHARS = 200


@dataclass(frozen=True, slots=True)
class RunRow:
    """A run in the list, with its pass rate and 95% interval (``None`` before any judged
    result)."""

    run: EvalRun
    judged: int
    pass_rate: float | None
    interval: Interval | None


def _run_row(run: EvalRun, counts: tuple[CaseCount, ...]) -> RunRow:
    clusters = [ClusterCount(c.passed, c.judged) for c in counts if c.judged]
    if not clusters:
        return RunRow(run, 0, None, None)
    proportion = clustered_proportion(clusters)
    interval = proportion.effective.interval(CONFIDENCE)
    return RunRow(run, proportion.trials, proportion.rate, interval)


def _text_filter(request: Request, name: str) -> str | None:
    value = request.query_params.get(name, "").strip() or None
    if value is not None and len(value) > _MAX_FILTER_CHARS:
        raise UsageError(f"the {name} filter is longer than {_MAX_FILTER_CHARS} characters")
    return value


async def list_runs(request: Request) -> Response:
    viewer = await viewer_for(request, Area.EVALS)
    state = state_of(request)
    suite, target = _text_filter(request, "suite"), _text_filter(request, "target")
    status_text = _text_filter(request, "status")
    if status_text is not None and status_text not in {s.value for s in RunStatus}:
        choices = ", ".join(s.value for s in RunStatus)
        raise UsageError(f"status {status_text!r} is not one of: {choices}")
    status = RunStatus(status_text) if status_text else None
    before = _text_filter(request, "before")
    try:
        runs = await state.services.store.evals.list(
            suite=suite, target=target, status=status, limit=RUNS_PAGE + 1, before=before
        )
    except NotFound as error:
        raise UsageError(
            "that page of runs no longer exists; start again from the newest"
        ) from error
    page = runs[:RUNS_PAGE]
    counts = await state.eval_stats.case_counts([run.id for run in page])
    context = {
        "rows": [_run_row(run, counts.get(run.id, ())) for run in page],
        "filters": {"suite": suite, "target": target, "status": status_text},
        "statuses": list(RunStatus),
        "next_cursor": page[-1].id if len(runs) > RUNS_PAGE else None,
        "before": before,
    }
    return state.renderer.page(request, "evals.html", context, viewer=viewer, area=Area.EVALS)


@dataclass(frozen=True, slots=True)
class CaseBlock:
    """A case of the run: its statistics row and every repeat's result."""

    case_id: str
    state: str
    passed: int
    judged: int
    errored: int
    tags: tuple[str, ...]
    category: str | None
    results: tuple[CaseResult, ...]


def _chart(rows: tuple[GroupRow, ...], subject: str) -> RateChart | None:
    if not rows:
        return None
    data = [(row.name, row.pass_rate, row.interval, row.trials) for row in rows]
    return rate_chart(data, subject=subject)


def _page_number(request: Request) -> int:
    text = request.query_params.get("page", "1").strip() or "1"
    if not text.isdigit() or not 1 <= int(text) <= 100_000:
        raise UsageError(f"page {text!r} is not a page number (1, 2, …)")
    return int(text)


async def show_run(request: Request) -> Response:
    viewer = await viewer_for(request, Area.EVALS)
    state = state_of(request)
    run_id = request.path_params["run_id"]
    show = request.query_params.get("cases", "all")
    if show not in ("all", "failing"):
        raise UsageError(f"cases={show!r} must be 'all' or 'failing'")
    page = _page_number(request)
    report = await stored_report(state.services.store.evals, run_id)
    view = build_view(report)
    by_case: dict[str, list[CaseResult]] = defaultdict(list)
    for result in report.results:
        by_case[result.case_id].append(result)
    chosen = view.failures if show == "failing" else view.cases
    start = (page - 1) * CASES_PAGE
    blocks = [
        CaseBlock(
            stats.case_id,
            stats.state.value,
            stats.passed,
            stats.judged,
            stats.errored,
            stats.tags,
            stats.category,
            tuple(by_case[stats.case_id]),
        )
        for stats in chosen[start : start + CASES_PAGE]
    ]
    last_passing = await state.services.store.evals.last_passing(
        view.run.target, suite=view.run.suite, exclude=view.run.id
    )
    context = {
        "view": view,
        "blocks": blocks,
        "show": show,
        "page": page,
        "pages": max((len(chosen) + CASES_PAGE - 1) // CASES_PAGE, 1),
        "shown_cases": len(chosen),
        "tag_chart": _chart(view.tags, "tag"),
        "category_chart": _chart(view.categories, "category"),
        "last_passing": last_passing,
    }
    return state.renderer.page(request, "eval_run.html", context, viewer=viewer, area=Area.EVALS)


routes = [
    Route("/evals", list_runs, methods=["GET"], name="evals"),
    Route("/evals/runs/{run_id}", show_run, methods=["GET"], name="eval_run"),
]
