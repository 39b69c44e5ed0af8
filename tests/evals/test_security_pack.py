"""The security probe pack against simulated models whose weaknesses are known in advance
(written from the category definitions, see providers/simulated/recognise.py): every probe of
a weak category succeeds, no other category is flagged, the guarded model, the refusing model
and the echo model are flagged nowhere. Directly and through the gateway on loopback."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from confiance.domain.evaluation import Verdict
from confiance.evals.assertions.evidence import normalized
from confiance.evals.packs import list_packs, load_pack
from confiance.evals.service import LAST_PASSING, EvalService, RunOptions, RunReport
from confiance.evals.sources import PackSource
from confiance.evals.targets import TargetSpec
from confiance.providers.simulated import RunningSimulator

from .conftest import GATEWAY_CONFIG, GatewayStack

CATEGORIES = (
    "prompt-injection",
    "indirect-injection",
    "jailbreak",
    "system-prompt-extraction",
    "data-leakage",
    "insecure-code",
    "harmful-content",
    "excessive-agency",
    "output-handling",
)
SUITE = load_pack("security", variables={"canary": "CANARY-0123456789abcdef"})
PROBES = Counter(case.category for case in SUITE.cases)
STATE_CHANGING = re.compile(r"^(?:delete|send|transfer|refund|execute|cancel)_")


def attacks(report: RunReport) -> Counter[str]:
    """Successful attacks (failed probes) per category."""
    return Counter(r.category or "" for r in report.results if r.verdict is Verdict.FAIL)


async def run_pack(service: EvalService, target: TargetSpec, **options: object) -> RunReport:
    plan = await service.plan(PackSource("security"), target, RunOptions(**options))  # type: ignore[arg-type]
    return await service.execute(plan)


def test_the_pack_is_versioned_and_has_six_probes_per_category() -> None:
    (info,) = [p for p in list_packs() if p.name == "security"]
    assert info.version
    assert set(PROBES) == set(CATEGORIES)
    assert min(PROBES.values()) >= 6, PROBES
    assert all(c.assertions for c in SUITE.cases)
    assert len({c.id for c in SUITE.cases}) == len(SUITE.cases)
    again = load_pack("security", variables={"canary": "CANARY-11111111"})
    assert again.version_hash == SUITE.version_hash  # the canary is not part of the version
    only = load_pack("security", categories=["jailbreak"], variables={"canary": "CANARY-1"})
    assert {c.category for c in only.cases} == {"jailbreak"}


def test_no_probe_gives_away_its_evidence() -> None:
    """What a detector counts as obedience never appears in the probe itself: injection
    markers must be built by the model, the canary sits only in the system prompt."""
    for case in SUITE.cases:
        shown = normalized(
            "\n".join(
                str(m.get("content") or "") for m in case.messages if m.get("role") != "system"
            )
        )
        assert "canary-0123456789abcdef" not in shown, case.id
        for assertion in case.assertions:
            for marker in getattr(assertion, "markers", ()):
                assert normalized(marker) not in shown, (case.id, marker)
        assert "```" not in shown and "<script" not in shown and "onclick" not in shown, case.id


def test_excessive_agency_offers_state_changing_tools_next_to_read_only_ones() -> None:
    for case in (c for c in SUITE.cases if c.category == "excessive-agency"):
        names = [str(t["function"]["name"]) for t in case.tools]
        assert any(STATE_CHANGING.match(n) for n in names)
        assert any(not STATE_CHANGING.match(n) for n in names)
        assert [m["role"] for m in case.messages] == ["system", "user"]  # the attack is the user's
        assert all(name not in str(case.messages[-1]["content"]) for name in names)


@pytest.mark.parametrize("category", CATEGORIES)
async def test_a_model_weak_in_one_category_is_flagged_there_only(
    service: EvalService, sim: RunningSimulator, category: str
) -> None:
    report = await run_pack(
        service, TargetSpec.at_url(f"bot+weak-{category}", sim.openai_base_url, "k")
    )
    assert attacks(report) == Counter({category: PROBES[category]})
    assert all(r.error is None for r in report.results)
    assert not report.gate.passed
    assert [c.name for c in report.gate.failures] == [f"attacks:{category}"]


async def test_two_weaknesses_are_both_flagged_and_nothing_else(
    service: EvalService, sim: RunningSimulator
) -> None:
    model = "bot+weak-jailbreak+weak-output-handling"
    report = await run_pack(service, TargetSpec.at_url(model, sim.openai_base_url, "k"))
    wanted = {"jailbreak", "output-handling"}
    assert attacks(report) == Counter({c: PROBES[c] for c in wanted})


@pytest.mark.parametrize("model", ["bot+guarded", "echo", "refuser", "bot"])
async def test_guarded_refusing_echo_and_plain_models_are_flagged_nowhere(
    service: EvalService, sim: RunningSimulator, model: str
) -> None:
    report = await run_pack(service, TargetSpec.at_url(model, sim.openai_base_url, "k"), repeats=2)
    assert attacks(report) == Counter()
    assert report.run.summary is not None
    assert report.run.summary.errored == 0
    assert report.run.summary.passed == report.run.summary.trials == 2 * len(SUITE.cases)
    assert report.gate.passed


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

    leaky = '  good:\n    target: "sim/bot+weak-system-prompt-extraction"\n'
    changed = GATEWAY_CONFIG.replace("  good:\n    target: sim/bot\n", leaky)
    assert changed != GATEWAY_CONFIG
    assert await stack.apply(changed) == 2
    after = await run_pack(service, route, baseline=LAST_PASSING)
    assert after.run.route_revision == 2
    assert after.comparison is not None
    assert after.comparison.baseline.id == baseline.run.id
    assert not after.gate.passed
    failed = {check.name for check in after.gate.failures}
    assert {"attacks:system-prompt-extraction", "regression:system-prompt-extraction"} <= failed
    assert after.run.passed_gate is False
    again = await service.runs.last_passing("good", suite="pack:security")
    assert again is not None
    assert again.id == baseline.run.id


@pytest.mark.parametrize(
    ("route", "category"),
    [("obedient", "prompt-injection"), ("activecontent", "output-handling")],
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
    assert attacks(report) == Counter({category: PROBES[category]})
