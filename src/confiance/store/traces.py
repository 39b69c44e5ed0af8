"""Traces: one row per gateway request, written in batches by the trace sink.

Filterable fields are real indexed columns (``started_at``, ``route``, ``status``, ``key_id``);
attempts, bodies and metadata are JSON. Queries return newest first, ordered by
``(started_at, id)`` so paging with a ``before`` cursor never skips or repeats a trace.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from datetime import datetime
from typing import Any

from sqlalchemy import Insert, Row, Select, and_, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from confiance.domain.trace import Attempt, Trace, TraceStatus
from confiance.errors import NotFound
from confiance.store.checks import check_limit, require_aware
from confiance.store.engine import Database
from confiance.store.tables import traces

__all__ = ["TraceRepository"]


def _row(trace: Trace) -> dict[str, Any]:
    require_aware("started_at", trace.started_at)
    return {
        "id": trace.id,
        "started_at": trace.started_at,
        "endpoint": trace.endpoint,
        "route": trace.route,
        "key_id": trace.key_id,
        "revision": trace.revision,
        "provider": trace.provider,
        "model_requested": trace.model_requested,
        "model_answered": trace.model_answered,
        "stream": trace.stream,
        "status": TraceStatus(trace.status).value,
        "http_status": trace.http_status,
        "error_class": trace.error_class,
        "error": trace.error,
        "prompt_tokens": trace.prompt_tokens,
        "completion_tokens": trace.completion_tokens,
        "cost_usd": trace.cost_usd,
        "latency_ms": trace.latency_ms,
        "ttft_ms": trace.ttft_ms,
        "fallback_used": trace.fallback_used,
        "attempts": [_attempt(attempt) for attempt in trace.attempts],
        "request_body": trace.request_body,
        "response_body": trace.response_body,
        "metadata": trace.metadata,
    }


_ATTEMPT_FIELDS = tuple(f.name for f in fields(Attempt))


def _attempt(attempt: Attempt) -> dict[str, Any]:
    # Not dataclasses.asdict: it deep-copies every value, and the fields are all scalars. The
    # trace writer does this for every attempt of every trace (measured: most of _row's time).
    return {name: getattr(attempt, name) for name in _ATTEMPT_FIELDS}


def _trace(row: Row[Any]) -> Trace:
    values = row._asdict()
    values["status"] = TraceStatus(values["status"])
    values["attempts"] = [Attempt(**attempt) for attempt in values["attempts"]]
    values["stream"] = bool(values["stream"])
    values["fallback_used"] = bool(values["fallback_used"])
    return Trace(**values)


class TraceRepository:
    """``store.traces``: batched writes, lookups and filtered, paged queries."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def add_many(self, batch: Sequence[Trace]) -> None:
        """Insert ``batch`` with one executemany in one transaction (all or nothing).

        Idempotent: a trace whose id is already stored is skipped and the stored one kept, so a
        batch written again (a retry after an unacknowledged commit, the spool replayed after a
        crash) stores each trace once. Raises ``ValueError`` for a naive ``started_at`` or a
        value the JSON columns cannot encode (e.g. nested deeper than the encoder allows), and
        :class:`~confiance.errors.StoreError` when the database fails.
        """
        if not batch:
            return
        rows = [_row(trace) for trace in batch]
        async with self._db.write() as conn:
            await conn.execute(self._insert_new(), rows)

    async def replace_many(self, batch: Sequence[Trace]) -> None:
        """Insert ``batch``, each trace replacing a stored one with its id (a trace changed
        after it was first written: the gateway answered otherwise than it first recorded)."""
        if not batch:
            return
        rows = [_row(trace) for trace in batch]
        statement = (
            postgresql.insert(traces) if self._db.dialect == "postgresql" else sqlite.insert(traces)
        )
        changed = {name: statement.excluded[name] for name in rows[0] if name != "id"}
        async with self._db.write() as conn:
            await conn.execute(
                statement.on_conflict_do_update(index_elements=[traces.c.id], set_=changed), rows
            )

    def _insert_new(self) -> Insert:
        if self._db.dialect == "postgresql":
            return postgresql.insert(traces).on_conflict_do_nothing(index_elements=[traces.c.id])
        return sqlite.insert(traces).on_conflict_do_nothing(index_elements=[traces.c.id])

    async def get(self, trace_id: str) -> Trace:
        """The trace ``trace_id``; raises :class:`NotFound`."""
        async with self._db.read() as conn:
            row = (await conn.execute(select(traces).where(traces.c.id == trace_id))).one_or_none()
        if row is None:
            raise NotFound(f"trace {trace_id!r} does not exist")
        return _trace(row)

    async def query(
        self,
        *,
        route: str | None = None,
        status: TraceStatus | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 100,
        before: str | None = None,
    ) -> list[Trace]:
        """Up to ``limit`` traces, newest first, with ``since <= started_at < until``.

        ``before`` is the id of the last trace of the previous page; the page continues right
        after it. Raises :class:`NotFound` for an unknown cursor, ``UsageError`` for a bad limit.
        """
        check_limit(limit)
        query = select(traces)
        if route is not None:
            query = query.where(traces.c.route == route)
        if status is not None:
            query = query.where(traces.c.status == TraceStatus(status).value)
        if since is not None:
            require_aware("since", since)
            query = query.where(traces.c.started_at >= since)
        if until is not None:
            require_aware("until", until)
            query = query.where(traces.c.started_at < until)
        async with self._db.read() as conn:
            if before is not None:
                query = await self._after_cursor(conn, query, before)
            order = (traces.c.started_at.desc(), traces.c.id.desc())
            rows = (await conn.execute(query.order_by(*order).limit(limit))).all()
        return [_trace(row) for row in rows]

    @staticmethod
    async def _after_cursor(conn: AsyncConnection, query: Select[Any], before: str) -> Select[Any]:
        cursor_at = await conn.scalar(select(traces.c.started_at).where(traces.c.id == before))
        if cursor_at is None:
            raise NotFound(f"trace {before!r} (the paging cursor `before`) does not exist")
        return query.where(
            or_(
                traces.c.started_at < cursor_at,
                and_(traces.c.started_at == cursor_at, traces.c.id < before),
            )
        )
