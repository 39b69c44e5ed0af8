"""The evals service: plan a run, execute it against a target, store it, gate it, compare runs.

    service = EvalService(store.evals, session)
    plan = await service.plan(FileSource(path), target, RunOptions(concurrency=8))
    report = await service.execute(plan, on_result=progress.advance)

:meth:`EvalService.plan` loads the suite (with a fresh canary, or the stored one when resuming),
works out which (case, repeat) pairs still need a call, estimates the cost and resolves the
baseline, all before anything is sent. :meth:`EvalService.execute` runs, writes results in
batches, and finishes the run as ``finished`` (with its gate decision) or, when interrupted,
``interrupted`` with every finished result kept for ``--resume``. A set-up mistake (target
unreachable, key refused, unknown target) stops the run with ``TargetUnusable`` (exit 2): it is
never stored as finished, and a fresh run with no result is not stored at all.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import aiohttp

from confiance.domain.evaluation import CaseResult, EvalRun, RunStatus, TargetKind
from confiance.domain.types import JSONObject
from confiance.errors import ConfianceError, Conflict, UsageError
from confiance.evals.assertions.judge import JUDGE_PROMPT_HASH, JUDGE_PROMPT_VERSION
from confiance.evals.attacks import with_attack_checks
from confiance.evals.client import ChatEndpoint, RetryPolicy
from confiance.evals.compare import RunComparison, compare_runs
from confiance.evals.controls import ControlReport, run_controls
from confiance.evals.failures import setup_failure, unusable_target
from confiance.evals.gate import evaluate_gate
from confiance.evals.loader import LoadedSuite
from confiance.evals.pricing import CostEstimate, PriceTable, estimate_cost
from confiance.evals.queries import compare_stored, stored_gate, stored_report
from confiance.evals.records import LAST_PASSING, RunReport
from confiance.evals.runner import RunContext, WorkItem, run_cases, summarize, work_items
from confiance.evals.sources import SuiteSource, source_from_spec
from confiance.evals.suite import AttackPolicy, GateSpec
from confiance.evals.targets import EndpointEmbedder, EndpointJudge, RecordingTarget, TargetSpec
from confiance.evals.writer import BatchWriter
from confiance.store.evals import EvalRunRepository

__all__ = ["LAST_PASSING", "EvalService", "RunOptions", "RunPlan", "RunReport", "new_run_id"]


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_run_id() -> str:
    """``ev_`` + 12 hex digits of milliseconds + 8 random hex digits: sortable by start."""
    return f"ev_{int(time.time() * 1000):012x}{secrets.token_hex(4)}"


@dataclass(frozen=True, slots=True)
class RunOptions:
    """How to run: concurrency, repeats (overriding the suite's), seed, body parameters that
    override every case's, the canary (generated when ``None``), judge and embedding models
    on the target's endpoint, retries, the baseline (a run id or :data:`LAST_PASSING`) and a
    gate overriding the suite's."""

    concurrency: int = 8
    repeats: int | None = None
    seed: int | None = None
    params: JSONObject = field(default_factory=dict)
    canary: str | None = None
    judge: str | None = None
    embedding: str | None = None
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    baseline: str | None = None
    gate: GateSpec | None = None
    attack_limits: dict[str, float] = field(default_factory=dict)
    """Allowed attack success by category (``*``: every category), over the suite's own."""
    controls: bool | None = None
    """Check the detectors against the echo and refusal controls (``None``: on probe runs)."""


@dataclass(frozen=True, slots=True)
class RunPlan:
    """Everything decided before the first call."""

    run_id: str
    suite: LoadedSuite
    source: str
    source_spec: JSONObject
    target: TargetSpec
    options: RunOptions
    canary: str
    items: tuple[WorkItem, ...]
    estimate: CostEstimate
    baseline: EvalRun | None
    resumed: EvalRun | None = None
    controls: ControlReport | None = None

    @property
    def gate(self) -> GateSpec:
        """The options' gate (else the suite's), keeping the suite's attack limits (a probe
        pack's) unless the options set their own, with ``attack_limits`` on top."""
        gate = self.options.gate or self.suite.gate
        attacks = gate.attacks or self.suite.gate.attacks
        if self.options.attack_limits:
            attacks = (attacks or AttackPolicy()).with_limits(self.options.attack_limits)
        return gate if attacks is gate.attacks else gate.model_copy(update={"attacks": attacks})


class EvalService:
    """Eval runs over the store's ``evals`` repository, calling targets with ``session``."""

    def __init__(
        self,
        runs: EvalRunRepository,
        session: aiohttp.ClientSession,
        *,
        prices: PriceTable | None = None,
        clock: Callable[[], datetime] = utc_now,
        new_id: Callable[[], str] = new_run_id,
    ) -> None:
        self.runs = runs
        self._session = session
        self._prices = prices or PriceTable()
        self._clock = clock
        self._new_id = new_id

    def now(self) -> datetime:
        """The service clock (for records that go with a run, such as audit events)."""
        return self._clock()

    async def plan(
        self,
        source: SuiteSource,
        target: TargetSpec,
        options: RunOptions,
        *,
        estimate_model: str | None = None,
    ) -> RunPlan:
        """Load the suite and decide the work. Raises ``ConfigError`` for a bad suite,
        ``NotFound`` for an unknown baseline run, ``UsageError`` for bad options."""
        if not 1 <= options.concurrency <= 1024:
            raise UsageError(f"concurrency must be 1 to 1024, got {options.concurrency}")
        canary = options.canary or f"CANARY-{secrets.token_hex(8)}"
        suite = source.load({"canary": canary})
        if not suite.cases:
            raise UsageError(f"{source.description}: no case to run (every row was skipped?)")
        items = work_items(suite.cases, repeats=options.repeats)
        baseline = await self._baseline(options.baseline, target, suite.name)
        wanted = options.controls if options.controls is not None else bool(suite.gate.attacks)
        controls = await run_controls(suite.cases, canary) if wanted else None
        return RunPlan(
            run_id=self._new_id(),
            suite=suite,
            source=source.description,
            source_spec=source.spec(),
            target=target,
            options=options,
            canary=canary,
            items=tuple(items),
            estimate=self._estimate(items, estimate_model or target.name),
            baseline=baseline,
            controls=controls,
        )

    async def plan_resume(
        self,
        run_id: str,
        source: SuiteSource | None,
        api_key: str | None,
        options: RunOptions,
        *,
        base_url: str | None = None,
    ) -> RunPlan:
        """Plan the missing (case, repeat) pairs of a stored run, with its target, canary,
        repeats and seed (``base_url`` replaces the stored endpoint, e.g. a moved gateway).
        Raises ``NotFound``, or ``Conflict`` when the run already finished or the suite changed
        since (its version hash differs)."""
        run = await self.runs.get(run_id)
        if run.status is RunStatus.FINISHED:
            raise Conflict(f"eval run {run_id} already finished; start a new run instead")
        source = source or source_from_spec(run.params.get("source_spec"))
        canary = str(run.params.get("canary") or "")
        suite = source.load({"canary": canary})
        if suite.version_hash != run.suite_hash:
            raise Conflict(
                f"the suite changed since run {run_id} started (version {run.suite_hash[:12]}, "
                f"now {suite.version_hash[:12]}); start a new run"
            )
        repeats = run.params.get("repeats")
        resumed = RunOptions(
            concurrency=options.concurrency,
            repeats=repeats if isinstance(repeats, int) else None,
            seed=run.seed,
            params=dict(run.params.get("params") or {}),
            canary=canary,
            judge=_str_or_none(run.params.get("judge_model")),
            embedding=_str_or_none(run.params.get("embedding_model")),
            retry=options.retry,
            baseline=_str_or_none(run.params.get("baseline")),
            gate=options.gate or stored_gate(run),
            attack_limits=options.attack_limits,
        )
        endpoint = base_url or run.base_url
        if run.target_kind is not TargetKind.URL and not api_key:
            raise UsageError(f"run {run_id} went through the gateway: resuming needs an API key")
        if not endpoint:
            raise UsageError(f"eval run {run_id} has no stored endpoint; pass the gateway URL")
        target = TargetSpec(run.target, run.target_kind, endpoint, api_key)
        items = work_items(suite.cases, await self.runs.done(run_id), resumed.repeats)
        return RunPlan(
            run_id=run.id,
            suite=suite,
            source=str(run.params.get("source") or source.description),
            source_spec=source.spec(),
            target=target,
            options=resumed,
            canary=canary,
            items=tuple(items),
            estimate=self._estimate(items, run.resolved_model or run.target),
            baseline=await self._baseline(resumed.baseline, target, suite.name, exclude=run.id),
            resumed=run,
        )

    async def execute(
        self, plan: RunPlan, *, on_result: Callable[[CaseResult], None] | None = None
    ) -> RunReport:
        """Run the plan, store everything and gate the run. On cancellation the run is
        stored as ``interrupted`` (resumable) and the cancellation propagates."""
        started = time.perf_counter()
        if plan.resumed is None:
            await self.runs.create(self._new_run(plan))
        else:
            await self.runs.reopen(plan.run_id)
        endpoint = ChatEndpoint(
            self._session, plan.target.base_url, plan.target.api_key, plan.options.retry
        )
        target = RecordingTarget(endpoint)
        context = self._context(plan, endpoint)
        previous = plan.resumed.summary.duration_s if plan.resumed and plan.resumed.summary else 0.0
        try:
            async with BatchWriter(self.runs.add_results) as writer:
                fresh = await run_cases(
                    plan.items,
                    target,
                    context,
                    concurrency=plan.options.concurrency,
                    sink=writer,
                    on_result=on_result,
                )
        except ConfianceError as error:
            if setup_failure(error) is None:
                await self._interrupt(plan, target, previous + time.perf_counter() - started)
                raise
            kept = await self._abandon(plan, target, previous + time.perf_counter() - started)
            raise unusable_target(
                error,
                target=plan.target.name,
                kind=plan.target.kind,
                base_url=plan.target.base_url,
                kept=kept,
            ) from error
        except BaseException:
            await self._interrupt(plan, target, previous + time.perf_counter() - started)
            raise
        if plan.resumed is None:
            # Everything of a fresh run is in memory (and now stored): no need to read it back.
            results = sorted(fresh, key=lambda r: r.key)
        else:
            results = await self.runs.results(plan.run_id)
        return await self._finish(plan, target, results, previous + time.perf_counter() - started)

    async def _interrupt(self, plan: RunPlan, target: RecordingTarget, duration: float) -> None:
        """Store the run as ``interrupted`` with what finished (resumable)."""
        results = await self.runs.results(plan.run_id)
        await self.runs.finish(
            plan.run_id,
            status=RunStatus.INTERRUPTED,
            finished_at=self._clock(),
            summary=summarize(results, duration),
            resolved_model=target.resolved_model,
            route_revision=target.revision,
        )

    async def _abandon(self, plan: RunPlan, target: RecordingTarget, duration: float) -> str:
        """A run stopped by a set-up mistake: a fresh run with no result is deleted (it says
        nothing); otherwise it is kept as ``interrupted`` for ``--resume``. Says which."""
        if plan.resumed is None and not await self.runs.done(plan.run_id):
            await self.runs.delete(plan.run_id)
            return "nothing was stored"
        await self._interrupt(plan, target, duration)
        return (
            f"run {plan.run_id} is kept as interrupted: fix it and "
            f"`confiance eval run --resume {plan.run_id}`"
        )

    async def _finish(
        self,
        plan: RunPlan,
        target: RecordingTarget,
        results: list[CaseResult],
        duration: float,
    ) -> RunReport:
        summary = summarize(results, duration)
        comparison = None
        if plan.baseline is not None:
            candidate = await self.runs.get(plan.run_id)
            comparison = compare_runs(
                plan.baseline,
                await self.runs.results(plan.baseline.id),
                candidate,
                results,
                confidence=plan.gate.confidence,
            )
        decision = with_attack_checks(
            evaluate_gate(plan.gate, summary, comparison), plan.gate, results
        )
        run = await self.runs.finish(
            plan.run_id,
            status=RunStatus.FINISHED,
            finished_at=self._clock(),
            summary=summary,
            passed_gate=decision.passed,
            resolved_model=target.resolved_model,
            route_revision=target.revision,
        )
        if comparison is not None:
            comparison = RunComparison(
                comparison.baseline,
                run,
                comparison.cases,
                comparison.overall,
                comparison.tags,
                comparison.categories,
            )
        return RunReport(run, plan.suite.name, tuple(results), decision, comparison, plan.estimate)

    async def compare(
        self, baseline_id: str, candidate_id: str, *, confidence: float = 0.95
    ) -> RunComparison:
        """Compare two stored runs (see :func:`~confiance.evals.queries.compare_stored`)."""
        return await compare_stored(self.runs, baseline_id, candidate_id, confidence=confidence)

    async def stored_report(
        self, run_id: str, *, baseline: str | None = None, gate: GateSpec | None = None
    ) -> RunReport:
        """A stored run's report (see :func:`~confiance.evals.queries.stored_report`)."""
        return await stored_report(self.runs, run_id, baseline=baseline, gate=gate)

    async def _baseline(
        self, baseline: str | None, target: TargetSpec, suite: str, exclude: str | None = None
    ) -> EvalRun | None:
        if baseline is None:
            return None
        if baseline == LAST_PASSING:
            return await self.runs.last_passing(target.name, suite=suite, exclude=exclude)
        return await self.runs.get(baseline)

    def _estimate(self, items: list[WorkItem], model: str | None) -> CostEstimate:
        counts: dict[str, int] = {}
        cases = {}
        for item in items:
            counts[item.case.id] = counts.get(item.case.id, 0) + 1
            cases[item.case.id] = item.case
        return estimate_cost(((cases[k], n) for k, n in counts.items()), model, self._prices)

    def _context(self, plan: RunPlan, endpoint: ChatEndpoint) -> RunContext:
        options = plan.options
        return RunContext(
            run_id=plan.run_id,
            model=plan.target.name,
            clock=self._clock,
            seed=options.seed,
            params=options.params,
            canary=plan.canary,
            judge=EndpointJudge(endpoint, options.judge) if options.judge else None,
            embedder=EndpointEmbedder(endpoint, options.embedding) if options.embedding else None,
            prices=self._prices,
        )

    def _new_run(self, plan: RunPlan) -> EvalRun:
        options = plan.options
        params: JSONObject = {
            "source": plan.source,
            "source_spec": plan.source_spec,
            "repeats": options.repeats,
            "concurrency": options.concurrency,
            "params": options.params,
            "canary": plan.canary,
            "baseline": options.baseline,
            "judge_model": options.judge,
            "embedding_model": options.embedding,
            "cases": len(plan.suite.cases),
            "trials": len(plan.items),
            "gate": plan.gate.model_dump(mode="json"),
        }
        if plan.controls is not None:
            params["controls"] = plan.controls.to_json()
        if options.judge:
            params["judge_prompt"] = {"version": JUDGE_PROMPT_VERSION, "hash": JUDGE_PROMPT_HASH}
        return EvalRun(
            id=plan.run_id,
            suite=plan.suite.name,
            suite_hash=plan.suite.version_hash,
            target=plan.target.name,
            target_kind=plan.target.kind,
            started_at=self._clock(),
            base_url=plan.target.base_url,
            seed=options.seed,
            params=params,
        )


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
