"""Paired tests against first-principles computations: binomial sums, brute-force enumeration
of every sign assignment, and the issue's deterministic example."""

from __future__ import annotations

import itertools
import math
import random
from fractions import Fraction

import pytest

from confiance.stats import (
    Alternative,
    ClusterCount,
    PairedCase,
    PairedMethod,
    compare_paired,
    mcnemar_exact_test,
    paired_bootstrap_interval,
    paired_test,
    sign_flip_test,
    tarone_level,
)


def pair(before: tuple[int, int], after: tuple[int, int]) -> PairedCase:
    return PairedCase(ClusterCount(*before), ClusterCount(*after))


def binomial_tail(successes: int, trials: int) -> float:
    """P(Binomial(trials, 1/2) >= successes), summed by hand."""
    return sum(math.comb(trials, j) for j in range(successes, trials + 1)) / 2**trials


@pytest.mark.parametrize(("worse", "better"), [(0, 0), (1, 0), (7, 2), (3, 3), (0, 6), (25, 9)])
def test_mcnemar_is_a_binomial_tail_on_the_changed_cases(worse: int, better: int) -> None:
    expected = binomial_tail(worse, worse + better) if worse + better else 1.0
    assert mcnemar_exact_test(worse, better, Alternative.LESS) == pytest.approx(expected)
    mirrored = binomial_tail(better, worse + better) if worse + better else 1.0
    assert mcnemar_exact_test(worse, better, Alternative.GREATER) == pytest.approx(mirrored)
    two_sided = min(1.0, 2 * min(expected, mirrored))
    assert mcnemar_exact_test(worse, better) == pytest.approx(two_sided)


def brute_force(differences: list[Fraction], alternative: Alternative) -> float:
    """Every one of the 2^n sign assignments, counted."""
    observed = sum(differences, Fraction(0))
    sums = [
        sum((s * d for s, d in zip(signs, differences, strict=True)), Fraction(0))
        for signs in itertools.product((1, -1), repeat=len(differences))
    ]
    at_most = sum(s <= observed for s in sums) / len(sums)
    at_least = sum(s >= observed for s in sums) / len(sums)
    if alternative is Alternative.LESS:
        return at_most
    if alternative is Alternative.GREATER:
        return at_least
    return min(1.0, 2 * min(at_most, at_least))


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("alternative", list(Alternative))
def test_sign_flip_is_exact_against_enumeration(seed: int, alternative: Alternative) -> None:
    rng = random.Random(seed)
    # Unequal repeat counts (errors leave cases with fewer judged repeats), ties, zeros.
    differences = [
        Fraction(rng.randint(0, n), n) - Fraction(rng.randint(0, m), m)
        for n, m in ((rng.randint(1, 5), rng.randint(1, 5)) for _ in range(12))
    ]
    expected = brute_force(differences, alternative)
    assert sign_flip_test(differences, alternative) == pytest.approx(expected, abs=1e-12)


def test_monte_carlo_fallback_agrees_with_the_exact_lattice() -> None:
    rng = random.Random(11)
    differences = [Fraction(rng.randint(-7, 3), 7) for _ in range(40)]
    exact = sign_flip_test(differences, Alternative.LESS)
    estimated = sign_flip_test(differences, Alternative.LESS, lattice_limit=10)
    assert 0.001 < exact < 0.5  # the comparison below is informative
    assert estimated == pytest.approx(exact, abs=4 * math.sqrt(exact * (1 - exact) / 20_000))


def test_single_runs_use_mcnemar_and_repeats_the_sign_flip_which_agree_on_single_runs() -> None:
    single = [pair((1, 1), (0, 1))] * 7 + [pair((0, 1), (1, 1))] * 2 + [pair((1, 1), (1, 1))] * 30
    test = paired_test(single)
    assert test.method is PairedMethod.MCNEMAR
    assert (test.worse, test.better, test.cases) == (7, 2, 39)
    assert test.p_value == pytest.approx(binomial_tail(7, 9))
    assert sign_flip_test([c.difference for c in single], Alternative.LESS) == pytest.approx(
        test.p_value
    )
    repeated = paired_test([pair((3, 3), (2, 3))] * 6)
    assert repeated.method is PairedMethod.SIGN_FLIP
    assert repeated.p_value == pytest.approx(2**-6)


