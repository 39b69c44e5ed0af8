"""Applying a config change with its routes' regression suites.

A route may declare ``regression: {suites: [...], on: [config_change], mode: gate|report}``.
When a change touches such a route:

- ``gate``: the suites run against a candidate gateway serving the new config *before* it is
  stored. If any fails its gate, the change is refused (nothing is stored, the outcome and the
  refusal are audited) and the live config is untouched.
- ``report``: the change is applied, then the suites run against the new config and their
  outcome is audited; a failure is reported, not undone.

Used by ``confiance apply`` and ``POST /api/config``.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from confiance.app import Services
from confiance.config.load import LoadedConfig
from confiance.control.revisions import ApplyResult
from confiance.domain.types import JSONObject
from confiance.evals.pricing import PriceTable
from confiance.evals.regression import RegressionOutcome, Trigger, run_regressions_for_change
from confiance.evals.service import EvalService
from confiance.evals.targets import TargetSpec
from confiance.gateway.candidate import candidate_gateway
from confiance.store import AuditDraft

__all__ = ["ChangeOutcome", "apply_change", "routes_with_regression"]


@dataclass(frozen=True, slots=True)
class ChangeOutcome:
    """``result`` is None when a gate refused the change."""

    result: ApplyResult | None
    outcomes: list[RegressionOutcome] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return self.result is None

    def to_json(self) -> JSONObject:
        """The apply result's fields (as ``ApplyResult.to_json``), plus ``refused`` and
        ``regressions``; a refused change has ``applied: false`` and no revision."""
        base: JSONObject = self.result.to_json() if self.result else {"applied": False}
        return {
            **base,
            "refused": self.refused,
            "regressions": [o.to_json() for o in self.outcomes],
        }


def routes_with_regression(loaded: LoadedConfig, changed: Collection[str], mode: str) -> list[str]:
    """Changed routes whose regression runs on config changes in ``mode``."""
    due = []
    for name in sorted(changed):
        route = loaded.config.routes.get(name)
        regression = route.regression if route else None
        if regression and Trigger.CONFIG_CHANGE.value in regression.on and regression.mode == mode:
            due.append(name)
    return due


async def apply_change(
    services: Services,
    loaded: LoadedConfig,
    *,
    author: str,
    message: str,
    config_dir: Path,
) -> ChangeOutcome:
    """Apply ``loaded`` unless a gate-mode regression suite of a changed route fails."""
    changed = (await services.revisions.diff_against_latest(loaded)).routes_changed()
    candidate = await services.store.revisions.latest_number() + 1
    gated = routes_with_regression(loaded, changed, "gate")
    outcomes = await _run(services, loaded, gated, candidate, config_dir, author)
    if any(o.blocking for o in outcomes):
        failed = [o.route for o in outcomes if o.blocking]
        draft = AuditDraft(
            actor=author,
            action="config.refused",
            subject="config",
            data={"digest": loaded.digest, "candidate_revision": candidate, "routes": failed},
        )
        await services.store.audit.append(draft, services.clock())
        return ChangeOutcome(None, outcomes)
    result = await services.revisions.apply(loaded, author, message)
    if result.applied:
        reported = routes_with_regression(loaded, changed, "report")
        number = result.revision.number
        outcomes += await _run(services, loaded, reported, number, config_dir, author)
    return ChangeOutcome(result, outcomes)


async def _run(
    services: Services,
    loaded: LoadedConfig,
    routes: list[str],
    revision: int,
    config_dir: Path,
    actor: str,
) -> list[RegressionOutcome]:
    if not routes:
        return []
    async with (
        candidate_gateway(services, loaded.config, revision) as gateway,
        aiohttp.ClientSession() as session,
    ):
        evals = EvalService(
            services.store.evals,
            session,
            prices=PriceTable.from_config(loaded.config),
            clock=services.clock,
        )
        return await run_regressions_for_change(
            service=evals,
            audit=services.store.audit,
            config=loaded.config,
            routes=routes,
            revision=revision,
            target_for=lambda route: TargetSpec.through_gateway(
                route, gateway.url, gateway.api_key
            ),
            base_dir=config_dir,
            actor=actor,
        )
