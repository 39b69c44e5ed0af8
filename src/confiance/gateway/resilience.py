"""Circuit breakers per provider+model, and retry backoff.

A breaker is *closed* until ``failure_threshold`` consecutive failures; then *open*: calls are
refused without touching the vendor until ``reset_timeout`` has passed; then *half-open*: exactly
one probe call goes through. The probe's success closes the breaker, its failure re-opens it.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from confiance.config.schema import CircuitBreakerConfig, RetryConfig

__all__ = ["BreakerBoard", "BreakerState", "CircuitBreaker", "backoff_delay"]


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(slots=True)
class CircuitBreaker:
    config: CircuitBreakerConfig
    clock: Callable[[], float] = time.monotonic
    failures: int = 0
    opened_at: float | None = None
    probing: bool = field(default=False)

    @property
    def state(self) -> BreakerState:
        if self.opened_at is None:
            return BreakerState.CLOSED
        if self.clock() - self.opened_at >= self.config.reset_timeout:
            return BreakerState.HALF_OPEN
        return BreakerState.OPEN

    def allow(self) -> bool:
        """Whether a call may go out now. In half-open, only the first caller gets through."""
        if not self.config.enabled:
            return True
        state = self.state
        if state is BreakerState.CLOSED:
            return True
        if state is BreakerState.HALF_OPEN and not self.probing:
            self.probing = True
            return True
        return False

    def record_success(self) -> None:
        self.failures = 0
        self.opened_at = None
        self.probing = False

    def record_failure(self) -> bool:
        """Count a failure; returns True when this failure opened (or re-opened) the breaker."""
        self.failures += 1
        if self.probing or (
            self.opened_at is None and self.failures >= self.config.failure_threshold
        ):
            self.opened_at = self.clock()
            self.probing = False
            return True
        return False

    def release_probe(self) -> None:
        """A half-open probe ended without a verdict (e.g. the client went away)."""
        self.probing = False


class BreakerBoard:
    """All breakers of a gateway, keyed by ``provider/model``; created on first use."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._breakers: dict[str, CircuitBreaker] = {}
        self._clock = clock

    def get(self, key: str, config: CircuitBreakerConfig) -> CircuitBreaker:
        breaker = self._breakers.get(key)
        if breaker is None or (breaker.config is not config and breaker.config != config):
            breaker = CircuitBreaker(config=config, clock=self._clock)
            self._breakers[key] = breaker
        return breaker

    def states(self) -> dict[str, BreakerState]:
        return {key: b.state for key, b in self._breakers.items()}


def backoff_delay(
    policy: RetryConfig,
    retry_number: int,
    retry_after: float | None,
    rand: Callable[[], float] = random.random,
) -> float | None:
    """Seconds to wait before retry ``retry_number`` (1-based), or None to give up on this target.

    Exponential backoff capped at ``backoff_max``, with full jitter in [50%, 100%] of the step.
    A vendor's ``Retry-After`` wins when the policy respects it; one longer than
    ``max_retry_after`` means this target is not worth waiting for (fall back instead).
    """
    if retry_after is not None and policy.respect_retry_after:
        return retry_after if retry_after <= policy.max_retry_after else None
    step: float = min(policy.backoff_max, policy.backoff_initial * 2.0 ** (retry_number - 1))
    return step * (0.5 + 0.5 * rand()) if policy.jitter else step
