"""What every assertion sees and promises.

An assertion is built once from its validated parameters and then checks many outputs: it gets
an :class:`Observation` (what the target answered) and a :class:`CheckContext` (the case and the
run's helpers) and returns an :class:`~confiance.domain.evaluation.AssertionOutcome`. It never
raises for a bad output (that is a failed outcome); it reports a check it could not make (a judge
that keeps answering garbage) as an outcome with ``error`` set.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from pydantic import BaseModel, ConfigDict, model_validator

from confiance.domain.evaluation import AssertionOutcome, ToolCallRecord
from confiance.domain.types import JSONObject

__all__ = [
    "Assertion",
    "AssertionParams",
    "ChatClient",
    "CheckContext",
    "EmbeddingClient",
    "Observation",
    "error_outcome",
    "outcome",
]


class AssertionParams(BaseModel):
    """Base of every kind's parameters: unknown keys are errors; ``name`` labels the result.

    Subclasses set ``KIND`` (the name written in suites) and define ``async def check``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    KIND: ClassVar[str] = ""

    kind: str
    name: str | None = None

    @model_validator(mode="after")
    def _kind_matches(self) -> AssertionParams:
        if self.kind != self.KIND:
            raise ValueError(f"kind {self.kind!r} does not match {type(self).__name__}")
        return self


@dataclass(frozen=True, slots=True)
class Observation:
    """One answer of the target: its text, tool calls, timing, usage and cost."""

    text: str
    tool_calls: tuple[ToolCallRecord, ...] = ()
    latency_ms: float = 0.0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None
    model: str | None = None


class ChatClient(Protocol):
    """Calls a chat model (the judge): OpenAI ``messages`` and body ``params`` in, text out.
    Raises a :class:`~confiance.errors.ConfianceError` when the call fails."""

    @property
    def name(self) -> str: ...

    async def chat_text(self, messages: list[JSONObject], params: JSONObject) -> str: ...


class EmbeddingClient(Protocol):
    """Embeds texts (one vector per text, same order)."""

    async def embed(self, texts: list[str]) -> list[list[float]]: ...


@dataclass(frozen=True, slots=True)
class CheckContext:
    """The case being checked and the run's helpers.

    ``messages`` is the conversation sent (system prompt included), ``canary`` the secret token
    planted in system prompts for this run, ``judge``/``embedder`` the clients configured for
    judge and embedding assertions (``None`` when none was configured).
    """

    case_id: str
    messages: tuple[JSONObject, ...] = ()
    tools: tuple[JSONObject, ...] = ()
    variables: Mapping[str, Any] = field(default_factory=dict)
    canary: str | None = None
    judge: ChatClient | None = None
    embedder: EmbeddingClient | None = None

    @property
    def input_text(self) -> str:
        """Every message's text content, joined: what the target was shown."""
        return "\n".join(
            message["content"]
            for message in self.messages
            if isinstance(message.get("content"), str)
        )


class Assertion(Protocol):
    """A built assertion: ``kind`` and ``name`` label its outcomes."""

    @property
    def kind(self) -> str: ...

    async def check(self, observation: Observation, context: CheckContext) -> AssertionOutcome: ...


def outcome(
    params: AssertionParams, passed: bool, reason: str, score: float | None = None
) -> AssertionOutcome:
    """The outcome of a check made by the assertion ``params`` describe."""
    if score is None:
        score = 1.0 if passed else 0.0
    return AssertionOutcome(params.kind, passed, score, reason, params.name)


def error_outcome(params: AssertionParams, error: str) -> AssertionOutcome:
    """The outcome of a check that could not be made (says nothing about the answer)."""
    return AssertionOutcome(params.kind, False, None, error, params.name, error)
