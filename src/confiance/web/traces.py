"""Traces: a filtered, paged list (newest first) and one trace with its attempts and bodies.

Filters are query parameters, so a filtered page can be bookmarked and shared: ``route``,
``status`` (ok, error, client_disconnected), ``window`` (15m, 1h, 24h, 7d, or all) and the paging
cursor ``before`` (the id of the last trace of the previous page).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from confiance.config.load import load_document
from confiance.domain.trace import TraceStatus
from confiance.errors import NotFound, UsageError
from confiance.web.access import state_of, viewer_for
from confiance.web.keylabels import key_labels
from confiance.web.viewers import Area

__all__ = ["PAGE_SIZE", "WINDOWS", "TraceFilters", "routes"]

PAGE_SIZE = 50
WINDOWS = {
    "15m": ("Last 15 minutes", timedelta(minutes=15)),
    "1h": ("Last hour", timedelta(hours=1)),
    "24h": ("Last 24 hours", timedelta(hours=24)),
    "7d": ("Last 7 days", timedelta(days=7)),
    "all": ("All time", None),
}
_MAX_FILTER_CHARS = 200


@dataclass(frozen=True, slots=True)
class TraceFilters:
    """The list's filters as the query string gave them (checked)."""

    route: str | None
    status: TraceStatus | None
    window: str
    before: str | None

    @classmethod
    def of(cls, request: Request) -> TraceFilters:
        """Raises ``UsageError`` naming the parameter that is wrong and what it may be."""
        params = request.query_params
        route = params.get("route", "").strip() or None
        if route is not None and len(route) > _MAX_FILTER_CHARS:
            raise UsageError(f"the route filter is longer than {_MAX_FILTER_CHARS} characters")
        status_text = params.get("status", "").strip()
        if status_text and status_text not in TraceStatus.__members__.values():
            choices = ", ".join(status.value for status in TraceStatus)
            raise UsageError(f"status {status_text!r} is not one of: {choices}")
        window = params.get("window", "24h").strip() or "24h"
        if window not in WINDOWS:
            raise UsageError(f"window {window!r} is not one of: {', '.join(WINDOWS)}")
        before = params.get("before", "").strip() or None
        status = TraceStatus(status_text) if status_text else None
        return cls(route, status, window, before)

    def query(self, **changes: str | None) -> dict[str, str | None]:
        """These filters as query parameters, with ``changes`` applied."""
        values: dict[str, str | None] = {
            "route": self.route,
            "status": self.status.value if self.status else None,
            "window": self.window,
            "before": self.before,
        }
        return values | changes


async def list_traces(request: Request) -> Response:
    viewer = await viewer_for(request, Area.TRACES)
    state = state_of(request)
    filters = TraceFilters.of(request)
    span = WINDOWS[filters.window][1]
    since = state.services.clock() - span if span is not None else None
    try:
        found = await state.services.store.traces.query(
            route=filters.route,
            status=filters.status,
            since=since,
            limit=PAGE_SIZE + 1,
            before=filters.before,
        )
    except NotFound as error:
        raise UsageError(
            "the page you asked for starts after a trace that does not exist; "
            "start again from the newest traces"
        ) from error
    page = found[:PAGE_SIZE]
    next_cursor = page[-1].id if len(found) > PAGE_SIZE else None
    context = {
        "traces": page,
        "filters": filters,
        "windows": WINDOWS,
        "statuses": list(TraceStatus),
        "route_names": await _route_names(request),
        "next_cursor": next_cursor,
    }
    return state.renderer.page(request, "traces.html", context, viewer=viewer, area=Area.TRACES)


async def _route_names(request: Request) -> list[str]:
    revision = await state_of(request).services.revisions.latest_revision()
    if revision is None:
        return []
    config = load_document(revision.document, f"revision {revision.number}").config
    return sorted(config.routes)


async def show_trace(request: Request) -> Response:
    viewer = await viewer_for(request, Area.TRACES)
    state = state_of(request)
    trace = await state.services.store.traces.get(request.path_params["trace_id"])
    context = {"trace": trace, "keys": await key_labels(state.services.store.keys)}
    return state.renderer.page(request, "trace.html", context, viewer=viewer, area=Area.TRACES)


routes = [
    Route("/traces", list_traces, methods=["GET"], name="traces"),
    Route("/traces/{trace_id}", show_trace, methods=["GET"], name="trace"),
]
