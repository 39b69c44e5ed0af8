"""What a run produces for readers: the report of a run (shared by the service that makes runs
and the queries that read stored ones)."""

from __future__ import annotations

from dataclasses import dataclass

from confiance.domain.evaluation import CaseResult, EvalRun
from confiance.evals.compare import RunComparison
from confiance.evals.gate import GateDecision
from confiance.evals.pricing import CostEstimate

__all__ = ["LAST_PASSING", "RunReport"]

LAST_PASSING = "last"
"""``--baseline last``: the newest run on the same target and suite that passed its gate."""


@dataclass(frozen=True, slots=True)
class RunReport:
    """A run, every case result, its gate decision and, against a baseline, the comparison."""

    run: EvalRun
    suite_name: str
    results: tuple[CaseResult, ...]
    gate: GateDecision
    comparison: RunComparison | None = None
    estimate: CostEstimate | None = None
