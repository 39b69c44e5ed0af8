"""What a trace keeps of the bodies, per the route's retention policy.

``none`` keeps nothing; ``metadata`` (the default) keeps the scalar parameters and the shape of
the request (counts, not content); ``full`` keeps the bodies too. Parameters and bodies alike
have secrets, e-mail addresses, IBANs, phone and card numbers redacted unless the route turns
``redact`` off.

A streamed answer is kept as the one ``chat.completion`` body its chunks add up to
(:class:`StreamBody`), and redaction runs on that assembled text: a secret the vendor sent in
several chunks is one string by the time a detector sees it.
"""

from __future__ import annotations

from typing import Any

from confiance.domain.trace import Trace
from confiance.domain.types import JSONObject, Retention
from confiance.gateway.routing import CompiledRoute
from confiance.observability.redaction import redact_json

__all__ = ["StreamBody", "retain_request", "retain_response"]

_CONTENT_FIELDS = frozenset({"messages", "input", "tools", "system", "prompt", "functions"})


def _metadata(body: JSONObject, redact: bool) -> JSONObject:
    params = {k: v for k, v in body.items() if k not in _CONTENT_FIELDS and _scalar(v)}
    # Scalar parameters carry personal data too (`user: alice@example.com`, a key pasted as
    # `safety_identifier`): they are redacted like the bodies.
    meta: JSONObject = {"params": redact_json(params) if redact else params}
    for name in ("messages", "tools", "input"):
        value = body.get(name)
        if isinstance(value, list):
            meta[f"{name}_count"] = len(value)
    return meta


def _scalar(value: object) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def retain_request(route: CompiledRoute, trace: Trace, body: JSONObject) -> None:
    if route.retention is Retention.NONE:
        return
    trace.metadata.update(_metadata(body, route.redact))
    if route.retention is Retention.FULL:
        trace.request_body = redact_json(body) if route.redact else body


def retain_response(route: CompiledRoute, trace: Trace, body: JSONObject) -> None:
    if route.retention is Retention.FULL:
        trace.response_body = redact_json(body) if route.redact else body


def _index(item: JSONObject) -> int:
    index = item.get("index", 0)
    return index if isinstance(index, int) else 0


class _Choice:
    """One choice of a streamed answer: text fields as pieces, tool calls by index."""

    __slots__ = ("finish", "other", "pieces", "tools")

    def __init__(self) -> None:
        self.pieces: dict[str, list[str]] = {}
        self.tools: dict[int, _ToolCall] = {}
        self.other: JSONObject = {}
        self.finish: object = None

    def add(self, delta: JSONObject) -> None:
        for key, value in delta.items():
            if key == "tool_calls" and isinstance(value, list):
                for call in value:
                    if isinstance(call, dict):
                        self.tools.setdefault(_index(call), _ToolCall()).add(call)
            elif isinstance(value, str) and key != "role":
                self.pieces.setdefault(key, []).append(value)
            elif value is not None and key != "role":
                self.other[key] = value

    def message(self) -> JSONObject:
        message: JSONObject = {"role": "assistant", **self.other}
        message.update((key, "".join(parts)) for key, parts in self.pieces.items())
        message.setdefault("content", None)
        if self.tools:
            message["tool_calls"] = [self.tools[i].body(i) for i in sorted(self.tools)]
        return message


class _ToolCall:
    __slots__ = ("arguments", "head", "name")

    def __init__(self) -> None:
        self.head: JSONObject = {}
        self.name: list[str] = []
        self.arguments: list[str] = []

    def add(self, call: JSONObject) -> None:
        for key in ("id", "type"):
            if call.get(key):
                self.head[key] = call[key]
        function = call.get("function")
        if isinstance(function, dict):
            if isinstance(function.get("name"), str):
                self.name.append(function["name"])
            if isinstance(function.get("arguments"), str):
                self.arguments.append(function["arguments"])

    def body(self, index: int) -> JSONObject:
        function = {"name": "".join(self.name), "arguments": "".join(self.arguments)}
        return {"index": index, **self.head, "function": function}


class StreamBody:
    """Assembles OpenAI ``chat.completion.chunk`` objects into the ``chat.completion`` they add
    up to: text deltas joined per choice and field, tool-call names and arguments joined per call,
    the last ``finish_reason`` and ``usage`` seen. Fed only on routes that keep bodies."""

    __slots__ = ("_choices", "_head", "_usage")

    def __init__(self) -> None:
        self._head: JSONObject = {}
        self._choices: dict[int, _Choice] = {}
        self._usage: Any = None

    def add(self, chunk: JSONObject) -> None:
        for key in ("id", "created", "model", "system_fingerprint", "service_tier"):
            if key in chunk and key not in self._head:
                self._head[key] = chunk[key]
        usage = chunk.get("usage")
        if usage is not None:
            self._usage = usage
        for choice in chunk.get("choices") or ():
            if not isinstance(choice, dict):
                continue
            state = self._choices.setdefault(_index(choice), _Choice())
            delta = choice.get("delta")
            if isinstance(delta, dict):
                state.add(delta)
            if choice.get("finish_reason") is not None:
                state.finish = choice["finish_reason"]

    def body(self) -> JSONObject:
        """The assembled answer (``object: chat.completion``), ready for :func:`retain_response`."""
        choices = [
            {"index": i, "message": c.message(), "finish_reason": c.finish}
            for i, c in sorted(self._choices.items())
        ]
        body: JSONObject = {**self._head, "object": "chat.completion", "choices": choices}
        if self._usage is not None:
            body["usage"] = self._usage
        return body
