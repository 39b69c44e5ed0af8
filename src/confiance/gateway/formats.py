"""Client wire formats: how a front door reads requests and writes answers.

The gateway works in the OpenAI shape inside. ``/v1/chat/completions`` speaks it as is;
``/v1/messages`` (Anthropic-compatible) translates requests in and answers out, so any route —
whatever vendor is behind it — can be called with the Anthropic SDK.
"""

from __future__ import annotations

from typing import Protocol

import orjson

from confiance.domain.chat import Usage
from confiance.domain.types import JSONObject
from confiance.errors import ConfianceError
from confiance.gateway.errors import ErrorStyle, openai_error_body
from confiance.gateway.streaming import ChunkEncoder
from confiance.providers.anthropic_format import (
    AnthropicStreamWriter,
    anthropic_error,
    anthropic_request_to_openai,
    openai_response_to_anthropic,
)
from confiance.providers.sse import format_event

__all__ = [
    "ANTHROPIC",
    "OPENAI",
    "AnthropicEncoder",
    "AnthropicFormat",
    "ClientFormat",
    "OpenAIEncoder",
    "OpenAIFormat",
]


class ClientFormat(Protocol):
    style: ErrorStyle

    def to_openai(self, body: JSONObject) -> JSONObject:
        """The request in the OpenAI chat shape (raises ``UsageError`` on a malformed body)."""
        ...

    def encoder(self, body: JSONObject) -> ChunkEncoder:
        """The stream encoder for this request (``body`` is the client's original request)."""
        ...

    def render(self, completion: JSONObject, body: JSONObject) -> JSONObject:
        """A whole OpenAI completion rendered for the client."""
        ...


class OpenAIEncoder:
    """OpenAI SSE. The usage-only final chunk is kept only when the client asked for it."""

    relays_raw = True

    def __init__(self, include_usage: bool) -> None:
        self._include_usage = include_usage

    def encode(self, chunk: JSONObject) -> bytes:
        # The vendor's "usage": null stays, as in the chunks relayed raw; counts do not.
        if not self._include_usage and "usage" in chunk:
            if not chunk.get("choices"):
                return b""
            if chunk["usage"] is not None:
                chunk = {k: v for k, v in chunk.items() if k != "usage"}
        return b"data: " + orjson.dumps(chunk) + b"\n\n"

    def finish(self, usage: Usage) -> bytes:
        return b"data: [DONE]\n\n"

    def error(self, error: ConfianceError) -> bytes:
        body = openai_error_body(error.http_status, error.message, error.code)
        return b"data: " + orjson.dumps(body) + b"\n\n"


class OpenAIFormat:
    style = ErrorStyle.OPENAI

    def to_openai(self, body: JSONObject) -> JSONObject:
        return body

    def encoder(self, body: JSONObject) -> ChunkEncoder:
        options = body.get("stream_options")
        include = isinstance(options, dict) and options.get("include_usage") is True
        return OpenAIEncoder(include_usage=include)

    def render(self, completion: JSONObject, body: JSONObject) -> JSONObject:
        return completion


OPENAI = OpenAIFormat()


class AnthropicEncoder:
    """OpenAI chunks → Anthropic SSE events (message_start … message_stop)."""

    relays_raw = False

    def __init__(self, model: str) -> None:
        self._writer = AnthropicStreamWriter(model)

    @staticmethod
    def _events(events: list[tuple[str, JSONObject]]) -> bytes:
        return b"".join(format_event(orjson.dumps(data), name) for name, data in events)

    def encode(self, chunk: JSONObject) -> bytes:
        return self._events(self._writer.feed(chunk))

    def finish(self, usage: Usage) -> bytes:
        return self._events(self._writer.finish())

    def error(self, error: ConfianceError) -> bytes:
        return format_event(
            orjson.dumps(anthropic_error(error.http_status, error.message)), "error"
        )


class AnthropicFormat:
    """The ``/v1/messages`` door: Anthropic Messages in, any route behind, Anthropic out."""

    style = ErrorStyle.ANTHROPIC

    def to_openai(self, body: JSONObject) -> JSONObject:
        return anthropic_request_to_openai(body)

    def encoder(self, body: JSONObject) -> ChunkEncoder:
        return AnthropicEncoder(str(body.get("model", "")))

    def render(self, completion: JSONObject, body: JSONObject) -> JSONObject:
        return openai_response_to_anthropic(completion, str(body.get("model", "")))


ANTHROPIC = AnthropicFormat()
