"""Runs against the simulated vendor over real HTTP: retries, errors, concurrency, seeds,
judge, cost, interruption and resume."""

from __future__ import annotations

import asyncio
import textwrap
import time
from pathlib import Path

import pytest

from confiance.domain.evaluation import RunStatus, Verdict
from confiance.errors import Conflict, NotFound
from confiance.evals.assertions.judge import JUDGE_PROMPT_HASH, JUDGE_PROMPT_VERSION
from confiance.evals.client import RetryPolicy
from confiance.evals.pricing import Price, PriceTable
from confiance.evals.service import EvalService, RunOptions
from confiance.evals.sources import FileSource
from confiance.evals.targets import TargetSpec
from confiance.providers.simulated import RunningSimulator
from confiance.store import Store

FAST = RetryPolicy(max_attempts=3, backoff_initial=0.01, backoff_max=0.05, timeout_s=5)


def suite_file(tmp_path: Path, cases: int = 3, extra: str = "", name: str = "basic") -> FileSource:
    lines = [f"name: {name}", "cases:"]
    for index in range(cases):
        lines += [f"  - id: q{index:03d}", f"    input: question number {index}"]
        lines += ["    assert:", "      - {kind: contains, value: 'About'}"]
        lines += [f"      {line}" for line in extra.splitlines()]
    path = tmp_path / f"{name}.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return FileSource(path)


def target(sim: RunningSimulator, model: str) -> TargetSpec:
    return TargetSpec.at_url(model, sim.openai_base_url, "sim-key")


async def test_a_run_is_stored_with_every_result(
    service: EvalService, sim: RunningSimulator, tmp_path: Path
) -> None:
    plan = await service.plan(suite_file(tmp_path), target(sim, "bot"), RunOptions(repeats=2))
    report = await service.execute(plan)
    assert report.run.status is RunStatus.FINISHED
    assert report.run.summary is not None
    assert report.run.summary.trials == 6
    assert report.run.summary.passed == 6
    assert report.run.resolved_model == "bot"
    assert report.run.passed_gate is True
    stored = await service.runs.results(report.run.id)
    assert {(r.case_id, r.repeat) for r in stored} == {
        (f"q{i:03d}", r) for i in range(3) for r in (0, 1)
    }
    assert all(r.output and r.output.startswith('About "question number') for r in stored)
    assert all(r.completion_tokens > 0 for r in stored)
    assert report.run.params["canary"].startswith("CANARY-")


async def test_seeds_make_answers_reproducible(
    service: EvalService, sim: RunningSimulator, tmp_path: Path
) -> None:
    source = suite_file(tmp_path, cases=2)

    async def outputs(seed: int) -> dict[tuple[str, int], str | None]:
        plan = await service.plan(source, target(sim, "bot"), RunOptions(seed=seed, repeats=2))
        report = await service.execute(plan)
        return {r.key: r.output for r in report.results}

    first, again, other = await outputs(11), await outputs(11), await outputs(12)
    assert first == again
    assert first != other
    assert first[("q000", 0)] != first[("q000", 1)]  # repeat r sends seed + r


async def test_rate_limits_are_waited_out_and_retried(
    service: EvalService, sim: RunningSimulator, tmp_path: Path
) -> None:
    model = "bot+fail-first-2-429+retry-after-0.2s"
    options = RunOptions(retry=FAST, concurrency=1)
    plan = await service.plan(suite_file(tmp_path, cases=1), target(sim, model), options)
    started = time.perf_counter()
    report = await service.execute(plan)
    assert report.results[0].verdict is Verdict.PASS
    assert sim.stats[model] == 3
    assert time.perf_counter() - started >= 0.4  # two Retry-After waits, not the 10 ms backoff


async def test_target_failures_are_errors_not_assertion_failures(
    service: EvalService, sim: RunningSimulator, tmp_path: Path
) -> None:
    source = suite_file(tmp_path, cases=2)
    options = RunOptions(retry=FAST)
    report = await service.execute(await service.plan(source, target(sim, "bot+fail-500"), options))
    assert {r.verdict for r in report.results} == {Verdict.ERROR}
    assert all(r.error and r.error.startswith("upstream_error: HTTP 500") for r in report.results)
    assert all(not r.assertions for r in report.results)
    assert sim.stats["bot+fail-500"] == 6  # three attempts per case
    assert not report.gate.passed
    assert report.gate.failures[0].name == "errors"

    bad_request = "bot+fail-400"
    report = await service.execute(await service.plan(source, target(sim, bad_request), options))
    assert all("HTTP 400" in (r.error or "") for r in report.results)
    assert sim.stats[bad_request] == 2  # a 400 is not retried


async def test_a_hanging_target_times_out(
    service: EvalService, sim: RunningSimulator, tmp_path: Path
) -> None:
    options = RunOptions(retry=RetryPolicy(max_attempts=1, timeout_s=0.3))
    plan = await service.plan(suite_file(tmp_path, cases=1), target(sim, "bot+hang"), options)
    report = await service.execute(plan)
    assert report.results[0].error is not None
    assert report.results[0].error.startswith("upstream_timeout")


async def test_concurrency_bounds_calls_in_flight(
    service: EvalService, sim: RunningSimulator, tmp_path: Path
) -> None:
    source = suite_file(tmp_path, cases=20)
    plan = await service.plan(source, target(sim, "bot+latency-50ms"), RunOptions(concurrency=5))
    started = time.perf_counter()
    await service.execute(plan)
    took = time.perf_counter() - started
    assert 0.2 <= took < 0.6  # 20 calls of 50 ms, five at a time


