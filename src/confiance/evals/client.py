"""Calling a target: any OpenAI-compatible chat endpoint (the Confiance gateway or a vendor).

One :class:`ChatEndpoint` shares one aiohttp session (keep-alive pooling) between the runner's
workers. Failures are retried with exponential backoff: 429 and 5xx answers, timeouts and
connection errors. A 429 pauses *every* worker until its ``Retry-After`` has passed, so a run
backs off as a whole instead of hammering the limit from many workers. What still fails after
the last attempt is raised as a :class:`~confiance.errors.ConfianceError`, which the runner
records as the case's error (never as an assertion failure).
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from dataclasses import dataclass
from typing import Any

import aiohttp
import orjson

from confiance.domain.evaluation import ToolCallRecord
from confiance.domain.types import JSONObject
from confiance.errors import (
    ConfianceError,
    ProviderConnectionError,
    ProviderHTTPError,
    ProviderProtocolError,
    ProviderTimeout,
    RateLimited,
    is_retryable,
)

__all__ = ["Answer", "ChatEndpoint", "RetryPolicy"]

_ERROR_TEXT_LIMIT = 300


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """``max_attempts`` calls at most; waits ``backoff_initial * 2**n`` (capped, jittered)
    between them, or the server's ``Retry-After`` (capped at ``max_retry_after``)."""

    max_attempts: int = 4
    backoff_initial: float = 0.25
    backoff_max: float = 8.0
    max_retry_after: float = 60.0
    timeout_s: float = 120.0

    def backoff(self, attempt: int, rng: random.Random) -> float:
        base = min(self.backoff_max, self.backoff_initial * 2.0**attempt)
        return float(base * (0.5 + rng.random() / 2))


@dataclass(frozen=True, slots=True)
class Answer:
    """A chat answer: text, tool calls, usage, the model and (through the gateway) the trace
    id and route revision that served it. ``latency_ms`` covers every attempt."""

    text: str
    tool_calls: tuple[ToolCallRecord, ...]
    prompt_tokens: int
    completion_tokens: int
    model: str | None
    latency_ms: float
    attempts: int
    trace_id: str | None = None
    revision: int | None = None
    cost_usd: float | None = None
    """What the gateway priced the call at (``x-confiance-cost-usd``), when it did."""


