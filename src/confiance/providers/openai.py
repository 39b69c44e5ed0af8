"""The adapter for every OpenAI-compatible server: OpenAI, Azure OpenAI, vLLM, Ollama, llama.cpp,
Mistral, Groq, OpenRouter, the simulator.

The gateway already speaks this format, so bodies pass through untouched except for ``model``
and the stream switches: every parameter the server knows (tools, response_format, n, stop,
logprobs, seed...) reaches it as the client sent it.

URLs: ``{base_url}/chat/completions`` and ``{base_url}/embeddings``, where ``base_url`` includes
the version segment (``https://api.openai.com/v1``). With ``azure: true`` the base URL is the
deployment URL (``https://RES.openai.azure.com/openai/deployments/DEPLOY``), ``api-version`` is
added as a query parameter and the key travels in ``api-key`` instead of a bearer token.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from urllib.parse import quote

import orjson

from confiance.domain.chat import ChatRequest, ChatResult, EmbeddingRequest, EmbeddingResult, Usage
from confiance.domain.types import JSONObject
from confiance.errors import ConfigError
from confiance.providers.base import ProviderContext, StreamItem
from confiance.providers.http import Upstream, one_at_a_time
from confiance.providers.sse import SSEEvent, SSEFormatError, VendorStreamError

__all__ = ["OpenAIChunkReader", "OpenAIProvider"]

_DONE = b"[DONE]"
_STREAM_KEYS = ("stream", "stream_options")


class OpenAIProvider:
    """``Provider`` for OpenAI-compatible chat completions and embeddings."""

    def __init__(self, context: ProviderContext) -> None:
        config = context.config
        self.name = context.name
        self._upstream = Upstream(context.name, context.session, context.api_key)
        query = ""
        if config.azure:
            if not config.api_version:
                raise ConfigError(
                    f"provider {context.name!r}: azure: true needs api_version "
                    '(e.g. api_version: "2024-10-21")'
                )
            query = f"?api-version={quote(config.api_version, safe='')}"
        self._chat_url = f"{config.base_url}/chat/completions{query}"
        self._embeddings_url = f"{config.base_url}/embeddings{query}"
        self._headers = _headers(config.headers, context.api_key, azure=config.azure)

    async def chat(self, request: ChatRequest, timeout: float) -> ChatResult:
        body = {**request.body, "model": request.model}
        for key in _STREAM_KEYS:
            body.pop(key, None)
        headers = self._request_headers(request.headers)
        answer = await self._upstream.post_json(
            self._chat_url, orjson.dumps(body), headers, timeout
        )
        if not isinstance(answer.get("choices"), list):
            raise self._upstream.protocol_error(_missing("choices", answer))
        model = answer.get("model")
        return ChatResult(
            body=answer,
            usage=Usage.from_openai(answer.get("usage")),
            model=model if isinstance(model, str) and model else request.model,
        )

    def stream(self, request: ChatRequest, timeout: float) -> AsyncIterator[JSONObject]:
        return one_at_a_time(self.stream_batches(request, timeout))

    def stream_batches(
        self, request: ChatRequest, timeout: float, *, raw: bool = False
    ) -> AsyncIterator[list[StreamItem]]:
        """With ``raw``, events the gateway need not read come as their data bytes (see
        :class:`OpenAIChunkReader`): the client speaks this wire format too."""
        # include_usage makes the last chunk carry token counts, which traces and budgets need.
        options = request.body.get("stream_options")
        options = {**options, "include_usage": True} if isinstance(options, dict) else None
        body = {
            **request.body,
            "model": request.model,
            "stream": True,
            "stream_options": options if options else {"include_usage": True},
        }
        headers = self._request_headers(request.headers)
        return self._upstream.batches(
            self._chat_url, orjson.dumps(body), headers, timeout, OpenAIChunkReader(raw=raw)
        )

    async def embed(self, request: EmbeddingRequest, timeout: float) -> EmbeddingResult:
        body = {**request.body, "model": request.model}
        answer = await self._upstream.post_json(
            self._embeddings_url, orjson.dumps(body), self._headers, timeout
        )
        if not isinstance(answer.get("data"), list):
            raise self._upstream.protocol_error(_missing("data", answer))
        model = answer.get("model")
        usage = answer.get("usage")
        prompt = usage.get("prompt_tokens", 0) if isinstance(usage, dict) else 0
        return EmbeddingResult(
            body=answer,
            usage=Usage(prompt_tokens=prompt if isinstance(prompt, int) else 0),
            model=model if isinstance(model, str) and model else request.model,
        )

    def _request_headers(self, extra: Mapping[str, str]) -> Mapping[str, str]:
        return {**self._headers, **extra} if extra else self._headers


def _headers(extra: Mapping[str, str], api_key: str | None, *, azure: bool) -> dict[str, str]:
    headers = {"content-type": "application/json", **extra}
    if api_key:
        if azure:
            headers["api-key"] = api_key
        else:
            headers["authorization"] = f"Bearer {api_key}"
    return headers


def _missing(key: str, answer: JSONObject) -> str:
    return f"no {key!r} list in the answer (keys: {', '.join(sorted(answer)[:10]) or 'none'})"


class OpenAIChunkReader:
    """Parses OpenAI stream events into chunks as they are (the gateway's own shape).

    The stream is complete at ``data: [DONE]``; a body that ends without it is accepted only when
    a ``finish_reason`` was seen (some compatible servers omit the sentinel).

    With ``raw`` (the relay to an OpenAI-format client, nothing to rewrite), an event after the
    first that carries no usage, no error and no finish reason comes back as its SSE bytes
    (``data: {...}``), to be relayed as the vendor sent it. Every event is still parsed: orjson
    reads a chunk faster than the bytes could be searched for those fields, and the parse checks
    the chunk is JSON. The first event is always returned parsed: it names the model.
    """

    __slots__ = ("_done", "_finished", "_raw", "_raw_after_first")

    def __init__(self, *, raw: bool = False) -> None:
        self._done = False
        self._finished = False
        self._raw = False
        self._raw_after_first = raw

    @property
    def done(self) -> bool:
        return self._done

    def feed(self, event: SSEEvent) -> list[JSONObject | bytes]:
        data = event.data
        if data == _DONE:
            self._done = True
            return []
        chunk = orjson.loads(data)
        if not isinstance(chunk, dict):
            raise SSEFormatError(f"stream chunk is not a JSON object: {data[:120]!r}")
        choices = chunk.get("choices")
        if choices is None and "error" in chunk:
            raise _stream_error(chunk["error"], data)
        finished = isinstance(choices, list) and any(
            isinstance(choice, dict) and choice.get("finish_reason") for choice in choices
        )
        self._finished = self._finished or finished
        if self._raw and not finished and chunk.get("usage") is None and b"\n" not in data:
            return [b"data: " + data + b"\n\n"]
        self._raw = self._raw_after_first
        return [chunk]

    def finish(self) -> list[JSONObject]:
        if not self._done and not self._finished:
            raise SSEFormatError("the stream ended before [DONE] and before any finish_reason")
        return []


def _stream_error(error: object, data: bytes) -> VendorStreamError:
    """An error object sent as a stream event (vLLM, OpenRouter, Azure content filters)."""
    message = error.get("message") if isinstance(error, dict) else error
    code = error.get("code") if isinstance(error, dict) else None
    status = code if isinstance(code, int) and 400 <= code <= 599 else 502
    return VendorStreamError(status, str(message or "unspecified error"), data)
