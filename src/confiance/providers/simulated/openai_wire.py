"""The OpenAI chat-completions wire format: ``POST /v1/chat/completions``, whole and streamed.

Supports ``n``, ``stop``, ``max_tokens`` / ``max_completion_tokens``, ``seed``, ``logprobs`` /
``top_logprobs``, ``tools`` / ``tool_choice``, ``response_format`` (``json_object`` and
``json_schema``) and ``stream`` with ``stream_options.include_usage``.
"""

from __future__ import annotations

import hashlib
import zlib
from typing import Any

import orjson
from aiohttp import web

from confiance.domain.types import JSONObject
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

__all__ = ["OpenAIChat"]

_FINISH = {
    Finish.STOP: "stop",
    Finish.STOP_SEQUENCE: "stop",
    Finish.LENGTH: "length",
    Finish.TOOL: "tool_calls",
}
_ROLES = frozenset({"system", "developer", "user", "assistant", "tool", "function"})
_ALTERNATIVE_TEXT = " the| a| and| of| to|.|,| in| is| that| it| for| on| with| as| was| be| by| or"
_ALTERNATIVES = tuple(_ALTERNATIVE_TEXT.split("|"))
_DONE = Frame(b"data: [DONE]\n\n")


class OpenAIChat:
    """Codec for ``/v1/chat/completions``."""

    vendor = Vendor.OPENAI
    endpoint = "openai.chat"

    def parse(self, body: JSONObject, request: web.Request) -> Prompt:
        model = body.get("model")
        if not isinstance(model, str) or not model:
            raise InvalidRequest("you must provide a model parameter", "model")
        system, turns = _turns(body.get("messages"))
        tools, mode, forced = _tools(body)
        json_mode, schema = _response_format(body.get("response_format"))
        max_tokens = optional_int(body, "max_completion_tokens", low=1, high=10_000_000)
        if max_tokens is None:
            max_tokens = optional_int(body, "max_tokens", low=1, high=10_000_000)
        return Prompt(
            model=model,
            turns=turns,
            system=system,
            tools=tools,
            tool_mode=mode,
            forced_tool=forced,
            json_mode=json_mode,
            json_schema=schema,
            max_tokens=max_tokens,
            stop=stop_list(body.get("stop"), "stop", 4),
            n=optional_int(body, "n", low=1, high=128) or 1,
            seed=optional_int(body, "seed", low=-(2**63), high=2**64),
            stream=_flag(body, "stream"),
            logprobs=_logprobs(body),
            include_usage=_include_usage(body),
        )

    def render(self, reply: Reply) -> JSONObject:
        return {
            "id": f"chatcmpl-{reply.uid}",
            "object": "chat.completion",
            "created": reply.created,
            "model": reply.model,
            "system_fingerprint": _fingerprint(reply.model),
            "choices": [_choice(reply, c) for c in reply.completions],
            "usage": _usage(reply),
            "service_tier": "default",
        }

    def frames(self, reply: Reply, request: web.Request) -> list[Frame]:
        base = {
            "id": f"chatcmpl-{reply.uid}",
            "object": "chat.completion.chunk",
            "created": reply.created,
            "model": reply.model,
            "system_fingerprint": _fingerprint(reply.model),
        }
        if reply.prompt.include_usage:
            base["usage"] = None
        per_choice = [_choice_chunks(reply, c) for c in reply.completions]
        frames: list[Frame] = []
        # Choices interleave, as the real API sends them when n > 1.
        for position in range(max(len(chunks) for chunks in per_choice)):
            for chunks in per_choice:
                if position < len(chunks):
                    choice, token = chunks[position]
                    frames.append(_frame({**base, "choices": [choice]}, token))
        if reply.prompt.include_usage:
            frames.append(_frame({**base, "choices": [], "usage": _usage(reply)}, False))
        frames.append(_DONE)
        return frames

    def stream_content_type(self, request: web.Request) -> str:
        return "text/event-stream; charset=utf-8"


def _frame(chunk: JSONObject, token: bool) -> Frame:
    return Frame(b"data: " + orjson.dumps(chunk) + b"\n\n", token)


def _flag(body: JSONObject, name: str) -> bool:
    value = body.get(name)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise InvalidRequest(f"'{name}' must be a boolean", name)
    return value


def _turns(messages: Any) -> tuple[str, tuple[Turn, ...]]:
    if not isinstance(messages, list) or not messages:
        raise InvalidRequest("'messages' must be a non-empty array of message objects", "messages")
    system: list[str] = []
    turns: list[Turn] = []
    for index, message in enumerate(messages):
        role = message.get("role") if isinstance(message, dict) else None
        if role not in _ROLES:
            raise InvalidRequest(
                f"messages[{index}].role must be one of {', '.join(sorted(_ROLES))}",
                f"messages.[{index}].role",
            )
        text = text_of(message.get("content"))
        if role in ("system", "developer"):
            system.append(text)
            continue
        if role == "assistant" and message.get("tool_calls"):
            text += orjson.dumps(message["tool_calls"]).decode()
        turns.append(Turn("tool" if role == "function" else role, text))
    return "\n".join(system), tuple(turns)


def _tools(body: JSONObject) -> tuple[tuple[ToolSpec, ...], ToolMode, str | None]:
    raw = body.get("tools")
    if raw is None:
        return (), ToolMode.AUTO, None
    if not isinstance(raw, list):
        raise InvalidRequest("'tools' must be an array of tool objects", "tools")
    tools = []
    for index, tool in enumerate(raw):
        function = tool.get("function") if isinstance(tool, dict) else None
        name = function.get("name") if isinstance(function, dict) else None
        if not isinstance(function, dict) or not isinstance(name, str) or not name:
            raise InvalidRequest(
                f"tools[{index}] must be {{'type': 'function', 'function': {{'name': ...}}}}",
                f"tools[{index}].function.name",
            )
        parameters = function.get("parameters")
        tools.append(ToolSpec(name, parameters if isinstance(parameters, dict) else {}))
    mode, forced = _tool_choice(body.get("tool_choice"), {t.name for t in tools})
    return tuple(tools), mode, forced


