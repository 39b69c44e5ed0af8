"""The adapter for Google's Gemini API (``generativelanguage.googleapis.com``).

Chat: ``{base_url}/v1beta/models/{model}:generateContent`` and
``:streamGenerateContent?alt=sse``; embeddings: ``:batchEmbedContents``. The key travels in the
``x-goog-api-key`` header (never in the URL, where logs would keep it). Translations live in
:mod:`confiance.providers.gemini_format`.
"""

from __future__ import annotations

import base64
import sys
from array import array
from collections.abc import AsyncIterator, Mapping
from urllib.parse import quote

import orjson

from confiance.domain.chat import ChatRequest, ChatResult, EmbeddingRequest, EmbeddingResult, Usage
from confiance.domain.types import JSONObject
from confiance.errors import UsageError
from confiance.providers.base import ProviderContext, StreamItem
from confiance.providers.gemini_format import (
    GeminiChunkTranslator,
    gemini_to_openai_response,
    openai_to_gemini_request,
)
from confiance.providers.http import Upstream, one_at_a_time

__all__ = ["GeminiProvider", "gemini_embedding_request"]


class GeminiProvider:
    """``Provider`` for the Gemini ``generateContent`` family."""

    def __init__(self, context: ProviderContext) -> None:
        base = context.config.base_url
        self.name = context.name
        self._upstream = Upstream(context.name, context.session, context.api_key)
        # Accept the host alone or a base URL that already names an API version.
        self._base = base if base.rsplit("/", 1)[-1] in ("v1beta", "v1") else f"{base}/v1beta"
        self._headers: dict[str, str] = {"content-type": "application/json"}
        self._headers.update(context.config.headers)
        if context.api_key:
            self._headers["x-goog-api-key"] = context.api_key

    async def chat(self, request: ChatRequest, timeout: float) -> ChatResult:
        payload = openai_to_gemini_request(request.body)
        answer = await self._upstream.post_json(
            self._url(request.model, "generateContent"),
            orjson.dumps(payload),
            self._request_headers(request.headers),
            timeout,
        )
        try:
            body = gemini_to_openai_response(answer, request.model)
        except ValueError as error:
            raise self._upstream.protocol_error(str(error)) from error
        return ChatResult(body=body, usage=Usage.from_openai(body["usage"]), model=body["model"])

    def stream(self, request: ChatRequest, timeout: float) -> AsyncIterator[JSONObject]:
        return one_at_a_time(self.stream_batches(request, timeout))

    def stream_batches(
        self, request: ChatRequest, timeout: float, *, raw: bool = False
    ) -> AsyncIterator[list[StreamItem]]:
        """Gemini events are always translated: ``raw`` has no effect."""
        payload = openai_to_gemini_request(request.body)
        return self._upstream.batches(
            self._url(request.model, "streamGenerateContent") + "?alt=sse",
            orjson.dumps(payload),
            self._request_headers(request.headers),
            timeout,
            GeminiChunkTranslator(request.model),
        )

    async def embed(self, request: EmbeddingRequest, timeout: float) -> EmbeddingResult:
        payload = gemini_embedding_request(request.body, _model_id(request.model))
        answer = await self._upstream.post_json(
            self._url(request.model, "batchEmbedContents"),
            orjson.dumps(payload),
            self._headers,
            timeout,
        )
        embeddings = answer.get("embeddings")
        if not isinstance(embeddings, list):
            raise self._upstream.protocol_error("no 'embeddings' list in the answer")
        encoding = request.body.get("encoding_format") or "float"
        data = [_embedding(item, i, encoding) for i, item in enumerate(embeddings)]
        body: JSONObject = {
            "object": "list",
            "data": data,
            "model": request.model,
            "usage": {"prompt_tokens": 0, "total_tokens": 0},  # Gemini does not count them
        }
        return EmbeddingResult(body=body, usage=Usage(), model=request.model)

    def _url(self, model: str, method: str) -> str:
        return f"{self._base}/models/{quote(_model_id(model), safe='-._~')}:{method}"

    def _request_headers(self, extra: Mapping[str, str]) -> Mapping[str, str]:
        return {**self._headers, **extra} if extra else self._headers


def _model_id(model: str) -> str:
    return model.removeprefix("models/")


def gemini_embedding_request(body: JSONObject, model: str) -> JSONObject:
    """The ``batchEmbedContents`` body for an OpenAI embeddings ``body`` (text inputs only)."""
    raw = body.get("input")
    texts = [raw] if isinstance(raw, str) else raw
    if not isinstance(texts, list) or not texts or not all(isinstance(t, str) for t in texts):
        raise UsageError(
            "input must be a string or a non-empty list of strings for Gemini embeddings "
            "(token arrays are an OpenAI-only form)"
        )
    encoding = body.get("encoding_format")
    if encoding not in (None, "float", "base64"):
        raise UsageError(f"encoding_format {encoding!r}: use float or base64")
    requests = []
    for text in texts:
        item: JSONObject = {"model": f"models/{model}", "content": {"parts": [{"text": text}]}}
        if isinstance(body.get("dimensions"), int):
            item["outputDimensionality"] = body["dimensions"]
        requests.append(item)
    return {"requests": requests}


def _embedding(item: object, index: int, encoding: str) -> JSONObject:
    values = item.get("values") if isinstance(item, dict) else None
    if not isinstance(values, list):
        values = []
    vector: object = values
    if encoding == "base64":
        # OpenAI's base64 form is little-endian float32, which the OpenAI SDK asks for by default.
        floats = array("f", values)
        if sys.byteorder == "big":
            floats.byteswap()
        vector = base64.b64encode(floats.tobytes()).decode()
    return {"object": "embedding", "index": index, "embedding": vector}
