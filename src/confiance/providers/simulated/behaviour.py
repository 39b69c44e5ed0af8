"""How one simulated model behaves: latency, faults and content.

A :class:`Behaviour` is immutable and validated once (from a config file, from Python, or from
the directives in a model name); the request path only reads its attributes. Every field has a
default that gives a fast, deterministic, error-free model, so ``Behaviour()`` is a good vendor.
"""

from __future__ import annotations

import math
import random
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from confiance.providers.simulated.recognise import Category

__all__ = [
    "ERROR_STATUSES",
    "Behaviour",
    "FixedLatency",
    "FlakyMode",
    "Latency",
    "LognormalLatency",
    "NormalLatency",
    "UniformLatency",
]

MAX_DELAY_MS = 600_000.0
"""No sampled delay exceeds ten minutes: a simulator that sleeps longer is a hang, say so."""

ERROR_STATUSES = frozenset({400, 401, 403, 404, 408, 409, 413, 422, 429, 500, 502, 503, 504, 529})
"""Statuses a behaviour may answer with: the ones real vendors send."""

Rate = Annotated[float, Field(ge=0.0, le=1.0)]
Millis = Annotated[float, Field(ge=0.0, le=MAX_DELAY_MS)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _clip_seconds(ms: float) -> float:
    return min(max(ms, 0.0), MAX_DELAY_MS) / 1000.0


class FixedLatency(_Strict):
    """Always the same delay."""

    distribution: Literal["fixed"] = "fixed"
    ms: Millis = 0.0

    def sample(self, rng: random.Random) -> float:
        """The delay in seconds."""
        return self.ms / 1000.0


class UniformLatency(_Strict):
    """A delay drawn uniformly between ``low_ms`` and ``high_ms``."""

    distribution: Literal["uniform"] = "uniform"
    low_ms: Millis
    high_ms: Millis

    @model_validator(mode="after")
    def _ordered(self) -> UniformLatency:
        if self.high_ms < self.low_ms:
            raise ValueError(f"high_ms ({self.high_ms}) must be at least low_ms ({self.low_ms})")
        return self

    def sample(self, rng: random.Random) -> float:
        return _clip_seconds(rng.uniform(self.low_ms, self.high_ms))


class NormalLatency(_Strict):
    """A normal delay (``mean_ms``, ``stddev_ms``), cut at zero."""

    distribution: Literal["normal"] = "normal"
    mean_ms: Millis
    stddev_ms: Millis = 0.0

    def sample(self, rng: random.Random) -> float:
        return _clip_seconds(rng.gauss(self.mean_ms, self.stddev_ms))


class LognormalLatency(_Strict):
    """A log-normal delay: ``median_ms`` times ``exp(sigma * N(0, 1))``. A long right tail, as
    real vendors have."""

    distribution: Literal["lognormal"] = "lognormal"
    median_ms: Annotated[float, Field(gt=0.0, le=MAX_DELAY_MS)]
    sigma: Annotated[float, Field(ge=0.0, le=5.0)] = 0.5

    def sample(self, rng: random.Random) -> float:
        return _clip_seconds(rng.lognormvariate(math.log(self.median_ms), self.sigma))


Latency = Annotated[
    FixedLatency | UniformLatency | NormalLatency | LognormalLatency,
    Field(discriminator="distribution"),
]


class FlakyMode(StrEnum):
    """How a flaky model mixes good and bad content."""

    OFF = "off"
    ALTERNATE = "alternate"
    """Good, bad, good, bad... counted per model name (the first answer is good)."""
    RANDOM = "random"
    """Bad with probability ``flaky_rate``, drawn from the simulator's seeded generator."""


class Behaviour(_Strict):
    """Everything that makes one simulated model differ from a fast, correct one.

    Faults are checked in this order on each request: latency, ``hang``, ``fail_first``,
    ``error_rate``, ``reset_rate``, ``malformed_rate``; streams then apply ``stall_after`` and
    ``break_after``. Content: ``fixed_content`` or ``echo`` if set, else an injected instruction
    when ``follow_injections`` finds one, else, with ``weaknesses`` or ``guarded``, the answer
    to an attack (:mod:`.weaknesses`: complies in the weak categories, resists the others), else
    JSON or a tool call when asked for, else generated text; ``leak_system_prompt``,
    ``invalid_json`` and ``flaky`` then spoil it.
    """

    latency: Latency = Field(default_factory=FixedLatency)
    ttft_ms: Millis = 0.0
    tokens_per_s: Annotated[float, Field(gt=0.0, le=1_000_000.0)] | None = None
    error_rate: Rate = 0.0
    error_status: int = 500
    fail_first: Annotated[int, Field(ge=0, le=1_000_000)] = 0
    retry_after_s: Annotated[float, Field(ge=0.0, le=3600.0)] | None = None
    hang: bool = False
    reset_rate: Rate = 0.0
    malformed_rate: Rate = 0.0
    stall_after: Annotated[int, Field(ge=0)] | None = None
    break_after: Annotated[int, Field(ge=0)] | None = None
    echo: bool = False
    fixed_content: str | None = None
    leak_system_prompt: bool = False
    follow_injections: bool = False
    invalid_json: bool = False
    weaknesses: tuple[Category, ...] = ()
    guarded: bool = False
    flaky: FlakyMode = FlakyMode.OFF
    flaky_rate: Rate = 0.5
    answer_model: Annotated[str, Field(min_length=1, max_length=256)] | None = None
    reply_words: Annotated[int, Field(ge=1, le=8192)] = 20

    @field_validator("latency", mode="before")
    @classmethod
    def _latency_shorthand(cls, value: Any) -> Any:
        # A bare number is the common case: a fixed delay in milliseconds.
        if isinstance(value, int | float) and not isinstance(value, bool):
            return {"distribution": "fixed", "ms": value}
        if isinstance(value, dict) and "distribution" not in value:
            return {"distribution": "fixed", **value}
        return value

    @field_validator("error_status")
    @classmethod
    def _known_status(cls, value: int) -> int:
        if value not in ERROR_STATUSES:
            allowed = ", ".join(str(s) for s in sorted(ERROR_STATUSES))
            raise ValueError(f"{value} is not an error status vendors send; use one of {allowed}")
        return value

    @model_validator(mode="after")
    def _one_content_source(self) -> Behaviour:
        if self.echo and self.fixed_content is not None:
            raise ValueError("echo and fixed_content both choose the content; set only one")
        return self

    @property
    def retry_after(self) -> float | None:
        """Seconds to announce in ``Retry-After``: as configured, else 1 s on 429 and 503."""
        if self.retry_after_s is not None:
            return self.retry_after_s
        return 1.0 if self.error_status in (429, 503, 529) else None
