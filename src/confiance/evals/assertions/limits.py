"""Assertions on numbers: a number in the answer, and the call's latency, tokens and cost."""

from __future__ import annotations

import math
import re
from typing import ClassVar

from pydantic import Field, model_validator

from confiance.domain.evaluation import AssertionOutcome
from confiance.evals.assertions.base import (
    AssertionParams,
    CheckContext,
    Observation,
    error_outcome,
    outcome,
)

__all__ = ["Cost", "Latency", "Number", "Tokens"]

_NUMBER = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?")


def first_number(text: str) -> float | None:
    """The first number written in ``text`` (thousands separators allowed), or ``None``."""
    match = _NUMBER.search(text)
    return None if match is None else float(match.group(0).replace(",", ""))


class Number(AssertionParams):
    """The first number in the answer lies in ``[min, max]``, or within ``tolerance`` of
    ``value`` (absolute; ``relative: true`` makes it a fraction of ``value``)."""

    KIND: ClassVar[str] = "number"
    value: float | None = None
    tolerance: float = Field(default=0.0, ge=0.0)
    relative: bool = False
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _bounds(self) -> Number:
        if self.value is None and self.min is None and self.max is None:
            raise ValueError("set value (with tolerance) or min and/or max")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) must not exceed max ({self.max})")
        return self

    async def check(self, observation: Observation, context: CheckContext) -> AssertionOutcome:
        found = first_number(observation.text)
        if found is None:
            return outcome(self, False, "the answer contains no number")
        low, high = self._range()
        if low <= found <= high:
            return outcome(self, True, f"{found:g} is within [{low:g}, {high:g}]")
        return outcome(self, False, f"{found:g} is outside [{low:g}, {high:g}]")

    def _range(self) -> tuple[float, float]:
        low = -math.inf if self.min is None else self.min
        high = math.inf if self.max is None else self.max
        if self.value is not None:
            spread = abs(self.value) * self.tolerance if self.relative else self.tolerance
            low, high = max(low, self.value - spread), min(high, self.value + spread)
        return low, high


class Latency(AssertionParams):
    """The call took at most ``max_ms`` milliseconds (retries included)."""

    KIND: ClassVar[str] = "latency"
    max_ms: float = Field(gt=0)

    async def check(self, observation: Observation, context: CheckContext) -> AssertionOutcome:
        took = observation.latency_ms
        verdict = took <= self.max_ms
        relation = "<=" if verdict else ">"
        return outcome(self, verdict, f"{took:.0f} ms {relation} {self.max_ms:g} ms")


class Tokens(AssertionParams):
    """Token counts from the answer's usage stay within the given limits."""

    KIND: ClassVar[str] = "tokens"
    max_completion: int | None = Field(default=None, ge=0)
    max_prompt: int | None = Field(default=None, ge=0)
    max_total: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _some_limit(self) -> Tokens:
        if self.max_completion is None and self.max_prompt is None and self.max_total is None:
            raise ValueError("set at least one of max_completion, max_prompt, max_total")
        return self

    async def check(self, observation: Observation, context: CheckContext) -> AssertionOutcome:
        counts = {
            "completion": (observation.completion_tokens, self.max_completion),
            "prompt": (observation.prompt_tokens, self.max_prompt),
            "total": (observation.prompt_tokens + observation.completion_tokens, self.max_total),
        }
        over = [f"{n} {v} > {m}" for n, (v, m) in counts.items() if m is not None and v > m]
        if over:
            return outcome(self, False, "; ".join(over))
        return outcome(self, True, "token counts within limits")


class Cost(AssertionParams):
    """The call cost at most ``max_usd``. Without a price for the model the cost is unknown
    and the outcome is an error, not a failure."""

    KIND: ClassVar[str] = "cost"
    max_usd: float = Field(ge=0)

    async def check(self, observation: Observation, context: CheckContext) -> AssertionOutcome:
        cost = observation.cost_usd
        if cost is None:
            return error_outcome(
                self, "cost unknown: no price is known for the model that answered"
            )
        verdict = cost <= self.max_usd
        relation = "<=" if verdict else ">"
        return outcome(self, verdict, f"${cost:.6f} {relation} ${self.max_usd:g}")
