"""Deciding, per request, what goes wrong: the fault plan.

Random draws come from one generator seeded by the config, so one sequence of requests meets
the same faults in every run. Deterministic faults (``fail_first``, alternating ``flaky``) count
requests per model name in :class:`SimulatorStats`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import StrEnum

from confiance.providers.simulated.behaviour import Behaviour, FixedLatency, FlakyMode
from confiance.providers.simulated.stats import SimulatorStats

__all__ = ["Fault", "FaultPlanner", "Plan"]


class Fault(StrEnum):
    NONE = "none"
    HANG = "hang"
    ERROR = "error"
    RESET = "reset"
    MALFORMED = "malformed"


@dataclass(frozen=True, slots=True)
class Plan:
    """What one request will meet: ``delay`` seconds before the answer starts, at most one
    fault, and whether the content is spoiled (flaky)."""

    number: int
    delay: float
    fault: Fault
    bad_content: bool


class FaultPlanner:
    def __init__(self, seed: int, stats: SimulatorStats) -> None:
        self._rng = random.Random(seed)
        self._stats = stats

    def plan(self, model: str, behaviour: Behaviour) -> Plan:
        """Count the request for ``model`` and draw its fate from ``behaviour``."""
        number = self._stats.record_model(model)
        latency = behaviour.latency
        if isinstance(latency, FixedLatency):
            delay = latency.ms / 1000.0
        else:
            delay = latency.sample(self._rng)
        return Plan(number, delay, self._fault(number, behaviour), self._bad(number, behaviour))

    def _fault(self, number: int, behaviour: Behaviour) -> Fault:
        if behaviour.hang:
            return Fault.HANG
        if number <= behaviour.fail_first or self._draw(behaviour.error_rate):
            return Fault.ERROR
        if self._draw(behaviour.reset_rate):
            return Fault.RESET
        if self._draw(behaviour.malformed_rate):
            return Fault.MALFORMED
        return Fault.NONE

    def _bad(self, number: int, behaviour: Behaviour) -> bool:
        if behaviour.flaky is FlakyMode.ALTERNATE:
            return number % 2 == 0
        if behaviour.flaky is FlakyMode.RANDOM:
            return self._draw(behaviour.flaky_rate)
        return False

    def _draw(self, rate: float) -> bool:
        # No draw at all for a zero rate keeps the sequence stable when unrelated rates change.
        return rate > 0.0 and (rate >= 1.0 or self._rng.random() < rate)
