"""Background jobs of a serving gateway that must run once across all its processes.

The regression scheduler wakes up every ``interval`` seconds; the process that gets the store's
``regression-scheduler`` lock runs the scheduled suites of the routes that are due (routes with
``regression.on: [schedule]`` whose newest eval run is older than ``interval_hours``) against a
gateway serving the live config, and audits each outcome as ``eval.regression``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import aiohttp

from confiance.app import Services
from confiance.evals.pricing import PriceTable
from confiance.evals.regression import (
    RegressionOutcome,
    Trigger,
    due_for_schedule,
    run_regressions_for_change,
)
from confiance.evals.service import EvalService
from confiance.evals.targets import TargetSpec
from confiance.gateway.candidate import candidate_gateway
from confiance.gateway.routing import RouteTable

__all__ = ["LOCK_NAME", "RegressionScheduler"]

log = logging.getLogger(__name__)

LOCK_NAME = "regression-scheduler"


class RegressionScheduler:
    def __init__(
        self,
        services: Services,
        live: Callable[[], RouteTable],
        config_dir: Path,
        interval: float = 60.0,
    ) -> None:
        self._services = services
        self._live = live
        self._config_dir = config_dir
        self._interval = interval

    async def run_forever(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self.tick()
            except Exception as error:  # a failed run is logged; the next tick tries again
                log.warning("scheduled regression run failed: %s", error)

    async def tick(self) -> list[RegressionOutcome]:
        """Run what is due now, if this process gets the lock; the outcomes (or none)."""
        table = self._live()
        scheduled = [
            name
            for name, route in table.config.routes.items()
            if route.regression and Trigger.SCHEDULE.value in route.regression.on
        ]
        if not scheduled:
            return []
        async with self._services.store.locks.try_lock(LOCK_NAME) as held:
            if not held:
                return []
            due = await self._due(table, scheduled)
            if not due:
                return []
            return await self._run(table, due)

    async def _due(self, table: RouteTable, scheduled: list[str]) -> list[str]:
        last_run: dict[str, datetime] = {}
        for name in scheduled:
            newest = await self._services.store.evals.list(target=name, limit=1)
            if newest:
                last_run[name] = newest[0].started_at
        return due_for_schedule(table.config, last_run, self._services.clock())

    async def _run(self, table: RouteTable, due: list[str]) -> list[RegressionOutcome]:
        async with (
            candidate_gateway(self._services, table.config, table.revision) as gateway,
            aiohttp.ClientSession() as session,
        ):
            evals = EvalService(
                self._services.store.evals,
                session,
                prices=PriceTable.from_config(table.config),
                clock=self._services.clock,
            )
            return await run_regressions_for_change(
                service=evals,
                audit=self._services.store.audit,
                config=table.config,
                routes=due,
                revision=table.revision,
                target_for=lambda route: TargetSpec.through_gateway(
                    route, gateway.url, gateway.api_key
                ),
                base_dir=self._config_dir,
                trigger=Trigger.SCHEDULE,
                actor="scheduler",
            )
