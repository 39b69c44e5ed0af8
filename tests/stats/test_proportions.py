"""Intervals against published values and against their promised coverage."""

from __future__ import annotations

import random

import pytest

from confiance.stats import (
    IntervalMethod,
    Proportion,
    clopper_pearson_interval,
    normal_quantile,
    wilson_interval,
)


@pytest.mark.parametrize(
    ("successes", "trials", "low", "high"),
    [
        # Newcombe (1998), Statistics in Medicine 17:857, table I (score method, no correction).
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_matches_newcombe_table(
    successes: int, trials: int, low: float, high: float
) -> None:
    interval = wilson_interval(successes, trials, 0.95)
    assert interval.low == pytest.approx(low, abs=1e-4)
    assert interval.high == pytest.approx(high, abs=1e-4)


@pytest.mark.parametrize(
    ("successes", "trials", "low", "high"),
    [
        # Same table, exact (Clopper-Pearson) column.
        (81, 263, 0.2527, 0.3676),
        (15, 148, 0.0578, 0.1617),
        (0, 20, 0.0, 0.1684),
        (1, 29, 0.0009, 0.1776),
    ],
)
def test_clopper_pearson_matches_newcombe_table(
    successes: int, trials: int, low: float, high: float
) -> None:
    interval = clopper_pearson_interval(successes, trials, 0.95)
    assert interval.low == pytest.approx(low, abs=1e-4)
    assert interval.high == pytest.approx(high, abs=1e-4)


@pytest.mark.parametrize("method", list(IntervalMethod))
def test_coverage_is_close_to_nominal(method: IntervalMethod) -> None:
    rng = random.Random(7)
    covered = 0
    draws = 2000
    for _ in range(draws):
        rate = rng.uniform(0.05, 0.95)
        trials = rng.randint(10, 60)
        successes = sum(rng.random() < rate for _ in range(trials))
        covered += Proportion(successes, trials).interval(0.95, method).contains(rate)
    assert 0.93 <= covered / draws <= 0.995


def test_extremes_include_the_observed_rate_and_stay_in_unit_range() -> None:
    for successes in (0, 30):
        interval = wilson_interval(successes, 30)
        assert 0.0 <= interval.low <= successes / 30 <= interval.high <= 1.0
    assert wilson_interval(0, 0).width == 1.0
    assert clopper_pearson_interval(0, 0).width == 1.0


def test_fractional_effective_trials_give_wider_intervals() -> None:
    full = wilson_interval(40, 50)
    shrunk = wilson_interval(8, 10)
    assert shrunk.width > full.width


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="confidence"):
        wilson_interval(1, 2, 1.0)
    with pytest.raises(ValueError, match="successes"):
        wilson_interval(3, 2)
    with pytest.raises(ValueError, match="exceed"):
        Proportion(5, 4)
    assert normal_quantile(0.975) == pytest.approx(1.959964, abs=1e-6)
