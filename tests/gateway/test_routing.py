from __future__ import annotations

from datetime import UTC, datetime

import pytest

from confiance.config.schema import ConfianceConfig
from confiance.domain.keys import ApiKey, Role
from confiance.errors import PermissionDenied, UnknownRoute
from confiance.gateway.routing import RouteTable


def key(role: Role, routes: tuple[str, ...] = ()) -> ApiKey:
    return ApiKey(
        id="k1",
        name="t",
        prefix="cf-00000000",
        secret_hash="0" * 64,
        role=role,
        routes=routes,
        created_at=datetime.now(UTC),
    )


def table() -> RouteTable:
    config = ConfianceConfig.model_validate(
        {
            "providers": {
                "a": {"kind": "openai", "base_url": "http://127.0.0.1:1/v1"},
                "b": {"kind": "anthropic", "base_url": "http://127.0.0.1:2"},
            },
            "routes": {
                "base": {"target": "a/m1", "fallbacks": ["b/m2"]},
                "support": {
                    "target": "a/m3",
                    "fallbacks": ["base", "a/m1"],
                    "params": {"temperature": 0.1},
                },
                "vectors": {"kind": "embedding", "target": "a/e1"},
            },
        }
    )
    return RouteTable.build(config, revision=7)


def test_route_chain_splices_other_routes_without_duplicates() -> None:
    route = table().resolve("support", key(Role.APP), "chat")
    assert [str(t) for t in route.chain] == ["a/m3", "a/m1", "b/m2"]
    assert route.params == {"temperature": 0.1}


def test_unknown_route_lists_what_the_key_may_call() -> None:
    with pytest.raises(UnknownRoute) as info:
        table().resolve("nope", key(Role.APP, routes=("base",)), "chat")
    assert "base" in info.value.message and "support" not in info.value.message


def test_key_restricted_to_routes_gets_403_elsewhere() -> None:
    with pytest.raises(PermissionDenied):
        table().resolve("support", key(Role.APP, routes=("base",)), "chat")


def test_direct_models_only_for_roles_that_allow_them() -> None:
    with pytest.raises(PermissionDenied):
        table().resolve("a/gpt-x", key(Role.APP), "chat")
    route = table().resolve("a/gpt-x", key(Role.ADMIN), "chat")
    assert route.direct and [str(t) for t in route.chain] == ["a/gpt-x"]


def test_reviewer_role_calls_no_route_by_default() -> None:
    with pytest.raises(PermissionDenied):
        table().resolve("base", key(Role.REVIEWER), "chat")


def test_embedding_route_is_not_a_chat_route() -> None:
    with pytest.raises(UnknownRoute):
        table().resolve("vectors", key(Role.APP), "chat")
    assert table().resolve("vectors", key(Role.APP), "embedding").name == "vectors"
