"""Automatic regression runs: a route's declared suites run against its new revision through
the gateway, are gated against the route's last passing run, and are written to the audit log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest

from confiance.config.load import load_config, parse_config
from confiance.errors import ProviderTimeout
from confiance.evals.regression import (
    AUDIT_ACTION,
    RegressionOutcome,
    Trigger,
    due_for_schedule,
    regressions_after_apply,
    run_regressions_for_change,
    run_scheduled_regressions,
    wait_for_revision,
)
from confiance.evals.service import EvalService

from .conftest import GATEWAY_CONFIG, GatewayStack

GUARDED = """\
  guarded:
    target: "{model}"
    regression:
      suites: [evals/basic.yaml, "pack:security"]
      on: [config_change]
      mode: gate
  watched:
    target: sim/bot
    regression:
      suites: [evals/basic.yaml]
      on: [schedule]
      interval_hours: 1
"""
BASIC = """\
name: basic
cases:
  - id: hello
    input: Hello, can you help me with my order?
    assert: [{kind: contains, value: About}]
"""


def config_with(model: str) -> str:
    return GATEWAY_CONFIG.replace("prices:", GUARDED.format(model=model) + "prices:")


async def test_a_change_that_opens_a_hole_is_blocked_and_audited(
    stack: GatewayStack, session: aiohttp.ClientSession
) -> None:
    (stack.config_path.parent / "evals").mkdir()
    (stack.config_path.parent / "evals" / "basic.yaml").write_text(BASIC, encoding="utf-8")
    service = EvalService(stack.services.store.evals, session)

    async def change(model: str) -> list[RegressionOutcome]:
        revision = await stack.apply(config_with(model))
        return await run_regressions_for_change(
            service=service,
            audit=stack.services.store.audit,
            config=load_config(stack.config_path).config,
            routes={"guarded", "good"},
            revision=revision,
            target_for=stack.target,
            base_dir=stack.config_path.parent,
        )

    (first,) = await change("sim/bot")
    assert first.passed
    assert not first.blocking
    (second,) = await change("sim/bot+leak-system")
    assert not second.passed
    assert second.blocking
    basic, pack = second.suites
    assert basic.passed  # the plain suite still passes: only the security pack regressed
    assert not pack.passed
    assert pack.baseline == first.suites[1].run_id
    assert any("system-prompt-extraction" in failure for failure in pack.failures)

    events = await stack.services.store.audit.list(action=AUDIT_ACTION)
    assert [e.subject for e in events] == ["guarded", "guarded"]
    assert [e.data["passed"] for e in events] == [True, False]
    assert events[1].data["revision"] == 3
    assert events[1].data["mode"] == "gate"
    assert events[1].data["suites"][1]["run"] == pack.run_id
    run = await stack.services.store.evals.get(str(pack.run_id))
    assert run.route_revision == 3


async def test_unusable_suites_count_as_failures(
    stack: GatewayStack, session: aiohttp.ClientSession
) -> None:
    service = EvalService(stack.services.store.evals, session)
    revision = await stack.apply(config_with("sim/bot"))
    (outcome,) = await run_regressions_for_change(
        service=service,
        audit=stack.services.store.audit,
        config=load_config(stack.config_path).config,
        routes={"guarded"},
        revision=revision,
        target_for=stack.target,
        base_dir=stack.config_path.parent,
    )
    missing = outcome.suites[0]
    assert not missing.passed
    assert missing.run_id is None
    assert "suite file not found" in missing.failures[0]
    assert outcome.blocking


async def test_scheduled_runs_only_for_due_routes(
    stack: GatewayStack, session: aiohttp.ClientSession
) -> None:
    (stack.config_path.parent / "evals").mkdir()
    (stack.config_path.parent / "evals" / "basic.yaml").write_text(BASIC, encoding="utf-8")
    service = EvalService(stack.services.store.evals, session)
    revision = await stack.apply(config_with("sim/bot"))
    config = load_config(stack.config_path).config
    kwargs = {
        "service": service,
        "audit": stack.services.store.audit,
        "config": config,
        "revision": revision,
        "target_for": stack.target,
        "base_dir": stack.config_path.parent,
    }
    (outcome,) = await run_scheduled_regressions(**kwargs)  # type: ignore[arg-type]
    assert outcome.route == "watched"
    assert outcome.trigger is Trigger.SCHEDULE
    assert await run_scheduled_regressions(**kwargs) == []  # ran less than an hour ago


def test_due_for_schedule() -> None:
    text = (
        'providers: {sim: {kind: simulated, base_url: "http://127.0.0.1:9/v1"}}\n'
        "routes:\n"
        "  a: {target: sim/a, regression: {suites: [x.yaml], on: [schedule], interval_hours: 2}}\n"
        "  b: {target: sim/b, regression: {suites: [x.yaml]}}\n"
        "  c: {target: sim/c}\n"
    )
    config = parse_config(text, "t").config
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert due_for_schedule(config, {}, now) == ["a"]
    assert due_for_schedule(config, {"a": now - timedelta(hours=1)}, now) == []
    assert due_for_schedule(config, {"a": now - timedelta(hours=2)}, now) == ["a"]


def test_the_suites_directory_is_relative_to_the_config(tmp_path: Path) -> None:
    from confiance.evals.regression import suite_source
    from confiance.evals.sources import FileSource, PackSource

    assert suite_source("pack:security", tmp_path) == PackSource("security")
    assert suite_source("evals/a.yaml", tmp_path) == FileSource(tmp_path / "evals" / "a.yaml")


async def test_after_apply_waits_for_the_gateway_then_runs_and_audits(
    stack: GatewayStack,
) -> None:
    (stack.config_path.parent / "evals").mkdir()
    (stack.config_path.parent / "evals" / "basic.yaml").write_text(BASIC, encoding="utf-8")
    stack.config_path.write_text(
        config_with("sim/bot").format(sim=stack.sim.base_url), encoding="utf-8"
    )
    loaded = load_config(stack.config_path)
    # Applied to the store only: the gateway picks it up by polling (every 0.1 s here).
    result = await stack.services.revisions.apply(loaded, "test", "guard the route")
    revision = result.revision.number
    outcomes = await regressions_after_apply(
        store=stack.services.store,
        config=loaded.config,
        changed_routes=result.diff.routes_changed(),
        revision=revision,
        config_dir=stack.config_path.parent,
        gateway_url=stack.url,
        api_key=stack.key,
    )
    assert [o.route for o in outcomes] == ["guarded"]
    assert outcomes[0].passed
    run = await stack.services.store.evals.get(str(outcomes[0].suites[0].run_id))
    assert run.route_revision == revision
    events = await stack.services.store.audit.list(action=AUDIT_ACTION)
    assert [e.subject for e in events] == ["guarded"]
    none = await regressions_after_apply(
        store=stack.services.store,
        config=loaded.config,
        changed_routes=["good"],
        revision=revision + 5,  # would time out if it were waited for
        config_dir=stack.config_path.parent,
        gateway_url=stack.url,
        api_key=stack.key,
    )
    assert none == []


async def test_waiting_for_a_revision_that_never_comes_times_out(
    stack: GatewayStack, session: aiohttp.ClientSession
) -> None:
    with pytest.raises(ProviderTimeout, match="revision 99"):
        await wait_for_revision(session, stack.url, 99, timeout=0.3)
