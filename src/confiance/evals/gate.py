"""The gate: does a run pass, on its own and against its baseline?

Checks, all of which must pass:

1. **errors** — at most ``max_error_rate`` of the case repeats errored (a run that mostly
   errored says nothing about behaviour, so it cannot pass);
2. **pass rate** — the pass rate is at least ``min_pass_rate`` (when set);
3. **regression** — against a baseline, the pass rate did not drop *materially and credibly*:
   the drop exceeds ``tolerance`` **and** a one-sided test of "no drop" rejects at level
   ``1 - confidence``, with repeats of one case counted as correlated trials. One noisy case
   in a large suite moves the rate by less than the tolerance; a flaky case that failed once
   more is not significant; a real regression is both.
4. **category regression** — the same rule inside each category (security probe families,
   where a regression can hide in the overall rate), at level ``(1 - confidence) / k`` for
   ``k`` categories (Bonferroni), so more categories do not mean more false alarms.
"""

from __future__ import annotations

from dataclasses import dataclass

from confiance.domain.evaluation import RunSummary
from confiance.evals.compare import GroupComparison, RunComparison
from confiance.evals.suite import GateSpec

__all__ = ["GateCheck", "GateDecision", "evaluate_gate", "is_regression"]


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


def is_regression(group: GroupComparison, tolerance: float, alpha: float) -> bool:
    """A drop beyond ``tolerance`` that is significant at ``alpha``."""
    drop = -group.difference.difference
    return drop > tolerance and group.difference.p_value < alpha


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
        for group in categories:
            name = f"regression:{group.name}"
            checks.append(_regression(name, group, policy.tolerance, alpha / len(categories)))
    return GateDecision(tuple(checks))


def _errors(policy: GateSpec, summary: RunSummary) -> GateCheck:
    rate = summary.errored / summary.trials if summary.trials else 0.0
    passed = rate <= policy.max_error_rate and summary.trials > summary.errored
    detail = f"{summary.errored} of {summary.trials} repeats errored ({rate:.1%}; maximum "
    detail += f"{policy.max_error_rate:.1%})"
    return GateCheck("errors", passed, detail)


def _regression(name: str, group: GroupComparison, tolerance: float, alpha: float) -> GateCheck:
    diff = group.difference
    before, after = group.baseline.pass_rate, group.candidate.pass_rate
    detail = (
        f"{before:.1%} → {after:.1%} ({diff.difference:+.1%}, CI {diff.interval.low:+.1%} to "
        f"{diff.interval.high:+.1%}, p={diff.p_value:.3g}; fails on a drop > {tolerance:.1%} "
        f"with p < {alpha:.3g})"
    )
    return GateCheck(name, not is_regression(group, tolerance, alpha), detail)
