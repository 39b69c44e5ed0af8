"""The simulator's configuration: which behaviour each model name gets.

``SimulatorConfig()`` is a fast, deterministic, error-free vendor. ``models`` maps exact model
names or glob patterns (``gpt-4o*``, ``claude-?-haiku``) to behaviours; an exact name wins over a
pattern, and patterns are tried in the order written. Directives in the requested model name
(see :mod:`.directives`) then apply on top.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from confiance.providers.simulated.behaviour import Behaviour

__all__ = ["SimulatorConfig"]

_GLOB_CHARS = frozenset("*?[")


def _no_plus(pattern: str) -> str:
    if "+" in pattern:
        raise ValueError(
            f"model pattern {pattern!r} contains '+': patterns match the base name, "
            "before any '+directive' segments"
        )
    return pattern


ModelPattern = Annotated[str, Field(min_length=1, max_length=256), AfterValidator(_no_plus)]


class SimulatorConfig(BaseModel):
    """The whole simulator: a seed for every random draw, a default behaviour, per-model ones.

    ``seed`` makes random latencies, error rates and flaky content reproducible for one sequence
    of requests; it also enters generated content only through the request's own ``seed``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    seed: int = 0
    default: Behaviour = Field(default_factory=Behaviour)
    models: dict[ModelPattern, Behaviour] = Field(default_factory=dict)
    embedding_dimensions: Annotated[int, Field(ge=1, le=8192)] = 1536

    def behaviour_for(self, base_name: str) -> Behaviour:
        """The configured behaviour for a base model name (no directives): exact name first,
        then the first matching glob pattern, else ``default``."""
        exact = self.models.get(base_name)
        if exact is not None:
            return exact
        for pattern, behaviour in self.models.items():
            if _GLOB_CHARS.intersection(pattern) and fnmatchcase(base_name, pattern):
                return behaviour
        return self.default

    def listed_models(self) -> list[str]:
        """Exact model names from the config, for ``GET /v1/models`` (patterns are not names)."""
        return [name for name in self.models if not _GLOB_CHARS.intersection(name)]
