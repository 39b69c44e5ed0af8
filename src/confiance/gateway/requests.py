"""Reading and checking request bodies, cheaply: parse once with orjson, check only the fields
the gateway relies on, and leave the rest to the vendor."""

from __future__ import annotations

from typing import Any

import orjson
from aiohttp import web

from confiance.domain.types import JSONObject
from confiance.errors import LimitExceeded, PayloadTooLarge, UsageError
from confiance.gateway.routing import CompiledRoute

__all__ = ["apply_route", "check_chat", "check_embeddings", "read_json"]

_ROLES = frozenset({"system", "developer", "user", "assistant", "tool", "function"})
# Far deeper than any chat or tools schema nests, and far from orjson's encoding limit (254),
# which a trace wraps the body in: a body that parses is also one the trace can store.
MAX_DEPTH = 128


async def read_json(request: web.Request, limit: int) -> JSONObject:
    """The request body as a JSON object; 413 over ``limit`` bytes, 400 when not a JSON object."""
    length = request.content_length
    if length is not None and length > limit:
        raise PayloadTooLarge(f"request body of {length} bytes exceeds the limit of {limit} bytes")
    if length is not None:
        raw = await request.read()
    else:
        raw = await _read_chunked(request, limit)
    if not raw:
        raise UsageError("request body is empty: send a JSON object")
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        if "UTF-8" in str(error) or "utf-8" in str(error):
            raise UsageError("request body is not valid UTF-8") from None
        raise UsageError(f"request body is not valid JSON: {error}") from None
    if not isinstance(body, dict):
        raise UsageError(f"request body must be a JSON object, not {type(body).__name__}")
    # Counting brackets is a scan in C; only a body that could be too deep is walked.
    if raw.count(b"{") + raw.count(b"[") > MAX_DEPTH and _depth(body) > MAX_DEPTH:
        raise UsageError(f"request body nests JSON more than {MAX_DEPTH} levels deep")
    return body


def _depth(value: object) -> int:
    """Nesting depth of a parsed JSON value, without recursion (a scalar is 0)."""
    deepest, pending = 0, [(value, 0)]
    while pending:
        item, level = pending.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level + 1)
        pending.extend((child, level + 1) for child in children)
    return deepest


async def _read_chunked(request: web.Request, limit: int) -> bytes:
    parts: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(65536):
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"request body exceeds the limit of {limit} bytes")
        parts.append(chunk)
    return b"".join(parts)


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise UsageError(message)


def _int_field(body: JSONObject, name: str) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    _require(
        isinstance(value, int) and not isinstance(value, bool) and value >= 1,
        f"{name}: must be a positive integer, got {value!r}",
    )
    return int(value)


def model_of(body: JSONObject) -> str:
    """The ``model`` field: a missing or empty one is "required", any other non-string says
    what it got (``model: ["chat"]`` is a list, not a missing field)."""
    model = body.get("model")
    _require(model is not None and model != "", "model: required, the name of a route")
    _require(
        isinstance(model, str),
        f"model: must be a string, the name of a route; got {_json_kind(model)} {model!r}",
    )
    return str(model)


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "an array"
    return "an object" if isinstance(value, dict) else "a value"


def check_chat(body: JSONObject) -> str:
    """Checks the fields the gateway uses; returns the requested model (route name)."""
    model = model_of(body)
    messages = body.get("messages")
    _require(
        isinstance(messages, list) and len(messages) > 0,
        "messages: required, a non-empty array of message objects",
    )
    assert isinstance(messages, list)
    for index, message in enumerate(messages):
        _check_message(index, message)
    stream = body.get("stream", False)
    _require(isinstance(stream, bool), f"stream: must be true or false, got {stream!r}")
    for name in ("n", "max_tokens", "max_completion_tokens"):
        _int_field(body, name)
    options = body.get("stream_options")
    _require(options is None or isinstance(options, dict), "stream_options: must be an object")
    return model


def _check_message(index: int, message: Any) -> None:
    _require(isinstance(message, dict), f"messages[{index}]: must be an object")
    role = message.get("role")
    _require(
        role in _ROLES,
        f"messages[{index}].role: must be one of {', '.join(sorted(_ROLES))}, got {role!r}",
    )
    content = message.get("content")
    _require(
        content is None or isinstance(content, str | list),
        f"messages[{index}].content: must be a string or an array of content parts",
    )


def check_embeddings(body: JSONObject) -> str:
    model = model_of(body)
    value = body.get("input")
    _require(
        isinstance(value, str | list) and len(value) > 0,
        "input: required, a string or a non-empty array of strings or token arrays",
    )
    return model


def apply_route(route: CompiledRoute, body: JSONObject) -> JSONObject:
    """The body to send upstream: route defaults under the request's own parameters, the route's
    system prompt first, and the route's limits enforced (400 naming the limit)."""
    limits = route.limits
    n = body.get("n", 1)
    if isinstance(n, int) and n > limits.n:
        raise LimitExceeded(f"n: {n} exceeds this route's limit of {limits.n}")
    if limits.max_tokens is not None:
        for name in ("max_tokens", "max_completion_tokens"):
            value = body.get(name)
            if isinstance(value, int) and value > limits.max_tokens:
                raise LimitExceeded(
                    f"{name}: {value} exceeds this route's limit of {limits.max_tokens}"
                )
    merged: JSONObject = {**route.params, **body} if route.params else dict(body)
    if route.system_prompt is not None and "messages" in merged:
        system = {"role": "system", "content": route.system_prompt}
        merged["messages"] = [system, *merged["messages"]]
    return merged
