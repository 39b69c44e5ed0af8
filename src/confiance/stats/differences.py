"""Comparing two proportions: the difference, its interval and one- or two-sided tests.

The difference is always ``candidate - baseline``. Its interval is Newcombe's hybrid score
interval (built from the two Wilson intervals), which keeps its coverage for small samples and
rates near 0 or 1. Tests: the pooled two-proportion z-test (accepts the fractional effective
counts of :mod:`confiance.stats.clustered`) and Fisher's exact test for whole counts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from scipy import stats as _scipy

from confiance.stats.proportions import Interval, Proportion, wilson_interval

__all__ = [
    "Alternative",
    "ProportionDifference",
    "compare_proportions",
    "fisher_exact_test",
    "newcombe_interval",
    "two_proportion_z_test",
]


class Alternative(StrEnum):
    """Which departure from "no difference" a test looks for (candidate vs baseline)."""

    LESS = "less"
    """The candidate's rate is lower."""
    GREATER = "greater"
    TWO_SIDED = "two-sided"


@dataclass(frozen=True, slots=True)
class ProportionDifference:
    """``candidate.rate - baseline.rate`` with its interval and the p-value of ``alternative``."""

    baseline: Proportion
    candidate: Proportion
    difference: float
    interval: Interval
    p_value: float
    alternative: Alternative

    def significant(self, alpha: float) -> bool:
        return self.p_value < alpha


def newcombe_interval(
    baseline: Proportion, candidate: Proportion, confidence: float = 0.95
) -> Interval:
    """Newcombe's hybrid score interval for ``candidate.rate - baseline.rate``."""
    p1, p2 = candidate.rate, baseline.rate
    w1 = wilson_interval(candidate.successes, candidate.trials, confidence)
    w2 = wilson_interval(baseline.successes, baseline.trials, confidence)
    delta = p1 - p2
    low = delta - math.sqrt((p1 - w1.low) ** 2 + (w2.high - p2) ** 2)
    high = delta + math.sqrt((w1.high - p1) ** 2 + (p2 - w2.low) ** 2)
    return Interval(max(-1.0, low), min(1.0, high), confidence)


def two_proportion_z_test(
    baseline: Proportion,
    candidate: Proportion,
    alternative: Alternative = Alternative.TWO_SIDED,
) -> float:
    """The pooled z-test p-value. With no variance at all (both rates 0, or both 1, or an
    empty side) there is no evidence of a difference and the p-value is 1."""
    n1, n2 = candidate.trials, baseline.trials
    if n1 <= 0 or n2 <= 0:
        return 1.0
    pooled = (candidate.successes + baseline.successes) / (n1 + n2)
    variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if variance <= 0:
        return 1.0
    z = (candidate.rate - baseline.rate) / math.sqrt(variance)
    return _tail(z, alternative)


def fisher_exact_test(
    baseline: Proportion,
    candidate: Proportion,
    alternative: Alternative = Alternative.TWO_SIDED,
) -> float:
    """Fisher's exact test p-value on whole counts (fractions are rounded)."""
    table = [
        [round(candidate.successes), round(candidate.trials - candidate.successes)],
        [round(baseline.successes), round(baseline.trials - baseline.successes)],
    ]
    result = _scipy.fisher_exact(table, alternative=str(alternative))
    return float(result.pvalue)


def compare_proportions(
    baseline: Proportion,
    candidate: Proportion,
    *,
    confidence: float = 0.95,
    alternative: Alternative = Alternative.TWO_SIDED,
) -> ProportionDifference:
    """The difference, Newcombe's interval at ``confidence`` and the z-test p-value."""
    return ProportionDifference(
        baseline=baseline,
        candidate=candidate,
        difference=candidate.rate - baseline.rate,
        interval=newcombe_interval(baseline, candidate, confidence),
        p_value=two_proportion_z_test(baseline, candidate, alternative),
        alternative=alternative,
    )


def _tail(z: float, alternative: Alternative) -> float:
    if alternative is Alternative.LESS:
        return float(_scipy.norm.cdf(z))
    if alternative is Alternative.GREATER:
        return float(_scipy.norm.sf(z))
    return float(2 * _scipy.norm.sf(abs(z)))
