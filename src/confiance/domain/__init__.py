"""Records every layer speaks. Pure: standard library only."""

from confiance.domain.audit import AuditEvent
from confiance.domain.chat import ChatRequest, ChatResult, EmbeddingRequest, EmbeddingResult, Usage
from confiance.domain.keys import ApiKey, Role
from confiance.domain.revision import ConfigRevision
from confiance.domain.trace import Attempt, Trace, TraceStatus
from confiance.domain.types import JSONObject, ProviderKind, Retention

__all__ = [
    "ApiKey",
    "Attempt",
    "AuditEvent",
    "ChatRequest",
    "ChatResult",
    "ConfigRevision",
    "EmbeddingRequest",
    "EmbeddingResult",
    "JSONObject",
    "ProviderKind",
    "Retention",
    "Role",
    "Trace",
    "TraceStatus",
    "Usage",
]