def test_the_issue_example_is_a_one_in_a_billion_drop() -> None:
    # 100 cases x 5 repeats: 30 always-passing cases now pass 4 of 5, none improves.
    always = [pair((5, 5), (4, 5))] * 30
    steady = [pair((5, 5), (5, 5))] * 40 + [pair((0, 5), (0, 5))] * 30
    result = compare_paired(always + steady)
    assert result.test.baseline_rate == pytest.approx(0.70)
    assert result.test.candidate_rate == pytest.approx(0.64)
    assert result.p_value == pytest.approx(2**-30)
    assert result.interval.low <= -0.06 <= result.interval.high < 0


def test_no_change_is_no_evidence_and_no_cases_is_no_evidence() -> None:
    same = paired_test([pair((2, 3), (2, 3)), pair((1, 1), (1, 1))])
    assert same.p_value == 1.0
    assert (same.worse, same.better) == (0, 0)
    empty = compare_paired([])
    assert empty.test.method is PairedMethod.NONE
    assert empty.p_value == 1.0
    assert (empty.interval.low, empty.interval.high) == (-1.0, 1.0)


def test_bootstrap_interval_is_reproducible_and_covers() -> None:
    rng = random.Random(5)
    differences = [rng.choice([-1.0, 0.0, 0.0, 1.0, -0.5]) for _ in range(80)]
    first = paired_bootstrap_interval(differences)
    assert first == paired_bootstrap_interval(differences)
    mean = sum(differences) / len(differences)
    assert first.low < mean < first.high
    sd = math.sqrt(sum((d - mean) ** 2 for d in differences) / (len(differences) - 1))
    half = 1.96 * sd / math.sqrt(len(differences))
    assert first.width == pytest.approx(2 * half, rel=0.15)  # close to the normal interval
    with pytest.raises(ValueError, match="confidence"):
        paired_bootstrap_interval(differences, 1.0)


def test_tarone_counts_only_the_tests_that_could_reject() -> None:
    # Nine categories, one whose five cases all moved: the others cannot reach any level.
    assert tarone_level([2**-5] + [1.0] * 8, 0.05) == 0.05
    # Every test able to reach alpha / m: Bonferroni.
    assert tarone_level([1e-6] * 4, 0.05) == pytest.approx(0.0125)
    # Two tests can reach 0.05/2, a third only 0.05: K = 2.
    assert tarone_level([1e-4, 1e-3, 0.04], 0.05) == pytest.approx(0.025)
    assert tarone_level([], 0.05) == 0.05


def test_tarone_keeps_the_family_wise_error_with_many_small_categories() -> None:
    # Nine categories of six single-run probes each, nothing changed but noise: at most one
    # false alarm among the nine in 5% of pairs of runs.
    rng = random.Random(9)
    alarms, draws = 0, 400
    for _ in range(draws):
        tests = []
        for _ in range(9):
            rates = [rng.choice([1.0, 0.0, 0.5, 0.8]) for _ in range(6)]
            cases = [pair((int(rng.random() < r), 1), (int(rng.random() < r), 1)) for r in rates]
            tests.append(paired_test(cases))
        level = tarone_level([t.smallest_p_value for t in tests], 0.05)
        alarms += any(t.p_value < level for t in tests)
    assert alarms / draws <= 0.05 + 3 * math.sqrt(0.05 * 0.95 / draws)
    moved = paired_test([pair((1, 1), (0, 1))] * 6)
    assert moved.smallest_p_value == moved.p_value == 2**-6