class ChatEndpoint:
    """``POST {base_url}/chat/completions`` with a bearer key (never logged or stored)."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        base_url: str,
        api_key: str | None,
        retry: RetryPolicy | None = None,
        *,
        rng: random.Random | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._session = session
        self._headers = {"Content-Type": "application/json"}
        if api_key:
            self._headers["Authorization"] = f"Bearer {api_key}"
        self.retry = retry or RetryPolicy()
        self._rng = rng or random.Random()
        self._paused_until = 0.0

    async def chat(self, body: JSONObject) -> Answer:
        """One chat completion (non-streamed), retried per the policy. Raises the last
        ``ConfianceError`` when every attempt failed or the failure is not retryable."""
        started = time.perf_counter()
        attempt = 0
        while True:
            await self._wait_for_pause()
            try:
                data, headers = await self._post("/chat/completions", body)
                return _answer(data, headers, started, attempt + 1)
            except ConfianceError as error:
                attempt += 1
                if attempt >= self.retry.max_attempts or not is_retryable(error):
                    raise
                await asyncio.sleep(self._delay(error, attempt - 1))

    async def embed(self, model: str, texts: list[str]) -> list[list[float]]:
        """Embeddings of ``texts`` from ``POST {base_url}/embeddings``, in order."""
        data, _ = await self._post("/embeddings", {"model": model, "input": texts})
        try:
            items = sorted(data["data"], key=lambda item: item["index"])
            return [[float(x) for x in item["embedding"]] for item in items]
        except (KeyError, TypeError, ValueError) as error:
            raise ProviderProtocolError(f"embeddings answer has no usable data: {error}") from None

    async def _post(self, path: str, body: JSONObject) -> tuple[Any, Any]:
        url = self.base_url + path
        timeout = aiohttp.ClientTimeout(total=self.retry.timeout_s)
        try:
            # Never follow a redirect: the key in the headers belongs to this URL's owner alone.
            async with self._session.post(
                url,
                data=orjson.dumps(body),
                headers=self._headers,
                timeout=timeout,
                allow_redirects=False,
            ) as response:
                raw = await response.read()
                if 300 <= response.status < 400:
                    raise _redirect_error(url, response.status, response.headers)
                if response.status >= 400:
                    raise _http_error(response.status, response.headers, raw)
                headers = response.headers
        except TimeoutError:
            raise ProviderTimeout(
                f"no answer from {url} within {self.retry.timeout_s:g}s"
            ) from None
        except aiohttp.ClientError as error:
            raise ProviderConnectionError(f"cannot reach {url}: {error}") from None
        try:
            return orjson.loads(raw), headers
        except orjson.JSONDecodeError:
            raise ProviderProtocolError(f"{url} answered with a body that is not JSON") from None

    async def _wait_for_pause(self) -> None:
        wait = self._paused_until - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)

    def _delay(self, error: ConfianceError, attempt: int) -> float:
        retry_after = getattr(error, "retry_after", None)
        if isinstance(retry_after, int | float) and retry_after >= 0:
            delay = min(float(retry_after), self.retry.max_retry_after)
            if isinstance(error, RateLimited):
                self._paused_until = max(self._paused_until, time.monotonic() + delay)
            return delay
        return self.retry.backoff(attempt, self._rng)


def _http_error(status: int, headers: Any, raw: bytes) -> ConfianceError:
    message = _error_message(raw) or f"HTTP {status}"
    retry_after = _retry_after(headers.get("Retry-After"))
    if status == 429:
        return RateLimited(f"rate limited (429): {message}", retry_after=retry_after)
    return ProviderHTTPError(
        f"HTTP {status}: {message}", status=status, retry_after=retry_after, body=b""
    )


def _redirect_error(url: str, status: int, headers: Any) -> ConfianceError:
    location = str(headers.get("Location") or "nowhere")
    return ProviderHTTPError(
        f"{url} answered HTTP {status} (a redirect to {location}); eval runs never follow "
        "redirects, so the key is not sent on: point --gateway-url or --base-url at the "
        "final address",
        status=status,
        body=b"",
    )


def _error_message(raw: bytes) -> str:
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return raw[:_ERROR_TEXT_LIMIT].decode("utf-8", "replace").strip()
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        return str(error["message"])[:_ERROR_TEXT_LIMIT]
    return str(data)[:_ERROR_TEXT_LIMIT]


def _retry_after(value: str | None) -> float | None:
    try:
        return None if value is None else max(0.0, float(value))
    except ValueError:
        return None


def _answer(data: Any, headers: Any, started: float, attempts: int) -> Answer:
    try:
        message = data["choices"][0]["message"]
    except (KeyError, IndexError, TypeError):
        message = None
    if not isinstance(message, dict):
        raise ProviderProtocolError("the answer has no choices[0].message object")
    usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
    revision = headers.get("x-confiance-revision")
    return Answer(
        text=_text(message.get("content")),
        tool_calls=_tool_calls(message),
        prompt_tokens=int(usage.get("prompt_tokens") or 0),
        completion_tokens=int(usage.get("completion_tokens") or 0),
        model=headers.get("x-confiance-model") or data.get("model"),
        latency_ms=(time.perf_counter() - started) * 1000,
        attempts=attempts,
        trace_id=headers.get("x-confiance-trace-id"),
        revision=int(revision) if revision and revision.isdigit() else None,
        cost_usd=_cost(headers.get("x-confiance-cost-usd")),
    )


def _cost(value: str | None) -> float | None:
    try:
        cost = None if value is None else float(value)
    except ValueError:
        return None
    return cost if cost is not None and math.isfinite(cost) and cost >= 0 else None


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [p.get("text") for p in content if isinstance(p, dict)]
        return "".join(p for p in parts if isinstance(p, str))
    return ""


def _tool_calls(message: Any) -> tuple[ToolCallRecord, ...]:
    calls = message.get("tool_calls") if isinstance(message, dict) else None
    if not isinstance(calls, list):
        return ()
    records: list[ToolCallRecord] = []
    for call in calls:
        function = call.get("function") if isinstance(call, dict) else None
        if isinstance(function, dict) and isinstance(function.get("name"), str):
            arguments = function.get("arguments")
            records.append(
                ToolCallRecord(
                    name=function["name"],
                    arguments=arguments
                    if isinstance(arguments, str)
                    else orjson.dumps(arguments).decode(),
                    id=str(call.get("id") or ""),
                )
            )
    return tuple(records)
