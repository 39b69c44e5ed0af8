"""Statistics for decisions: proportions, their intervals and comparisons. Pure (scipy only)."""

from confiance.stats.clustered import (
    ClusterCount,
    ClusteredProportion,
    clustered_proportion,
    intracluster_correlation,
)
from confiance.stats.differences import (
    Alternative,
    ProportionDifference,
    compare_proportions,
    fisher_exact_test,
    newcombe_interval,
    two_proportion_z_test,
)
from confiance.stats.proportions import (
    Interval,
    IntervalMethod,
    Proportion,
    clopper_pearson_interval,
    normal_quantile,
    proportion_interval,
    wilson_interval,
)

__all__ = [
    "Alternative",
    "ClusterCount",
    "ClusteredProportion",
    "Interval",
    "IntervalMethod",
    "Proportion",
    "ProportionDifference",
    "clopper_pearson_interval",
    "clustered_proportion",
    "compare_proportions",
    "fisher_exact_test",
    "intracluster_correlation",
    "newcombe_interval",
    "normal_quantile",
    "proportion_interval",
    "two_proportion_z_test",
    "wilson_interval",
]