def _tool_choice(choice: Any, names: set[str]) -> tuple[ToolMode, str | None]:
    if choice is None or choice == "auto":
        return ToolMode.AUTO, None
    if choice == "none":
        return ToolMode.NONE, None
    if choice == "required":
        return ToolMode.REQUIRED, None
    function = choice.get("function") if isinstance(choice, dict) else None
    name = function.get("name") if isinstance(function, dict) else None
    if not isinstance(name, str):
        raise InvalidRequest(
            "'tool_choice' must be 'none', 'auto', 'required' or "
            "{'type': 'function', 'function': {'name': ...}}",
            "tool_choice",
        )
    if name not in names:
        raise InvalidRequest(f"tool_choice names {name!r}, which is not in 'tools'", "tool_choice")
    return ToolMode.REQUIRED, name


def _response_format(value: Any) -> tuple[bool, JSONObject | None]:
    if value is None:
        return False, None
    kind = value.get("type") if isinstance(value, dict) else None
    if kind == "text":
        return False, None
    if kind == "json_object":
        return True, None
    if kind == "json_schema":
        spec = value.get("json_schema")
        schema = spec.get("schema") if isinstance(spec, dict) else None
        if not isinstance(schema, dict):
            raise InvalidRequest(
                "response_format json_schema needs 'json_schema': {'name': ..., 'schema': {...}}",
                "response_format.json_schema",
            )
        return True, schema
    raise InvalidRequest(
        "response_format.type must be 'text', 'json_object' or 'json_schema'",
        "response_format.type",
    )


def _logprobs(body: JSONObject) -> int | None:
    top = optional_int(body, "top_logprobs", low=0, high=20)
    if not _flag(body, "logprobs"):
        if top is not None:
            raise InvalidRequest("'top_logprobs' requires 'logprobs' to be true", "top_logprobs")
        return None
    return top or 0


def _include_usage(body: JSONObject) -> bool:
    options = body.get("stream_options")
    return isinstance(options, dict) and options.get("include_usage") is True


def _fingerprint(model: str) -> str:
    return "fp_" + hashlib.blake2b(model.encode(), digest_size=5).hexdigest()


def _usage(reply: Reply) -> JSONObject:
    completion = reply.completion_tokens
    return {
        "prompt_tokens": reply.prompt_tokens,
        "completion_tokens": completion,
        "total_tokens": reply.prompt_tokens + completion,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


def _tool_call(completion: Completion) -> JSONObject | None:
    call = completion.tool_call
    if call is None:
        return None
    return {
        "id": f"call_{call.key}",
        "type": "function",
        "function": {"name": call.name, "arguments": call.arguments},
    }


def _choice(reply: Reply, completion: Completion) -> JSONObject:
    message: JSONObject = {"role": "assistant", "content": None, "refusal": None}
    call = _tool_call(completion)
    if call is None:
        message["content"] = completion.text
    else:
        message["tool_calls"] = [call]
    message["annotations"] = []
    top = reply.prompt.logprobs
    return {
        "index": completion.index,
        "message": message,
        "logprobs": None if top is None else _logprobs_of(completion.pieces, top),
        "finish_reason": _FINISH[completion.finish],
    }


def _entry(
    index: int, delta: JSONObject, logprobs: Any = None, finish: str | None = None
) -> JSONObject:
    return {"index": index, "delta": delta, "logprobs": logprobs, "finish_reason": finish}


def _choice_chunks(reply: Reply, completion: Completion) -> list[tuple[JSONObject, bool]]:
    """One choice's chunks (``choices`` entries) and whether each carries a token."""
    index = completion.index
    top = reply.prompt.logprobs
    call = _tool_call(completion)
    chunks: list[tuple[JSONObject, bool]] = []
    if call is None:
        chunks.append((_entry(index, {"role": "assistant", "content": "", "refusal": None}), False))
        for piece in completion.pieces:
            logprobs = None if top is None else _logprobs_of((piece,), top)
            chunks.append((_entry(index, {"content": piece}, logprobs), True))
    else:
        head = {**call, "function": {"name": call["function"]["name"], "arguments": ""}}
        opening = {"role": "assistant", "content": None, "tool_calls": [{"index": 0, **head}]}
        chunks.append((_entry(index, opening), False))
        for piece in _pieces(call["function"]["arguments"]):
            delta = {"tool_calls": [{"index": 0, "function": {"arguments": piece}}]}
            chunks.append((_entry(index, delta), True))
    chunks.append((_entry(index, {}, None, _FINISH[completion.finish]), False))
    return chunks


def _pieces(text: str, size: int = 8) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def _logprobs_of(pieces: tuple[str, ...] | list[str], top: int) -> JSONObject:
    """Made-up but well-formed log probabilities: the chosen token is the most likely one."""
    content = []
    for piece in pieces:
        chosen = -(zlib.crc32(piece.encode()) % 500) / 1000.0
        alternatives = [piece] + [a for a in _ALTERNATIVES if a != piece]
        content.append(
            {
                "token": piece,
                "logprob": chosen,
                "bytes": list(piece.encode()),
                "top_logprobs": [
                    {"token": alt, "logprob": chosen - rank * 1.5, "bytes": list(alt.encode())}
                    for rank, alt in enumerate(alternatives[:top])
                ],
            }
        )
    return {"content": content, "refusal": None}
