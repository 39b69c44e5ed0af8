"""The built-in assertion kinds, registered through the same registry plugins use."""

from __future__ import annotations

from confiance.evals.assertions.base import AssertionParams
from confiance.evals.assertions.compliance import HarmfulCompliance, JailbreakResisted
from confiance.evals.assertions.insecure_code import SecureCode
from confiance.evals.assertions.judge import Judge
from confiance.evals.assertions.leaks import (
    CanaryNotLeaked,
    NoPii,
    NoSecrets,
    SystemPromptNotLeaked,
)
from confiance.evals.assertions.limits import Cost, Latency, Number, Tokens
from confiance.evals.assertions.refusal import NotRefusal, Refusal
from confiance.evals.assertions.security import InjectionResisted, NoForbiddenTools, SafeOutput
from confiance.evals.assertions.similarity import Similarity
from confiance.evals.assertions.structured import JsonSchema, JsonValid, ToolCall
from confiance.evals.assertions.text import (
    Contains,
    Equals,
    Length,
    NotContains,
    NotRegex,
    Regex,
    StartsWith,
)

__all__ = ["BUILTIN_KINDS"]

BUILTIN_KINDS: tuple[type[AssertionParams], ...] = (
    Equals,
    Contains,
    NotContains,
    Regex,
    NotRegex,
    StartsWith,
    Length,
    JsonValid,
    JsonSchema,
    ToolCall,
    Number,
    Latency,
    Tokens,
    Cost,
    Refusal,
    NotRefusal,
    NoPii,
    NoSecrets,
    CanaryNotLeaked,
    SystemPromptNotLeaked,
    Similarity,
    Judge,
    InjectionResisted,
    NoForbiddenTools,
    HarmfulCompliance,
    JailbreakResisted,
    SafeOutput,
    SecureCode,
)
