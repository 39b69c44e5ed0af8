"""The gateway's data plane: an aiohttp application serving the OpenAI- and Anthropic-compatible
endpoints, health, metrics, and the management API mounted under ``/api``.

aiohttp was chosen by measurement (bench/gateway.py): its server and client pass a request through
several times faster than an ASGI stack with httpx on this hardware. The management API (FastAPI)
is mounted as an ASGI resource so it stays off the hot path.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import orjson
from aiohttp import web

from confiance.config.keyenv import KeyEnvPolicy
from confiance.config.references import Target
from confiance.config.schema import ConfianceConfig
from confiance.domain.chat import Usage
from confiance.domain.keys import ApiKey, Role
from confiance.domain.revision import ConfigRevision
from confiance.domain.trace import (
    DIRECT_BUCKET,
    MODELS_BUCKET,
    UNKNOWN_BUCKET,
    Trace,
    TraceStatus,
)
from confiance.domain.types import JSONObject, Retention, TraceDurability, TraceOverflow
from confiance.errors import ConfianceError, NotFound, PermissionDenied, http_status_of
from confiance.gateway.auth import KeyCache, extract_secret
from confiance.gateway.errors import ErrorStyle, error_response
from confiance.gateway.follow import Changes, StoreFollower
from confiance.gateway.formats import ANTHROPIC, OPENAI, ClientFormat
from confiance.gateway.pipeline import ChainContext, Pipeline
from confiance.gateway.requests import apply_route, check_chat, check_embeddings, read_json
from confiance.gateway.resilience import BreakerBoard
from confiance.gateway.retention import StreamBody, retain_request, retain_response
from confiance.gateway.routing import CompiledRoute
from confiance.gateway.snapshots import Snapshot, SnapshotManager
from confiance.gateway.spool import TraceSpool
from confiance.gateway.streaming import relay
from confiance.gateway.tracesink import TraceSink
from confiance.observability.metrics import CONTENT_TYPE_LATEST, GatewayMetrics
from confiance.observability.tracing import SpanRecorder
from confiance.providers.base import ProviderRegistry

__all__ = ["Gateway", "GatewayStore"]

log = logging.getLogger(__name__)

Handler = Callable[
    [web.Request, Snapshot, ApiKey, JSONObject, Trace, float], Awaitable[web.StreamResponse]
]


class _Revisions(Protocol):
    async def latest_number(self) -> int: ...
    async def get(self, number: int) -> ConfigRevision: ...


class _Keys(Protocol):
    async def list(self, include_revoked: bool = False) -> list[ApiKey]: ...
    async def version(self) -> str: ...


class _Traces(Protocol):
    async def add_many(self, traces: Sequence[Trace]) -> None: ...
    async def replace_many(self, traces: Sequence[Trace]) -> None: ...


class GatewayStore(Protocol):
    """What the data plane needs from the store: revisions and keys to poll, traces to write,
    and a way to check traces can still be written."""

    @property
    def revisions(self) -> _Revisions: ...
    @property
    def keys(self) -> _Keys: ...
    @property
    def traces(self) -> _Traces: ...
    async def check_writable(self, *, traces_only: bool = False) -> None: ...


def new_trace_id() -> str:
    """32 hex characters, ordered by creation time (millisecond prefix) then random."""
    return f"{time.time_ns() // 1_000_000:012x}{os.urandom(10).hex()}"


class Gateway:
    def __init__(
        self,
        store: GatewayStore,
        registry: ProviderRegistry,
        *,
        env: Mapping[str, str] | None = None,
        metrics: GatewayMetrics | None = None,
        poll_interval: float = 1.0,
        management: Any = None,
        web: Any = None,
        spans: SpanRecorder | None = None,
        key_env: KeyEnvPolicy | None = None,
        spool: Path | None = None,
        changes: Changes | None = None,
    ) -> None:
        self.store = store
        self.metrics = metrics or GatewayMetrics()
        self.snapshots = SnapshotManager(
            registry, os.environ if env is None else env, key_env=key_env or KeyEnvPolicy()
        )
        self.keys = KeyCache()
        self.pipeline = Pipeline(BreakerBoard(), self.metrics)
        self.sink: TraceSink | None = None
        self.follower = StoreFollower(
            store, self.refresh, poll_interval=poll_interval, changes=changes
        )
        self._poller: asyncio.Task[None] | None = None
        self._management = management
        self._web = web
        self._spans = spans
        self._spool_dir = spool
        self._in_flight = 0
        # Read at scrape time: no gauge update (lock) on every request.
        self.metrics.in_flight.set_function(lambda: self._in_flight)
        self._idle = asyncio.Event()
        self._handlers: set[asyncio.Task[Any]] = set()
        self.draining = False
        self.ready = False
        self.follow_store = True

    # -- lifecycle -------------------------------------------------------------------------

    def application(self) -> web.Application:
        app = web.Application(client_max_size=256 * 1024 * 1024)
        chat = self._chat_in(OPENAI)
        app.router.add_post("/v1/chat/completions", self._endpoint(chat, "chat", OPENAI.style))
        app.router.add_post(
            "/v1/embeddings", self._endpoint(self._embeddings, "embeddings", ErrorStyle.OPENAI)
        )
        app.router.add_get(
            "/v1/models", self._endpoint(self._models, "models", ErrorStyle.OPENAI, body=False)
        )
        messages = self._chat_in(ANTHROPIC)
        app.router.add_post("/v1/messages", self._endpoint(messages, "messages", ANTHROPIC.style))
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/readyz", self._readyz)
        app.router.add_get("/metrics", self._metrics_endpoint)
        for mounted, root in ((self._management, "/api"), (self._web, "/ui")):
            if mounted is not None:
                from aiohttp_asgi import ASGIResource

                resource = ASGIResource(mounted, root_path=root)
                app.router.register_resource(resource)
                resource.lifespan_mount(app)
        # Last: anything no route above matched gets a JSON error an SDK can read.
        app.router.add_route("*", "/{tail:.*}", self._unmatched)
        # aiohttp closes the listener, then sends on_shutdown (drain: wait for in-flight
        # requests), then cancels what is left, then sends on_cleanup (flush traces, close
        # providers): sessions and the sink outlive every request that uses them.
        app.on_startup.append(lambda _: self.start())
        app.on_shutdown.append(lambda _: self.drain())
        app.on_cleanup.append(lambda _: self.stop())
        return app

    async def start(self) -> None:
        """Load the store's newest config and keys, start the trace sink and the poller.

        With ``follow_store`` false (a candidate gateway, see :mod:`.candidate`), the snapshot
        and keys installed by the caller are served as they are and nothing is polled."""
        if self.follow_store:
            await self.refresh()
        server = self.snapshots.current.table.config.server
        self.sink = TraceSink(
            self.store.traces.add_many,
            self.metrics,
            replace_stored=self.store.traces.replace_many,
            spool=None if self._spool_dir is None else TraceSpool(self._spool_dir),
            max_queue=server.trace_queue_size,
            batch_size=server.trace_batch_size,
            flush_interval=server.trace_flush_interval,
        )
        self.sink.recover()
        self.sink.start()
        if self.follow_store:
            await self.follower.probe()
            self._poller = asyncio.get_running_loop().create_task(
                self.follower.run(), name="follow-store"
            )
        self.ready = True

    async def drain(self) -> None:
        """Start of a graceful shutdown: unready at once, then wait (up to the config's
        ``server.drain_timeout``) for the requests in flight to finish."""
        self.ready, self.draining = False, True
        timeout = self.snapshots.current.table.config.server.drain_timeout
        log.info("draining: %d requests in flight (up to %.0f s)", self._in_flight, timeout)
        if self._in_flight:
            self._idle.clear()
            try:
                await asyncio.wait_for(self._idle.wait(), timeout)
            except TimeoutError:
                log.warning("drain timeout: cancelling %d requests in flight", self._in_flight)
                for handler in list(self._handlers):
                    handler.cancel()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._idle.wait(), 5.0)

    async def stop(self) -> None:
        """End of a graceful shutdown, after :meth:`drain`: stop polling, write every queued
        trace, then close provider sessions."""
        self.ready, self.draining = False, True
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
            self._poller = None
        if self.sink is not None:
            await self.sink.close(timeout=self.snapshots.current.table.config.server.drain_timeout)
        await self.snapshots.close()
        if self._spans is not None:
            await asyncio.to_thread(self._spans.close)

    async def refresh(self) -> None:
        """Install the newest config revision and key set if they changed."""
        number = await self.store.revisions.latest_number()
        if number != self.snapshots.current.table.revision:
            revision = await self.store.revisions.get(number)
            config = ConfianceConfig.model_validate(revision.document)
            for warning in self.snapshots.missing_secrets(config):
                log.warning("%s", warning)
            self.snapshots.install(config, number)
            self.metrics.config_revision.set(number)
            log.info("serving config revision %d", number)
        version = await self.store.keys.version()
        if version != self.keys.version:
            self.keys.replace(await self.store.keys.list(include_revoked=True), version)

    # -- request wrapper -------------------------------------------------------------------

    def _endpoint(
        self, work: Handler, endpoint: str, style: ErrorStyle, *, body: bool = True
    ) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def handle(request: web.Request) -> web.StreamResponse:
            return await self._serve(request, endpoint, style, work, body)

        return handle

    async def _serve(
        self, request: web.Request, endpoint: str, style: ErrorStyle, work: Handler, body: bool
    ) -> web.StreamResponse:
        t0 = time.perf_counter()
        snapshot = self.snapshots.current
        trace = Trace(
            id=new_trace_id(), started_at=datetime.now(UTC), endpoint=endpoint, route=UNKNOWN_BUCKET
        )
        handler = asyncio.current_task()
        if handler is not None:
            self._handlers.add(handler)
        self._in_flight += 1
        recorded = False
        try:
            response = await self._answer(request, snapshot, style, work, body, trace, t0)
            route = snapshot.table.routes.get(trace.route)
            if (
                trace.key_id is not None
                and route is not None
                and route.durability is TraceDurability.SYNC
            ):
                recorded = True
                response = await self._record_durably(trace, snapshot, t0, style, response)
            response = await self._deliver(request, response, trace, snapshot, style)
        except ConnectionResetError:
            trace.status, trace.http_status = TraceStatus.CLIENT_DISCONNECTED, 499
            trace.error = "client disconnected while the answer was sent"
            raise
        except asyncio.CancelledError:
            if self.draining:
                trace.status, trace.http_status = TraceStatus.ERROR, 499
                trace.error_class = "drain_timeout"
                trace.error = "shutdown cancelled the request after the drain timeout"
            else:
                trace.status, trace.http_status = TraceStatus.CLIENT_DISCONNECTED, 499
                trace.error = "client disconnected before the answer was sent"
            if recorded and self.sink is not None:
                self.sink.amended(trace)
            raise
        finally:
            self._in_flight -= 1
            self._handlers.discard(handler)
            if self._in_flight == 0:
                self._idle.set()
            authenticated = trace.key_id is not None
            if not recorded:
                self._finish(trace, snapshot, t0, authenticated)
            if self._spans is not None and authenticated:
                self._spans.record(trace, request.headers.get("traceparent"))
        return response

    async def _answer(
        self,
        request: web.Request,
        snapshot: Snapshot,
        style: ErrorStyle,
        work: Handler,
        body: bool,
        trace: Trace,
        t0: float,
    ) -> web.StreamResponse:
        """The response to send, with ``trace`` saying what it is; errors become responses."""
        try:
            key = self.keys.authenticate(extract_secret(request.headers))
            trace.key_id = key.id
            limits = snapshot.table.config.limits
            if self._in_flight > limits.max_concurrency:
                raise _Overloaded(f"gateway at its limit of {limits.max_concurrency} requests")
            payload = await read_json(request, limits.max_body_bytes) if body else {}
            return await work(request, snapshot, key, payload, trace, t0)
        except ConfianceError as error:
            trace.status, trace.error_class = TraceStatus.ERROR, error.code
            trace.error = error.message
            if _started(request):  # the client already has part of an answer: cut it off
                raise
            trace.http_status = http_status_of(error)
            return error_response(error, style, _trace_headers(trace, snapshot))
        except Exception as error:  # a gateway failure: the client and the trace both say so
            return self._internal_error(request, error, trace, snapshot, style)

    async def _deliver(
        self,
        request: web.Request,
        response: web.StreamResponse,
        trace: Trace,
        snapshot: Snapshot,
        style: ErrorStyle,
    ) -> web.StreamResponse:
        """Send ``response`` here, not in aiohttp after we return, so a failure sending it
        (a header value aiohttp refuses, say) is on record; what is left to send then is a 500."""
        try:
            await _send(request, response)
        except ConnectionResetError:
            raise
        except Exception as error:
            return self._internal_error(request, error, trace, snapshot, style)
        return response

    def _internal_error(
        self,
        request: web.Request,
        error: Exception,
        trace: Trace,
        snapshot: Snapshot,
        style: ErrorStyle,
    ) -> web.Response:
        log.error("request %s failed in the gateway", trace.id, exc_info=error)
        trace.status, trace.error_class = TraceStatus.ERROR, _Internal.code
        trace.error = f"{type(error).__name__}: {error}"[:500]
        if _started(request):
            raise error
        trace.http_status = _Internal.http_status
        problem = _Internal(f"the gateway failed answering this request (trace {trace.id})")
        return error_response(problem, style, _trace_headers(trace, snapshot))

    async def _record_durably(
        self,
        trace: Trace,
        snapshot: Snapshot,
        t0: float,
        style: ErrorStyle,
        response: web.StreamResponse,
    ) -> web.StreamResponse:
        """``trace_durability: sync``: the answer waits until its trace is committed; past
        ``server.trace_sync_timeout`` the client gets 503 ``trace_not_stored`` instead (and the
        trace, still queued, says so)."""
        self._finish(trace, snapshot, t0, traced=False)
        if self.sink is None:
            return response
        timeout = snapshot.table.config.server.trace_sync_timeout
        try:
            await asyncio.wait_for(asyncio.shield(self.sink.durable(trace)), timeout)
        except TimeoutError:
            if response.prepared:  # a stream: the client has its answer, the trace says so
                log.warning("trace %s of a streamed answer not committed yet", trace.id)
                return response
            error = _NotStored(
                f"the record of this request was not stored within {timeout:g} s; the answer "
                "is withheld (route trace_durability: sync); retry later"
            )
            trace.status, trace.http_status = TraceStatus.ERROR, error.http_status
            trace.error_class, trace.error = error.code, error.message
            self.sink.amended(trace)
            return error_response(error, style, _trace_headers(trace, snapshot))
        return response

    def _finish(self, trace: Trace, snapshot: Snapshot, t0: float, traced: bool) -> None:
        trace.latency_ms = round((time.perf_counter() - t0) * 1000, 3)
        route = _route_label(trace.route, snapshot)
        status = (
            "client_disconnected" if trace.http_status == 499 else f"{trace.http_status // 100}xx"
        )
        m = self.metrics
        m.child(m.requests, trace.endpoint, route, status).inc()
        m.child(m.latency, route).observe(trace.latency_ms / 1000)
        if trace.ttft_ms is not None:
            m.child(m.ttft, route).observe(trace.ttft_ms / 1000)
        if trace.status is not TraceStatus.OK:
            m.child(m.errors, route, trace.error_class or trace.status.value).inc()
        if trace.fallback_used:
            m.child(m.fallbacks, route).inc()
        if trace.provider and trace.model_requested:
            model = trace.model_requested if route != DIRECT_BUCKET else DIRECT_BUCKET
            if trace.prompt_tokens:
                m.child(m.tokens, route, trace.provider, model, "prompt").inc(trace.prompt_tokens)
            if trace.completion_tokens:
                tokens = m.child(m.tokens, route, trace.provider, model, "completion")
                tokens.inc(trace.completion_tokens)
            cost = _priced(trace, snapshot)
            if cost is not None:
                trace.cost_usd = cost
        if traced and self.sink is not None:
            route_spec = snapshot.table.routes.get(trace.route)
            slow = route_spec is not None and route_spec.overflow is TraceOverflow.SLOW
            self.sink.submit(trace, shed=not slow)

    # -- endpoints -------------------------------------------------------------------------

    def _context(self, snapshot: Snapshot, route: CompiledRoute, t0: float) -> ChainContext:
        return ChainContext(route, snapshot.providers, snapshot.breaker_config, t0)

    async def _begin(
        self, trace: Trace, snapshot: Snapshot, route: CompiledRoute, model: str
    ) -> None:
        trace.route = model if route.direct else route.name
        trace.revision = snapshot.table.revision
        if route.overflow is TraceOverflow.SLOW and self.sink is not None:
            await self.sink.room()  # admission waits for the store rather than shed traces

    def _chat_in(self, client: ClientFormat) -> Handler:
        async def chat(
            request: web.Request,
            snapshot: Snapshot,
            key: ApiKey,
            body: JSONObject,
            trace: Trace,
            t0: float,
        ) -> web.StreamResponse:
            return await self._chat(client, request, snapshot, key, body, trace, t0)

        return chat

    async def _chat(
        self,
        client: ClientFormat,
        request: web.Request,
        snapshot: Snapshot,
        key: ApiKey,
        original: JSONObject,
        trace: Trace,
        t0: float,
    ) -> web.StreamResponse:
        body = client.to_openai(original)
        model = check_chat(body)
        route = snapshot.table.resolve(model, key, "chat")
        await self._begin(trace, snapshot, route, model)
        upstream = apply_route(route, body)
        retain_request(route, trace, upstream)
        context = self._context(snapshot, route, t0)
        if body.get("stream") is True:
            trace.stream = True
            collect = StreamBody() if route.retention is Retention.FULL else None
            encoder = client.encoder(original)
            raw = encoder.relays_raw and collect is None
            start = await self.pipeline.open_stream(context, upstream, trace, raw=raw)
            headers = _trace_headers(trace, snapshot).items()
            response = await relay(request, start, encoder, trace, headers, t0, collect)
            if collect is not None:
                retain_response(route, trace, collect.body())
            return response
        result = await self.pipeline.complete(context, upstream, trace)
        _count_usage(trace, result.usage)
        retain_response(route, trace, result.body)
        return _json(client.render(result.body, original), _trace_headers(trace, snapshot))

    async def _embeddings(
        self,
        request: web.Request,
        snapshot: Snapshot,
        key: ApiKey,
        body: JSONObject,
        trace: Trace,
        t0: float,
    ) -> web.StreamResponse:
        model = check_embeddings(body)
        route = snapshot.table.resolve(model, key, "embedding")
        await self._begin(trace, snapshot, route, model)
        upstream = {**route.params, **body}
        retain_request(route, trace, upstream)
        result = await self.pipeline.embed(self._context(snapshot, route, t0), upstream, trace)
        _count_usage(trace, result.usage)
        return _json(result.body, _trace_headers(trace, snapshot))

    async def _models(
        self,
        request: web.Request,
        snapshot: Snapshot,
        key: ApiKey,
        body: JSONObject,
        trace: Trace,
        t0: float,
    ) -> web.StreamResponse:
        trace.route = MODELS_BUCKET
        data = [
            {"id": name, "object": "model", "created": 0, "owned_by": "confiance"}
            for name in snapshot.table.visible_routes(key)
        ]
        return _json({"object": "list", "data": data}, {})

    async def _unmatched(self, request: web.Request) -> web.Response:
        style = ErrorStyle.ANTHROPIC if request.path == "/v1/messages" else ErrorStyle.OPENAI
        allowed = _ENDPOINTS.get(request.path)
        if allowed is not None:
            error = _MethodNotAllowed(f"{request.method} {request.path}: use {allowed}")
            return error_response(error, style, {"Allow": allowed})
        known = ", ".join(f"{method} {path}" for path, method in _ENDPOINTS.items())
        message = f"no such endpoint: {request.method} {request.path} (this gateway serves {known}"
        return error_response(NotFound(message + ", /api and /ui)"), style)

    async def _healthz(self, request: web.Request) -> web.Response:
        return _json({"status": "ok"}, {})

    async def _readyz(self, request: web.Request) -> web.Response:
        if not self.ready:
            return _json({"status": "draining" if self.draining else "starting"}, {}, status=503)
        revision = self.snapshots.current.table.revision
        if self.follower.problem is not None:
            body = {"status": "not_ready", "reason": self.follower.problem, "revision": revision}
            return _json(body, {}, status=503)
        pressure = None if self.sink is None else self.sink.pressure
        if pressure is not None:
            body = {"status": "backpressure", "reason": pressure, "revision": revision}
            return _json(body, {}, status=503)
        return _json({"status": "ready", "revision": revision}, {})

    async def _metrics_endpoint(self, request: web.Request) -> web.Response:
        try:
            key = self.keys.authenticate(extract_secret(request.headers))
            if key.role is not Role.ADMIN:
                raise PermissionDenied("metrics need an admin key")
        except ConfianceError as error:
            return error_response(error, ErrorStyle.OPENAI)
        return web.Response(
            body=self.metrics.exposition(), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )


_ENDPOINTS = {
    "/v1/chat/completions": "POST",
    "/v1/embeddings": "POST",
    "/v1/models": "GET",
    "/v1/messages": "POST",
    "/healthz": "GET",
    "/readyz": "GET",
    "/metrics": "GET",
}


class _MethodNotAllowed(ConfianceError):
    code = "method_not_allowed"
    http_status = 405


class _Internal(ConfianceError):
    code = "internal_error"
    http_status = 500


class _NotStored(ConfianceError):
    code = "trace_not_stored"
    http_status = 503
    retryable = True


class _Overloaded(ConfianceError):
    code = "overloaded"
    http_status = 503
    retryable = True


def _count_usage(trace: Trace, usage: Usage) -> None:
    trace.prompt_tokens, trace.completion_tokens = usage.prompt_tokens, usage.completion_tokens


async def _send(request: web.Request, response: web.StreamResponse) -> None:
    if not response.prepared:
        await response.prepare(request)
        await response.write_eof()


def _started(request: web.Request) -> bool:
    """Whether any byte of a response went out already (then no other response can)."""
    writer = request.writer if request.transport is not None else None
    return writer is not None and getattr(writer, "output_size", 0) > 0


_UNSAFE_IN_HEADER = re.compile(r"[\x00-\x1f\x7f]")


def _header_value(text: str) -> str:
    """``text`` fit for a header: control characters (CR/LF above all) removed, length capped;
    vendor-supplied values must never break the reply."""
    return _UNSAFE_IN_HEADER.sub("", text)[:256]


def _trace_headers(trace: Trace, snapshot: Snapshot) -> dict[str, str]:
    headers = {"x-confiance-trace-id": trace.id, "x-confiance-route": _header_value(trace.route)}
    if trace.model_answered:
        headers["x-confiance-model"] = _header_value(trace.model_answered)
    if trace.revision is not None:
        headers["x-confiance-revision"] = str(trace.revision)
    cost = None if trace.stream else _priced(trace, snapshot)
    if cost is not None and (trace.prompt_tokens or trace.completion_tokens):
        headers["x-confiance-cost-usd"] = f"{cost:.9g}"
    return headers


def _route_label(route: str, snapshot: Snapshot) -> str:
    """The route's metric label: its name when configured, else its bucket (bounded labels:
    direct ``provider/model`` names vary with every caller)."""
    if route in snapshot.table.routes or route in (UNKNOWN_BUCKET, MODELS_BUCKET):
        return route
    return DIRECT_BUCKET


def _priced(trace: Trace, snapshot: Snapshot) -> float | None:
    """The call's cost from the route table's prices, or ``None`` without a price."""
    if not trace.provider or not trace.model_requested:
        return None
    price = snapshot.table.price(Target(trace.provider, trace.model_requested))
    if price is None:
        return None
    return (trace.prompt_tokens * price.input + trace.completion_tokens * price.output) / 1e6


def _json(body: JSONObject, headers: dict[str, str], status: int = 200) -> web.Response:
    return web.Response(
        body=orjson.dumps(body), status=status, content_type="application/json", headers=headers
    )
