"""Anthropic stream events ↔ OpenAI chunks, and the small tables both directions share.

:class:`AnthropicChunkTranslator` (the ``anthropic`` adapter) reads Anthropic's event sequence
(``message_start``, ``content_block_start/delta/stop``, ``message_delta``, ``message_stop``) and
yields OpenAI ``chat.completion.chunk`` objects, the last one carrying ``usage``.
:class:`AnthropicStreamWriter` (the gateway's ``/v1/messages`` front door) does the reverse:
OpenAI chunks in, ``(event_name, data)`` pairs out, in the order the Anthropic SDKs expect.
"""

from __future__ import annotations

import time

import orjson

from confiance.domain.types import JSONObject
from confiance.providers.sse import SSEEvent, SSEFormatError, VendorStreamError

__all__ = [
    "AnthropicChunkTranslator",
    "AnthropicStreamWriter",
    "anthropic_error",
    "anthropic_finish_reason",
    "anthropic_stop_reason",
    "anthropic_usage_to_openai",
    "tool_input",
]

_FINISH_REASONS = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "pause_turn": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
}
_STOP_REASONS = {
    "stop": "end_turn",
    "length": "max_tokens",
    "tool_calls": "tool_use",
    "function_call": "tool_use",
    "content_filter": "refusal",
}
_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    503: "overloaded_error",
    504: "timeout_error",
    529: "overloaded_error",
}
_ERROR_STATUSES = {kind: status for status, kind in _ERROR_TYPES.items() if status != 503}


def anthropic_finish_reason(stop_reason: object) -> str:
    """OpenAI ``finish_reason`` for an Anthropic ``stop_reason`` (unknown ones end normally)."""
    return _FINISH_REASONS.get(str(stop_reason), "stop")


def anthropic_stop_reason(finish_reason: object) -> str:
    """Anthropic ``stop_reason`` for an OpenAI ``finish_reason``."""
    return _STOP_REASONS.get(str(finish_reason), "end_turn")


def anthropic_error(status: int, message: str) -> JSONObject:
    """An Anthropic error body (``{"type": "error", "error": {...}}``) for an HTTP status."""
    kind = _ERROR_TYPES.get(status, "api_error" if status >= 500 else "invalid_request_error")
    return {"type": "error", "error": {"type": kind, "message": message}}


def anthropic_usage_to_openai(usage: object) -> JSONObject:
    """OpenAI ``usage`` for Anthropic ``usage``. Anthropic counts cached prompt tokens apart from
    ``input_tokens``; OpenAI's ``prompt_tokens`` includes them (and says how many were cached)."""
    usage = usage if isinstance(usage, dict) else {}
    cached = _int(usage.get("cache_read_input_tokens"))
    prompt = _int(usage.get("input_tokens")) + _int(usage.get("cache_creation_input_tokens"))
    prompt += cached
    completion = _int(usage.get("output_tokens"))
    out: JSONObject = {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }
    if cached:
        out["prompt_tokens_details"] = {"cached_tokens": cached}
    return out


def tool_input(arguments: object) -> JSONObject:
    """Anthropic ``input`` for OpenAI ``arguments`` (a JSON string). Anything that is not a JSON
    object is kept as a string under ``_raw_arguments`` rather than lost."""
    if not arguments:
        return {}
    try:
        parsed = orjson.loads(arguments) if isinstance(arguments, str | bytes) else arguments
    except orjson.JSONDecodeError:
        parsed = None
    return parsed if isinstance(parsed, dict) else {"_raw_arguments": str(arguments)}


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _obj(value: object) -> JSONObject:
    return value if isinstance(value, dict) else {}


