"""Per-case verdict counts of evaluation runs, for listing many runs at once.

A run's pass rate needs an interval that counts repeats of one case as correlated trials
(``confiance.stats.clustered``), which takes each case's passes and judged repeats. Reading
whole case results (outputs, assertions) for a page of runs would move megabytes to count a
few verdicts, so this read-only query counts them in the database instead.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import case, func, select

from confiance.domain.evaluation import Verdict
from confiance.store.engine import Database
from confiance.store.evals_tables import eval_case_results

__all__ = ["CaseCount", "EvalStats"]

MAX_RUNS = 1000
"""The most runs one call counts (a page of a listing is far smaller)."""


@dataclass(frozen=True, slots=True)
class CaseCount:
    """One case of one run: repeats that passed, repeats judged (not errored), all repeats."""

    case_id: str
    passed: int
    judged: int
    repeats: int


class EvalStats:
    """Counts over ``eval_case_results``. Raises ``StoreError`` when the database fails."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def case_counts(self, run_ids: Collection[str]) -> dict[str, tuple[CaseCount, ...]]:
        """Each run's cases (by case id) with their verdict counts; a run without stored
        results (or unknown) maps to ``()``. Raises ``ValueError`` for more than
        :data:`MAX_RUNS` runs."""
        if len(run_ids) > MAX_RUNS:
            raise ValueError(f"count at most {MAX_RUNS} runs at a time, got {len(run_ids)}")
        found: dict[str, list[CaseCount]] = {run_id: [] for run_id in run_ids}
        if not run_ids:
            return {}
        table = eval_case_results
        passed = func.sum(case((table.c.verdict == Verdict.PASS.value, 1), else_=0))
        judged = func.sum(case((table.c.verdict != Verdict.ERROR.value, 1), else_=0))
        query = (
            select(
                table.c.run_id,
                table.c.case_id,
                passed.label("passed"),
                judged.label("judged"),
                func.count().label("repeats"),
            )
            .where(table.c.run_id.in_(list(run_ids)))
            .group_by(table.c.run_id, table.c.case_id)
            .order_by(table.c.run_id, table.c.case_id)
        )
        async with self._db.read() as conn:
            rows = (await conn.execute(query)).all()
        for row in rows:
            count = CaseCount(row.case_id, int(row.passed), int(row.judged), int(row.repeats))
            found[row.run_id].append(count)
        return {run_id: tuple(counts) for run_id, counts in found.items()}
