"""RevisionService against a real store: apply, no-op, diff, history, rollback, audit."""

from __future__ import annotations

import textwrap

import pytest

from confiance.config.diff import ChangeKind, FieldChange
from confiance.config.load import LoadedConfig, parse_config
from confiance.config.problems import InvalidConfig
from confiance.config.references import Target
from confiance.control.clock import Clock
from confiance.control.revisions import RevisionService
from confiance.errors import ConfigError, NotFound
from confiance.store import Store

V1 = textwrap.dedent(
    """\
    providers:
      sim: {kind: simulated, base_url: "http://127.0.0.1:9000/v1"}
      old: {kind: openai, base_url: "https://old.test/v1", api_key_env: OLD_KEY}
    routes:
      bot:
        target: old/gpt
        fallbacks: [backup]
        params: {temperature: 0.2}
      backup: {target: sim/echo}
    """
)


def config(text: str) -> LoadedConfig:
    return parse_config(text, "confiance.yaml")


def v2() -> LoadedConfig:
    return config(V1.replace("temperature: 0.2", "temperature: 0.7"))


def v3() -> LoadedConfig:
    """``old`` provider removed; ``bot`` moved to the simulated provider; ``backup`` removed."""
    return config(
        textwrap.dedent(
            """\
            providers:
              sim: {kind: simulated, base_url: "http://127.0.0.1:9000/v1"}
            routes:
              bot: {target: sim/chat}
            """
        )
    )


@pytest.fixture
def service(store: Store, clock: Clock) -> RevisionService:
    return RevisionService(store, clock, audit_actor="cli")


async def test_first_apply_stores_revision_one_with_audit(
    service: RevisionService, store: Store
) -> None:
    loaded = config(V1)
    result = await service.apply(loaded, "alice", "first")
    assert result.applied
    assert result.revision.number == 1
    assert result.previous is None
    assert result.revision.document == loaded.document
    assert result.revision.digest == loaded.digest
    assert result.diff.routes_changed() == ("backup", "bot")
    assert result.message == (
        "applied revision 1: added 2 providers, 2 routes, 3 roles, 6 settings"
    )
    [event] = await store.audit.list(action="config.apply")
    assert event.actor == "cli:alice"
    assert event.subject == "config"
    assert event.data == {
        "revision": 1,
        "digest": loaded.digest,
        "previous": None,
        "changes": {
            "added": {
                "version": ["version"],
                "providers": ["old", "sim"],
                "routes": ["backup", "bot"],
                "roles": ["admin", "app", "reviewer"],
                "timeouts": ["timeouts"],
                "retry": ["retry"],
                "circuit_breaker": ["circuit_breaker"],
                "limits": ["limits"],
                "server": ["server"],
            },
            "removed": {},
            "changed": {},
        },
    }


async def test_same_config_twice_is_a_no_op(service: RevisionService, store: Store) -> None:
    await service.apply(config(V1), "alice", "first")
    again = await service.apply(config(V1), "bob", "again")
    assert not again.applied
    assert again.revision.number == 1
    assert again.diff.is_empty
    assert again.message == "no changes: revision 1 already holds this config"
    assert await store.revisions.latest_number() == 1
    assert len(await store.audit.list(action="config.apply")) == 1


async def test_diff_against_latest(service: RevisionService) -> None:
    first = await service.diff_against_latest(config(V1))
    assert {c.kind for c in first.changes} == {ChangeKind.ADDED}
    await service.apply(config(V1), "alice", "first")
    assert (await service.diff_against_latest(config(V1))).is_empty
    [change] = (await service.diff_against_latest(v2())).changes
    assert (change.section, change.name) == ("routes", "bot")
    assert change.fields == (FieldChange("params.temperature", 0.2, 0.7),)


async def test_second_apply_records_previous_and_summary(
    service: RevisionService, store: Store
) -> None:
    await service.apply(config(V1), "alice", "first")
    result = await service.apply(v2(), "bob", "warmer")
    assert (result.revision.number, result.previous) == (2, 1)
    assert result.revision.author == "bob"
    assert result.revision.message == "warmer"
    event = (await store.audit.list(action="config.apply"))[-1]
    assert event.data["revision"] == 2
    assert event.data["previous"] == 1
    assert event.data["changes"]["changed"] == {"routes": ["bot"]}
    assert result.message == "applied revision 2: changed 1 routes"


async def test_latest_and_route_detail(service: RevisionService) -> None:
    assert await service.latest() is None
    with pytest.raises(NotFound, match="no config has been applied yet"):
        await service.route("bot")
    await service.apply(config(V1), "alice", "first")
    latest = await service.latest()
    assert latest is not None
    assert latest.digest == config(V1).digest
    detail = await service.route("bot")
    assert detail.revision == 1
    assert detail.chain == (Target("old", "gpt"), Target("sim", "echo"))
    assert detail.to_json()["chain"] == ["old/gpt", "sim/echo"]
    with pytest.raises(NotFound, match=r"not in revision 1 \(routes: backup, bot\)"):
        await service.route("nope")


