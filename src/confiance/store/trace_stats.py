"""Traffic statistics over stored traces: counts, errors, latency percentiles, tokens, cost.

Read-only aggregates for dashboards, computed in the database so a busy hour (millions of
traces) is summed where it lives instead of being shipped to Python. Every query is plain SQL
that SQLite and PostgreSQL run alike, except the one-minute bucket expression, which each
dialect spells its own way.

Percentiles are *nearest-rank*: p50 of ``n`` latencies is the ``ceil(0.50 * n)``-th smallest,
so it is always a latency that was actually observed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, or_, select

from confiance.domain.trace import TraceStatus
from confiance.store.checks import require_aware
from confiance.store.engine import Database
from confiance.store.tables import traces

__all__ = ["ErrorClassCount", "MinuteCount", "RouteTraffic", "TraceStats", "TrafficSummary"]

_OVERALL = ""
"""The group key of the whole window (no route has an empty name)."""
_PERCENTILES = (50, 95, 99)


@dataclass(frozen=True, slots=True)
class RouteTraffic:
    """The traces of one route (or of the whole window) in a time window.

    ``cost_usd`` sums the traces that have a cost (``None`` when none has one); latencies are in
    milliseconds (``None`` without traffic).
    """

    route: str
    requests: int
    errors: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float | None
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None = None

    @property
    def error_rate(self) -> float:
        return self.errors / self.requests if self.requests else 0.0

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True, slots=True)
class MinuteCount:
    """Requests of one route that started within the minute beginning at ``minute`` (UTC)."""

    minute: datetime
    route: str
    requests: int
    errors: int
    tokens: int = 0
    cost_usd: float = 0.0


@dataclass(frozen=True, slots=True)
class ErrorClassCount:
    """Failed requests of one route whose last target was ``provider`` (``None`` when none was
    tried), by error class (the trace's ``error_class``, else its status)."""

    route: str
    provider: str | None
    error_class: str
    requests: int


@dataclass(frozen=True, slots=True)
class TrafficSummary:
    """A window's traffic overall and per route (busiest first), and its per-minute counts."""

    since: datetime
    until: datetime
    overall: RouteTraffic
    routes: tuple[RouteTraffic, ...]
    minutes: tuple[MinuteCount, ...]


class TraceStats:
    """Aggregates over ``traces`` in ``[since, until)``. Raises ``StoreError`` when the
    database fails and ``ValueError`` for naive times or ``since >= until``."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def summary(self, since: datetime, until: datetime) -> TrafficSummary:
        """Totals and latency percentiles overall and per route, and per-minute counts."""
        window = _window(since, until)
        async with self._db.read() as conn:
            totals = (await conn.execute(_totals(window, by_route=True))).all()
            overall = (await conn.execute(_totals(window, by_route=False))).one()
            ranks = (await conn.execute(_percentiles(window, by_route=True))).all()
            overall_ranks = (await conn.execute(_percentiles(window, by_route=False))).all()
            minutes = (await conn.execute(self._minutes(window))).all()
        percentiles = _percentile_map(ranks, None) | _percentile_map(overall_ranks, _OVERALL)
        routes = sorted(
            (_traffic(row.route, row, percentiles) for row in totals),
            key=lambda traffic: (-traffic.requests, traffic.route),
        )
        return TrafficSummary(
            since=since,
            until=until,
            overall=_traffic(_OVERALL, overall, percentiles),
            routes=tuple(routes),
            minutes=tuple(_minute(row) for row in minutes),
        )

    async def error_classes(self, since: datetime, until: datetime) -> tuple[ErrorClassCount, ...]:
        """Failed requests by route, provider and error class, most frequent first."""
        failed = _window(since, until) & (traces.c.status != TraceStatus.OK.value)
        kind = func.coalesce(traces.c.error_class, traces.c.status).label("kind")
        query = (
            select(traces.c.route, traces.c.provider, kind, func.count().label("requests"))
            .where(failed)
            .group_by(traces.c.route, traces.c.provider, kind)
        )
        async with self._db.read() as conn:
            rows = (await conn.execute(query)).all()
        found = [ErrorClassCount(r.route, r.provider, str(r.kind), int(r.requests)) for r in rows]
        return tuple(sorted(found, key=lambda c: (-c.requests, c.route, c.provider or "")))

    def _minutes(self, window: ColumnElement[bool]) -> Select[Any]:
        bucket = _minute_bucket(self._db.dialect).label("bucket")
        errors = func.sum(case((traces.c.status != TraceStatus.OK.value, 1), else_=0))
        tokens = func.coalesce(
            func.sum(traces.c.prompt_tokens + traces.c.completion_tokens), 0
        ).label("tokens")
        cost = func.coalesce(func.sum(traces.c.cost_usd), 0.0).label("cost_usd")
        return (
            select(
                bucket,
                traces.c.route,
                func.count().label("requests"),
                errors.label("errors"),
                tokens,
                cost,
            )
            .where(window)
            .group_by(bucket, traces.c.route)
            .order_by(bucket, traces.c.route)
        )


def _window(since: datetime, until: datetime) -> ColumnElement[bool]:
    require_aware("since", since)
    require_aware("until", until)
    if since >= until:
        raise ValueError(f"since ({since.isoformat()}) must be before until ({until.isoformat()})")
    return (traces.c.started_at >= since) & (traces.c.started_at < until)


def _totals(window: ColumnElement[bool], *, by_route: bool) -> Select[Any]:
    errors = func.sum(case((traces.c.status != TraceStatus.OK.value, 1), else_=0))
    columns = [
        func.count().label("requests"),
        func.coalesce(errors, 0).label("errors"),
        func.coalesce(func.sum(traces.c.prompt_tokens), 0).label("prompt_tokens"),
        func.coalesce(func.sum(traces.c.completion_tokens), 0).label("completion_tokens"),
        func.sum(traces.c.cost_usd).label("cost_usd"),
    ]
    if not by_route:
        return select(*columns).where(window)
    return select(traces.c.route, *columns).where(window).group_by(traces.c.route)


def _percentiles(window: ColumnElement[bool], *, by_route: bool) -> Select[Any]:
    """The rows holding each group's nearest-rank percentiles: ``([route,] rank, n, latency)``."""
    partition = [traces.c.route] if by_route else None
    order = (traces.c.latency_ms, traces.c.id)
    columns: list[ColumnElement[Any]] = [traces.c.route] if by_route else []
    ranked = (
        select(
            *columns,
            traces.c.latency_ms,
            func.row_number().over(partition_by=partition, order_by=order).label("rank"),
            func.count().over(partition_by=partition).label("n"),
        )
        .where(window)
        .subquery()
    )
    # ceil(q * n / 100) in integer arithmetic, which both dialects evaluate exactly.
    wanted = or_(*(ranked.c.rank == (ranked.c.n * q + 99) // 100 for q in _PERCENTILES))
    return select(ranked).where(wanted)


def _percentile_map(rows: Sequence[Any], route: str | None) -> dict[tuple[str, int], float]:
    """``(route, q) -> latency`` from percentile rows; ``route`` names the group of rows
    that have no route column (the overall ones)."""
    found: dict[tuple[str, int], float] = {}
    for row in rows:
        for q in _PERCENTILES:
            if row.rank == (row.n * q + 99) // 100:
                found[(route if route is not None else row.route, q)] = float(row.latency_ms)
    return found


def _traffic(route: str, row: Any, percentiles: dict[tuple[str, int], float]) -> RouteTraffic:
    cost = row.cost_usd
    return RouteTraffic(
        route=route,
        requests=int(row.requests),
        errors=int(row.errors or 0),
        prompt_tokens=int(row.prompt_tokens or 0),
        completion_tokens=int(row.completion_tokens or 0),
        cost_usd=None if cost is None else float(cost),
        p50_ms=percentiles.get((route, 50)),
        p95_ms=percentiles.get((route, 95)),
        p99_ms=percentiles.get((route, 99)),
    )


def _minute_bucket(dialect: str) -> ColumnElement[Any]:
    if dialect == "postgresql":
        return func.date_trunc("minute", traces.c.started_at)
    # SQLite stores UTC as sortable text "YYYY-MM-DD HH:MM:SS.ffffff": the minute is its prefix.
    return func.substr(traces.c.started_at, 1, 16)


def _minute(row: Any) -> MinuteCount:
    bucket = row.bucket
    if isinstance(bucket, datetime):
        minute = bucket.astimezone(UTC) if bucket.tzinfo else bucket.replace(tzinfo=UTC)
    else:
        minute = datetime.fromisoformat(str(bucket)).replace(tzinfo=UTC)
    return MinuteCount(
        minute=minute.replace(second=0, microsecond=0),
        route=row.route,
        requests=int(row.requests),
        errors=int(row.errors or 0),
        tokens=int(row.tokens or 0),
        cost_usd=float(row.cost_usd or 0.0),
    )
