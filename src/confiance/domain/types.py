"""The small vocabulary shared by every layer."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, TypeAlias

JSONObject: TypeAlias = dict[str, Any]
"""A parsed JSON object in a vendor wire format (OpenAI-shaped unless said otherwise)."""


class ProviderKind(StrEnum):
    OPENAI = "openai"
    ANTHROPIC = "anthropic"
    GEMINI = "gemini"
    SIMULATED = "simulated"


class TraceDurability(StrEnum):
    """When a route's trace is safe: in the local spool as the answer goes out, or committed to
    the store before it does."""

    SPOOL = "spool"
    SYNC = "sync"


class TraceOverflow(StrEnum):
    """What a route does when the trace queue is full: drop traces (counted, logged) or slow
    its callers down to the store's pace."""

    SHED = "shed"
    SLOW = "slow"


class Retention(StrEnum):
    """How much of a request/response body a trace keeps."""

    NONE = "none"
    METADATA = "metadata"
    FULL = "full"