class AnthropicChunkTranslator:
    """Anthropic Messages stream events → OpenAI chunks (a ``ChunkTranslator``)."""

    __slots__ = ("_created", "_done", "_id", "_model", "_tools", "_usage")

    def __init__(self, model: str, created: int | None = None) -> None:
        self._created = created if created is not None else int(time.time())
        self._model = model
        self._id = "msg"
        self._done = False
        self._tools: dict[int, int] = {}  # content block index → OpenAI tool call index
        self._usage: JSONObject = {}

    @property
    def done(self) -> bool:
        return self._done

    def feed(self, event: SSEEvent) -> list[JSONObject]:
        data = orjson.loads(event.data)
        if not isinstance(data, dict):
            raise SSEFormatError(f"event data is not a JSON object: {event.data[:120]!r}")
        kind = data.get("type", event.event)
        if kind == "content_block_delta":
            return self._block_delta(data)
        if kind == "message_start":
            return self._message_start(data)
        if kind == "content_block_start":
            return self._block_start(data)
        if kind == "message_delta":
            return self._message_delta(data)
        if kind == "message_stop":
            self._done = True
            usage = anthropic_usage_to_openai(self._usage)
            return [{**self._chunk_head(), "choices": [], "usage": usage}]
        if kind == "error":
            raise _stream_error(data, event.data)
        return []  # ping, content_block_stop, and event types added after this was written

    def finish(self) -> list[JSONObject]:
        if not self._done:
            raise SSEFormatError("the stream ended before message_stop")
        return []

    def _message_start(self, data: JSONObject) -> list[JSONObject]:
        message = data.get("message")
        if not isinstance(message, dict):
            raise SSEFormatError("message_start carries no message object")
        self._id = str(message.get("id") or self._id)
        self._model = str(message.get("model") or self._model)
        usage = message.get("usage")
        if isinstance(usage, dict):
            self._usage.update(usage)
        return [self._chunk({"role": "assistant", "content": ""})]

    def _block_start(self, data: JSONObject) -> list[JSONObject]:
        block = data.get("content_block")
        if not isinstance(block, dict):
            raise SSEFormatError("content_block_start carries no content_block")
        if block.get("type") == "tool_use":
            index = len(self._tools)
            self._tools[_int(data.get("index"))] = index
            call = {
                "index": index,
                "id": block.get("id"),
                "type": "function",
                "function": {"name": block.get("name", ""), "arguments": ""},
            }
            return [self._chunk({"tool_calls": [call]})]
        if block.get("type") == "text" and block.get("text"):
            return [self._chunk({"content": block["text"]})]
        return []

    def _block_delta(self, data: JSONObject) -> list[JSONObject]:
        delta = data.get("delta")
        if not isinstance(delta, dict):
            raise SSEFormatError("content_block_delta carries no delta")
        kind = delta.get("type")
        if kind == "text_delta":
            return [self._chunk({"content": delta.get("text", "")})]
        if kind == "input_json_delta" and delta.get("partial_json"):
            index = self._tools.get(_int(data.get("index")))
            if index is None:
                raise SSEFormatError("input_json_delta for a block that is not a tool_use")
            call = {"index": index, "function": {"arguments": delta["partial_json"]}}
            return [self._chunk({"tool_calls": [call]})]
        return []  # thinking and signature deltas have no OpenAI counterpart

    def _message_delta(self, data: JSONObject) -> list[JSONObject]:
        usage = data.get("usage")
        if isinstance(usage, dict):
            self._usage.update({k: v for k, v in usage.items() if v is not None})
        delta = _obj(data.get("delta"))
        reason = delta.get("stop_reason")
        if reason is None:
            return []
        return [self._chunk({}, anthropic_finish_reason(reason))]

    def _chunk_head(self) -> JSONObject:
        return {
            "id": self._id,
            "object": "chat.completion.chunk",
            "created": self._created,
            "model": self._model,
        }

    def _chunk(self, delta: JSONObject, finish_reason: str | None = None) -> JSONObject:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
        return {**self._chunk_head(), "choices": [choice]}


def _stream_error(data: JSONObject, raw: bytes) -> VendorStreamError:
    error = _obj(data.get("error"))
    kind = str(error.get("type", "api_error"))
    message = str(error.get("message") or kind)
    return VendorStreamError(_ERROR_STATUSES.get(kind, 500), f"{kind}: {message}", raw)


Event = tuple[str, JSONObject]


