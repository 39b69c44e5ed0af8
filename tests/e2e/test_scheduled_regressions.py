"""Scheduled regression suites: run when due, once across processes (the store's job lock),
against the live config, audited."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from confiance.app import Services, open_services
from confiance.config.load import parse_config
from confiance.gateway.jobs import LOCK_NAME, RegressionScheduler
from confiance.gateway.routing import RouteTable
from confiance.providers.simulated import RunningSimulator
from confiance.settings import Settings
from confiance.store import Store

CONFIG = """\
version: 1
providers:
  sim: {{kind: simulated, base_url: "{sim}/v1"}}
routes:
  nightly:
    target: sim/gpt-4o
    regression: {{suites: [suites/basic.yaml], on: [schedule], interval_hours: 1}}
  plain:
    target: sim/gpt-4o
"""
SUITE = """\
name: basic
cases:
  - id: answers
    input: Where is my order?
    assert: [{kind: contains, value: About}]
"""


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def scheduled(
    tmp_path: Path, sim: RunningSimulator
) -> AsyncIterator[tuple[Services, RegressionScheduler, Clock]]:
    (tmp_path / "suites").mkdir()
    (tmp_path / "suites" / "basic.yaml").write_text(SUITE)
    clock = Clock()
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 's.db'}")
    services = await open_services(settings, clock=clock)
    loaded = parse_config(CONFIG.format(sim=sim.base_url), "c")
    revision = (await services.revisions.apply(loaded, "t", "t")).revision.number
    table = RouteTable.build(loaded.config, revision)
    try:
        yield services, RegressionScheduler(services, lambda: table, tmp_path), clock
    finally:
        await services.close()


async def test_runs_when_due_and_not_again_until_the_interval_passes(
    scheduled: tuple[Services, RegressionScheduler, Clock], sim: RunningSimulator
) -> None:
    services, scheduler, clock = scheduled
    (first,) = await scheduler.tick()
    assert first.route == "nightly"
    assert first.passed
    assert await scheduler.tick() == [], "ran a moment ago: not due"
    clock.now += timedelta(minutes=59)
    assert await scheduler.tick() == []
    clock.now += timedelta(minutes=2)
    (second,) = await scheduler.tick()
    assert second.trigger.value == "schedule"
    events = await services.store.audit.list(action="eval.regression")
    assert [(e.subject, e.data["trigger"], e.actor) for e in events] == [
        ("nightly", "schedule", "scheduler"),
        ("nightly", "schedule", "scheduler"),
    ]
    assert sim.stats["gpt-4o"] == 2, "one case per run, nothing for the unscheduled route"


async def test_skips_while_another_process_holds_the_lock(
    scheduled: tuple[Services, RegressionScheduler, Clock],
) -> None:
    services, scheduler, _ = scheduled
    other = await Store.open(services.settings.database_url, migrate=False)
    try:
        async with other.locks.try_lock(LOCK_NAME) as held:
            assert held
            assert await scheduler.tick() == []
    finally:
        await other.close()
    assert len(await scheduler.tick()) == 1, "runs once the lock is free"
