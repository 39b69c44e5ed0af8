"""The overview: the config revision being served, each route's resolved chain, and the last
hour of traffic per route (requests, error rate, latency percentiles, tokens, cost) with a
requests-per-minute chart."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from confiance.config.load import load_document
from confiance.config.references import resolve_chain
from confiance.domain.revision import ConfigRevision
from confiance.store.trace_stats import RouteTraffic, TrafficSummary
from confiance.web.access import state_of, viewer_for
from confiance.web.charts import Sparkline, sparkline, traffic_chart
from confiance.web.viewers import Area

__all__ = ["RouteRow", "routes"]

MINUTES = 60


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


def _per_route_minutes(summary: TrafficSummary, since: datetime) -> dict[str, list[int]]:
    start = since.replace(second=0, microsecond=0)
    series: dict[str, list[int]] = defaultdict(lambda: [0] * MINUTES)
    for count in summary.minutes:
        index = int((count.minute - start).total_seconds() // 60)
        if 0 <= index < MINUTES:
            series[count.route][index] += count.requests
    return series


def _rows(revision: ConfigRevision | None, summary: TrafficSummary) -> list[RouteRow]:
    traffic = {row.route: row for row in summary.routes}
    series = _per_route_minutes(summary, summary.since)
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


async def overview(request: Request) -> Response:
    viewer = await viewer_for(request, Area.OVERVIEW)
    state = state_of(request)
    until = state.services.clock()
    # Whole minutes, the current one last: the chart's bars and the table count the same traces.
    since = until.replace(second=0, microsecond=0) - timedelta(minutes=MINUTES - 1)
    revision = await state.services.revisions.latest_revision()
    summary = await state.traffic.summary(since, until)
    totals: dict[datetime, list[int]] = defaultdict(lambda: [0, 0])
    for count in summary.minutes:
        totals[count.minute][0] += count.requests
        totals[count.minute][1] += count.errors
    chart = traffic_chart([(m, r, e) for m, (r, e) in totals.items()], since, MINUTES)
    context = {
        "revision": revision,
        "rows": _rows(revision, summary),
        "summary": summary,
        "chart": chart,
    }
    return state.renderer.page(request, "overview.html", context, viewer=viewer, area=Area.OVERVIEW)


routes = [Route("/", overview, methods=["GET"], name="overview")]