async def test_route_history_lists_only_revisions_that_changed_it(
    service: RevisionService,
) -> None:
    await service.apply(config(V1), "alice", "first")
    await service.apply(v2(), "bob", "warmer")
    await service.apply(config(V1 + "retry: {max_attempts: 3}\n"), "carol", "retries")
    await service.apply(v3(), "dave", "move off old")
    bot = await service.route_history("bot")
    assert [(v.revision, v.change, v.author) for v in bot] == [
        (1, ChangeKind.ADDED, "alice"),
        (2, ChangeKind.CHANGED, "bob"),
        (3, ChangeKind.CHANGED, "carol"),
        (4, ChangeKind.CHANGED, "dave"),
    ]
    assert bot[1].fields == (FieldChange("params.temperature", 0.2, 0.7),)
    backup = await service.route_history("backup")
    assert [(v.revision, v.change) for v in backup] == [
        (1, ChangeKind.ADDED),
        (4, ChangeKind.REMOVED),
    ]
    assert backup[-1].definition is None
    with pytest.raises(NotFound, match="route 'ghost' is not defined in any applied revision"):
        await service.route_history("ghost")


async def test_rollback_route_replaces_only_that_route(
    service: RevisionService, store: Store
) -> None:
    await service.apply(config(V1), "alice", "first")
    await service.apply(config(V1.replace("fallbacks: [backup]", "fallbacks: []")), "b", "x")
    await service.apply(v2(), "bob", "warmer")  # fallbacks restored, temperature changed
    result = await service.rollback_route("bot", 2, "carol")
    assert result.applied
    assert result.revision.number == 4
    bot = result.revision.document["routes"]["bot"]
    assert bot == (await store.revisions.get(2)).document["routes"]["bot"]
    assert result.revision.message == "rollback route bot to revision 2"
    assert result.diff.routes_changed() == ("bot",)
    [event] = await store.audit.list(action="route.rollback")
    assert event.subject == "route:bot"
    assert event.actor == "cli:carol"
    assert event.data["revision"] == 4
    assert event.data["to_revision"] == 2
    assert event.data["previous"] == 3
    assert sorted(event.data["fields"]) == ["fallbacks", "params.temperature"]
    again = await service.rollback_route("bot", 2, "carol")
    assert not again.applied
    assert await store.revisions.latest_number() == 4


async def test_rollback_restores_a_removed_route(service: RevisionService) -> None:
    await service.apply(config(V1), "alice", "first")
    await service.apply(config(V1.replace("fallbacks: [backup]", "fallbacks: []")), "a", "x")
    removed = V1.replace("fallbacks: [backup]", "fallbacks: []").replace(
        "  backup: {target: sim/echo}\n", ""
    )
    await service.apply(config(removed), "alice", "drop backup")
    result = await service.rollback_route("backup", 1, "bob")
    assert result.revision.document["routes"]["backup"]["target"] == "sim/echo"
    history = await service.route_history("backup")
    assert [v.change for v in history] == [
        ChangeKind.ADDED,
        ChangeKind.REMOVED,
        ChangeKind.ADDED,
    ]


async def test_rollback_to_revision_without_the_route(service: RevisionService) -> None:
    await service.apply(v3(), "alice", "first")
    await service.apply(config(V1), "alice", "second")
    with pytest.raises(NotFound, match=r"route 'backup' did not exist in revision 1"):
        await service.rollback_route("backup", 1, "bob")


async def test_rollback_to_missing_revision(service: RevisionService) -> None:
    await service.apply(config(V1), "alice", "first")
    with pytest.raises(NotFound, match="config revision 9 does not exist"):
        await service.rollback_route("bot", 9, "bob")


async def test_rollback_that_would_dangle_is_refused(
    service: RevisionService, store: Store
) -> None:
    await service.apply(config(V1), "alice", "first")
    await service.apply(v3(), "alice", "provider old removed")
    with pytest.raises(InvalidConfig) as caught:
        await service.rollback_route("bot", 1, "bob")
    assert isinstance(caught.value, ConfigError)
    assert [str(p) for p in caught.value.problems] == [
        "rollback of route 'bot' to revision 1: routes.bot.target: unknown provider 'old' "
        "(known: sim) (name provider/model with a defined provider, or a route of the same kind)",
        "rollback of route 'bot' to revision 1: routes.bot.fallbacks[0]: 'backup' is neither "
        "provider/model nor a known route "
        "(name provider/model with a defined provider, or a route of the same kind)",
    ]
    assert await store.revisions.latest_number() == 2


async def test_preview_rollback_stores_nothing(service: RevisionService, store: Store) -> None:
    await service.apply(config(V1), "alice", "first")
    await service.apply(v2(), "bob", "warmer")
    [change] = (await service.preview_rollback("bot", 1)).changes
    assert change.fields == (FieldChange("params.temperature", 0.7, 0.2),)
    assert await store.revisions.latest_number() == 2
