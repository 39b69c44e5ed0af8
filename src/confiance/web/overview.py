"""The overview: the config revision being served, each route's resolved chain, and the traffic
of a chosen range (the last hour, 24 hours, 7 or 30 days) per route (requests, error rate,
latency p50/p95/p99, tokens, cost), with requests, tokens and cost over time and the errors by
class per route and provider."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from confiance.config.load import load_document
from confiance.config.references import resolve_chain
from confiance.domain.numbers import format_usd
from confiance.domain.revision import ConfigRevision
from confiance.errors import UsageError
from confiance.store.trace_stats import RouteTraffic, TrafficSummary
from confiance.web.access import state_of, viewer_for
from confiance.web.charts import (
    Sparkline,
    TrafficChart,
    slots_from,
    sparkline,
    traffic_chart,
    value_chart,
)
from confiance.web.viewers import Area

__all__ = ["RANGES", "Range", "RouteRow", "range_of", "routes"]


@dataclass(frozen=True, slots=True)
class Range:
    """A time range of the overview: ``buckets`` bars of ``bucket`` each."""

    name: str
    label: str
    buckets: int
    bucket: timedelta

    @property
    def span(self) -> timedelta:
        return self.buckets * self.bucket


RANGES = {
    r.name: r
    for r in (
        Range("1h", "the last hour", 60, timedelta(minutes=1)),
        Range("24h", "the last 24 hours", 48, timedelta(minutes=30)),
        Range("7d", "the last 7 days", 56, timedelta(hours=3)),
        Range("30d", "the last 30 days", 60, timedelta(hours=12)),
    )
}
DEFAULT_RANGE = "1h"


def range_of(request: Request) -> Range:
    """The ``range`` query parameter. Raises ``UsageError`` naming the valid ranges."""
    name = request.query_params.get("range", DEFAULT_RANGE).strip() or DEFAULT_RANGE
    if name not in RANGES:
        raise UsageError(f"range {name!r} is not one of {', '.join(RANGES)}")
    return RANGES[name]


@dataclass(frozen=True, slots=True)
class RouteRow:
    """A route of the config (``configured``) or a name only traces know (direct models,
    requests for unknown routes), with its traffic in the window."""

    name: str
    configured: bool
    kind: str
    description: str
    chain: tuple[str, ...]
    traffic: RouteTraffic | None
    spark: Sparkline | None


def _bucket_of(minute: datetime, since: datetime, span: Range) -> int:
    return int((minute - since) // span.bucket)


def _per_route_buckets(summary: TrafficSummary, span: Range) -> dict[str, list[int]]:
    series: dict[str, list[int]] = defaultdict(lambda: [0] * span.buckets)
    for count in summary.minutes:
        index = _bucket_of(count.minute, summary.since, span)
        if 0 <= index < span.buckets:
            series[count.route][index] += count.requests
    return series


def _rows(revision: ConfigRevision | None, summary: TrafficSummary, span: Range) -> list[RouteRow]:
    traffic = {row.route: row for row in summary.routes}
    series = _per_route_buckets(summary, span)
    rows = []
    if revision is not None:
        config = load_document(revision.document, f"revision {revision.number}").config
        for name, route in sorted(config.routes.items()):
            chain = tuple(str(target) for target in resolve_chain(config, name))
            spark = sparkline(series[name], label=name) if name in traffic else None
            found = traffic.get(name)
            rows.append(RouteRow(name, True, route.kind, route.description, chain, found, spark))
    configured = {row.name for row in rows}
    for other in summary.routes:
        if other.route not in configured:
            spark = sparkline(series[other.route], label=other.route)
            rows.append(RouteRow(other.route, False, "", "", (), other, spark))
    return rows


def _charts(summary: TrafficSummary, span: Range) -> dict[str, TrafficChart]:
    slots = slots_from(summary.since, span.buckets, span.bucket)
    requests: dict[datetime, list[int]] = defaultdict(lambda: [0, 0])
    tokens: dict[datetime, float] = defaultdict(float)
    cost: dict[datetime, float] = defaultdict(float)
    for count in summary.minutes:
        index = _bucket_of(count.minute, summary.since, span)
        if not 0 <= index < span.buckets:
            continue
        start = slots[index]
        requests[start][0] += count.requests
        requests[start][1] += count.errors
        tokens[start] += count.tokens
        cost[start] += count.cost_usd
    shape = (summary.since, span.buckets, span.bucket)
    return {
        "requests": traffic_chart([(s, r, e) for s, (r, e) in requests.items()], *shape),
        "tokens": value_chart(
            list(tokens.items()), *shape, what="tokens", show=lambda v: f"{round(v):,}"
        ),
        "cost": value_chart(list(cost.items()), *shape, what="cost", show=format_usd),
    }


async def overview(request: Request) -> Response:
    viewer = await viewer_for(request, Area.OVERVIEW)
    state = state_of(request)
    span = range_of(request)
    until = state.services.clock()
    # Whole buckets, the current one last: the charts and the table count the same traces.
    since = until.replace(second=0, microsecond=0) + timedelta(minutes=1) - span.span
    revision = await state.services.revisions.latest_revision()
    summary = await state.traffic.summary(since, until)
    context = {
        "revision": revision,
        "rows": _rows(revision, summary, span),
        "summary": summary,
        "charts_data": _charts(summary, span),
        "errors": await state.traffic.error_classes(since, until),
        "range": span,
        "ranges": list(RANGES.values()),
    }
    return state.renderer.page(request, "overview.html", context, viewer=viewer, area=Area.OVERVIEW)


routes = [Route("/", overview, methods=["GET"], name="overview")]
