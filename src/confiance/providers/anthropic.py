"""The adapter for Anthropic's Messages API (``{base_url}/v1/messages``).

Requests are translated from the OpenAI shape by :mod:`confiance.providers.anthropic_format`,
answers and streams back by it and :mod:`confiance.providers.anthropic_events`. The key travels
in ``x-api-key`` with ``anthropic-version: 2023-06-01``; extra configured headers (for example
``anthropic-beta``) are added. Anthropic has no embeddings API: :meth:`embed` raises
``UsageError``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping

import orjson

from confiance.domain.chat import ChatRequest, ChatResult, EmbeddingRequest, EmbeddingResult, Usage
from confiance.domain.types import JSONObject
from confiance.errors import UsageError
from confiance.providers.anthropic_events import AnthropicChunkTranslator
from confiance.providers.anthropic_format import (
    anthropic_to_openai_response,
    openai_to_anthropic_request,
)
from confiance.providers.base import ProviderContext, StreamItem
from confiance.providers.http import Upstream, one_at_a_time

__all__ = ["ANTHROPIC_VERSION", "AnthropicProvider"]

ANTHROPIC_VERSION = "2023-06-01"


class AnthropicProvider:
    """``Provider`` for the Anthropic Messages API."""

    def __init__(self, context: ProviderContext) -> None:
        base = context.config.base_url
        self.name = context.name
        self._upstream = Upstream(context.name, context.session, context.api_key)
        # Accept both https://api.anthropic.com and https://api.anthropic.com/v1 as base URLs.
        self._url = f"{base}/messages" if base.endswith("/v1") else f"{base}/v1/messages"
        self._headers: dict[str, str] = {
            "content-type": "application/json",
            "anthropic-version": ANTHROPIC_VERSION,
            **context.config.headers,
        }
        if context.api_key:
            self._headers["x-api-key"] = context.api_key

    async def chat(self, request: ChatRequest, timeout: float) -> ChatResult:
        payload = openai_to_anthropic_request(request.body, request.model)
        answer = await self._upstream.post_json(
            self._url, orjson.dumps(payload), self._request_headers(request.headers), timeout
        )
        try:
            body = anthropic_to_openai_response(answer)
        except ValueError as error:
            raise self._upstream.protocol_error(str(error)) from error
        model = body["model"] if isinstance(body.get("model"), str) else request.model
        return ChatResult(body=body, usage=Usage.from_openai(body["usage"]), model=model)

    def stream(self, request: ChatRequest, timeout: float) -> AsyncIterator[JSONObject]:
        return one_at_a_time(self.stream_batches(request, timeout))

    def stream_batches(
        self, request: ChatRequest, timeout: float, *, raw: bool = False
    ) -> AsyncIterator[list[StreamItem]]:
        """Anthropic events are always translated: ``raw`` has no effect."""
        payload = openai_to_anthropic_request(request.body, request.model)
        payload["stream"] = True
        return self._upstream.batches(
            self._url,
            orjson.dumps(payload),
            self._request_headers(request.headers),
            timeout,
            AnthropicChunkTranslator(request.model),
        )

    async def embed(self, request: EmbeddingRequest, timeout: float) -> EmbeddingResult:
        raise UsageError(
            f"provider {self.name!r} is an Anthropic provider, and Anthropic has no embeddings "
            "API: route embeddings to an openai or gemini provider"
        )

    def _request_headers(self, extra: Mapping[str, str]) -> Mapping[str, str]:
        return {**self._headers, **extra} if extra else self._headers
