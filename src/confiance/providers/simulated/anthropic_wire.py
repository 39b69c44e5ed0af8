"""The Anthropic Messages wire format: ``POST /v1/messages``, whole and streamed.

``max_tokens`` is required (a 400 in Anthropic's error shape otherwise); ``system`` (string or
text blocks), ``stop_sequences``, ``tools`` / ``tool_choice`` and ``stream`` are supported. A
stream is the real event sequence: ``message_start``, ``content_block_start``, ``ping``,
``content_block_delta`` (``text_delta`` or ``input_json_delta``), ``content_block_stop``,
``message_delta`` (stop reason and usage), ``message_stop``.
"""

from __future__ import annotations

from typing import Any

import orjson
from aiohttp import web

from confiance.domain.types import JSONObject
from confiance.providers.simulated.content import split_tokens
from confiance.providers.simulated.prompt import (
    InvalidRequest,
    Prompt,
    ToolMode,
    ToolSpec,
    Turn,
    optional_int,
    stop_list,
    text_of,
)
from confiance.providers.simulated.reply import Completion, Finish, Reply
from confiance.providers.simulated.transport import Frame
from confiance.providers.simulated.vendor_errors import Vendor

__all__ = ["AnthropicMessages"]

_STOP_REASON = {
    Finish.STOP: "end_turn",
    Finish.STOP_SEQUENCE: "stop_sequence",
    Finish.LENGTH: "max_tokens",
    Finish.TOOL: "tool_use",
}


class AnthropicMessages:
    """Codec for ``/v1/messages``."""

    vendor = Vendor.ANTHROPIC
    endpoint = "anthropic.messages"

    def parse(self, body: JSONObject, request: web.Request) -> Prompt:
        model = body.get("model")
        if not isinstance(model, str) or not model:
            raise InvalidRequest("model: Field required", "model")
        if body.get("max_tokens") is None:
            raise InvalidRequest("max_tokens: Field required", "max_tokens")
        max_tokens = optional_int(body, "max_tokens", low=1, high=10_000_000)
        tools, mode, forced = _tools(body)
        stream = body.get("stream", False)
        if not isinstance(stream, bool):
            raise InvalidRequest("stream: Input should be a valid boolean", "stream")
        return Prompt(
            model=model,
            turns=_turns(body.get("messages")),
            system=_system(body.get("system")),
            tools=tools,
            tool_mode=mode,
            forced_tool=forced,
            max_tokens=max_tokens,
            stop=stop_list(body.get("stop_sequences"), "stop_sequences", 8191),
            stream=stream,
        )

    def render(self, reply: Reply) -> JSONObject:
        completion = reply.completions[0]
        return {
            "id": f"msg_{reply.uid}",
            "type": "message",
            "role": "assistant",
            "model": reply.model,
            "content": [_block(completion)],
            "stop_reason": _STOP_REASON[completion.finish],
            "stop_sequence": completion.stop_sequence,
            "usage": _usage(reply.prompt_tokens, completion.tokens),
        }

    def frames(self, reply: Reply, request: web.Request) -> list[Frame]:
        completion = reply.completions[0]
        start: JSONObject = {
            "id": f"msg_{reply.uid}",
            "type": "message",
            "role": "assistant",
            "model": reply.model,
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": _usage(reply.prompt_tokens, 1),
        }
        frames = [_event("message_start", {"type": "message_start", "message": start})]
        frames.extend(_block_events(completion))
        delta = {
            "type": "message_delta",
            "delta": {
                "stop_reason": _STOP_REASON[completion.finish],
                "stop_sequence": completion.stop_sequence,
            },
            "usage": {"output_tokens": completion.tokens},
        }
        frames.append(_event("message_delta", delta))
        frames.append(_event("message_stop", {"type": "message_stop"}))
        return frames

    def stream_content_type(self, request: web.Request) -> str:
        return "text/event-stream; charset=utf-8"


def _event(name: str, data: JSONObject, token: bool = False) -> Frame:
    return Frame(b"event: " + name.encode() + b"\ndata: " + orjson.dumps(data) + b"\n\n", token)


def _usage(input_tokens: int, output_tokens: int) -> JSONObject:
    return {
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
    }