async def test_an_interrupted_run_resumes_with_nothing_lost(
    service: EvalService, sim: RunningSimulator, tmp_path: Path
) -> None:
    source = suite_file(tmp_path, cases=30)
    plan = await service.plan(
        source, target(sim, "bot+latency-5ms"), RunOptions(concurrency=2, seed=3)
    )
    seen = 0
    task: asyncio.Task[object]

    def count(_: object) -> None:
        nonlocal seen
        seen += 1
        if seen == 10:
            task.cancel()

    task = asyncio.ensure_future(service.execute(plan, on_result=count))
    with pytest.raises(asyncio.CancelledError):
        await task
    interrupted = await service.runs.get(plan.run_id)
    assert interrupted.status is RunStatus.INTERRUPTED
    done = await service.runs.done(plan.run_id)
    assert len(done) >= 10

    (tmp_path / "changed").mkdir()
    changed = suite_file(tmp_path / "changed", cases=31)
    with pytest.raises(Conflict, match="suite changed"):
        await service.plan_resume(plan.run_id, changed, None, RunOptions())
    resumed = await service.plan_resume(plan.run_id, None, "sim-key", RunOptions(concurrency=4))
    assert len(resumed.items) == 30 - len(done)
    assert resumed.options.seed == 3
    assert resumed.canary == plan.canary
    report = await service.execute(resumed)
    assert report.run.status is RunStatus.FINISHED
    assert sorted(r.case_id for r in report.results) == [f"q{i:03d}" for i in range(30)]
    with pytest.raises(Conflict, match="already finished"):
        await service.plan_resume(plan.run_id, None, None, RunOptions())


async def test_the_judge_grades_retries_garbage_and_records_its_prompt(
    service: EvalService, sim: RunningSimulator, tmp_path: Path
) -> None:
    judge = "{kind: judge, rubric: 'Answers the question politely', threshold: 0.5}"
    source = suite_file(tmp_path, cases=2, extra=f"- {judge}")
    yes = await service.execute(
        await service.plan(source, target(sim, "bot"), RunOptions(judge="judge-yes"))
    )
    assert {r.verdict for r in yes.results} == {Verdict.PASS}
    graded = yes.results[0].assertions[-1]
    assert graded.score == pytest.approx(0.9)
    assert "meets the rubric" in graded.reason
    assert yes.run.params["judge_prompt"] == {
        "version": JUDGE_PROMPT_VERSION,
        "hash": JUDGE_PROMPT_HASH,
    }
    no = await service.execute(
        await service.plan(source, target(sim, "bot"), RunOptions(judge="judge-no"))
    )
    assert {r.verdict for r in no.results} == {Verdict.FAIL}
    garbage = await service.execute(
        await service.plan(source, target(sim, "bot"), RunOptions(judge="judge-garbage"))
    )
    assert {r.verdict for r in garbage.results} == {Verdict.ERROR}
    error = garbage.results[0].assertions[-1].error or ""
    assert error.startswith("judge error after 3 attempts: unparseable judge output")
    assert sim.stats["judge-garbage"] == 6


async def test_cost_is_estimated_before_and_counted_after(
    sqlite_store: Store, session: object, sim: RunningSimulator, tmp_path: Path
) -> None:
    import aiohttp

    assert isinstance(session, aiohttp.ClientSession)
    prices = PriceTable({"sim/bot": Price(input=1.0, output=2.0)})
    service = EvalService(sqlite_store.evals, session, prices=prices)
    plan = await service.plan(
        suite_file(tmp_path, cases=2), target(sim, "bot"), RunOptions(), estimate_model="sim/bot"
    )
    assert plan.estimate.calls == 2
    assert plan.estimate.cost_usd is not None
    assert plan.estimate.cost_usd > 0
    report = await service.execute(plan)
    expected = sum(r.prompt_tokens * 1.0 + r.completion_tokens * 2.0 for r in report.results)
    assert report.run.summary is not None
    assert report.run.summary.cost_usd == pytest.approx(expected / 1_000_000)


async def test_embedding_similarity_through_the_endpoint(
    service: EvalService, sim: RunningSimulator, tmp_path: Path
) -> None:
    extra = "- {kind: similarity, metric: embedding, reference: 'hello', threshold: 0.0}"
    source = suite_file(tmp_path, cases=1, extra=extra)
    plan = await service.plan(
        source, target(sim, "bot"), RunOptions(embedding="text-embedding-3-small")
    )
    report = await service.execute(plan)
    similarity = report.results[0].assertions[-1]
    assert similarity.error is None, similarity.reason
    assert similarity.score is not None
    assert -1.0 <= similarity.score <= 1.0


async def test_unknown_baseline_fails_before_any_call(
    service: EvalService, sim: RunningSimulator, tmp_path: Path
) -> None:
    with pytest.raises(NotFound):
        await service.plan(suite_file(tmp_path), target(sim, "bot"), RunOptions(baseline="ev_x"))
    assert sim.stats["bot"] == 0


def test_suite_helper_writes_valid_yaml(tmp_path: Path) -> None:
    source = suite_file(tmp_path, cases=1)
    text = source.path.read_text()
    assert text == textwrap.dedent(
        """\
        name: basic
        cases:
          - id: q000
            input: question number 0
            assert:
              - {kind: contains, value: 'About'}
        """
    )
