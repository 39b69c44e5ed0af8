"""Traces: the record of one request through the gateway."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from confiance.domain.types import JSONObject

UNKNOWN_BUCKET = "_unknown"
"""The route of a request that named no configured route (or failed before naming one)."""
MODELS_BUCKET = "_models"
"""The route of a ``GET /v1/models`` listing."""
DIRECT_BUCKET = "_direct"
"""The metrics label of direct ``provider/model`` calls (traces keep the model's name)."""


class TraceStatus(StrEnum):
    OK = "ok"
    ERROR = "error"
    CLIENT_DISCONNECTED = "client_disconnected"


@dataclass(frozen=True, slots=True)
class Attempt:
    """One call to one provider target within a request."""

    provider: str
    model: str
    started_ms: float
    duration_ms: float
    status: int | None
    error_class: str | None = None
    error: str | None = None


@dataclass(slots=True)
class Trace:
    """Built up while a request runs, then handed to the trace sink (never mutated after)."""

    id: str
    started_at: datetime
    endpoint: str
    route: str
    key_id: str | None = None
    revision: int | None = None
    provider: str | None = None
    model_requested: str | None = None
    model_answered: str | None = None
    stream: bool = False
    status: TraceStatus = TraceStatus.OK
    http_status: int = 200
    error_class: str | None = None
    error: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None
    latency_ms: float = 0.0
    ttft_ms: float | None = None
    fallback_used: bool = False
    attempts: list[Attempt] = field(default_factory=list)
    request_body: JSONObject | None = None
    response_body: JSONObject | None = None
    metadata: JSONObject = field(default_factory=dict)
