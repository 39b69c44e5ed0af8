"""Assertion kinds: the registry, the built-in kinds and what each check sees."""

from confiance.evals.assertions.base import (
    Assertion,
    AssertionParams,
    ChatClient,
    CheckContext,
    EmbeddingClient,
    Observation,
    error_outcome,
    outcome,
)
from confiance.evals.assertions.judge import JUDGE_PROMPT_HASH, JUDGE_PROMPT_VERSION
from confiance.evals.assertions.registry import (
    ENTRY_POINT_GROUP,
    AssertionRegistry,
    UnknownAssertionKind,
)

__all__ = [
    "ENTRY_POINT_GROUP",
    "JUDGE_PROMPT_HASH",
    "JUDGE_PROMPT_VERSION",
    "Assertion",
    "AssertionParams",
    "AssertionRegistry",
    "ChatClient",
    "CheckContext",
    "EmbeddingClient",
    "Observation",
    "UnknownAssertionKind",
    "error_outcome",
    "outcome",
]
