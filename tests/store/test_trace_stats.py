"""Traffic statistics over stored traces, on SQLite and PostgreSQL, checked against the same
numbers computed in Python from the traces written."""

from __future__ import annotations

import math
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from confiance.domain.trace import Trace, TraceStatus
from confiance.store import Store
from confiance.store.testing import postgres_schema
from confiance.store.trace_stats import RouteTraffic, TraceStats

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    if request.param == "sqlite":
        opened = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'stats.db'}")
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


def _traces(count: int, seed: int) -> list[Trace]:
    rng = random.Random(seed)
    made = []
    for number in range(count):
        failed = rng.random() < 0.2
        made.append(
            Trace(
                id=f"tr_{number:05d}",
                started_at=T0 + timedelta(seconds=rng.uniform(0, 3600)),
                endpoint="chat",
                route=rng.choice(["support-bot", "summarizer", "support-bot"]),
                status=TraceStatus.ERROR if failed else TraceStatus.OK,
                http_status=502 if failed else 200,
                prompt_tokens=rng.randint(1, 500),
                completion_tokens=rng.randint(0, 300),
                cost_usd=None if number % 5 == 0 else rng.uniform(0, 0.01),
                latency_ms=round(rng.uniform(5, 900), 3),
            )
        )
    return made


def _expected(route: str, traces: list[Trace]) -> RouteTraffic:
    latencies = sorted(t.latency_ms for t in traces)
    costs = [t.cost_usd for t in traces if t.cost_usd is not None]

    def rank(q: int) -> float:
        return latencies[math.ceil(q / 100 * len(latencies)) - 1]

    return RouteTraffic(
        route=route,
        requests=len(traces),
        errors=sum(t.status is not TraceStatus.OK for t in traces),
        prompt_tokens=sum(t.prompt_tokens for t in traces),
        completion_tokens=sum(t.completion_tokens for t in traces),
        cost_usd=sum(costs) if costs else None,
        p50_ms=rank(50),
        p95_ms=rank(95),
    )


def _same(found: RouteTraffic, wanted: RouteTraffic) -> None:
    assert (found.route, found.requests, found.errors) == (
        wanted.route,
        wanted.requests,
        wanted.errors,
    )
    assert (found.prompt_tokens, found.completion_tokens) == (
        wanted.prompt_tokens,
        wanted.completion_tokens,
    )
    assert found.cost_usd == pytest.approx(wanted.cost_usd)
    assert (found.p50_ms, found.p95_ms) == (wanted.p50_ms, wanted.p95_ms)


async def test_summary_matches_the_traces_in_the_window(store: Store) -> None:
    written = _traces(400, seed=7)
    outside = Trace(id="tr_late", started_at=T0 + timedelta(hours=2), endpoint="chat", route="x")
    await store.traces.add_many([*written, outside])
    since, until = T0 + timedelta(minutes=10), T0 + timedelta(minutes=50)
    inside = [t for t in written if since <= t.started_at < until]

    summary = await TraceStats(store.database).summary(since, until)

    _same(summary.overall, _expected("", inside))
    names = sorted({t.route for t in inside}, key=lambda r: (-sum(t.route == r for t in inside), r))
    assert [traffic.route for traffic in summary.routes] == names
    for traffic in summary.routes:
        _same(traffic, _expected(traffic.route, [t for t in inside if t.route == traffic.route]))


async def test_minutes_count_requests_and_errors_per_route(store: Store) -> None:
    written = _traces(300, seed=11)
    await store.traces.add_many(written)
    summary = await TraceStats(store.database).summary(T0, T0 + timedelta(hours=1))

    wanted: dict[tuple[datetime, str], list[int]] = {}
    for trace in written:
        minute = trace.started_at.replace(second=0, microsecond=0)
        counts = wanted.setdefault((minute, trace.route), [0, 0])
        counts[0] += 1
        counts[1] += trace.status is not TraceStatus.OK
    found = {(m.minute, m.route): [m.requests, m.errors] for m in summary.minutes}
    assert found == wanted
    assert all(m.minute.tzinfo is not None for m in summary.minutes)


async def test_an_empty_window_has_no_traffic(store: Store) -> None:
    await store.traces.add_many(_traces(20, seed=3))
    later = T0 + timedelta(days=1)
    summary = await TraceStats(store.database).summary(later, later + timedelta(hours=1))
    assert summary.routes == () and summary.minutes == ()
    assert summary.overall.requests == 0 and summary.overall.error_rate == 0.0
    assert summary.overall.p50_ms is None and summary.overall.cost_usd is None


async def test_one_trace_is_its_own_percentiles(store: Store) -> None:
    trace = Trace(id="tr_1", started_at=T0, endpoint="chat", route="solo", latency_ms=42.5)
    await store.traces.add_many([trace])
    summary = await TraceStats(store.database).summary(T0, T0 + timedelta(minutes=1))
    assert (summary.routes[0].p50_ms, summary.routes[0].p95_ms) == (42.5, 42.5)


async def test_bad_windows_are_refused(store: Store) -> None:
    stats = TraceStats(store.database)
    with pytest.raises(ValueError, match="before until"):
        await stats.summary(T0, T0)
    with pytest.raises(ValueError, match="no time zone"):
        await stats.summary(T0.replace(tzinfo=None), T0 + timedelta(hours=1))


async def test_errors_by_class_tokens_and_cost_per_minute_and_p99(store: Store) -> None:
    made = _traces(300, seed=17)
    failed = [t for t in made if t.status is TraceStatus.ERROR]
    for index, trace in enumerate(failed):  # alternate two providers and two classes
        trace.provider = "sim" if index % 2 else "backup"
        trace.error_class = "upstream_timeout" if index % 3 else None
    await store.traces.add_many(made)
    stats = TraceStats(store.database)
    until = T0 + timedelta(hours=1)
    expected: dict[tuple[str, str | None, str], int] = {}
    for trace in failed:
        key = (trace.route, trace.provider, trace.error_class or trace.status.value)
        expected[key] = expected.get(key, 0) + 1
    found = await stats.error_classes(T0, until)
    assert {(c.route, c.provider, c.error_class): c.requests for c in found} == expected
    assert [c.requests for c in found] == sorted((c.requests for c in found), reverse=True)

    summary = await stats.summary(T0, until)
    tokens = sum(t.prompt_tokens + t.completion_tokens for t in made)
    cost = sum(t.cost_usd or 0.0 for t in made)
    assert sum(m.tokens for m in summary.minutes) == tokens
    assert sum(m.cost_usd for m in summary.minutes) == pytest.approx(cost)
    latencies = sorted(t.latency_ms or 0.0 for t in made)
    assert summary.overall.p99_ms == latencies[math.ceil(0.99 * len(latencies)) - 1]
