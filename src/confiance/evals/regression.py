"""Automatic regression runs: the suites a route declares, run when its config changes or on a
schedule, gated against the last passing run on the route, and written to the audit log.

    outcomes = await run_regressions_for_change(
        service=evals, audit=store.audit, config=new_config, routes={"support-bot"},
        revision=12, target_for=lambda route: TargetSpec.through_gateway(route, url, key),
        base_dir=config_dir,
    )
    if any(o.blocking for o in outcomes): ...   # mode: gate -> refuse or roll back the change

The caller decides *where* a route is reached (``target_for``): the live gateway after the change
is applied (``mode: report``), or a gateway serving the candidate revision before it goes live
(``mode: gate``). Every outcome is one ``eval.regression`` audit event with the route as subject.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Protocol

import aiohttp

from confiance.config.schema import ConfianceConfig, RegressionConfig
from confiance.domain.audit import AuditEvent
from confiance.domain.types import JSONObject
from confiance.errors import ConfianceError, ProviderTimeout
from confiance.evals.service import LAST_PASSING, EvalService, RunOptions, utc_now
from confiance.evals.sources import FileSource, PackSource, SuiteSource
from confiance.evals.targets import TargetSpec
from confiance.store import AuditDraft, Store

__all__ = [
    "AUDIT_ACTION",
    "RegressionOutcome",
    "SuiteOutcome",
    "Trigger",
    "due_for_schedule",
    "regressions_after_apply",
    "run_regressions_for_change",
    "run_scheduled_regressions",
    "suite_source",
    "wait_for_revision",
]

AUDIT_ACTION = "eval.regression"


class Trigger(StrEnum):
    CONFIG_CHANGE = "config_change"
    SCHEDULE = "schedule"


class AuditAppender(Protocol):
    async def append(self, draft: AuditDraft, at: datetime) -> AuditEvent: ...


@dataclass(frozen=True, slots=True)
class SuiteOutcome:
    """One suite on one route: the run (``None`` when it could not start), whether it passed
    its gate, and why not."""

    suite: str
    run_id: str | None
    passed: bool
    pass_rate: float | None = None
    baseline: str | None = None
    failures: tuple[str, ...] = ()

    def to_json(self) -> JSONObject:
        return {
            "suite": self.suite,
            "run": self.run_id,
            "passed": self.passed,
            "pass_rate": self.pass_rate,
            "baseline": self.baseline,
            "failures": list(self.failures),
        }


@dataclass(frozen=True, slots=True)
class RegressionOutcome:
    route: str
    revision: int | None
    trigger: Trigger
    mode: str
    suites: tuple[SuiteOutcome, ...]

    @property
    def passed(self) -> bool:
        return all(suite.passed for suite in self.suites)

    @property
    def blocking(self) -> bool:
        """A failure in ``gate`` mode: the change must not go (or stay) live."""
        return self.mode == "gate" and not self.passed

    def to_json(self) -> JSONObject:
        return {
            "route": self.route,
            "revision": self.revision,
            "trigger": self.trigger.value,
            "mode": self.mode,
            "passed": self.passed,
            "suites": [suite.to_json() for suite in self.suites],
        }


def suite_source(spec: str, base_dir: Path) -> SuiteSource:
    """``pack:NAME`` → the pack; anything else → a suite file relative to ``base_dir``."""
    if spec.startswith("pack:"):
        return PackSource(spec.removeprefix("pack:"))
    path = Path(spec)
    return FileSource(path if path.is_absolute() else base_dir / path)


async def run_regressions_for_change(
    *,
    service: EvalService,
    audit: AuditAppender,
    config: ConfianceConfig,
    routes: Collection[str],
    revision: int | None,
    target_for: Callable[[str], TargetSpec],
    base_dir: Path,
    trigger: Trigger = Trigger.CONFIG_CHANGE,
    options: RunOptions | None = None,
    actor: str = "evals",
) -> list[RegressionOutcome]:
    """Run the suites of each of ``routes`` whose ``regression.on`` includes ``trigger``,
    audit each route's outcome and return them (routes without regression config are skipped).
    A suite that cannot run (bad file, unreachable target) counts as failed, with the reason."""
    outcomes: list[RegressionOutcome] = []
    for route in sorted(routes):
        definition = config.routes.get(route)
        regression = definition.regression if definition else None
        if regression is None or trigger.value not in regression.on:
            continue
        suites = tuple(
            [
                await _run_suite(service, spec, route, target_for, base_dir, options)
                for spec in regression.suites
            ]
        )
        outcome = RegressionOutcome(route, revision, trigger, regression.mode, suites)
        draft = AuditDraft(actor=actor, action=AUDIT_ACTION, subject=route, data=outcome.to_json())
        await audit.append(draft, service.now())
        outcomes.append(outcome)
    return outcomes


async def _run_suite(
    service: EvalService,
    spec: str,
    route: str,
    target_for: Callable[[str], TargetSpec],
    base_dir: Path,
    options: RunOptions | None,
) -> SuiteOutcome:
    chosen = options or RunOptions(baseline=LAST_PASSING)
    try:
        plan = await service.plan(suite_source(spec, base_dir), target_for(route), chosen)
        report = await service.execute(plan)
    except ConfianceError as error:
        return SuiteOutcome(spec, None, False, failures=(error.message,))
    summary = report.run.summary
    return SuiteOutcome(
        suite=spec,
        run_id=report.run.id,
        passed=report.gate.passed,
        pass_rate=summary.pass_rate if summary else None,
        baseline=report.comparison.baseline.id if report.comparison else None,
        failures=tuple(f"{c.name}: {c.detail}" for c in report.gate.failures),
    )


def due_for_schedule(
    config: ConfianceConfig, last_run: dict[str, datetime], now: datetime
) -> list[str]:
    """Routes with ``schedule`` in ``regression.on`` whose last run (by route, from
    ``last_run``) is older than their ``interval_hours`` — or that never ran."""
    due: list[str] = []
    for name, route in sorted(config.routes.items()):
        regression: RegressionConfig | None = route.regression
        if regression is None or Trigger.SCHEDULE.value not in regression.on:
            continue
        previous = last_run.get(name)
        if previous is None or now - previous >= timedelta(hours=regression.interval_hours):
            due.append(name)
    return due


async def run_scheduled_regressions(
    *,
    service: EvalService,
    audit: AuditAppender,
    config: ConfianceConfig,
    revision: int | None,
    target_for: Callable[[str], TargetSpec],
    base_dir: Path,
    options: RunOptions | None = None,
    actor: str = "evals",
) -> list[RegressionOutcome]:
    """Run the scheduled suites of every route that is due (see :func:`due_for_schedule`; a
    route's last run is its newest stored eval run). Call it periodically, e.g. every minute,
    from one process (a background job holding the scheduler lock)."""
    last_run: dict[str, datetime] = {}
    for name in config.routes:
        newest = await service.runs.list(target=name, limit=1)
        if newest:
            last_run[name] = newest[0].started_at
    return await run_regressions_for_change(
        service=service,
        audit=audit,
        config=config,
        routes=due_for_schedule(config, last_run, service.now()),
        revision=revision,
        target_for=target_for,
        base_dir=base_dir,
        trigger=Trigger.SCHEDULE,
        options=options,
        actor=actor,
    )


async def wait_for_revision(
    session: aiohttp.ClientSession, gateway_url: str, revision: int, *, timeout: float = 30.0
) -> None:
    """Return once the gateway's ``/readyz`` reports ``revision`` or a later one (gateways
    pick up applied configs by polling the store). Raises ``ProviderTimeout`` after
    ``timeout`` seconds."""
    url = gateway_url.rstrip("/").removesuffix("/v1") + "/readyz"
    deadline = time.monotonic() + timeout
    while True:
        try:
            async with session.get(url) as response:
                data = await response.json(content_type=None)
            if isinstance(data, dict) and int(data.get("revision") or 0) >= revision:
                return
        except (aiohttp.ClientError, ValueError, TypeError):
            pass  # not up yet, or restarting: ask again until the deadline
        if time.monotonic() >= deadline:
            raise ProviderTimeout(f"the gateway at {url} did not serve revision {revision} in time")
        await asyncio.sleep(0.1)


async def regressions_after_apply(
    *,
    store: Store,
    config: ConfianceConfig,
    changed_routes: Collection[str],
    revision: int,
    config_dir: Path,
    gateway_url: str,
    api_key: str | None,
    clock: Callable[[], datetime] = utc_now,
    options: RunOptions | None = None,
    actor: str = "evals",
) -> list[RegressionOutcome]:
    """Everything the apply flow needs in one call: once the gateway serves ``revision``, run
    the regression suites of ``changed_routes`` through it and audit the outcomes. Routes whose
    config declares no regression are skipped; with none to run, nothing is waited for."""
    due = [
        name
        for name in changed_routes
        if (route := config.routes.get(name)) is not None
        and route.regression is not None
        and Trigger.CONFIG_CHANGE.value in route.regression.on
    ]
    if not due:
        return []
    async with aiohttp.ClientSession() as session:
        await wait_for_revision(session, gateway_url, revision)
        service = EvalService(store.evals, session, clock=clock)
        return await run_regressions_for_change(
            service=service,
            audit=store.audit,
            config=config,
            routes=due,
            revision=revision,
            target_for=lambda route: TargetSpec.through_gateway(route, gateway_url, api_key),
            base_dir=config_dir,
            options=options,
            actor=actor,
        )
