"""Comparing two runs: per case, per tag, per category and overall.

A case's *state* in a run is ``pass`` (every judged repeat passed), ``fail`` (none did) or
``flaky`` (some did); repeats that errored are left out, and a case with only errors is
``error``. Between a baseline and a candidate a case *regressed* when its state got worse
(pass → flaky → fail), was *fixed* when it got better. Each group (overall, each tag, each
category) shows its pass rate in both runs with repeats of one case counted as correlated trials
(:mod:`confiance.stats.clustered`), and tests the change **case by case**: the cases judged in
both runs are paired and compared with the exact McNemar test (one repeat) or the paired
permutation test over cases (repeats), see :mod:`confiance.stats.paired`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import partial

from confiance.domain.evaluation import CaseResult, EvalRun, Verdict
from confiance.stats import (
    Alternative,
    ClusterCount,
    ClusteredProportion,
    PairedCase,
    PairedDifference,
    clustered_proportion,
    compare_paired,
)

__all__ = [
    "CaseComparison",
    "CaseState",
    "CaseStats",
    "Change",
    "GroupComparison",
    "GroupStats",
    "RunComparison",
    "case_stats",
    "compare_runs",
    "group_stats",
]


class CaseState(StrEnum):
    PASS = "pass"  # noqa: S105 - a state, not a password
    FLAKY = "flaky"
    FAIL = "fail"
    ERROR = "error"


_RANK = {CaseState.FAIL: 0, CaseState.FLAKY: 1, CaseState.PASS: 2}


class Change(StrEnum):
    REGRESSED = "regressed"
    FIXED = "fixed"
    UNCHANGED = "unchanged"
    NEW = "new"
    REMOVED = "removed"


@dataclass(frozen=True, slots=True)
class CaseStats:
    """One case in one run: judged repeats, passes, errors, and its first answer."""

    case_id: str
    tags: tuple[str, ...]
    category: str | None
    passed: int
    judged: int
    errored: int
    output: str | None
    reasons: tuple[str, ...]

    @property
    def state(self) -> CaseState:
        if self.judged == 0:
            return CaseState.ERROR
        if self.passed == self.judged:
            return CaseState.PASS
        return CaseState.FAIL if self.passed == 0 else CaseState.FLAKY

    @property
    def cluster(self) -> ClusterCount | None:
        return ClusterCount(self.passed, self.judged) if self.judged else None


def case_stats(results: Iterable[CaseResult]) -> dict[str, CaseStats]:
    """Per-case statistics of one run's results, by case id."""
    grouped: dict[str, list[CaseResult]] = defaultdict(list)
    for result in results:
        grouped[result.case_id].append(result)
    stats: dict[str, CaseStats] = {}
    for case_id, rows in grouped.items():
        rows.sort(key=lambda r: r.repeat)
        judged = [r for r in rows if r.verdict is not Verdict.ERROR]
        reasons = tuple(o.reason for r in rows for o in r.assertions if not o.passed) + tuple(
            r.error for r in rows if r.error
        )
        stats[case_id] = CaseStats(
            case_id=case_id,
            tags=rows[0].tags,
            category=rows[0].category,
            passed=sum(r.verdict is Verdict.PASS for r in judged),
            judged=len(judged),
            errored=len(rows) - len(judged),
            output=rows[0].output,
            reasons=tuple(dict.fromkeys(reasons)),
        )
    return stats


@dataclass(frozen=True, slots=True)
class GroupStats:
    """A group of cases (overall, a tag, a category) in one run."""

    name: str
    cases: int
    errored: int
    proportion: ClusteredProportion

    @property
    def pass_rate(self) -> float:
        return self.proportion.rate


def group_stats(
    stats: Iterable[CaseStats], key: Callable[[CaseStats], Iterable[str]]
) -> dict[str, GroupStats]:
    """Groups of ``stats`` by the names ``key`` gives each case."""
    members: dict[str, list[CaseStats]] = defaultdict(list)
    for case in stats:
        for name in key(case):
            members[name].append(case)
    return {name: _group(name, cases) for name, cases in sorted(members.items())}


