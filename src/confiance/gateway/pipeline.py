"""Runs one request along its route's chain: retries, circuit breakers, fallbacks, deadlines.

For each target in the chain: skip it while its breaker is open; otherwise try up to
``retry.max_attempts`` times, backing off between retryable failures (honouring ``Retry-After``);
on a failure that another target may not share, fall back to the next target. A request the
upstream rejects as malformed (400, 413, 422) is not retried anywhere: it is the caller's error.
The whole loop is bounded by the route's total timeout. Every attempt lands in ``trace.attempts``.

Streams fall back only before their first chunk: once a byte has gone to the client the answer
cannot be replaced, so later failures end the stream with an error event instead.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from confiance.config.references import Target
from confiance.config.schema import CircuitBreakerConfig, RetryConfig
from confiance.domain.chat import ChatRequest, ChatResult, EmbeddingRequest, EmbeddingResult
from confiance.domain.trace import Attempt, Trace
from confiance.domain.types import JSONObject
from confiance.errors import (
    CircuitOpen,
    ConfianceError,
    ProviderError,
    ProviderHTTPError,
    ProviderProtocolError,
    ProviderTimeout,
    RateLimited,
    UpstreamRejected,
    is_retryable,
)
from confiance.gateway.resilience import BreakerBoard, CircuitBreaker, backoff_delay
from confiance.gateway.routing import CompiledRoute
from confiance.observability.metrics import GatewayMetrics
from confiance.providers.base import Provider, StreamItem, stream_batches

__all__ = ["ChainContext", "Pipeline", "StreamStart"]

T = TypeVar("T")
Call = Callable[[Provider, Target, float], Awaitable[T]]

# Upstream answers that say "this target can't serve you" rather than "your request is wrong".
_FALLBACK_STATUSES = frozenset({401, 403, 404, 408, 409})


@dataclass(frozen=True, slots=True)
class ChainContext:
    """What the pipeline needs from the snapshot the request started with."""

    route: CompiledRoute
    providers: Mapping[str, Provider]
    breaker_config: Callable[[str], CircuitBreakerConfig]
    t0: float


@dataclass(frozen=True, slots=True)
class StreamStart:
    """A stream that has yielded its first batch (so it can no longer fall back)."""

    target: Target
    first: list[StreamItem]
    rest: AsyncIterator[list[StreamItem]]


def _may_fall_back(error: BaseException) -> bool:
    if isinstance(error, ProviderHTTPError):
        # A redirect (never followed, see providers.http) means the target is misconfigured.
        redirect = 300 <= error.status < 400
        return error.is_retryable or redirect or error.status in _FALLBACK_STATUSES
    return isinstance(error, ProviderError | CircuitOpen)


async def aclose(iterator: AsyncIterator[Any]) -> None:
    close = getattr(iterator, "aclose", None)
    if close is not None:
        await close()


class Pipeline:
    def __init__(
        self,
        breakers: BreakerBoard,
        metrics: GatewayMetrics,
        clock: Callable[[], float] = time.perf_counter,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._breakers = breakers
        self._metrics = metrics
        self._clock = clock
        self._sleep = sleep

    async def complete(self, ctx: ChainContext, body: JSONObject, trace: Trace) -> ChatResult:
        async def call(provider: Provider, target: Target, timeout: float) -> ChatResult:
            request = ChatRequest(model=target.model, body={**body, "model": target.model})
            return await provider.chat(request, timeout)

        target, result = await self._run(ctx, trace, call)
        trace.model_answered = result.model or target.model
        return result

    async def embed(self, ctx: ChainContext, body: JSONObject, trace: Trace) -> EmbeddingResult:
        async def call(provider: Provider, target: Target, timeout: float) -> EmbeddingResult:
            request = EmbeddingRequest(model=target.model, body={**body, "model": target.model})
            return await provider.embed(request, timeout)

        target, result = await self._run(ctx, trace, call)
        trace.model_answered = result.model or target.model
        return result

    async def open_stream(
        self, ctx: ChainContext, body: JSONObject, trace: Trace, *, raw: bool = False
    ) -> StreamStart:
        """Starts the stream on the first target that yields a first chunk. With ``raw``, the
        caller relays OpenAI events as they came where it can (see :data:`StreamItem`)."""

        async def call(provider: Provider, target: Target, timeout: float) -> StreamStart:
            request = ChatRequest(
                model=target.model, body={**body, "model": target.model}, stream=True
            )
            rest = stream_batches(provider, request, timeout, raw=raw)
            try:
                first = await anext(rest)
            except StopAsyncIteration:
                raise ProviderProtocolError("upstream closed the stream before any chunk") from None
            except BaseException:
                await aclose(rest)
                raise
            return StreamStart(target=target, first=first, rest=rest)

        _, start = await self._run(ctx, trace, call)
        head = start.first[0]  # always parsed: a raw stream parses its first event
        model = head.get("model") if isinstance(head, dict) else None
        trace.model_answered = model if isinstance(model, str) and model else start.target.model
        return start

    async def _run(self, ctx: ChainContext, trace: Trace, call: Call[T]) -> tuple[Target, T]:
        route = ctx.route
        deadline = ctx.t0 + route.timeouts.total
        errors: list[str] = []
        finals: list[BaseException] = []
        last: BaseException | None = None
        for index, target in enumerate(route.chain):
            try:
                result = await self._on_target(ctx, target, trace, deadline, call)
            except (ConfianceError, TimeoutError) as error:
                if isinstance(error, ProviderHTTPError) and not _may_fall_back(error):
                    raise _rejected(target, error) from error
                last = error
                finals.append(error)
                errors.append(f"{target}: {_describe(error)}")
                if not _may_fall_back(error) or self._clock() >= deadline:
                    break
                continue
            trace.provider = target.provider
            trace.model_requested = target.model
            trace.fallback_used = index > 0
            return target, result
        limited = _rate_limited(route, errors, finals)
        if limited is not None:
            raise limited
        raise _exhausted(route, errors, last, self._clock() >= deadline)

    async def _on_target(
        self,
        ctx: ChainContext,
        target: Target,
        trace: Trace,
        deadline: float,
        call: Call[T],
    ) -> T:
        key = str(target)
        breaker = self._breakers.get(key, ctx.breaker_config(target.provider))
        provider = ctx.providers[target.provider]
        label = "_direct" if ctx.route.direct else target.model
        policy = ctx.route.retry
        m = self._metrics
        for attempt in range(1, policy.max_attempts + 1):
            if not breaker.allow():
                self._record(ctx, trace, target, None, None, CircuitOpen("circuit open"))
                m.child(m.attempts, target.provider, label, "circuit_open").inc()
                raise CircuitOpen(f"circuit breaker open for {key} after repeated failures")
            remaining = deadline - self._clock()
            if remaining <= 0:
                raise ProviderTimeout(f"route timeout of {ctx.route.timeouts.total}s exhausted")
            timeout = min(ctx.route.timeouts.attempt, remaining)
            started = self._clock()
            try:
                async with asyncio.timeout(timeout + 1.0):
                    result = await call(provider, target, timeout)
            except (ConfianceError, TimeoutError) as raw:
                error = _as_provider_error(raw, timeout)
                self._record(ctx, trace, target, started, _status(error), error)
                m.child(m.attempts, target.provider, label, _outcome(error)).inc()
                self._count_failure(breaker, error, target, label)
                delay = self._next_delay(policy, error, attempt, deadline)
                if delay is None:
                    raise error from None
                await self._sleep(delay)
                continue
            except BaseException:
                breaker.release_probe()
                raise
            breaker.record_success()
            m.child(m.circuit_open, target.provider, label).set(0)
            self._record(ctx, trace, target, started, 200, None)
            m.child(m.attempts, target.provider, label, "ok").inc()
            return result
        raise AssertionError("unreachable: the loop returns or raises")

    def _count_failure(
        self, breaker: CircuitBreaker, error: ConfianceError, target: Target, label: str
    ) -> None:
        # A request the vendor rejects as malformed says nothing about the vendor's health.
        if isinstance(error, ProviderHTTPError) and not _may_fall_back(error):
            breaker.release_probe()
            return
        if breaker.record_failure():
            m = self._metrics
            m.child(m.circuit_open, target.provider, label).set(1)

    def _next_delay(
        self, policy: RetryConfig, error: ConfianceError, attempt: int, deadline: float
    ) -> float | None:
        if attempt >= policy.max_attempts or not is_retryable(error):
            return None
        retry_after = getattr(error, "retry_after", None)
        delay = backoff_delay(policy, attempt, retry_after)
        if delay is None or self._clock() + delay >= deadline:
            return None
        return delay

    def _record(
        self,
        ctx: ChainContext,
        trace: Trace,
        target: Target,
        started: float | None,
        status: int | None,
        error: ConfianceError | None,
    ) -> None:
        now = self._clock()
        begin = now if started is None else started
        trace.attempts.append(
            Attempt(
                provider=target.provider,
                model=target.model,
                started_ms=round((begin - ctx.t0) * 1000, 3),
                duration_ms=round((now - begin) * 1000, 3),
                status=status,
                error_class=_error_class(error) if error else None,
                error=error.message[:500] if error else None,
            )
        )


def _as_provider_error(error: ConfianceError | TimeoutError, timeout: float) -> ConfianceError:
    if isinstance(error, TimeoutError):
        return ProviderTimeout(f"no answer within {timeout:g}s")
    return error


def _status(error: ConfianceError) -> int | None:
    return error.status if isinstance(error, ProviderHTTPError) else None


def _error_class(error: ConfianceError) -> str:
    if isinstance(error, ProviderError):
        return error.error_class
    return error.code


def _outcome(error: ConfianceError) -> str:
    if isinstance(error, ProviderHTTPError):
        return f"http_{error.status // 100}xx" if error.status != 429 else "http_429"
    return _error_class(error)


def _describe(error: BaseException) -> str:
    if isinstance(error, ProviderHTTPError):
        return f"HTTP {error.status}: {error.message}"
    if isinstance(error, ConfianceError):
        return error.message
    return f"timed out ({type(error).__name__})"


def _rejected(target: Target, error: ProviderHTTPError) -> UpstreamRejected:
    """The vendor refused the request itself: the caller gets the vendor's status and words."""
    said = error.message.split(": ", 1)[-1]
    status = error.status if error.status in (400, 413, 422) else 400
    return UpstreamRejected(
        f"{target.provider} rejected the request (HTTP {error.status}): {said}", status=status
    )


