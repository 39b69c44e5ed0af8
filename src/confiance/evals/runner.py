"""Running cases: bounded concurrency, one result per (case, repeat), written in batches.

``concurrency`` workers take (case, repeat) items from one queue, call the target, check every
assertion and hand the :class:`~confiance.domain.evaluation.CaseResult` to a sink and to the
progress callback. A target failure becomes a result with ``error`` set and verdict ``error``;
a broken assertion plugin becomes an assertion error: neither stops the run. A set-up mistake
(target unreachable, key refused, unknown target: :mod:`confiance.evals.failures`) is raised
instead and stops every worker, since no case could succeed. Cancelling the run
(Ctrl-C) keeps every finished result: the sink is flushed by its owner on the way out.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from confiance.domain.evaluation import (
    AssertionOutcome,
    CaseResult,
    RunSummary,
    Verdict,
)
from confiance.domain.types import JSONObject
from confiance.errors import ConfianceError
from confiance.evals.assertions.base import (
    Assertion,
    ChatClient,
    CheckContext,
    EmbeddingClient,
    Observation,
)
from confiance.evals.cases import EvalCase
from confiance.evals.client import Answer
from confiance.evals.failures import setup_failure
from confiance.evals.pricing import PriceTable

__all__ = [
    "ChatTarget",
    "ResultSink",
    "RunContext",
    "WorkItem",
    "decide",
    "run_cases",
    "summarize",
    "work_items",
]


class ChatTarget(Protocol):
    """What the runner calls: one chat body in, one answer out (or a ``ConfianceError``)."""

    async def chat(self, body: JSONObject) -> Answer: ...


class ResultSink(Protocol):
    """Receives each result as it is made (e.g. the batched store writer)."""

    def add(self, result: CaseResult) -> None: ...


@dataclass(frozen=True, slots=True)
class WorkItem:
    case: EvalCase
    repeat: int


@dataclass(frozen=True, slots=True)
class RunContext:
    """Run-wide inputs: the model name sent, the seed (repeat ``r`` sends ``seed + r``),
    parameter overrides, the canary, judge and embedder, prices and the clock."""

    run_id: str
    model: str
    clock: Callable[[], datetime]
    seed: int | None = None
    params: JSONObject = field(default_factory=dict)
    canary: str | None = None
    judge: ChatClient | None = None
    embedder: EmbeddingClient | None = None
    prices: PriceTable = field(default_factory=PriceTable)


def work_items(
    cases: Iterable[EvalCase], done: set[tuple[str, int]] | None = None, repeats: int | None = None
) -> list[WorkItem]:
    """Every (case, repeat) not in ``done``, repeats interleaved per case; ``repeats``
    overrides each case's own count."""
    done = done or set()
    return [
        WorkItem(case, repeat)
        for case in cases
        for repeat in range(repeats or case.repeats)
        if (case.id, repeat) not in done
    ]


async def run_cases(
    items: Sequence[WorkItem],
    target: ChatTarget,
    context: RunContext,
    *,
    concurrency: int,
    sink: ResultSink | None = None,
    on_result: Callable[[CaseResult], None] | None = None,
) -> list[CaseResult]:
    """Run ``items`` with at most ``concurrency`` calls in flight; results in finish order."""
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, got {concurrency}")
    queue = deque(items)
    results: list[CaseResult] = []

    async def worker() -> None:
        while queue:
            result = await _run_one(queue.popleft(), target, context)
            results.append(result)
            if sink is not None:
                sink.add(result)
            if on_result is not None:
                on_result(result)

    workers = [asyncio.ensure_future(worker()) for _ in range(min(concurrency, len(queue)))]
    try:
        await asyncio.gather(*workers)
    finally:
        for task in workers:
            task.cancel()
    return results


async def _run_one(item: WorkItem, target: ChatTarget, context: RunContext) -> CaseResult:
    case, repeat = item.case, item.repeat
    seed = None if context.seed is None else context.seed + repeat
    body = case.body(context.model, seed)
    body.update(context.params)
    started = time.perf_counter()
    try:
        answer = await target.chat(body)
    except ConfianceError as error:
        if setup_failure(error) is not None:
            raise
        return CaseResult(
            run_id=context.run_id,
            case_id=case.id,
            repeat=repeat,
            verdict=Verdict.ERROR,
            finished_at=context.clock(),
            tags=case.tags,
            category=case.category,
            latency_ms=(time.perf_counter() - started) * 1000,
            error=f"{error.code}: {error.message}",
        )
    cost = answer.cost_usd
    if cost is None:
        cost = context.prices.cost(answer.model or context.model, *_usage(answer))
    observation = Observation(
        text=answer.text,
        tool_calls=answer.tool_calls,
        latency_ms=answer.latency_ms,
        prompt_tokens=answer.prompt_tokens,
        completion_tokens=answer.completion_tokens,
        cost_usd=cost,
        model=answer.model,
    )
    check = CheckContext(
        case_id=case.id,
        messages=case.messages,
        tools=case.tools,
        variables=case.variables,
        canary=context.canary,
        judge=context.judge,
        embedder=context.embedder,
    )
    outcomes = tuple([await _checked(a, observation, check) for a in case.assertions])
    return CaseResult(
        run_id=context.run_id,
        case_id=case.id,
        repeat=repeat,
        verdict=decide(outcomes),
        finished_at=context.clock(),
        tags=case.tags,
        category=case.category,
        output=answer.text,
        tool_calls=answer.tool_calls,
        latency_ms=answer.latency_ms,
        prompt_tokens=answer.prompt_tokens,
        completion_tokens=answer.completion_tokens,
        cost_usd=cost,
        model=answer.model,
        trace_id=answer.trace_id,
        assertions=outcomes,
    )


def _usage(answer: Answer) -> tuple[int, int]:
    return answer.prompt_tokens, answer.completion_tokens


async def _checked(
    assertion: Assertion, observation: Observation, context: CheckContext
) -> AssertionOutcome:
    try:
        return await assertion.check(observation, context)
    except Exception as error:  # a plugin's bug must not stop the run
        message = f"assertion raised {type(error).__name__}: {error}"
        return AssertionOutcome(assertion.kind, False, None, message, None, message)


def decide(outcomes: Sequence[AssertionOutcome]) -> Verdict:
    """Fail when any check failed, error when none failed but one could not be made, pass
    otherwise (a case without assertions passes when the target answered)."""
    if any(not o.passed and o.error is None for o in outcomes):
        return Verdict.FAIL
    if any(o.error is not None for o in outcomes):
        return Verdict.ERROR
    return Verdict.PASS


def summarize(results: Iterable[CaseResult], duration_s: float) -> RunSummary:
    """Counts, tokens and cost over ``results`` (cost is ``None`` when no result had one)."""
    rows = list(results)
    costs = [r.cost_usd for r in rows if r.cost_usd is not None]
    return RunSummary(
        cases=len({r.case_id for r in rows}),
        trials=len(rows),
        passed=sum(r.verdict is Verdict.PASS for r in rows),
        failed=sum(r.verdict is Verdict.FAIL for r in rows),
        errored=sum(r.verdict is Verdict.ERROR for r in rows),
        prompt_tokens=sum(r.prompt_tokens for r in rows),
        completion_tokens=sum(r.completion_tokens for r in rows),
        cost_usd=sum(costs) if costs else None,
        duration_s=duration_s,
    )
