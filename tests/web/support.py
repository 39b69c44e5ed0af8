"""Data the web tests store: a config, traces and eval runs."""

from __future__ import annotations

from datetime import datetime, timedelta

from confiance.app import Services
from confiance.config.load import parse_config
from confiance.domain.evaluation import (
    AssertionOutcome,
    CaseResult,
    EvalRun,
    RunStatus,
    TargetKind,
    Verdict,
)
from confiance.domain.trace import Attempt, Trace, TraceStatus
from confiance.evals.runner import summarize

CONFIG = """\
providers:
  sim:
    kind: simulated
    base_url: http://127.0.0.1:9000/v1
  other:
    kind: openai
    base_url: http://127.0.0.1:9001/v1
    api_key_env: CF_TEST_UNSET_KEY_VARIABLE
routes:
  support-bot:
    description: Answers support questions
    target: sim/fast
    fallbacks: [backup]
    retention: full
  backup:
    target: other/slow
    fallbacks: [sim/steady]
"""

HOSTILE = "<script>alert('pwned')</script>"


async def apply_config(services: Services) -> int:
    result = await services.revisions.apply(parse_config(CONFIG, "web test"), "tester", "first")
    return result.revision.number


def trace(
    number: int,
    at: datetime,
    *,
    route: str = "support-bot",
    status: TraceStatus = TraceStatus.OK,
    latency_ms: float = 50.0,
    content: str = "hello",
) -> Trace:
    """Trace ``number`` started at ``at``; odd numbers fell back after a 503."""
    attempts = [Attempt("sim", "fast", 0.0, 12.5, 200)]
    if number % 2:
        attempts.insert(0, Attempt("other", "slow", 0.0, 30.0, 503, "upstream_http", "HTTP 503"))
    failed = status is not TraceStatus.OK
    return Trace(
        id=f"tr_{number:06d}",
        started_at=at,
        endpoint="chat",
        route=route,
        key_id="key_app",
        revision=1,
        provider="sim",
        model_requested=route,
        model_answered="fast",
        status=status,
        http_status=502 if failed else 200,
        error_class="upstream_http" if failed else None,
        error="every target failed" if failed else None,
        prompt_tokens=10,
        completion_tokens=20,
        cost_usd=0.001,
        latency_ms=latency_ms,
        fallback_used=bool(number % 2),
        attempts=attempts,
        request_body={"messages": [{"role": "user", "content": content}]},
        response_body={"choices": [{"message": {"content": f"answer to {content}"}}]},
        metadata={"client": "web-test"},
    )


def case(
    run_id: str,
    case_id: str,
    verdicts: list[Verdict],
    at: datetime,
    *,
    tags: tuple[str, ...] = (),
    category: str | None = None,
    output: str = "an answer",
) -> list[CaseResult]:
    """One result per repeat of ``case_id`` with the given verdicts."""
    return [
        CaseResult(
            run_id=run_id,
            case_id=case_id,
            repeat=repeat,
            verdict=verdict,
            finished_at=at,
            tags=tags,
            category=category,
            output=None if verdict is Verdict.ERROR else output,
            latency_ms=20.0,
            prompt_tokens=5,
            completion_tokens=7,
            cost_usd=0.0002,
            model="sim/fast",
            trace_id=f"tr_eval_{case_id}_{repeat}",
            error="upstream timed out" if verdict is Verdict.ERROR else None,
            assertions=(
                AssertionOutcome(
                    kind="contains",
                    passed=verdict is Verdict.PASS,
                    score=1.0 if verdict is Verdict.PASS else 0.0,
                    reason="found 'refund'" if verdict is Verdict.PASS else "no 'refund' in it",
                ),
            )
            if verdict is not Verdict.ERROR
            else (),
        )
        for repeat, verdict in enumerate(verdicts)
    ]


async def store_run(
    services: Services,
    run_id: str,
    at: datetime,
    results: list[CaseResult],
    *,
    suite: str = "support",
    target: str = "support-bot",
    passed_gate: bool | None = True,
) -> EvalRun:
    """Store a finished run with ``results``."""
    run = EvalRun(
        id=run_id,
        suite=suite,
        suite_hash="a" * 64,
        target=target,
        target_kind=TargetKind.ROUTE,
        started_at=at,
        resolved_model="sim/fast",
        route_revision=1,
    )
    await services.store.evals.create(run)
    await services.store.evals.add_results(results)
    return await services.store.evals.finish(
        run_id,
        status=RunStatus.FINISHED,
        finished_at=at + timedelta(seconds=42),
        summary=summarize(results, 42.0),
        passed_gate=passed_gate,
    )
