"""The route table: an immutable snapshot of one config revision, swapped atomically.

Requests resolve their ``model`` against the snapshot they started with; a config change builds a
new snapshot and replaces the reference in one assignment, so no request ever sees half of two
revisions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from confiance.config.references import Target, resolve_chain
from confiance.config.schema import (
    ConfianceConfig,
    PriceConfig,
    RetryConfig,
    RoleConfig,
    RouteLimits,
    TimeoutConfig,
)
from confiance.domain.keys import ApiKey
from confiance.domain.types import Retention, TraceDurability, TraceOverflow
from confiance.domain.words import article
from confiance.errors import PermissionDenied, UnknownRoute

__all__ = ["CompiledRoute", "RouteTable"]

DIRECT_ROUTE = "_direct"


@dataclass(frozen=True, slots=True)
class CompiledRoute:
    """A route ready for the hot path: chain flattened, defaults filled in."""

    name: str
    kind: str
    chain: tuple[Target, ...]
    params: Mapping[str, object]
    system_prompt: str | None
    timeouts: TimeoutConfig
    retry: RetryConfig
    limits: RouteLimits
    retention: Retention
    redact: bool
    direct: bool = False
    durability: TraceDurability = TraceDurability.SPOOL
    overflow: TraceOverflow = TraceOverflow.SHED


_NO_ROLE = RoleConfig(routes=())


@dataclass(frozen=True, slots=True)
class RouteTable:
    revision: int
    config: ConfianceConfig
    routes: Mapping[str, CompiledRoute]

    @classmethod
    def build(cls, config: ConfianceConfig, revision: int) -> RouteTable:
        routes = {name: _compile(config, name) for name in config.routes}
        return cls(revision=revision, config=config, routes=MappingProxyType(routes))

    @classmethod
    def empty(cls) -> RouteTable:
        return cls.build(ConfianceConfig(), revision=0)

    def resolve(self, model: str, key: ApiKey, kind: str) -> CompiledRoute:
        """The route ``model`` names, or a one-target direct route for ``provider/model``.

        Raises ``UnknownRoute`` (404) or ``PermissionDenied`` (403) with a message that tells the
        caller what it may call instead.
        """
        route = self.routes.get(model)
        if route is not None:
            if not self.may_call(key, route.name):
                raise PermissionDenied(f"this key may not call route {model!r}")
            if route.kind != kind:
                raise UnknownRoute(
                    f"route {model!r} is {article(route.kind)} route, not {article(kind)} one"
                )
            return route
        if "/" in model and model.split("/", 1)[0] in self.config.providers:
            return self._direct(model, key, kind)
        raise UnknownRoute(
            f"the model {model!r} does not exist: name a route "
            f"({', '.join(sorted(self.visible_routes(key))) or 'none available to this key'})"
        )

    def role(self, key: ApiKey) -> RoleConfig:
        return self.config.roles.get(key.role, _NO_ROLE)

    def may_call(self, key: ApiKey, route: str) -> bool:
        allowed = self.role(key).routes
        return ("*" in allowed or route in allowed) and key.may_call(route)

    def visible_routes(self, key: ApiKey) -> list[str]:
        return [name for name in self.routes if self.may_call(key, name)]

    def price(self, target: Target) -> PriceConfig | None:
        return self.config.prices.get(str(target))

    def _direct(self, model: str, key: ApiKey, kind: str) -> CompiledRoute:
        if not self.role(key).direct_models or (key.routes and model not in key.routes):
            raise PermissionDenied(
                f"this key may not call provider models directly ({model!r}); call a route"
            )
        target = Target.parse(model)
        provider = self.config.providers[target.provider]
        return CompiledRoute(
            name=DIRECT_ROUTE,
            kind=kind,
            chain=(target,),
            params=MappingProxyType({}),
            system_prompt=None,
            timeouts=provider.timeouts or self.config.timeouts,
            retry=self.config.retry,
            limits=RouteLimits(),
            retention=Retention.METADATA,
            redact=True,
            direct=True,
        )


def _compile(config: ConfianceConfig, name: str) -> CompiledRoute:
    spec = config.routes[name]
    return CompiledRoute(
        name=name,
        kind=spec.kind,
        chain=resolve_chain(config, name),
        params=MappingProxyType(dict(spec.params)),
        system_prompt=spec.system_prompt,
        timeouts=spec.timeouts or config.timeouts,
        retry=spec.retry or config.retry,
        limits=spec.limits,
        retention=spec.retention,
        redact=spec.redact,
        durability=spec.trace_durability,
        overflow=spec.trace_overflow,
    )
