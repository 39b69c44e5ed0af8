"""Per-case verdict counts of eval runs, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from confiance.domain.evaluation import CaseResult, EvalRun, TargetKind, Verdict
from confiance.store import Store
from confiance.store.eval_stats import MAX_RUNS, CaseCount, EvalStats
from confiance.store.testing import postgres_schema

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    if request.param == "sqlite":
        opened = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'eval-stats.db'}")
        try:
            yield opened
        finally:
            await opened.close()
        return
    async with postgres_schema(request.getfixturevalue("postgres_url")) as url:
        opened = await Store.open(url)
        try:
            yield opened
        finally:
            await opened.close()


async def _run(store: Store, run_id: str, verdicts: dict[str, list[Verdict]]) -> None:
    await store.evals.create(
        EvalRun(run_id, "suite", "h" * 64, "route", TargetKind.ROUTE, started_at=T0)
    )
    await store.evals.add_results(
        [
            CaseResult(run_id, case_id, repeat, verdict, T0)
            for case_id, repeats in verdicts.items()
            for repeat, verdict in enumerate(repeats)
        ]
    )


async def test_counts_passes_judged_and_repeats_per_case(store: Store) -> None:
    p, f, e = Verdict.PASS, Verdict.FAIL, Verdict.ERROR
    await _run(store, "ev_1", {"b": [p, f, e], "a": [p, p], "c": [e, e]})
    await _run(store, "ev_2", {"a": [f]})
    await _run(store, "ev_empty", {})
    counts = await EvalStats(store.database).case_counts(["ev_1", "ev_2", "ev_empty", "ev_none"])
    assert counts == {
        "ev_1": (CaseCount("a", 2, 2, 2), CaseCount("b", 1, 2, 3), CaseCount("c", 0, 0, 2)),
        "ev_2": (CaseCount("a", 0, 1, 1),),
        "ev_empty": (),
        "ev_none": (),
    }


async def test_limits(store: Store) -> None:
    stats = EvalStats(store.database)
    assert await stats.case_counts([]) == {}
    with pytest.raises(ValueError, match="at most"):
        await stats.case_counts([f"ev_{n}" for n in range(MAX_RUNS + 1)])