def _block(completion: Completion) -> JSONObject:
    call = completion.tool_call
    if call is None:
        return {"type": "text", "text": completion.text}
    try:
        arguments: Any = orjson.loads(call.arguments)
    except orjson.JSONDecodeError:
        # Broken on purpose (invalid_json / flaky): no object to give, so the raw text goes.
        arguments = call.arguments
    return {"type": "tool_use", "id": f"toolu_{call.key}", "name": call.name, "input": arguments}


def _block_events(completion: Completion) -> list[Frame]:
    call = completion.tool_call
    if call is None:
        opening: JSONObject = {"type": "text", "text": ""}
        deltas = [{"type": "text_delta", "text": piece} for piece in completion.pieces]
    else:
        opening = {"type": "tool_use", "id": f"toolu_{call.key}", "name": call.name, "input": {}}
        deltas = [
            {"type": "input_json_delta", "partial_json": piece}
            for piece in split_tokens(call.arguments)
        ]
    frames = [
        _event(
            "content_block_start",
            {"type": "content_block_start", "index": 0, "content_block": opening},
        ),
        _event("ping", {"type": "ping"}),
    ]
    frames.extend(
        _event("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": d}, True)
        for d in deltas
    )
    frames.append(_event("content_block_stop", {"type": "content_block_stop", "index": 0}))
    return frames


def _system(value: Any) -> str:
    if value is None or isinstance(value, str):
        return value or ""
    if isinstance(value, list):
        return text_of(value)
    raise InvalidRequest("system: Input should be a valid string or list of text blocks", "system")


def _turns(messages: Any) -> tuple[Turn, ...]:
    if not isinstance(messages, list) or not messages:
        raise InvalidRequest("messages: at least one message is required", "messages")
    turns = []
    for index, message in enumerate(messages):
        role = message.get("role") if isinstance(message, dict) else None
        if role not in ("user", "assistant"):
            raise InvalidRequest(
                f"messages.{index}.role: Input should be 'user' or 'assistant'",
                f"messages.{index}.role",
            )
        content = message.get("content")
        if not isinstance(content, str | list):
            raise InvalidRequest(f"messages.{index}.content: Field required", f"messages.{index}")
        turns.append(Turn(_role(role, content), text_of(content)))
    return tuple(turns)


def _role(role: str, content: Any) -> str:
    # A user turn made of tool results answers a tool call: it is the tool speaking.
    if (
        role == "user"
        and isinstance(content, list)
        and content
        and all(isinstance(b, dict) and b.get("type") == "tool_result" for b in content)
    ):
        return "tool"
    return role


def _tools(body: JSONObject) -> tuple[tuple[ToolSpec, ...], ToolMode, str | None]:
    raw = body.get("tools")
    if raw is None:
        return (), ToolMode.AUTO, None
    if not isinstance(raw, list):
        raise InvalidRequest("tools: Input should be a valid list", "tools")
    tools = []
    for index, tool in enumerate(raw):
        name = tool.get("name") if isinstance(tool, dict) else None
        if not isinstance(name, str) or not name:
            raise InvalidRequest(f"tools.{index}.name: Field required", f"tools.{index}.name")
        schema = tool.get("input_schema")
        if schema is None:
            continue  # a server tool (web search...) that the simulator does not run
        if not isinstance(schema, dict):
            raise InvalidRequest(
                f"tools.{index}.input_schema: Input should be an object", f"tools.{index}"
            )
        tools.append(ToolSpec(name, schema))
    return tuple(tools), *_tool_choice(body.get("tool_choice"), {t.name for t in tools})


def _tool_choice(choice: Any, names: set[str]) -> tuple[ToolMode, str | None]:
    if choice is None:
        return ToolMode.AUTO, None
    kind = choice.get("type") if isinstance(choice, dict) else None
    if kind == "auto":
        return ToolMode.AUTO, None
    if kind == "none":
        return ToolMode.NONE, None
    if kind == "any":
        return ToolMode.REQUIRED, None
    if kind == "tool":
        name = choice.get("name")
        if name not in names:
            raise InvalidRequest(f"tool_choice.name: {name!r} is not in tools", "tool_choice")
        return ToolMode.REQUIRED, name
    raise InvalidRequest(
        "tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'", "tool_choice"
    )
