"""Where a run's cases come from: a suite file or a probe pack.

A source loads its suite *with the run's variables* (the canary), so a resumed run rebuilds
exactly the cases it started with; the run stores the source's description to say which.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from confiance.domain.types import JSONObject
from confiance.errors import ConfigError
from confiance.evals.assertions.registry import AssertionRegistry
from confiance.evals.loader import LoadedSuite, load_suite, with_strategies
from confiance.evals.packs.registry import find_pack, load_pack

__all__ = ["FileSource", "PackSource", "SuiteSource", "source_from_spec"]


class SuiteSource(Protocol):
    @property
    def description(self) -> str: ...

    def spec(self) -> JSONObject:
        """What :func:`source_from_spec` needs to rebuild this source (stored with the run)."""
        ...

    def load(self, variables: Mapping[str, Any]) -> LoadedSuite: ...


@dataclass(frozen=True, slots=True)
class FileSource:
    """A suite YAML file; ``strict_data`` refuses the suite when a dataset row is unreadable."""

    path: Path
    strict_data: bool = False
    registry: AssertionRegistry | None = field(default=None, compare=False)
    strategies: tuple[str, ...] = ()

    @property
    def description(self) -> str:
        return str(self.path) + _with(self.strategies)

    def spec(self) -> JSONObject:
        return {
            "kind": "file",
            "path": str(self.path.resolve()),
            "strict_data": self.strict_data,
            "strategies": list(self.strategies),
        }

    def load(self, variables: Mapping[str, Any]) -> LoadedSuite:
        suite = load_suite(
            self.path, registry=self.registry, variables=variables, strict_data=self.strict_data
        )
        return with_strategies(suite, self.strategies)


@dataclass(frozen=True, slots=True)
class PackSource:
    """A probe pack by name or directory, optionally restricted to some categories."""

    pack: str
    categories: Collection[str] = ()
    registry: AssertionRegistry | None = field(default=None, compare=False)
    strategies: tuple[str, ...] = ()

    @property
    def description(self) -> str:
        info = find_pack(self.pack)
        only = f" [{', '.join(sorted(self.categories))}]" if self.categories else ""
        return f"pack {info.name} {info.version}{only}{_with(self.strategies)}"

    def spec(self) -> JSONObject:
        return {
            "kind": "pack",
            "pack": self.pack,
            "categories": sorted(self.categories),
            "strategies": list(self.strategies),
        }

    def load(self, variables: Mapping[str, Any]) -> LoadedSuite:
        return load_pack(
            self.pack,
            registry=self.registry,
            variables=variables,
            categories=self.categories,
            strategies=self.strategies,
        )


def _with(strategies: tuple[str, ...]) -> str:
    return f" + strategies {', '.join(strategies)}" if strategies else ""


def source_from_spec(spec: object, registry: AssertionRegistry | None = None) -> SuiteSource:
    """The source a stored run was made from. Raises ``ConfigError`` for an unusable spec."""
    strategies = (
        tuple(str(s) for s in (spec.get("strategies") or [])) if isinstance(spec, dict) else ()
    )
    if isinstance(spec, dict) and spec.get("kind") == "file" and isinstance(spec.get("path"), str):
        return FileSource(Path(spec["path"]), bool(spec.get("strict_data")), registry, strategies)
    if isinstance(spec, dict) and spec.get("kind") == "pack" and isinstance(spec.get("pack"), str):
        categories = [str(c) for c in spec.get("categories") or []]
        return PackSource(spec["pack"], tuple(categories), registry, strategies)
    raise ConfigError("the run does not record its suite: pass the suite file or --pack again")
