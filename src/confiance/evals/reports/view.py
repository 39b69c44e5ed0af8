"""What every report shows, computed once: rates with intervals per group, failures, changes.

Rates count repeats of one case as correlated trials: the interval is Wilson's on the effective
sample size (:mod:`confiance.stats.clustered`). For probe packs the *attack success rate* of a
category is its failure rate: one minus the pass rate, with the mirrored interval.
"""

from __future__ import annotations

from dataclasses import dataclass

from confiance.domain.evaluation import EvalRun, RunSummary
from confiance.evals.attacks import CHECK_PREFIX, CategoryAttacks, category_attacks
from confiance.evals.compare import (
    CaseComparison,
    CaseStats,
    Change,
    GroupStats,
    RunComparison,
    case_stats,
    category_key,
    group_stats,
    overall_key,
    tag_key,
)
from confiance.evals.controls import ControlReport
from confiance.evals.gate import GateDecision
from confiance.evals.records import RunReport
from confiance.stats import Interval

__all__ = ["GroupRow", "ReportView", "build_view"]

CONFIDENCE = 0.95


@dataclass(frozen=True, slots=True)
class GroupRow:
    """A group's pass rate with its interval, and its attack success rate (the mirror)."""

    name: str
    cases: int
    trials: int
    passed: int
    errored: int
    pass_rate: float
    interval: Interval

    @property
    def attack_success_rate(self) -> float:
        return 1.0 - self.pass_rate if self.trials else 0.0

    @property
    def attack_interval(self) -> Interval:
        return Interval(1.0 - self.interval.high, 1.0 - self.interval.low, self.interval.confidence)


@dataclass(frozen=True, slots=True)
class ReportView:
    run: EvalRun
    suite: str
    summary: RunSummary
    overall: GroupRow
    categories: tuple[GroupRow, ...]
    tags: tuple[GroupRow, ...]
    cases: tuple[CaseStats, ...]
    failures: tuple[CaseStats, ...]
    gate: GateDecision
    comparison: RunComparison | None
    attacks: tuple[CategoryAttacks, ...] = ()
    """Per category, what the attacks achieved (probe runs: runs gated on attack success)."""
    controls: ControlReport | None = None
    """The echo and refusal controls run with the probes, when the run had them."""

    @property
    def is_probe_run(self) -> bool:
        return bool(self.categories)

    @property
    def successful_attacks(self) -> tuple[CaseStats, ...]:
        """The probes whose attack succeeded at least once, by category."""
        return tuple(case for group in self.attacks for case in group.successful)

    @property
    def regressions(self) -> list[CaseComparison]:
        return self.comparison.changed(Change.REGRESSED) if self.comparison else []

    @property
    def fixes(self) -> list[CaseComparison]:
        return self.comparison.changed(Change.FIXED) if self.comparison else []


def _row(group: GroupStats) -> GroupRow:
    proportion = group.proportion
    return GroupRow(
        name=group.name,
        cases=group.cases,
        trials=proportion.trials,
        passed=proportion.successes,
        errored=group.errored,
        pass_rate=proportion.rate,
        interval=proportion.effective.interval(CONFIDENCE),
    )


def build_view(report: RunReport) -> ReportView:
    """The view of ``report`` every output format renders."""
    stats = case_stats(report.results)
    ordered = tuple(stats[k] for k in sorted(stats))
    overall = group_stats(ordered, overall_key).get("overall")
    empty = GroupRow("overall", 0, 0, 0, 0, 0.0, Interval(0.0, 1.0, CONFIDENCE))
    return ReportView(
        run=report.run,
        suite=report.suite_name,
        summary=report.run.summary or RunSummary(),
        overall=_row(overall) if overall else empty,
        categories=tuple(_row(g) for g in group_stats(ordered, category_key).values()),
        tags=tuple(_row(g) for g in group_stats(ordered, tag_key).values()),
        cases=ordered,
        failures=tuple(s for s in ordered if s.state.value != "pass"),
        gate=report.gate,
        comparison=report.comparison,
        attacks=tuple(category_attacks(ordered)) if _gated_on_attacks(report.gate) else (),
        controls=ControlReport.from_json(report.run.params.get("controls")),
    )


def _gated_on_attacks(gate: GateDecision) -> bool:
    return any(check.name.startswith(CHECK_PREFIX) for check in gate.checks)
