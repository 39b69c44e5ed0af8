"""Evaluation runs: ``store.evals``.

The evals service decides ids, timestamps, verdicts and summaries; this repository writes them.
Case results arrive in batches (one executemany per batch). A run can be resumed: the stored
results say which (case, repeat) pairs are done, and :meth:`EvalRunRepository.reopen` puts an
interrupted run back to ``running``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from confiance.domain.evaluation import (
    AssertionOutcome,
    CaseResult,
    EvalRun,
    RunStatus,
    RunSummary,
    TargetKind,
    ToolCallRecord,
    Verdict,
)
from confiance.errors import NotFound
from confiance.store.checks import check_limit, require_aware
from confiance.store.engine import Database
from confiance.store.evals_tables import eval_case_results, eval_runs

__all__ = ["EvalRunRepository"]


def _run_row(run: EvalRun) -> dict[str, Any]:
    require_aware("started_at", run.started_at)
    return {
        "id": run.id,
        "suite": run.suite,
        "suite_hash": run.suite_hash,
        "target": run.target,
        "target_kind": TargetKind(run.target_kind).value,
        "base_url": run.base_url,
        "route_revision": run.route_revision,
        "resolved_model": run.resolved_model,
        "seed": run.seed,
        "params": run.params,
        "status": RunStatus(run.status).value,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "summary": None if run.summary is None else run.summary.to_json(),
        "passed_gate": run.passed_gate,
    }


def _run(row: Row[Any]) -> EvalRun:
    values = row._asdict()
    summary = values.pop("summary")
    return EvalRun(
        **values
        | {
            "target_kind": TargetKind(values["target_kind"]),
            "status": RunStatus(values["status"]),
            "summary": None if summary is None else RunSummary.from_json(summary),
        }
    )


def _result_row(result: CaseResult) -> dict[str, Any]:
    require_aware("finished_at", result.finished_at)
    return {
        "run_id": result.run_id,
        "case_id": result.case_id,
        "repeat": result.repeat,
        "verdict": Verdict(result.verdict).value,
        "finished_at": result.finished_at,
        "tags": list(result.tags),
        "category": result.category,
        "output": result.output,
        "tool_calls": [call.to_json() for call in result.tool_calls],
        "latency_ms": result.latency_ms,
        "prompt_tokens": result.prompt_tokens,
        "completion_tokens": result.completion_tokens,
        "cost_usd": result.cost_usd,
        "model": result.model,
        "trace_id": result.trace_id,
        "error": result.error,
        "assertions": [outcome.to_json() for outcome in result.assertions],
    }


def _result(row: Row[Any]) -> CaseResult:
    values = row._asdict()
    return CaseResult(
        **values
        | {
            "verdict": Verdict(values["verdict"]),
            "tags": tuple(values["tags"]),
            "tool_calls": tuple(ToolCallRecord.from_json(c) for c in values["tool_calls"]),
            "assertions": tuple(AssertionOutcome.from_json(a) for a in values["assertions"]),
        }
    )


class EvalRunRepository:
    """Runs and their case results."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def create(self, run: EvalRun) -> None:
        """Store a new run. Raises ``Conflict`` when the id is taken."""
        async with self._db.write(conflict=f"eval run {run.id!r} already exists") as conn:
            await conn.execute(insert(eval_runs), [_run_row(run)])

    async def add_results(self, results: Sequence[CaseResult]) -> None:
        """Insert a batch of case results in one transaction (all or nothing). Raises
        ``NotFound`` for an unknown run and ``Conflict`` for a (case, repeat) already stored."""
        if not results:
            return
        conflict = "a case repeat in this batch already has a stored result"
        async with self._db.write(conflict=conflict) as conn:
            for run_id in {result.run_id for result in results}:
                await self._require(conn, run_id)
            await conn.execute(insert(eval_case_results), [_result_row(r) for r in results])

    async def finish(
        self,
        run_id: str,
        *,
        status: RunStatus,
        finished_at: datetime,
        summary: RunSummary,
        passed_gate: bool | None = None,
        resolved_model: str | None = None,
        route_revision: int | None = None,
    ) -> EvalRun:
        """Record how the run ended (finished or interrupted) with its summary; returns it.
        ``resolved_model``/``route_revision`` are kept when not given. Raises ``NotFound``."""
        require_aware("finished_at", finished_at)
        values: dict[str, Any] = {
            "status": RunStatus(status).value,
            "finished_at": finished_at,
            "summary": summary.to_json(),
            "passed_gate": passed_gate,
        }
        if resolved_model is not None:
            values["resolved_model"] = resolved_model
        if route_revision is not None:
            values["route_revision"] = route_revision
        async with self._db.write() as conn:
            await self._require(conn, run_id)
            await conn.execute(update(eval_runs).where(eval_runs.c.id == run_id).values(values))
            row = (await conn.execute(select(eval_runs).where(eval_runs.c.id == run_id))).one()
        return _run(row)

    async def reopen(self, run_id: str) -> EvalRun:
        """Put a run back to ``running`` (to resume it). Raises ``NotFound``."""
        async with self._db.write() as conn:
            await self._require(conn, run_id)
            await conn.execute(
                update(eval_runs)
                .where(eval_runs.c.id == run_id)
                .values(status=RunStatus.RUNNING.value, finished_at=None)
            )
            row = (await conn.execute(select(eval_runs).where(eval_runs.c.id == run_id))).one()
        return _run(row)

    async def get(self, run_id: str) -> EvalRun:
        """The run ``run_id``; raises ``NotFound``."""
        async with self._db.read() as conn:
            row = (
                await conn.execute(select(eval_runs).where(eval_runs.c.id == run_id))
            ).one_or_none()
        if row is None:
            raise NotFound(f"eval run {run_id!r} does not exist (list runs: confiance eval list)")
        return _run(row)

    async def results(self, run_id: str) -> list[CaseResult]:
        """Every stored result of ``run_id`` ordered by case id then repeat."""
        query = (
            select(eval_case_results)
            .where(eval_case_results.c.run_id == run_id)
            .order_by(eval_case_results.c.case_id, eval_case_results.c.repeat)
        )
        async with self._db.read() as conn:
            await self._require(conn, run_id)
            rows = (await conn.execute(query)).all()
        return [_result(row) for row in rows]

    async def done(self, run_id: str) -> set[tuple[str, int]]:
        """The (case id, repeat) pairs of ``run_id`` that have a stored result."""
        query = select(eval_case_results.c.case_id, eval_case_results.c.repeat).where(
            eval_case_results.c.run_id == run_id
        )
        async with self._db.read() as conn:
            await self._require(conn, run_id)
            rows = (await conn.execute(query)).all()
        return {(row.case_id, row.repeat) for row in rows}

    async def list(
        self,
        *,
        suite: str | None = None,
        target: str | None = None,
        status: RunStatus | None = None,
        limit: int = 50,
        before: str | None = None,
    ) -> list[EvalRun]:
        """Up to ``limit`` runs, newest first; ``before`` is the last id of the previous page."""
        check_limit(limit)
        query = select(eval_runs)
        if suite is not None:
            query = query.where(eval_runs.c.suite == suite)
        if target is not None:
            query = query.where(eval_runs.c.target == target)
        if status is not None:
            query = query.where(eval_runs.c.status == RunStatus(status).value)
        async with self._db.read() as conn:
            if before is not None:
                cursor = await conn.scalar(
                    select(eval_runs.c.started_at).where(eval_runs.c.id == before)
                )
                if cursor is None:
                    raise NotFound(f"eval run {before!r} (the paging cursor) does not exist")
                query = query.where(
                    or_(
                        eval_runs.c.started_at < cursor,
                        and_(eval_runs.c.started_at == cursor, eval_runs.c.id < before),
                    )
                )
            order = (eval_runs.c.started_at.desc(), eval_runs.c.id.desc())
            rows = (await conn.execute(query.order_by(*order).limit(limit))).all()
        return [_run(row) for row in rows]

    async def last_passing(
        self, target: str, *, suite: str | None = None, exclude: str | None = None
    ) -> EvalRun | None:
        """The newest finished run on ``target`` (of ``suite``) that passed its gate."""
        query = select(eval_runs).where(
            eval_runs.c.target == target,
            eval_runs.c.status == RunStatus.FINISHED.value,
            eval_runs.c.passed_gate.is_(True),
        )
        if suite is not None:
            query = query.where(eval_runs.c.suite == suite)
        if exclude is not None:
            query = query.where(eval_runs.c.id != exclude)
        order = (eval_runs.c.started_at.desc(), eval_runs.c.id.desc())
        async with self._db.read() as conn:
            row = (await conn.execute(query.order_by(*order).limit(1))).one_or_none()
        return None if row is None else _run(row)

    async def delete(self, run_id: str) -> None:
        """Delete a run and its results. Raises ``NotFound``."""
        async with self._db.write() as conn:
            await self._require(conn, run_id)
            await conn.execute(
                delete(eval_case_results).where(eval_case_results.c.run_id == run_id)
            )
            await conn.execute(delete(eval_runs).where(eval_runs.c.id == run_id))

    @staticmethod
    async def _require(conn: AsyncConnection, run_id: str) -> None:
        found = await conn.scalar(select(eval_runs.c.id).where(eval_runs.c.id == run_id))
        if found is None:
            raise NotFound(f"eval run {run_id!r} does not exist (list runs: confiance eval list)")
