"""Cross-references inside a config: targets, fallback chains between routes, cycles.

A route's chain is its ``target`` followed by its ``fallbacks``; an entry that names another
route (no ``/``) is replaced by that route's whole chain. Duplicates keep their first place.
"""

from __future__ import annotations

from dataclasses import dataclass

from confiance.config.schema import ConfianceConfig
from confiance.domain.words import article

__all__ = ["Problem", "Target", "reference_problems", "resolve_chain"]

Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Target:
    provider: str
    model: str

    def __str__(self) -> str:
        return f"{self.provider}/{self.model}"

    @classmethod
    def parse(cls, text: str) -> Target:
        provider, _, model = text.partition("/")
        return cls(provider=provider, model=model)


@dataclass(frozen=True, slots=True)
class Problem:
    """A reference error: ``path`` locates the offending value in the document."""

    path: Path
    message: str


def _entries(config: ConfianceConfig, route: str) -> list[tuple[Path, str]]:
    spec = config.routes[route]
    entries: list[tuple[Path, str]] = [(("routes", route, "target"), spec.target)]
    entries += [(("routes", route, "fallbacks", i), f) for i, f in enumerate(spec.fallbacks)]
    return entries


def reference_problems(config: ConfianceConfig) -> list[Problem]:
    """Every dangling reference and every cycle, in document order."""
    problems: list[Problem] = []
    for route in config.routes:
        for path, entry in _entries(config, route):
            problems += _check_entry(config, route, path, entry)
    for route in config.routes:
        cycle = _find_cycle(config, route, [])
        if cycle:
            problems.append(
                Problem(("routes", route, "fallbacks"), "route cycle: " + " -> ".join(cycle))
            )
            break
    for model in config.prices:
        if "/" not in model or model.split("/", 1)[0] not in config.providers:
            problems.append(
                Problem(("prices", model), "price key must be provider/model with a known provider")
            )
    return problems


def _check_entry(config: ConfianceConfig, route: str, path: Path, entry: str) -> list[Problem]:
    if "/" in entry:
        target = Target.parse(entry)
        if target.provider not in config.providers:
            known = ", ".join(sorted(config.providers)) or "none defined"
            return [Problem(path, f"unknown provider {target.provider!r} (known: {known})")]
        if not target.model:
            return [Problem(path, f"{entry!r} names no model after the provider")]
        return []
    if entry not in config.routes:
        return [Problem(path, f"{entry!r} is neither provider/model nor a known route")]
    if config.routes[entry].kind != config.routes[route].kind:
        return [Problem(path, f"route {entry!r} is {article(config.routes[entry].kind)} route")]
    return []


def _find_cycle(config: ConfianceConfig, route: str, stack: list[str]) -> list[str]:
    if route in stack:
        return [*stack[stack.index(route) :], route]
    for _, entry in _entries(config, route):
        if "/" not in entry and entry in config.routes:
            cycle = _find_cycle(config, entry, [*stack, route])
            if cycle:
                return cycle
    return []


def resolve_chain(config: ConfianceConfig, route: str) -> tuple[Target, ...]:
    """The flattened, de-duplicated chain of targets for ``route`` (config must be valid)."""
    chain: list[Target] = []
    for _, entry in _entries(config, route):
        targets = (Target.parse(entry),) if "/" in entry else resolve_chain(config, entry)
        chain += [t for t in targets if t not in chain]
    return tuple(chain)
