"""One running simulator's state and the request flow every vendor endpoint shares.

Flow of a chat request: parse JSON (400 in the vendor's shape when broken) → the codec parses
the vendor body into a :class:`Prompt` → the model name resolves to a behaviour (cached) → the
fault plan is drawn (latency, hang, error, reset, malformed, flaky) → the reply is composed and
rendered by the codec, whole or as a stream.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Protocol

import orjson
from aiohttp import web
from pydantic import ValidationError

from confiance.domain.types import JSONObject
from confiance.providers.simulated.behaviour import Behaviour
from confiance.providers.simulated.config import SimulatorConfig
from confiance.providers.simulated.directives import DirectiveError, parse_model_name
from confiance.providers.simulated.faults import Fault, FaultPlanner, Plan
from confiance.providers.simulated.prompt import InvalidRequest, Prompt
from confiance.providers.simulated.reply import Reply, compose
from confiance.providers.simulated.stats import SimulatorStats
from confiance.providers.simulated.transport import (
    Frame,
    hold,
    send_partial_then_reset,
    send_stream,
)
from confiance.providers.simulated.vendor_errors import Vendor, error_response

__all__ = ["Codec", "Resolved", "Simulator"]

_CACHE_LIMIT = 4096


class Codec(Protocol):
    """One vendor's chat wire format."""

    vendor: Vendor
    endpoint: str

    def parse(self, body: JSONObject, request: web.Request) -> Prompt:
        """The prompt in ``body``; raises ``InvalidRequest`` naming the bad parameter."""
        ...

    def render(self, reply: Reply) -> JSONObject:
        """The whole (non-streamed) response body."""
        ...

    def frames(self, reply: Reply, request: web.Request) -> list[Frame]:
        """The streamed response, event by event."""
        ...

    def stream_content_type(self, request: web.Request) -> str: ...


@dataclass(frozen=True, slots=True)
class Resolved:
    base: str
    behaviour: Behaviour


class Simulator:
    """State shared by every request of one server: config, counters, the fault generator,
    and ``closing``, set at shutdown to release hung and stalled requests."""

    def __init__(self, config: SimulatorConfig) -> None:
        self.config = config
        self.stats = SimulatorStats()
        self.closing = asyncio.Event()
        self._planner = FaultPlanner(config.seed, self.stats)
        self._resolved: dict[str, Resolved] = {}

    def resolve(self, model: str) -> Resolved:
        """The behaviour for a requested model name: config, then the name's directives.
        Raises ``DirectiveError``."""
        found = self._resolved.get(model)
        if found is not None:
            return found
        name = parse_model_name(model)
        behaviour = self.config.behaviour_for(name.base)
        if name.updates:
            merged: dict[str, Any] = {**behaviour.model_dump(), **name.updates}
            # Weaknesses add up: a name's weak-* directives extend the config's.
            merged["weaknesses"] = (*behaviour.weaknesses, *name.updates.get("weaknesses", ()))
            try:
                behaviour = Behaviour.model_validate(merged)
            except ValidationError as error:
                problem = error.errors()[0]["msg"]
                raise DirectiveError(f"model {model!r}: directives conflict: {problem}") from None
        if len(self._resolved) >= _CACHE_LIMIT:
            self._resolved.clear()
        found = self._resolved[model] = Resolved(name.base, behaviour)
        return found

    async def read_json(self, request: web.Request, vendor: Vendor) -> JSONObject | web.Response:
        """The request body as a JSON object, or the vendor's 400/413 answer."""
        try:
            raw = await request.read()
        except web.HTTPRequestEntityTooLarge as error:
            return self.error(vendor, 413, f"request body too large: {error.text}")
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError as error:
            return self.error(vendor, 400, f"request body is not valid JSON: {error}")
        if not isinstance(body, dict):
            return self.error(vendor, 400, "request body must be a JSON object")
        return body

    def error(
        self, vendor: Vendor, status: int, message: str, param: str | None = None
    ) -> web.Response:
        self.stats.record_status(status)
        return error_response(vendor, status, message, param=param)

    async def preflight(
        self, request: web.Request, vendor: Vendor, model: str
    ) -> tuple[Resolved, Plan] | web.StreamResponse:
        """Resolve, count, wait the latency and apply hang/error faults. Returns the finished
        response when a fault ends the request, else what the answer needs."""
        try:
            resolved = self.resolve(model)
        except DirectiveError as error:
            return self.error(vendor, 400, str(error), "model")
        plan = self._planner.plan(model, resolved.behaviour)
        if plan.delay > 0:
            await asyncio.sleep(plan.delay)
        if plan.fault is Fault.HANG:
            return await hold(request, self.closing)
        if plan.fault is Fault.ERROR:
            behaviour = resolved.behaviour
            status = behaviour.error_status
            self.stats.record_status(status)
            message = f"simulated error {status} for model {model!r} (request {plan.number})"
            return error_response(vendor, status, message, retry_after=behaviour.retry_after)
        return resolved, plan

    async def chat(self, request: web.Request, codec: Codec) -> web.StreamResponse:
        """The whole chat flow for one vendor's endpoint."""
        self.stats.record_request(codec.endpoint)
        body = await self.read_json(request, codec.vendor)
        if isinstance(body, web.Response):
            return body
        try:
            prompt = codec.parse(body, request)
        except InvalidRequest as error:
            return self.error(codec.vendor, 400, error.message, error.param)
        ready = await self.preflight(request, codec.vendor, prompt.model)
        if isinstance(ready, web.StreamResponse):
            return ready
        resolved, plan = ready
        reply = compose(prompt, resolved.behaviour, resolved.base, bad=plan.bad_content)
        if prompt.stream:
            self.stats.record_status(200)
            return await send_stream(
                request,
                codec.frames(reply, request),
                content_type=codec.stream_content_type(request),
                behaviour=resolved.behaviour,
                plan=plan,
                closing=self.closing,
            )
        await self._generation_time(resolved.behaviour, reply)
        return await self.deliver(request, orjson.dumps(codec.render(reply)), plan)

    async def deliver(self, request: web.Request, payload: bytes, plan: Plan) -> web.StreamResponse:
        """Send a whole JSON answer, applying the plan's reset or malformed fault."""
        if plan.fault is Fault.RESET:
            return await send_partial_then_reset(request, payload, self.closing)
        if plan.fault is Fault.MALFORMED:
            payload = payload[: len(payload) * 2 // 3]
        self.stats.record_status(200)
        return web.Response(body=payload, content_type="application/json")

    async def _generation_time(self, behaviour: Behaviour, reply: Reply) -> None:
        # A whole answer takes as long as its stream would have: first token, then the rest.
        wait = behaviour.ttft_ms / 1000.0
        if behaviour.tokens_per_s is not None:
            wait += max(0, reply.completion_tokens - 1) / behaviour.tokens_per_s
        if wait > 0:
            await asyncio.sleep(wait)
