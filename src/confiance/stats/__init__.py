"""Statistics for decisions: proportions, their intervals and comparisons, independent or
paired. Pure (numpy and scipy only)."""

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
from confiance.stats.paired import (
    PairedCase,
    PairedDifference,
    PairedMethod,
    PairedTest,
    compare_paired,
    mcnemar_exact_test,
    paired_bootstrap_interval,
    paired_test,
    sign_flip_test,
    tarone_level,
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
    "PairedCase",
    "PairedDifference",
    "PairedMethod",
    "PairedTest",
    "Proportion",
    "ProportionDifference",
    "clopper_pearson_interval",
    "clustered_proportion",
    "compare_paired",
    "compare_proportions",
    "fisher_exact_test",
    "intracluster_correlation",
    "mcnemar_exact_test",
    "newcombe_interval",
    "normal_quantile",
    "paired_bootstrap_interval",
    "paired_test",
    "proportion_interval",
    "sign_flip_test",
    "tarone_level",
    "two_proportion_z_test",
    "wilson_interval",
]
