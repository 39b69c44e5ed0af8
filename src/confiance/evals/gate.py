"""The gate: does a run pass, on its own and against its baseline?

Checks, all of which must pass:

1. **errors** — at most ``max_error_rate`` of the case repeats errored (a run that mostly
   errored says nothing about behaviour, so it cannot pass);
2. **pass rate** — the pass rate is at least ``min_pass_rate`` (when set);
3. **regression** — against a baseline, the pass rate did not drop *materially and credibly*:
   the drop exceeds ``tolerance`` **and** a one-sided *paired* test of "no drop" over the cases
   judged in both runs rejects at level ``1 - confidence`` (exact McNemar for single runs, the
   paired permutation test over cases with repeats: :mod:`confiance.stats.paired`). One noisy
   case in a large suite moves the rate by less than the tolerance; a flaky case that failed
   once more is one case moving, not significant; many cases moving the same way are.
4. **category regression** — the same rule inside each category (security probe families,
   where a regression can hide in the overall rate), at Tarone's level for discrete tests:
   ``(1 - confidence) / K`` where only the ``K`` categories whose cases moved enough to reach
   it count (Bonferroni over the categories that could reject), so more categories do not mean
   more false alarms and unchanged ones do not hide a small category's regression.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from confiance.domain.evaluation import RunSummary
from confiance.evals.compare import GroupComparison, RunComparison
from confiance.evals.suite import GateSpec
from confiance.stats import PairedTest, tarone_level

__all__ = [
    "GateCheck",
    "GateDecision",
    "evaluate_gate",
    "family_level",
    "is_regression",
    "regressed",
]


@dataclass(frozen=True, slots=True)
class GateCheck:
    name: str
    passed: bool
    detail: str


@dataclass(frozen=True, slots=True)
class GateDecision:
    checks: tuple[GateCheck, ...]

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)

    @property
    def failures(self) -> list[GateCheck]:
        return [check for check in self.checks if not check.passed]


def regressed(test: PairedTest, tolerance: float, alpha: float) -> bool:
    """The gate's rule on a paired test: a drop beyond ``tolerance`` significant at ``alpha``."""
    return -test.difference > tolerance and test.p_value < alpha


def is_regression(group: GroupComparison, tolerance: float, alpha: float) -> bool:
    """:func:`regressed` for a group of a run comparison."""
    return regressed(group.difference.test, tolerance, alpha)


def family_level(groups: Sequence[GroupComparison], alpha: float) -> float:
    """The level each of ``groups`` is tested at so that all of them together keep ``alpha``."""
    return tarone_level([g.difference.test.smallest_p_value for g in groups], alpha)


def evaluate_gate(
    policy: GateSpec, summary: RunSummary, comparison: RunComparison | None = None
) -> GateDecision:
    """The gate's checks for a run with ``summary``, against ``comparison``'s baseline."""
    checks = [_errors(policy, summary)]
    if policy.min_pass_rate is not None:
        rate = summary.pass_rate
        checks.append(
            GateCheck(
                "pass-rate",
                rate >= policy.min_pass_rate,
                f"pass rate {rate:.1%} (minimum {policy.min_pass_rate:.1%})",
            )
        )
    if comparison is not None:
        alpha = 1 - policy.confidence
        checks.append(_regression("regression", comparison.overall, policy.tolerance, alpha))
        categories = comparison.categories
        level = family_level(categories, alpha)
        for group in categories:
            name = f"regression:{group.name}"
            checks.append(_regression(name, group, policy.tolerance, level))
    return GateDecision(tuple(checks))


def _errors(policy: GateSpec, summary: RunSummary) -> GateCheck:
    rate = summary.errored / summary.trials if summary.trials else 0.0
    passed = rate <= policy.max_error_rate and summary.trials > summary.errored
    detail = f"{summary.errored} of {summary.trials} repeats errored ({rate:.1%}; maximum "
    detail += f"{policy.max_error_rate:.1%})"
    return GateCheck("errors", passed, detail)


def _regression(name: str, group: GroupComparison, tolerance: float, alpha: float) -> GateCheck:
    diff, test = group.difference, group.difference.test
    detail = (
        f"{test.baseline_rate:.1%} → {test.candidate_rate:.1%} ({diff.difference:+.1%}, CI "
        f"{diff.interval.low:+.1%} to {diff.interval.high:+.1%}; {test.worse} of {test.cases} "
        f"cases worse, {test.better} better; p={diff.p_value:.3g}, {test.method}; fails on a "
        f"drop > {tolerance:.1%} with p < {alpha:.3g})"
    )
    if -test.difference > tolerance and test.smallest_p_value >= alpha:
        detail += (
            f"; {test.worse + test.better} changed cases cannot reach p < {alpha:.3g} even "
            "if all moved one way: more cases would tell"
        )
    return GateCheck(name, not is_regression(group, tolerance, alpha), detail)