def _rate_limited(
    route: CompiledRoute, errors: list[str], finals: list[BaseException]
) -> RateLimited | None:
    """When every target tried ended in a 429, the client is rate limited too: a 429 with the
    shortest ``Retry-After`` of those last answers (the soonest any target takes calls again),
    so SDKs back off as the vendors taught them. ``None`` otherwise."""
    if not finals or not all(isinstance(e, ProviderHTTPError) and e.status == 429 for e in finals):
        return None
    waits = [w for e in finals if (w := getattr(e, "retry_after", None)) is not None]
    where = f"route {route.name!r}" if not route.direct else f"model {route.chain[0]}"
    message = f"{where}: every target is rate limited: {'; '.join(errors)}"
    return RateLimited(message, retry_after=min(waits) if waits else None)


def _exhausted(
    route: CompiledRoute, errors: list[str], last: BaseException | None, timed_out: bool
) -> ConfianceError:
    """The error a client sees when no target answered."""
    if isinstance(last, ConfianceError) and not _may_fall_back(last):
        return last
    detail = "; ".join(errors) or "no target was tried"
    where = f"route {route.name!r}" if not route.direct else f"model {route.chain[0]}"
    message = f"{where}: all {len(route.chain)} target(s) failed: {detail}"
    if timed_out or isinstance(last, ProviderTimeout | TimeoutError):
        return ProviderTimeout(message)
    if isinstance(last, CircuitOpen) and all("circuit breaker open" in e for e in errors):
        return CircuitOpen(message)
    return ProviderError(message)
