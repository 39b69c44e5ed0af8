"""The eval run repository on both backends: runs, batched results, resume, baselines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from confiance.domain.evaluation import (
    AssertionOutcome,
    CaseResult,
    EvalRun,
    RunStatus,
    RunSummary,
    TargetKind,
    ToolCallRecord,
    Verdict,
)
from confiance.errors import Conflict, NotFound
from confiance.store import Store

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _run(run_id: str, seconds: int = 0, target: str = "support-bot") -> EvalRun:
    return EvalRun(
        id=run_id,
        suite="basics",
        suite_hash="ab" * 32,
        target=target,
        target_kind=TargetKind.ROUTE,
        started_at=T0 + timedelta(seconds=seconds),
        base_url="http://127.0.0.1:8080/v1",
        route_revision=3,
        seed=42,
        params={"repeats": 2, "canary": "CANARY-x"},
    )


def _result(run_id: str, case: str, repeat: int, verdict: Verdict = Verdict.PASS) -> CaseResult:
    return CaseResult(
        run_id=run_id,
        case_id=case,
        repeat=repeat,
        verdict=verdict,
        finished_at=T0 + timedelta(seconds=repeat + 1),
        tags=("a", "b"),
        category="prompt-injection",
        output="héllo — 世界",
        tool_calls=(ToolCallRecord("lookup", '{"q": 1}', "call_1"),),
        latency_ms=12.5,
        prompt_tokens=10,
        completion_tokens=5,
        cost_usd=0.0001,
        model="gpt-x",
        trace_id="t1",
        error=None,
        assertions=(AssertionOutcome("contains", verdict is Verdict.PASS, 0.5, "why", "n"),),
    )


async def test_run_and_results_round_trip(store: Store) -> None:
    run = _run("r1")
    await store.evals.create(run)
    assert await store.evals.get("r1") == run
    batch = [_result("r1", "c1", 0), _result("r1", "c1", 1, Verdict.FAIL), _result("r1", "c0", 0)]
    await store.evals.add_results(batch)
    stored = await store.evals.results("r1")
    assert [r.key for r in stored] == [("c0", 0), ("c1", 0), ("c1", 1)]
    assert stored[2] == batch[1]
    assert await store.evals.done("r1") == {("c0", 0), ("c1", 0), ("c1", 1)}


async def test_duplicates_and_unknown_runs_are_refused(store: Store) -> None:
    await store.evals.create(_run("r1"))
    with pytest.raises(Conflict):
        await store.evals.create(_run("r1"))
    await store.evals.add_results([_result("r1", "c1", 0)])
    with pytest.raises(Conflict):
        await store.evals.add_results([_result("r1", "c2", 0), _result("r1", "c1", 0)])
    # All or nothing: c2 of the refused batch is not stored.
    assert await store.evals.done("r1") == {("c1", 0)}
    with pytest.raises(NotFound, match="eval list"):
        await store.evals.add_results([_result("nope", "c1", 0)])
    with pytest.raises(NotFound):
        await store.evals.get("nope")


async def test_finish_reopen_and_last_passing(store: Store) -> None:
    for index, run_id in enumerate(["old", "mid", "new"]):
        await store.evals.create(_run(run_id, index))
    summary = RunSummary(cases=2, trials=4, passed=3, failed=1, cost_usd=0.5, duration_s=1.5)
    later = T0 + timedelta(minutes=5)
    await store.evals.finish(
        "old", status=RunStatus.FINISHED, finished_at=later, summary=summary, passed_gate=True
    )
    finished = await store.evals.finish(
        "mid",
        status=RunStatus.FINISHED,
        finished_at=later,
        summary=summary,
        passed_gate=False,
        resolved_model="sim/good",
    )
    assert finished.summary == summary
    assert finished.resolved_model == "sim/good"
    assert finished.route_revision == 3
    await store.evals.finish(
        "new", status=RunStatus.INTERRUPTED, finished_at=later, summary=summary, passed_gate=True
    )
    baseline = await store.evals.last_passing("support-bot")
    assert baseline is not None
    assert baseline.id == "old"
    assert await store.evals.last_passing("support-bot", exclude="old") is None
    assert await store.evals.last_passing("other-route") is None
    reopened = await store.evals.reopen("new")
    assert reopened.status is RunStatus.RUNNING
    assert reopened.finished_at is None


async def test_list_pages_newest_first_and_filters(store: Store) -> None:
    for index in range(5):
        target = "a" if index % 2 == 0 else "b"
        await store.evals.create(_run(f"r{index}", index, target))
    first = await store.evals.list(limit=2)
    assert [r.id for r in first] == ["r4", "r3"]
    second = await store.evals.list(limit=2, before="r3")
    assert [r.id for r in second] == ["r2", "r1"]
    assert [r.id for r in await store.evals.list(target="a")] == ["r4", "r2", "r0"]
    assert await store.evals.list(suite="other") == []
    with pytest.raises(NotFound):
        await store.evals.list(before="missing")


async def test_delete_removes_results(store: Store) -> None:
    await store.evals.create(_run("r1"))
    await store.evals.add_results([_result("r1", "c1", 0)])
    await store.evals.delete("r1")
    with pytest.raises(NotFound):
        await store.evals.results("r1")
    await store.evals.create(_run("r1"))
    assert await store.evals.done("r1") == set()
