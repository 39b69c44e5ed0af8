from __future__ import annotations

from confiance.config.schema import CircuitBreakerConfig, RetryConfig
from confiance.gateway.resilience import BreakerBoard, BreakerState, CircuitBreaker, backoff_delay


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_breaker_opens_after_threshold_consecutive_failures() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(CircuitBreakerConfig(failure_threshold=3, reset_timeout=10), clock)
    assert not breaker.record_failure()
    breaker.record_success()  # a success resets the consecutive count
    assert not breaker.record_failure()
    assert not breaker.record_failure()
    assert breaker.allow()
    assert breaker.record_failure()
    assert breaker.state is BreakerState.OPEN
    assert not breaker.allow()


def test_half_open_lets_exactly_one_probe_and_its_outcome_decides() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(CircuitBreakerConfig(failure_threshold=1, reset_timeout=5), clock)
    breaker.record_failure()
    clock.now += 5
    assert breaker.state is BreakerState.HALF_OPEN
    assert breaker.allow()
    assert not breaker.allow(), "a second caller must wait while the probe is out"
    assert breaker.record_failure(), "a failed probe re-opens"
    assert breaker.state is BreakerState.OPEN
    clock.now += 5
    assert breaker.allow()
    breaker.record_success()
    assert breaker.state is BreakerState.CLOSED
    assert breaker.allow() and breaker.allow()


def test_disabled_breaker_always_allows() -> None:
    breaker = CircuitBreaker(CircuitBreakerConfig(enabled=False, failure_threshold=1))
    for _ in range(5):
        breaker.record_failure()
    assert breaker.allow()


def test_board_replaces_breaker_when_config_changes() -> None:
    board = BreakerBoard()
    first = board.get("p/m", CircuitBreakerConfig(failure_threshold=2))
    assert board.get("p/m", CircuitBreakerConfig(failure_threshold=2)) is first
    assert board.get("p/m", CircuitBreakerConfig(failure_threshold=3)) is not first


def test_backoff_grows_exponentially_and_is_capped() -> None:
    policy = RetryConfig(backoff_initial=0.1, backoff_max=0.5, jitter=False)
    assert [backoff_delay(policy, n, None) for n in (1, 2, 3, 4)] == [0.1, 0.2, 0.4, 0.5]


def test_jitter_stays_between_half_and_full_step() -> None:
    policy = RetryConfig(backoff_initial=1.0, backoff_max=10, jitter=True)
    assert backoff_delay(policy, 2, None, rand=lambda: 0.0) == 1.0
    assert backoff_delay(policy, 2, None, rand=lambda: 1.0) == 2.0


def test_retry_after_is_honoured_and_too_long_means_give_up() -> None:
    policy = RetryConfig(max_retry_after=5)
    assert backoff_delay(policy, 1, 3.0) == 3.0
    assert backoff_delay(policy, 1, 30.0) is None
    ignoring = RetryConfig(respect_retry_after=False, backoff_initial=0.2, jitter=False)
    assert backoff_delay(ignoring, 1, 30.0) == 0.2
