"""``/traces``: the record of each gateway request, filtered and paged newest first."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import AwareDatetime, BaseModel, Field

from confiance.api.deps import State
from confiance.api.errors import error_responses
from confiance.domain.trace import Attempt, Trace, TraceStatus
from confiance.errors import NotFound, UsageError

__all__ = ["router"]

router = APIRouter(prefix="/traces", tags=["traces"], responses=error_responses(401, 403))

MAX_PAGE = 1000


class AttemptOut(BaseModel):
    """One call to one provider target within the request."""

    provider: str
    model: str
    started_ms: float = Field(description="Milliseconds after the request started.")
    duration_ms: float
    status: int | None = Field(description="The upstream HTTP status; null when none came.")
    error_class: str | None
    error: str | None

    @classmethod
    def of(cls, attempt: Attempt) -> AttemptOut:
        return cls(
            provider=attempt.provider,
            model=attempt.model,
            started_ms=attempt.started_ms,
            duration_ms=attempt.duration_ms,
            status=attempt.status,
            error_class=attempt.error_class,
            error=attempt.error,
        )


class TraceSummary(BaseModel):
    """A trace without its bodies and metadata (see ``GET /traces/{id}`` for those)."""

    id: str
    started_at: datetime
    endpoint: str = Field(examples=["chat"])
    route: str = Field(examples=["support-bot"])
    key_id: str | None
    revision: int | None
    provider: str | None = Field(description="The provider that answered.")
    model_requested: str | None
    model_answered: str | None
    stream: bool
    status: TraceStatus
    http_status: int
    error_class: str | None
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float | None
    latency_ms: float
    ttft_ms: float | None = Field(description="Time to first token (streams).")
    fallback_used: bool
    attempts: list[AttemptOut]

    @classmethod
    def fields_of(cls, trace: Trace) -> dict[str, Any]:
        names = set(cls.model_fields) - {"attempts"}
        values = {name: getattr(trace, name) for name in names}
        values["attempts"] = [AttemptOut.of(attempt) for attempt in trace.attempts]
        return values

    @classmethod
    def of(cls, trace: Trace) -> TraceSummary:
        return cls(**cls.fields_of(trace))


class TraceOut(TraceSummary):
    error: str | None
    request_body: dict[str, Any] | None = Field(
        description="Kept only when the route's retention is 'full' (redacted by default)."
    )
    response_body: dict[str, Any] | None
    metadata: dict[str, Any]

    @classmethod
    def of(cls, trace: Trace) -> TraceOut:
        return cls(**cls.fields_of(trace))


class TracePage(BaseModel):
    traces: list[TraceSummary] = Field(description="Newest first.")
    next: str | None = Field(
        description="Pass as `before` to get the next (older) page; null on the last page."
    )


@router.get("", summary="List traces", responses=error_responses(400, 422))
async def list_traces(
    state: State,
    route: Annotated[str | None, Query(description="Only this route.")] = None,
    status: Annotated[TraceStatus | None, Query(description="Only this outcome.")] = None,
    since: Annotated[
        AwareDatetime | None, Query(description="Started at or after (ISO 8601 with zone).")
    ] = None,
    until: Annotated[AwareDatetime | None, Query(description="Started before.")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page size.")] = 50,
    before: Annotated[
        str | None, Query(description="The `next` of the previous page (a trace id).")
    ] = None,
) -> TracePage:
    """Traces newest first, filtered by route, status and start time, ``limit`` at a time."""
    if since is not None and until is not None and since >= until:
        raise UsageError(f"since ({since.isoformat()}) must be before until ({until.isoformat()})")
    try:
        traces = await state.services.store.traces.query(
            route=route, status=status, since=since, until=until, limit=limit + 1, before=before
        )
    except NotFound as error:
        # An unknown cursor is a bad query parameter, not a missing resource.
        raise UsageError(f"{error.message}; start again without `before`") from error
    page = traces[:limit]
    more = len(traces) > limit
    return TracePage(traces=[TraceSummary.of(t) for t in page], next=page[-1].id if more else None)


@router.get("/{trace_id}", summary="Show one trace", responses=error_responses(404))
async def get_trace(
    trace_id: Annotated[str, Path(description="The x-confiance-trace-id of a response.")],
    state: State,
) -> TraceOut:
    """Every recorded field of one trace: attempts, bodies (if retained) and metadata."""
    return TraceOut.of(await state.services.store.traces.get(trace_id))
