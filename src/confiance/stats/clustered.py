"""Proportions from clustered trials: repeats of the same case are not independent.

An eval case run five times gives five trials, but a case that always fails gives the same
answer five times: counting it as five independent failures overstates the evidence. The
standard correction (Kish) estimates the intra-cluster correlation ``icc`` of the outcomes and
divides the number of trials by the design effect ``1 + (m - 1) * icc`` (``m`` the weighted mean
cluster size) to get an *effective* number of trials. With one trial per cluster nothing changes;
with fully deterministic clusters each cluster counts once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from confiance.stats.proportions import Proportion

__all__ = [
    "ClusterCount",
    "ClusteredProportion",
    "clustered_proportion",
    "intracluster_correlation",
]


@dataclass(frozen=True, slots=True)
class ClusterCount:
    """The outcomes of one cluster (one eval case): ``successes`` out of ``trials`` (repeats)."""

    successes: int
    trials: int

    def __post_init__(self) -> None:
        if self.trials < 1 or not 0 <= self.successes <= self.trials:
            raise ValueError(
                f"a cluster needs trials >= 1 and 0 <= successes <= trials, "
                f"got {self.successes} of {self.trials}"
            )


@dataclass(frozen=True, slots=True)
class ClusteredProportion:
    """Pooled counts, the estimated correlation and the resulting effective sample."""

    successes: int
    trials: int
    clusters: int
    icc: float
    design_effect: float

    @property
    def rate(self) -> float:
        return self.successes / self.trials if self.trials else 0.0

    @property
    def effective_trials(self) -> float:
        return self.trials / self.design_effect if self.trials else 0.0

    @property
    def effective(self) -> Proportion:
        """The same rate over the effective number of trials (for intervals and tests)."""
        trials = self.effective_trials
        return Proportion(self.rate * trials, trials)

    @property
    def raw(self) -> Proportion:
        return Proportion(self.successes, self.trials)


def clustered_proportion(counts: Sequence[ClusterCount]) -> ClusteredProportion:
    """Pool ``counts`` and correct for their correlation. An empty sequence gives 0 of 0."""
    successes = sum(c.successes for c in counts)
    trials = sum(c.trials for c in counts)
    if not counts:
        return ClusteredProportion(0, 0, 0, 0.0, 1.0)
    icc = intracluster_correlation(counts)
    weighted_size = sum(c.trials * c.trials for c in counts) / trials
    design_effect = max(1.0, 1.0 + (weighted_size - 1.0) * icc)
    return ClusteredProportion(successes, trials, len(counts), icc, design_effect)


def intracluster_correlation(counts: Sequence[ClusterCount]) -> float:
    """The one-way ANOVA estimate of the intra-cluster correlation of binary outcomes, clipped
    to ``[0, 1]``.

    Without within-cluster replication (every cluster of size 1, or a single cluster) there is
    nothing to estimate and the result is 0. When no cluster varies within itself the estimate
    is 1: with no evidence of flakiness, each cluster is treated as one observation.
    """
    clusters = len(counts)
    total = sum(c.trials for c in counts)
    if clusters < 2 or total <= clusters:
        return 0.0
    successes = sum(c.successes for c in counts)
    within_squares = sum(c.successes * c.successes / c.trials for c in counts)
    between = (within_squares - successes * successes / total) / (clusters - 1)
    within = (successes - within_squares) / (total - clusters)
    if within <= 1e-12:
        return 1.0
    size = (total - sum(c.trials * c.trials for c in counts) / total) / (clusters - 1)
    icc = (between - within) / (between + (size - 1) * within)
    return min(1.0, max(0.0, icc))
