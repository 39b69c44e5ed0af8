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


class Retention(StrEnum):
    """How much of a request/response body a trace keeps."""

    NONE = "none"
    METADATA = "metadata"
    FULL = "full"
