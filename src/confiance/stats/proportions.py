"""A proportion (successes out of trials) and its confidence intervals.

Two intervals are offered. Wilson's score interval is the default: its coverage stays close to
the nominal level even for small samples and proportions near 0 or 1, where the textbook Wald
interval collapses to a point. Clopper-Pearson inverts the binomial test exactly; it never
under-covers, at the price of being wider. Both accept a fractional number of trials, so an
*effective* sample size (see :mod:`confiance.stats.clustered`) can be passed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from scipy import stats as _scipy

__all__ = [
    "Interval",
    "IntervalMethod",
    "Proportion",
    "clopper_pearson_interval",
    "normal_quantile",
    "proportion_interval",
    "wilson_interval",
]


class IntervalMethod(StrEnum):
    WILSON = "wilson"
    CLOPPER_PEARSON = "clopper-pearson"


@dataclass(frozen=True, slots=True)
class Interval:
    """A two-sided confidence interval ``[low, high]`` at level ``confidence`` (e.g. 0.95)."""

    low: float
    high: float
    confidence: float

    def __post_init__(self) -> None:
        if not self.low <= self.high:
            raise ValueError(f"interval low ({self.low}) must not exceed high ({self.high})")

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high

    @property
    def width(self) -> float:
        return self.high - self.low


@dataclass(frozen=True, slots=True)
class Proportion:
    """``successes`` out of ``trials``. ``trials`` may be fractional (an effective size)."""

    successes: float
    trials: float

    def __post_init__(self) -> None:
        if self.trials < 0 or self.successes < 0:
            raise ValueError("successes and trials must not be negative")
        if self.successes > self.trials + 1e-9:
            raise ValueError(f"successes ({self.successes}) exceed trials ({self.trials})")

    @property
    def rate(self) -> float:
        """The observed proportion; 0.0 when there are no trials (nothing observed)."""
        return self.successes / self.trials if self.trials > 0 else 0.0

    def interval(
        self, confidence: float = 0.95, method: IntervalMethod = IntervalMethod.WILSON
    ) -> Interval:
        return proportion_interval(self.successes, self.trials, confidence, method)


def normal_quantile(probability: float) -> float:
    """The standard normal quantile: ``normal_quantile(0.975)`` ≈ 1.96."""
    _check_open_unit(probability, "probability")
    return float(_scipy.norm.ppf(probability))


def proportion_interval(
    successes: float,
    trials: float,
    confidence: float = 0.95,
    method: IntervalMethod = IntervalMethod.WILSON,
) -> Interval:
    """The interval of ``method`` for ``successes`` out of ``trials``."""
    if method is IntervalMethod.CLOPPER_PEARSON:
        return clopper_pearson_interval(successes, trials, confidence)
    return wilson_interval(successes, trials, confidence)


def wilson_interval(successes: float, trials: float, confidence: float = 0.95) -> Interval:
    """Wilson's score interval. With no trials, the whole ``[0, 1]`` (nothing is known).

    Raises ``ValueError`` for a confidence outside (0, 1) or inconsistent counts.
    """
    _check_counts(successes, trials)
    _check_open_unit(confidence, "confidence")
    if trials == 0:
        return Interval(0.0, 1.0, confidence)
    z = normal_quantile(0.5 + confidence / 2)
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    # Rounding can push the bounds a hair past the observed rate at p = 0 or 1.
    return Interval(max(0.0, min(centre - half, p)), min(1.0, max(centre + half, p)), confidence)


def clopper_pearson_interval(successes: float, trials: float, confidence: float = 0.95) -> Interval:
    """The exact (Clopper-Pearson) interval from beta quantiles; ``[0, 1]`` with no trials."""
    _check_counts(successes, trials)
    _check_open_unit(confidence, "confidence")
    if trials == 0:
        return Interval(0.0, 1.0, confidence)
    alpha = 1 - confidence
    failures = trials - successes
    low = 0.0 if successes == 0 else float(_scipy.beta.ppf(alpha / 2, successes, failures + 1))
    high = 1.0 if failures <= 0 else float(_scipy.beta.ppf(1 - alpha / 2, successes + 1, failures))
    return Interval(low, high, confidence)


def _check_counts(successes: float, trials: float) -> None:
    if trials < 0 or successes < 0 or successes > trials + 1e-9:
        raise ValueError(f"need 0 <= successes <= trials, got {successes} of {trials}")


def _check_open_unit(value: float, name: str) -> None:
    if not 0 < value < 1:
        raise ValueError(f"{name} must be strictly between 0 and 1, got {value}")
