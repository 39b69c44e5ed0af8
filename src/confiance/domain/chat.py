"""Requests and results exchanged between the gateway and providers.

Bodies stay in the OpenAI wire shape (``JSONObject``): parsing them into rich objects on the hot
path costs more than it gives. Providers translate to and from their vendor's shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from confiance.domain.types import JSONObject


@dataclass(frozen=True, slots=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    @classmethod
    def from_openai(cls, usage: object) -> Usage:
        """Read an OpenAI ``usage`` object; anything missing or malformed counts as zero."""
        if not isinstance(usage, dict):
            return cls()
        prompt = usage.get("prompt_tokens", 0)
        completion = usage.get("completion_tokens", 0)
        return cls(
            prompt_tokens=prompt if isinstance(prompt, int) else 0,
            completion_tokens=completion if isinstance(completion, int) else 0,
        )


@dataclass(frozen=True, slots=True)
class ChatRequest:
    """One chat completion call to one concrete model.

    ``body`` is an OpenAI chat-completions body; its ``model`` is replaced by ``model``.
    """

    model: str
    body: JSONObject
    stream: bool = False
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ChatResult:
    """A whole (non-streamed) answer in the OpenAI chat-completion shape."""

    body: JSONObject
    usage: Usage
    model: str


@dataclass(frozen=True, slots=True)
class EmbeddingRequest:
    model: str
    body: JSONObject


@dataclass(frozen=True, slots=True)
class EmbeddingResult:
    body: JSONObject
    usage: Usage
    model: str
