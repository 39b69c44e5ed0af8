"""Paired comparisons: the same cases run twice, once on a baseline and once on a candidate.

Both runs of a regression check answer the same cases, so the evidence is in how each case
moved, not in two pass rates treated as independent samples (which counts the spread *between*
cases, always large in an eval suite, as noise on the difference). The unit is the case:

- **One judged repeat per case** in both runs: the **exact McNemar test**. Under "no change" a
  case that changed is as likely to have got worse as better, so with ``w`` cases worse and
  ``b`` better the one-sided p-value for a drop is ``P(Binomial(w + b, 1/2) >= w)``
  (McNemar 1947; exact form as in Fagerland, Lydersen and Laake 2013, BMC Medical Research
  Methodology 13:91).
- **Repeats**: the **paired permutation (sign-flip) test over cases**. Each case gives
  ``d = candidate rate - baseline rate``; under "no change" the two runs of a case are
  exchangeable, so each ``d`` is as likely to be ``+|d|`` as ``-|d|``. The p-value is the
  probability that the sum of the randomly signed ``|d|`` is at most the observed sum, computed
  exactly by convolution on the lattice of the rates' common denominator (Fisher 1935, Pitman
  1937; Good, *Permutation, Parametric and Bootstrap Tests of Hypotheses*, 2005). Repeats of a
  case are never assumed independent of each other: a case counts once however often it ran.
  With one repeat per case this is the McNemar test above.

The interval of the difference is a percentile bootstrap over cases (a cluster bootstrap) with
a fixed seed, so the same runs always give the same interval.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

import numpy as np
from scipy import stats as _scipy

from confiance.stats.clustered import ClusterCount
from confiance.stats.differences import Alternative
from confiance.stats.proportions import Interval

__all__ = [
    "PairedCase",
    "PairedDifference",
    "PairedMethod",
    "PairedTest",
    "compare_paired",
    "mcnemar_exact_test",
    "paired_bootstrap_interval",
    "paired_test",
    "sign_flip_test",
    "tarone_level",
]

# Above this many lattice cell updates the sign-flip p-value is estimated by Monte Carlo.
_LATTICE_LIMIT = 50_000_000
_MONTE_CARLO_DRAWS = 20_000
_BOOTSTRAP_RESAMPLES = 2_000
_SEED = 20_260_301


class PairedMethod(StrEnum):
    MCNEMAR = "exact McNemar test"
    SIGN_FLIP = "paired permutation test over cases"
    NONE = "no case judged in both runs"


@dataclass(frozen=True, slots=True)
class PairedCase:
    """One case in both runs: its judged repeats and passes in the baseline and the candidate."""

    baseline: ClusterCount
    candidate: ClusterCount

    @property
    def difference(self) -> Fraction:
        """``candidate rate - baseline rate``, exactly."""
        after = Fraction(self.candidate.successes, self.candidate.trials)
        return after - Fraction(self.baseline.successes, self.baseline.trials)


@dataclass(frozen=True, slots=True)
class PairedTest:
    """The paired test of ``candidate - baseline`` over ``cases`` cases judged in both runs.

    Rates are means of the per-case rates (every case weighs the same, however often it ran).
    ``worse`` and ``better`` count the cases whose rate moved down and up.
    """

    cases: int
    worse: int
    better: int
    baseline_rate: float
    candidate_rate: float
    p_value: float
    alternative: Alternative
    method: PairedMethod

    @property
    def difference(self) -> float:
        return self.candidate_rate - self.baseline_rate

    def significant(self, alpha: float) -> bool:
        return self.p_value < alpha

    @property
    def smallest_p_value(self) -> float:
        """The smallest p-value these cases could have given: every changed case moving the
        same way (``2^-changed`` one-sided). A test that cannot reach a level cannot reject."""
        smallest = 0.5 ** (self.worse + self.better)
        return smallest if self.alternative is not Alternative.TWO_SIDED else min(1.0, 2 * smallest)


@dataclass(frozen=True, slots=True)
class PairedDifference:
    """A :class:`PairedTest` with the bootstrap interval of its difference."""

    test: PairedTest
    interval: Interval

    @property
    def difference(self) -> float:
        return self.test.difference

    @property
    def p_value(self) -> float:
        return self.test.p_value

    def significant(self, alpha: float) -> bool:
        return self.test.significant(alpha)


def mcnemar_exact_test(
    worse: int, better: int, alternative: Alternative = Alternative.TWO_SIDED
) -> float:
    """The exact McNemar p-value from the discordant counts: ``worse`` cases that passed in the
    baseline and failed in the candidate, ``better`` the reverse. ``LESS`` looks for a drop."""
    changed = worse + better
    if changed == 0:
        return 1.0
    side = {
        Alternative.LESS: "greater",
        Alternative.GREATER: "less",
        Alternative.TWO_SIDED: "two-sided",
    }[alternative]
    return float(_scipy.binomtest(worse, changed, 0.5, alternative=side).pvalue)


def sign_flip_test(
    differences: Sequence[Fraction],
    alternative: Alternative = Alternative.TWO_SIDED,
    *,
    lattice_limit: int = _LATTICE_LIMIT,
) -> float:
    """The paired permutation p-value of ``sum(differences)``, each difference's sign flipped
    with probability 1/2. Exact on the lattice of the common denominator; a seeded Monte Carlo
    estimate (20,000 draws, ``(1 + hits) / (1 + draws)``) when that lattice exceeds
    ``lattice_limit`` cell updates."""
    steps_exact = [abs(d) for d in differences if d != 0]
    if not steps_exact:
        return 1.0
    scale = math.lcm(*(d.denominator for d in steps_exact))
    steps = [int(d * scale) for d in steps_exact]
    observed = int(sum(differences, Fraction(0)) * scale)
    total = sum(steps)
    if len(steps) * (2 * total + 1) > lattice_limit:
        return _monte_carlo(np.array(steps, dtype=float), observed, alternative)
    distribution = np.zeros(2 * total + 1)
    distribution[total] = 1.0
    for step in steps:
        moved = np.zeros_like(distribution)
        moved[step:] += 0.5 * distribution[:-step]
        moved[:-step] += 0.5 * distribution[step:]
        distribution = moved
    at_most = float(distribution[: observed + total + 1].sum())
    at_least = float(distribution[observed + total :].sum())
    return _sided(at_most, at_least, alternative)


def _monte_carlo(steps: np.ndarray, observed: int, alternative: Alternative) -> float:
    rng = np.random.default_rng(_SEED)
    at_most = at_least = 0
    for start in range(0, _MONTE_CARLO_DRAWS, 1_000):
        count = min(1_000, _MONTE_CARLO_DRAWS - start)
        signs = rng.integers(0, 2, size=(count, steps.size)) * 2 - 1
        sums = signs @ steps
        at_most += int(np.count_nonzero(sums <= observed + 0.5))
        at_least += int(np.count_nonzero(sums >= observed - 0.5))
    draws = _MONTE_CARLO_DRAWS + 1
    return _sided((at_most + 1) / draws, (at_least + 1) / draws, alternative)


def _sided(at_most: float, at_least: float, alternative: Alternative) -> float:
    if alternative is Alternative.LESS:
        return min(1.0, at_most)
    if alternative is Alternative.GREATER:
        return min(1.0, at_least)
    return min(1.0, 2 * min(at_most, at_least))


def paired_test(
    cases: Sequence[PairedCase], alternative: Alternative = Alternative.LESS
) -> PairedTest:
    """The paired test of the candidate against the baseline over ``cases``: exact McNemar when
    every case ran once in each run, the sign-flip test over cases otherwise. No cases means
    no evidence: p = 1."""
    if not cases:
        return PairedTest(0, 0, 0, 0.0, 0.0, 1.0, alternative, PairedMethod.NONE)
    differences = [case.difference for case in cases]
    worse = sum(d < 0 for d in differences)
    better = sum(d > 0 for d in differences)
    single = all(c.baseline.trials == 1 and c.candidate.trials == 1 for c in cases)
    if single:
        p_value, method = mcnemar_exact_test(worse, better, alternative), PairedMethod.MCNEMAR
    else:
        p_value, method = sign_flip_test(differences, alternative), PairedMethod.SIGN_FLIP
    before = sum(c.baseline.successes / c.baseline.trials for c in cases) / len(cases)
    after = sum(c.candidate.successes / c.candidate.trials for c in cases) / len(cases)
    return PairedTest(len(cases), worse, better, before, after, p_value, alternative, method)


def paired_bootstrap_interval(
    differences: Sequence[float],
    confidence: float = 0.95,
    *,
    resamples: int = _BOOTSTRAP_RESAMPLES,
) -> Interval:
    """The percentile bootstrap interval of the mean of ``differences``, resampling cases
    (seeded: the same input gives the same interval). ``[-1, 1]`` with no cases."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be strictly between 0 and 1, got {confidence}")
    if not differences:
        return Interval(-1.0, 1.0, confidence)
    # Resampling n cases with replacement draws each distinct value a multinomial number of
    # times: the same law as resampling indices, at a cost in distinct values, not cases.
    values, counts = np.unique(np.asarray(differences, dtype=float), return_counts=True)
    size = int(counts.sum())
    rng = np.random.default_rng(_SEED)
    means = rng.multinomial(size, counts / size, size=resamples) @ values / size
    tail = (1 - confidence) / 2
    low, high = np.quantile(means, [tail, 1 - tail])
    mean = float(values @ counts / size)
    return Interval(min(float(low), mean), max(float(high), mean), confidence)


def compare_paired(
    cases: Sequence[PairedCase],
    *,
    confidence: float = 0.95,
    alternative: Alternative = Alternative.LESS,
) -> PairedDifference:
    """:func:`paired_test` with the bootstrap interval of the difference at ``confidence``."""
    test = paired_test(cases, alternative)
    interval = paired_bootstrap_interval([float(c.difference) for c in cases], confidence)
    return PairedDifference(test, interval)


def tarone_level(smallest_p_values: Sequence[float], alpha: float) -> float:
    """The per-test level that keeps the family-wise error at ``alpha`` over discrete tests
    (Tarone 1990, *Biometrics* 46:515): the smallest ``K`` such that at most ``K`` tests can
    reach ``alpha / K`` gives level ``alpha / K``. Tests that could never reject (no case
    changed, or too few) do not dilute the others; with every test able to reject it is
    Bonferroni's ``alpha / m``."""
    tests = len(smallest_p_values)
    for size in range(1, tests + 1):
        if sum(p <= alpha / size for p in smallest_p_values) <= size:
            return alpha / size
    return alpha / tests if tests else alpha
