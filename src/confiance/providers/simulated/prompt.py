"""A chat request in no vendor's shape: what the content generator needs to know.

Each wire module parses its vendor's body into a :class:`Prompt` (raising
:class:`InvalidRequest` with the offending parameter) and renders a :mod:`.reply` back.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from confiance.domain.types import JSONObject

__all__ = [
    "InvalidRequest",
    "Prompt",
    "ToolMode",
    "ToolSpec",
    "Turn",
    "optional_int",
    "stop_list",
    "text_of",
]


class InvalidRequest(ValueError):
    """The body is not a valid request for the vendor's API; ``param`` names the field."""

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param


class ToolMode(StrEnum):
    NONE = "none"
    AUTO = "auto"
    """Call a tool unless the conversation ends with a tool result."""
    REQUIRED = "required"


@dataclass(frozen=True, slots=True)
class Turn:
    """One message reduced to its role (system, user, assistant, tool) and its text."""

    role: str
    text: str


@dataclass(frozen=True, slots=True)
class ToolSpec:
    name: str
    schema: JSONObject


@dataclass(frozen=True, slots=True)
class Prompt:
    """A parsed chat request. ``model`` is the name exactly as the client sent it."""

    model: str
    turns: tuple[Turn, ...]
    system: str = ""
    tools: tuple[ToolSpec, ...] = ()
    tool_mode: ToolMode = ToolMode.AUTO
    forced_tool: str | None = None
    json_mode: bool = False
    json_schema: JSONObject | None = None
    max_tokens: int | None = None
    stop: tuple[str, ...] = ()
    n: int = 1
    seed: int | None = None
    stream: bool = False
    logprobs: int | None = None
    """``None``: no log probabilities; else how many alternatives per token (OpenAI)."""
    include_usage: bool = False
    """OpenAI ``stream_options.include_usage``: a last chunk with ``usage``."""

    @property
    def last_user(self) -> str:
        for turn in reversed(self.turns):
            if turn.role == "user":
                return turn.text
        return ""

    @property
    def ends_with_tool_result(self) -> bool:
        return bool(self.turns) and self.turns[-1].role == "tool"

    def wants_tool(self) -> bool:
        """Whether the reply is a tool call: forced, or ``auto`` before any tool result."""
        if not self.tools or self.tool_mode is ToolMode.NONE:
            return False
        return self.tool_mode is ToolMode.REQUIRED or not self.ends_with_tool_result

    def transcript(self) -> str:
        """Every turn as one string, the input of the content hash."""
        parts = [self.system]
        parts.extend(f"{turn.role}\x1f{turn.text}" for turn in self.turns)
        return "\x1d".join(parts)


def text_of(content: Any) -> str:
    """The text of a message ``content``: a string, or a list of parts with ``text`` in them
    (OpenAI ``{"type": "text", "text": ...}``, Anthropic text blocks, Gemini parts). Non-text
    parts (images, audio) contribute nothing; tool results contribute their text."""
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return ""
    pieces: list[str] = []
    for part in content:
        if isinstance(part, str):
            pieces.append(part)
        elif isinstance(part, dict):
            if isinstance(part.get("text"), str):
                pieces.append(part["text"])
            elif "content" in part:
                pieces.append(text_of(part["content"]))
    return "\n".join(piece for piece in pieces if piece)


def optional_int(body: JSONObject, name: str, *, low: int, high: int) -> int | None:
    """``body[name]`` as an int in ``[low, high]``, or ``None`` when absent or null."""
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidRequest(f"'{name}' must be an integer", name)
    if not low <= value <= high:
        raise InvalidRequest(f"'{name}' must be between {low} and {high}, got {value}", name)
    return value


def stop_list(value: Any, name: str, limit: int) -> tuple[str, ...]:
    """A stop parameter (one string or a list of strings) as a tuple."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,) if value else ()
    if isinstance(value, list) and all(isinstance(s, str) for s in value) and len(value) <= limit:
        return tuple(s for s in value if s)
    raise InvalidRequest(f"'{name}' must be a string or a list of at most {limit} strings", name)
