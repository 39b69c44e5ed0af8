"""The security probe pack against simulated models that behave well and badly, directly and
through the gateway on loopback: every bad behaviour is detected, the good model passes, and a
route change that opens a hole fails the gate against the route's last passing run."""

from __future__ import annotations

from collections import Counter

import pytest

from confiance.domain.evaluation import Verdict
from confiance.evals.packs import list_packs, load_pack
from confiance.evals.service import LAST_PASSING, EvalService, RunOptions, RunReport
from confiance.evals.sources import PackSource
from confiance.evals.targets import TargetSpec
from confiance.providers.simulated import RunningSimulator

from .conftest import GATEWAY_CONFIG, GatewayStack

CATEGORIES = {
    "prompt-injection",
    "indirect-injection",
    "jailbreak",
    "system-prompt-extraction",
    "data-leakage",
    "insecure-code",
    "harmful-content",
    "excessive-agency",
    "output-handling",
}


def attacks(report: RunReport) -> Counter[str]:
    """Successful attacks (failed probes) per category."""
    return Counter(r.category or "" for r in report.results if r.verdict is Verdict.FAIL)


async def run_pack(service: EvalService, target: TargetSpec, **options: object) -> RunReport:
    plan = await service.plan(PackSource("security"), target, RunOptions(**options))  # type: ignore[arg-type]
    return await service.execute(plan)


def test_the_pack_is_versioned_and_covers_every_category() -> None:
    (info,) = [p for p in list_packs() if p.name == "security"]
    assert info.version
    suite = load_pack("security", variables={"canary": "CANARY-00000000"})
    assert {c.category for c in suite.cases} == CATEGORIES
    assert all(c.assertions for c in suite.cases)
    assert len({c.id for c in suite.cases}) == len(suite.cases)
    again = load_pack("security", variables={"canary": "CANARY-11111111"})
    assert again.version_hash == suite.version_hash  # the canary is not part of the version
    only = load_pack("security", categories=["jailbreak"], variables={"canary": "CANARY-1"})
    assert {c.category for c in only.cases} == {"jailbreak"}


@pytest.mark.parametrize(
    ("model", "hit", "minimum"),
    [
        ("bot+leak-system", {"system-prompt-extraction", "data-leakage"}, 9),
        ("bot+follow-injections", {"prompt-injection", "indirect-injection", "jailbreak"}, 11),
        ("bot+invalid-json", {"output-handling"}, 1),
        ("insecure-coder", {"insecure-code"}, 6),
    ],
)
async def test_bad_behaviours_are_detected_directly(
    service: EvalService, sim: RunningSimulator, model: str, hit: set[str], minimum: int
) -> None:
    report = await run_pack(service, TargetSpec.at_url(model, sim.openai_base_url, "k"))
    found = attacks(report)
    assert hit <= set(found), found
    assert sum(found[c] for c in hit) >= minimum
    assert not report.results or all(r.error is None for r in report.results)


async def test_the_well_behaved_model_passes_every_probe(
    service: EvalService, sim: RunningSimulator
) -> None:
    report = await run_pack(service, TargetSpec.at_url("bot", sim.openai_base_url, "k"), repeats=2)
    assert attacks(report) == Counter()
    assert report.run.summary is not None
    assert report.run.summary.trials == 2 * report.run.summary.cases
    assert report.run.summary.passed == report.run.summary.trials
    assert report.gate.passed


async def test_a_refusing_model_resists_harmful_requests(
    service: EvalService, sim: RunningSimulator
) -> None:
    target = TargetSpec.at_url("refuser", sim.openai_base_url, "k")
    plan = await service.plan(
        PackSource("security", ("harmful-content", "jailbreak")), target, RunOptions()
    )
    report = await service.execute(plan)
    assert attacks(report) == Counter()


async def test_through_the_gateway_a_route_change_that_opens_a_hole_fails_the_gate(
    stack: GatewayStack, session: object
) -> None:
    import aiohttp

    assert isinstance(session, aiohttp.ClientSession)
    service = EvalService(stack.services.store.evals, session)
    route = stack.target("good")
    baseline = await run_pack(service, route, baseline=LAST_PASSING)
    assert baseline.gate.passed
    assert attacks(baseline) == Counter()
    assert baseline.run.route_revision == 1
    assert baseline.run.resolved_model == "bot"
    traced = [r.trace_id for r in baseline.results]
    assert all(traced)
    assert stack.gateway.sink is not None
    await stack.gateway.sink.flush()
    stored = await stack.services.store.traces.get(str(traced[0]))
    assert stored.route == "good"

    leaky = '  good:\n    target: "sim/bot+leak-system"\n'
    changed = GATEWAY_CONFIG.replace("  good:\n    target: sim/bot\n", leaky)
    assert changed != GATEWAY_CONFIG
    assert await stack.apply(changed) == 2
    after = await run_pack(service, route, baseline=LAST_PASSING)
    assert after.run.route_revision == 2
    assert after.comparison is not None
    assert after.comparison.baseline.id == baseline.run.id
    assert not after.gate.passed
    failed = {check.name for check in after.gate.failures}
    assert "regression:system-prompt-extraction" in failed  # 5 of 5 probes: p = 1/32
    # Four probes moving cannot reach 5% in an exact paired test (p = 1/16); the check says
    # so, and the category's successful attacks fail a security run on their own.
    (leak,) = [c for c in after.gate.checks if c.name == "regression:data-leakage"]
    assert "4 of 4 cases worse" in leak.detail
    assert after.run.passed_gate is False
    again = await service.runs.last_passing("good", suite="pack:security")
    assert again is not None
    assert again.id == baseline.run.id


@pytest.mark.parametrize(
    ("route", "category"),
    [("obedient", "prompt-injection"), ("brokenjson", "output-handling")],
)
async def test_bad_routes_are_detected_through_the_gateway(
    stack: GatewayStack, session: object, route: str, category: str
) -> None:
    import aiohttp

    assert isinstance(session, aiohttp.ClientSession)
    service = EvalService(stack.services.store.evals, session)
    plan = await service.plan(
        PackSource("security", (category,)), stack.target(route), RunOptions()
    )
    report = await service.execute(plan)
    assert attacks(report)[category] >= 1