class AnthropicStreamWriter:
    """OpenAI chunks → the Anthropic event sequence, for clients of the ``/v1/messages`` door.

    Call :meth:`feed` with each chunk and :meth:`finish` once at the end; each returns the
    ``(event_name, data)`` pairs to send as SSE. Only choice 0 is translated (Anthropic streams
    one candidate). Input token counts arrive with the last OpenAI chunk, so ``message_start``
    reports 0 and ``message_delta`` carries the real counts.
    """

    __slots__ = ("_block", "_id", "_model", "_open", "_started", "_stop", "_tools", "_usage")

    def __init__(self, model: str, message_id: str | None = None) -> None:
        self._model = model
        self._id = message_id
        self._started = False
        self._block = -1  # index of the last content block started
        self._open: str | None = None  # the block now open: "text" or "tool:<openai index>"
        self._tools: dict[int, int] = {}  # OpenAI tool call index → content block index
        self._stop = "end_turn"
        self._usage: JSONObject = {}

    def feed(self, chunk: JSONObject) -> list[Event]:
        """Events for one OpenAI chunk (the first one also opens the message)."""
        events = [] if self._started else self._start(chunk.get("id"))
        for choice in chunk.get("choices") or ():
            if isinstance(choice, dict) and choice.get("index", 0) == 0:
                self._choice(choice, events)
        usage = chunk.get("usage")
        if isinstance(usage, dict):
            self._usage = usage
        return events

    def finish(self) -> list[Event]:
        """Closes the open block and the message; call once, after the last chunk."""
        events = [] if self._started else self._start(None)
        self._close(events)
        usage = {
            "input_tokens": _int(self._usage.get("prompt_tokens")),
            "output_tokens": _int(self._usage.get("completion_tokens")),
        }
        delta = {"stop_reason": self._stop, "stop_sequence": None}
        events.append(("message_delta", {"type": "message_delta", "delta": delta, "usage": usage}))
        events.append(("message_stop", {"type": "message_stop"}))
        return events

    def _start(self, chunk_id: object) -> list[Event]:
        self._started = True
        if self._id is None:
            text = str(chunk_id or "")
            self._id = text if text.startswith("msg_") else f"msg_{text or int(time.time() * 1e3)}"
        message: JSONObject = {
            "id": self._id,
            "type": "message",
            "role": "assistant",
            "model": self._model,
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {"input_tokens": 0, "output_tokens": 0},
        }
        return [("message_start", {"type": "message_start", "message": message})]

    def _choice(self, choice: JSONObject, events: list[Event]) -> None:
        delta = choice.get("delta")
        if isinstance(delta, dict):
            text = delta.get("content")
            if isinstance(text, str) and text:
                if self._open != "text":
                    self._open_block("text", {"type": "text", "text": ""}, events)
                events.append(self._delta({"type": "text_delta", "text": text}))
            for call in delta.get("tool_calls") or ():
                if isinstance(call, dict):
                    self._tool_call(call, events)
        reason = choice.get("finish_reason")
        if reason:
            self._stop = anthropic_stop_reason(reason)

    def _tool_call(self, call: JSONObject, events: list[Event]) -> None:
        index = _int(call.get("index"))
        function = _obj(call.get("function"))
        if index not in self._tools:
            block: JSONObject = {
                "type": "tool_use",
                "id": call.get("id") or f"toolu_{index}",
                "name": function.get("name") or "",
                "input": {},
            }
            self._open_block(f"tool:{index}", block, events)
            self._tools[index] = self._block
        arguments = function.get("arguments")
        if isinstance(arguments, str) and arguments:
            block_index = self._tools[index]
            events.append(
                self._delta({"type": "input_json_delta", "partial_json": arguments}, block_index)
            )

    def _open_block(self, kind: str, block: JSONObject, events: list[Event]) -> None:
        self._close(events)
        self._block += 1
        self._open = kind
        start = {"type": "content_block_start", "index": self._block, "content_block": block}
        events.append(("content_block_start", start))

    def _close(self, events: list[Event]) -> None:
        if self._open is not None:
            events.append(
                ("content_block_stop", {"type": "content_block_stop", "index": self._block})
            )
            self._open = None

    def _delta(self, delta: JSONObject, index: int | None = None) -> Event:
        block = self._block if index is None else index
        return (
            "content_block_delta",
            {"type": "content_block_delta", "index": block, "delta": delta},
        )