def _group(name: str, cases: Sequence[CaseStats]) -> GroupStats:
    clusters = [c.cluster for c in cases if c.cluster is not None]
    return GroupStats(
        name, len(cases), sum(c.errored for c in cases), clustered_proportion(clusters)
    )


def overall_key(case: CaseStats) -> Iterable[str]:
    return ("overall",)


def tag_key(case: CaseStats) -> Iterable[str]:
    return case.tags


def category_key(case: CaseStats) -> Iterable[str]:
    return (case.category,) if case.category else ()


@dataclass(frozen=True, slots=True)
class CaseComparison:
    case_id: str
    change: Change
    baseline: CaseStats | None
    candidate: CaseStats | None

    @property
    def tags(self) -> tuple[str, ...]:
        stats = self.candidate or self.baseline
        return stats.tags if stats is not None else ()

    @property
    def category(self) -> str | None:
        stats = self.candidate or self.baseline
        return stats.category if stats is not None else None


@dataclass(frozen=True, slots=True)
class GroupComparison:
    """A group's pass rate in both runs; ``difference`` is the paired comparison of the cases
    judged in both (candidate minus baseline, tested one-sided for a drop)."""

    name: str
    baseline: GroupStats
    candidate: GroupStats
    difference: PairedDifference


@dataclass(frozen=True, slots=True)
class RunComparison:
    baseline: EvalRun
    candidate: EvalRun
    cases: tuple[CaseComparison, ...]
    overall: GroupComparison
    tags: tuple[GroupComparison, ...]
    categories: tuple[GroupComparison, ...]

    @property
    def suite_changed(self) -> bool:
        return self.baseline.suite_hash != self.candidate.suite_hash

    def changed(self, change: Change) -> list[CaseComparison]:
        return [c for c in self.cases if c.change is change]


def compare_runs(
    baseline: EvalRun,
    baseline_results: Iterable[CaseResult],
    candidate: EvalRun,
    candidate_results: Iterable[CaseResult],
    *,
    confidence: float = 0.95,
) -> RunComparison:
    """Compare two runs case by case and group by group."""
    before, after = case_stats(baseline_results), case_stats(candidate_results)
    cases = tuple(
        CaseComparison(
            case_id,
            _change(before.get(case_id), after.get(case_id)),
            before.get(case_id),
            after.get(case_id),
        )
        for case_id in sorted(before.keys() | after.keys())
    )
    shared_before = [s for k, s in before.items() if k in after]
    shared_after = [s for k, s in after.items() if k in before]

    def groups(key: Callable[[CaseStats], Iterable[str]]) -> tuple[GroupComparison, ...]:
        old, new = group_stats(shared_before, key), group_stats(shared_after, key)
        pairs = _pairs(before, shared_after, key)
        return tuple(
            GroupComparison(name, old[name], new[name], paired(pairs.get(name, [])))
            for name in old
            if name in new
        )

    paired = partial(compare_paired, confidence=confidence, alternative=Alternative.LESS)
    overall = groups(overall_key)
    empty = _group("overall", [])
    return RunComparison(
        baseline=baseline,
        candidate=candidate,
        cases=cases,
        overall=overall[0] if overall else GroupComparison("overall", empty, empty, paired([])),
        tags=groups(tag_key),
        categories=groups(category_key),
    )


def _pairs(
    before: dict[str, CaseStats],
    after: Iterable[CaseStats],
    key: Callable[[CaseStats], Iterable[str]],
) -> dict[str, list[PairedCase]]:
    """The cases judged in both runs, paired, by the group names the candidate gives them."""
    pairs: dict[str, list[PairedCase]] = defaultdict(list)
    for case in after:
        old, new = before[case.case_id].cluster, case.cluster
        if old is None or new is None:
            continue
        for name in key(case):
            pairs[name].append(PairedCase(old, new))
    return pairs


def _change(before: CaseStats | None, after: CaseStats | None) -> Change:
    if before is None:
        return Change.NEW
    if after is None:
        return Change.REMOVED
    if before.state is CaseState.ERROR or after.state is CaseState.ERROR:
        return Change.UNCHANGED
    old, new = _RANK[before.state], _RANK[after.state]
    if new < old:
        return Change.REGRESSED
    return Change.FIXED if new > old else Change.UNCHANGED
