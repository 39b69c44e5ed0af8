"""Differences of proportions against published values and first-principles computations."""

from __future__ import annotations

import math
import random

import pytest

from confiance.stats import (
    Alternative,
    ClusterCount,
    Proportion,
    clustered_proportion,
    compare_proportions,
    fisher_exact_test,
    intracluster_correlation,
    newcombe_interval,
    two_proportion_z_test,
)


def test_newcombe_interval_matches_the_paper() -> None:
    # Newcombe (1998), Statistics in Medicine 17:873, example (a): 56/70 vs 48/80, method 10.
    interval = newcombe_interval(Proportion(48, 80), Proportion(56, 70), 0.95)
    assert interval.low == pytest.approx(0.0524, abs=1e-4)
    assert interval.high == pytest.approx(0.3339, abs=1e-4)


def test_z_test_agrees_with_the_formula() -> None:
    baseline, candidate = Proportion(45, 50), Proportion(30, 50)
    pooled = 75 / 100
    z = (0.6 - 0.9) / math.sqrt(pooled * (1 - pooled) * (2 / 50))
    expected_less = 0.5 * math.erfc(-z / math.sqrt(2))
    assert two_proportion_z_test(baseline, candidate, Alternative.LESS) == pytest.approx(
        expected_less, rel=1e-9
    )
    two_sided = two_proportion_z_test(baseline, candidate)
    assert two_sided == pytest.approx(2 * expected_less, rel=1e-9)
    assert two_proportion_z_test(baseline, candidate, Alternative.GREATER) > 0.99


def test_fisher_matches_a_hypergeometric_sum() -> None:
    baseline, candidate = Proportion(9, 10), Proportion(3, 10)
    # P(X <= 3) where X ~ Hypergeometric(total 20, successes 12, draws 10).
    expected = sum(math.comb(12, k) * math.comb(8, 10 - k) for k in range(4)) / math.comb(20, 10)
    assert fisher_exact_test(baseline, candidate, Alternative.LESS) == pytest.approx(expected)


def test_no_variance_means_no_evidence() -> None:
    assert two_proportion_z_test(Proportion(10, 10), Proportion(20, 20)) == 1.0
    assert two_proportion_z_test(Proportion(0, 0), Proportion(3, 5)) == 1.0


def test_compare_reports_direction_and_significance() -> None:
    drop = compare_proportions(
        Proportion(95, 100), Proportion(60, 100), alternative=Alternative.LESS
    )
    assert drop.difference == pytest.approx(-0.35)
    assert drop.significant(0.05)
    assert drop.interval.high < 0
    noise = compare_proportions(Proportion(9, 10), Proportion(8, 10), alternative=Alternative.LESS)
    assert not noise.significant(0.05)
    assert noise.interval.contains(0.0)


def test_deterministic_clusters_count_once_each() -> None:
    counts = [ClusterCount(5, 5)] * 6 + [ClusterCount(0, 5)] * 4
    pooled = clustered_proportion(counts)
    assert pooled.icc == 1.0
    assert pooled.effective_trials == pytest.approx(10)
    assert pooled.rate == pytest.approx(0.6)


def test_independent_repeats_keep_nearly_all_their_weight() -> None:
    rng = random.Random(3)
    counts = []
    for _ in range(200):
        successes = sum(rng.random() < 0.7 for _ in range(5))
        counts.append(ClusterCount(successes, 5))
    pooled = clustered_proportion(counts)
    assert pooled.icc < 0.1
    assert pooled.effective_trials > 0.7 * pooled.trials


def test_single_repeat_has_no_correlation_to_estimate() -> None:
    counts = [ClusterCount(1, 1), ClusterCount(0, 1), ClusterCount(1, 1)]
    assert intracluster_correlation(counts) == 0.0
    assert clustered_proportion(counts).effective_trials == 3
    assert clustered_proportion([]).trials == 0
    with pytest.raises(ValueError, match="trials"):
        ClusterCount(2, 1)
