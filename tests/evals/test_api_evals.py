"""``/api/evals``: runs, reports and comparisons through the management API (admin key)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import httpx
import pytest

from confiance.api import create_api
from confiance.api import evals as evals_api
from confiance.app import Services, open_services
from confiance.domain.keys import Role
from confiance.evals.packs import load_pack
from confiance.evals.service import EvalService, RunOptions
from confiance.evals.sources import PackSource
from confiance.evals.targets import TargetSpec
from confiance.providers.simulated import RunningSimulator
from confiance.settings import Settings


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    opened = await open_services(Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'a.db'}"))
    try:
        yield opened
    finally:
        await opened.close()


async def test_runs_reports_and_comparisons(
    services: Services, sim: RunningSimulator, session: aiohttp.ClientSession
) -> None:
    service = EvalService(services.store.evals, session)
    reports = []
    for model in ("bot", "bot+leak-system"):
        target = TargetSpec.at_url(model, sim.openai_base_url, "k")
        plan = await service.plan(PackSource("security"), target, RunOptions())
        reports.append(await service.execute(plan))
    good, bad = (r.run.id for r in reports)

    api = create_api(services)
    api.include_router(evals_api.router)
    key = await services.keys.create("ops", Role.ADMIN)
    transport = httpx.ASGITransport(app=api)
    headers = {"Authorization": f"Bearer {key.secret}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://api", headers=headers) as c:
        page = (await c.get("/evals/runs", params={"limit": 1})).json()
        assert [r["id"] for r in page["runs"]] == [bad]
        older = (await c.get("/evals/runs", params={"limit": 1, "before": page["next"]})).json()
        assert [r["id"] for r in older["runs"]] == [good]
        assert older["next"] is None

        detail = (await c.get(f"/evals/runs/{bad}")).json()
        # Successful attacks fail a probe run's gate, with or without a baseline.
        assert detail["run"]["passed_gate"] is False
        assert len(detail["results"]) == len(load_pack("security", variables={"canary": "c"}).cases)
        assert {a["kind"] for r in detail["results"] for a in r["assertions"]} >= {
            "canary-not-leaked"
        }

        report = (await c.get(f"/evals/runs/{bad}/report", params={"baseline": good})).json()
        assert report["gate"]["passed"] is False
        assert report["comparison"]["baseline"] == good
        compared = await c.get("/evals/compare", params={"baseline": good, "candidate": bad})
        assert compared.status_code == 200
        assert compared.json()["overall"]["difference"] < 0

        missing = await c.get("/evals/runs/ev_missing")
        assert missing.status_code == 404
        assert missing.json()["error"]["code"] == "not_found"
        bad_cursor = await c.get("/evals/runs", params={"before": "ev_missing"})
        assert bad_cursor.status_code == 400
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as anonymous:
        assert (await anonymous.get("/evals/runs")).status_code == 401
