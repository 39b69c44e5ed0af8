"""Anthropic Messages ↔ OpenAI chat completions: pure translations, both directions.

Outbound (the ``anthropic`` adapter): :func:`openai_to_anthropic_request` and
:func:`anthropic_to_openai_response`. Inbound (the gateway's ``POST /v1/messages`` front door):
:func:`anthropic_request_to_openai`, :func:`openai_response_to_anthropic` and the stream writer in
:mod:`confiance.providers.anthropic_events` (re-exported here).

What does not translate: ``n`` > 1 (Anthropic answers one candidate: a precise ``UsageError``);
OpenAI ``response_format`` (Anthropic has no JSON switch, so the instruction, with the schema
when one is given, is appended to the system prompt); sampling knobs Anthropic lacks (``seed``,
penalties, ``logprobs``) are dropped. Bad client input raises ``UsageError`` naming the field.
"""

from __future__ import annotations

import time
from typing import Any

import orjson

from confiance.domain.types import JSONObject
from confiance.errors import UsageError
from confiance.providers.anthropic_events import (
    AnthropicStreamWriter,
    anthropic_error,
    anthropic_finish_reason,
    anthropic_stop_reason,
    anthropic_usage_to_openai,
    tool_input,
)

__all__ = [
    "DEFAULT_MAX_TOKENS",
    "AnthropicStreamWriter",
    "anthropic_error",
    "anthropic_request_to_openai",
    "anthropic_to_openai_response",
    "openai_response_to_anthropic",
    "openai_to_anthropic_request",
]

DEFAULT_MAX_TOKENS = 4096
"""``max_tokens`` sent to Anthropic when the OpenAI body has none (Anthropic requires one)."""

_JSON_INSTRUCTION = "Answer with one valid JSON object and nothing else: no prose, no code fence."


# --- OpenAI request → Anthropic request (the adapter) -------------------------------------------


def openai_to_anthropic_request(body: JSONObject, model: str) -> JSONObject:
    """The Anthropic Messages body for an OpenAI chat-completions ``body`` (``stream`` not set)."""
    if isinstance(body.get("n"), int) and body["n"] > 1:
        raise UsageError(f"n={body['n']}: Anthropic models answer one choice; use n=1")
    system, messages = _split_messages(body.get("messages"))
    request: JSONObject = {"model": model, "messages": messages}
    max_tokens = body.get("max_completion_tokens") or body.get("max_tokens")
    request["max_tokens"] = max_tokens if max_tokens else DEFAULT_MAX_TOKENS
    instruction = _format_instruction(body.get("response_format"))
    if instruction:
        system.append(instruction)
    if system:
        request["system"] = "\n\n".join(system)
    for key in ("temperature", "top_p", "top_k"):
        if body.get(key) is not None:
            request[key] = body[key]
    stop = body.get("stop")
    if stop:
        request["stop_sequences"] = [stop] if isinstance(stop, str) else list(stop)
    if isinstance(body.get("user"), str):
        request["metadata"] = {"user_id": body["user"]}
    tools = body.get("tools")
    if tools:
        request["tools"] = [_tool_to_anthropic(tool, i) for i, tool in enumerate(tools)]
    choice = _tool_choice_to_anthropic(body.get("tool_choice"), body.get("parallel_tool_calls"))
    if choice is not None and tools:
        request["tool_choice"] = choice
    return request


def _split_messages(messages: object) -> tuple[list[str], list[JSONObject]]:
    if not isinstance(messages, list) or not messages:
        raise UsageError("messages must be a non-empty list of message objects")
    system: list[str] = []
    out: list[JSONObject] = []
    for i, message in enumerate(messages):
        where = f"messages[{i}]"
        if not isinstance(message, dict):
            raise UsageError(f"{where} must be an object with a role")
        role = message.get("role")
        if role in ("system", "developer"):
            system.append(_plain_text(message.get("content"), f"{where}.content"))
        elif role == "user":
            _append(out, "user", _user_blocks(message.get("content"), f"{where}.content"))
        elif role == "assistant":
            _append(out, "assistant", _assistant_blocks(message, where))
        elif role == "tool":
            _append(out, "user", [_tool_result(message, where)])
        else:
            raise UsageError(
                f"{where}.role is {role!r}; use system, developer, user, assistant or tool"
            )
    return system, out


def _append(out: list[JSONObject], role: str, blocks: list[JSONObject]) -> None:
    # Anthropic wants turns to alternate; consecutive same-role messages (several tool results,
    # a tool result then the user's text) become one turn.
    if out and out[-1]["role"] == role:
        out[-1]["content"].extend(blocks)
    else:
        out.append({"role": role, "content": blocks})


def _plain_text(content: object, where: str) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = []
        for j, part in enumerate(content):
            if not isinstance(part, dict) or part.get("type") != "text":
                raise UsageError(f"{where}[{j}] must be a text part here")
            texts.append(str(part.get("text", "")))
        return "\n".join(texts)
    if content is None:
        return ""
    raise UsageError(f"{where} must be a string or a list of content parts")


def _user_blocks(content: object, where: str) -> list[JSONObject]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    if not isinstance(content, list):
        raise UsageError(f"{where} must be a string or a list of content parts")
    blocks = []
    for j, part in enumerate(content):
        kind = part.get("type") if isinstance(part, dict) else None
        if kind == "text":
            blocks.append({"type": "text", "text": str(part.get("text", ""))})
        elif kind == "image_url":
            blocks.append(_image_block(part.get("image_url"), f"{where}[{j}].image_url"))
        else:
            raise UsageError(f"{where}[{j}]: part type {kind!r} is not supported for Anthropic")
    return blocks


def _image_block(image: object, where: str) -> JSONObject:
    url = image.get("url") if isinstance(image, dict) else image
    if not isinstance(url, str) or not url:
        raise UsageError(f"{where}.url must be an http(s) URL or a data: URL")
    if url.startswith("data:"):
        header, sep, data = url[5:].partition(",")
        media_type, _, encoding = header.partition(";")
        if not sep or encoding != "base64" or not media_type:
            raise UsageError(f"{where}.url: data URLs must look like data:image/png;base64,...")
        return {
            "type": "image",
            "source": {"type": "base64", "media_type": media_type, "data": data},
        }
    return {"type": "image", "source": {"type": "url", "url": url}}


def _assistant_blocks(message: JSONObject, where: str) -> list[JSONObject]:
    blocks: list[JSONObject] = []
    content = message.get("content")
    if isinstance(content, list):
        content = "".join(
            str(p.get("text") or p.get("refusal") or "") for p in content if isinstance(p, dict)
        )
    if isinstance(content, str) and content:
        blocks.append({"type": "text", "text": content})
    calls = message.get("tool_calls") or []
    if not isinstance(calls, list):
        raise UsageError(f"{where}.tool_calls must be a list")
    for j, call in enumerate(calls):
        blocks.append(_tool_use_block(call, f"{where}.tool_calls[{j}]"))
    if not blocks:
        blocks.append({"type": "text", "text": ""})
    return blocks


def _tool_use_block(call: object, where: str) -> JSONObject:
    function = call.get("function") if isinstance(call, dict) else None
    if not isinstance(call, dict) or not isinstance(function, dict):
        raise UsageError(f"{where} must be an object with id and function")
    arguments = function.get("arguments") or "{}"
    try:
        parsed = orjson.loads(arguments) if isinstance(arguments, str) else arguments
    except orjson.JSONDecodeError:
        raise UsageError(f"{where}.function.arguments is not valid JSON") from None
    if not isinstance(parsed, dict):
        raise UsageError(f"{where}.function.arguments must encode a JSON object")
    return {
        "type": "tool_use",
        "id": str(call.get("id") or ""),
        "name": str(function.get("name") or ""),
        "input": parsed,
    }


def _tool_result(message: JSONObject, where: str) -> JSONObject:
    call_id = message.get("tool_call_id")
    if not isinstance(call_id, str) or not call_id:
        raise UsageError(f"{where}.tool_call_id is required for a tool message")
    text = _plain_text(message.get("content"), f"{where}.content")
    return {"type": "tool_result", "tool_use_id": call_id, "content": text}


def _tool_to_anthropic(tool: object, i: int) -> JSONObject:
    function = tool.get("function") if isinstance(tool, dict) else None
    if not isinstance(tool, dict) or tool.get("type", "function") != "function":
        raise UsageError(f"tools[{i}] must be a function tool ({{'type': 'function', ...}})")
    if not isinstance(function, dict) or not isinstance(function.get("name"), str):
        raise UsageError(f"tools[{i}].function.name is required")
    schema = function.get("parameters") or {"type": "object", "properties": {}}
    out: JSONObject = {"name": function["name"], "input_schema": schema}
    if function.get("description"):
        out["description"] = function["description"]
    return out


def _tool_choice_to_anthropic(choice: object, parallel: object) -> JSONObject | None:
    out: JSONObject | None
    if choice is None:
        out = {"type": "auto"} if parallel is False else None
    elif choice in ("auto", "none"):
        out = {"type": choice}
    elif choice == "required":
        out = {"type": "any"}
    elif isinstance(choice, dict) and isinstance(choice.get("function"), dict):
        out = {"type": "tool", "name": choice["function"].get("name")}
    else:
        raise UsageError(f"tool_choice {choice!r}: use auto, none, required or a function")
    if out is not None and parallel is False and out["type"] != "none":
        out["disable_parallel_tool_use"] = True
    return out


def _format_instruction(response_format: object) -> str | None:
    if not isinstance(response_format, dict):
        return None
    kind = response_format.get("type")
    if kind == "json_object":
        return _JSON_INSTRUCTION
    if kind == "json_schema":
        spec = response_format.get("json_schema") or {}
        schema = spec.get("schema") if isinstance(spec, dict) else None
        if schema is None:
            return _JSON_INSTRUCTION
        return (
            f"{_JSON_INSTRUCTION} It must match this JSON schema: {orjson.dumps(schema).decode()}"
        )
    return None


# --- Anthropic response → OpenAI response (the adapter) -----------------------------------------


def anthropic_to_openai_response(message: JSONObject, created: int | None = None) -> JSONObject:
    """The OpenAI ``chat.completion`` for an Anthropic message. Raises ``ValueError`` when the
    message lacks its ``content`` list (the adapter reports a protocol error)."""
    content = message.get("content")
    if not isinstance(content, list):
        raise ValueError("the message has no 'content' list")
    texts: list[str] = []
    calls: list[JSONObject] = []
    for block in content:
        kind = block.get("type") if isinstance(block, dict) else None
        if kind == "text":
            texts.append(str(block.get("text", "")))
        elif kind == "tool_use":
            calls.append(_tool_call(block, len(calls)))
        # thinking and server-tool blocks have no place in an OpenAI message
    reply: JSONObject = {"role": "assistant", "content": "".join(texts) if texts else None}
    if calls:
        reply["tool_calls"] = calls
    return {
        "id": message.get("id") or "msg",
        "object": "chat.completion",
        "created": created if created is not None else int(time.time()),
        "model": message.get("model"),
        "choices": [
            {
                "index": 0,
                "message": reply,
                "logprobs": None,
                "finish_reason": anthropic_finish_reason(message.get("stop_reason")),
            }
        ],
        "usage": anthropic_usage_to_openai(message.get("usage")),
    }


def _tool_call(block: JSONObject, index: int) -> JSONObject:
    arguments = orjson.dumps(block.get("input") or {}).decode()
    return {
        "id": block.get("id") or f"call_{index}",
        "type": "function",
        "function": {"name": block.get("name", ""), "arguments": arguments},
    }


# --- Anthropic request → OpenAI request (the front door) ----------------------------------------


def anthropic_request_to_openai(body: JSONObject) -> JSONObject:
    """The OpenAI chat-completions body for an Anthropic Messages ``body`` sent by a client."""
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise UsageError("model is required: the route (or provider/model) to call")
    raw = body.get("messages")
    if not isinstance(raw, list) or not raw:
        raise UsageError("messages must be a non-empty list of {role, content} objects")
    messages: list[JSONObject] = []
    system = body.get("system")
    if system:
        messages.append({"role": "system", "content": _system_text(system)})
    for i, message in enumerate(raw):
        messages.extend(_message_to_openai(message, f"messages[{i}]"))
    out: JSONObject = {"model": model, "messages": messages}
    if body.get("max_tokens") is not None:
        out["max_tokens"] = body["max_tokens"]
    for key in ("temperature", "top_p", "stream"):
        if body.get(key) is not None:
            out[key] = body[key]
    if body.get("stop_sequences"):
        out["stop"] = list(body["stop_sequences"])
    metadata = body.get("metadata")
    if isinstance(metadata, dict) and isinstance(metadata.get("user_id"), str):
        out["user"] = metadata["user_id"]
    if body.get("tools"):
        out["tools"] = [_tool_to_openai(tool, i) for i, tool in enumerate(body["tools"])]
    if body.get("tool_choice") is not None:
        out.update(_tool_choice_to_openai(body["tool_choice"]))
    return out


def _system_text(system: object) -> str:
    if isinstance(system, str):
        return system
    if isinstance(system, list):
        return "\n\n".join(
            str(b.get("text", ""))
            for b in system
            if isinstance(b, dict) and b.get("type") == "text"
        )
    raise UsageError("system must be a string or a list of text blocks")


def _message_to_openai(message: object, where: str) -> list[JSONObject]:
    if not isinstance(message, dict) or message.get("role") not in ("user", "assistant"):
        raise UsageError(f"{where} must be an object whose role is user or assistant")
    role = message["role"]
    content = message.get("content")
    if isinstance(content, str):
        return [{"role": role, "content": content}]
    if not isinstance(content, list):
        raise UsageError(f"{where}.content must be a string or a list of content blocks")
    if role == "assistant":
        return [_assistant_to_openai(content, where)]
    tool_messages: list[JSONObject] = []
    parts: list[JSONObject] = []
    for j, block in enumerate(content):
        kind = block.get("type") if isinstance(block, dict) else None
        if kind == "tool_result":
            tool_messages.append(_tool_result_to_openai(block, f"{where}.content[{j}]"))
        elif kind == "text":
            parts.append({"type": "text", "text": str(block.get("text", ""))})
        elif kind == "image":
            parts.append(_image_part(block.get("source"), f"{where}.content[{j}].source"))
        else:
            raise UsageError(f"{where}.content[{j}]: block type {kind!r} is not supported here")
    if parts:
        simple = len(parts) == 1 and parts[0]["type"] == "text"
        tool_messages.append({"role": "user", "content": parts[0]["text"] if simple else parts})
    return tool_messages


def _assistant_to_openai(content: list[Any], where: str) -> JSONObject:
    texts: list[str] = []
    calls: list[JSONObject] = []
    for j, block in enumerate(content):
        kind = block.get("type") if isinstance(block, dict) else None
        if kind == "text":
            texts.append(str(block.get("text", "")))
        elif kind == "tool_use":
            calls.append(_tool_call(block, len(calls)))
        elif kind not in ("thinking", "redacted_thinking"):
            raise UsageError(f"{where}.content[{j}]: block type {kind!r} is not supported here")
    out: JSONObject = {"role": "assistant", "content": "".join(texts) if texts else None}
    if calls:
        out["tool_calls"] = calls
    return out


def _tool_result_to_openai(block: JSONObject, where: str) -> JSONObject:
    call_id = block.get("tool_use_id")
    if not isinstance(call_id, str) or not call_id:
        raise UsageError(f"{where}.tool_use_id is required")
    content = block.get("content", "")
    if isinstance(content, list):
        content = "\n".join(
            str(b.get("text", ""))
            for b in content
            if isinstance(b, dict) and b.get("type") == "text"
        )
    text = str(content)
    if block.get("is_error"):
        text = f"Error: {text}"
    return {"role": "tool", "tool_call_id": call_id, "content": text}


def _image_part(source: object, where: str) -> JSONObject:
    if isinstance(source, dict) and source.get("type") == "base64":
        url = f"data:{source.get('media_type')};base64,{source.get('data', '')}"
    elif isinstance(source, dict) and source.get("type") == "url":
        url = str(source.get("url", ""))
    else:
        raise UsageError(f"{where} must be a base64 or url image source")
    return {"type": "image_url", "image_url": {"url": url}}


def _tool_to_openai(tool: object, i: int) -> JSONObject:
    if not isinstance(tool, dict) or not isinstance(tool.get("name"), str):
        raise UsageError(f"tools[{i}] must be an object with a name and an input_schema")
    if tool.get("type") not in (None, "custom"):
        raise UsageError(f"tools[{i}]: server tool {tool['type']!r} is not supported here")
    function: JSONObject = {
        "name": tool["name"],
        "parameters": tool.get("input_schema") or {"type": "object", "properties": {}},
    }
    if tool.get("description"):
        function["description"] = tool["description"]
    return {"type": "function", "function": function}


def _tool_choice_to_openai(choice: object) -> JSONObject:
    kind = choice.get("type") if isinstance(choice, dict) else None
    mapped: object
    if kind in ("auto", "none"):
        mapped = kind
    elif kind == "any":
        mapped = "required"
    elif kind == "tool" and isinstance(choice, dict) and isinstance(choice.get("name"), str):
        mapped = {"type": "function", "function": {"name": choice["name"]}}
    else:
        raise UsageError("tool_choice.type must be auto, any, none, or tool (with a name)")
    out: JSONObject = {"tool_choice": mapped}
    if isinstance(choice, dict) and choice.get("disable_parallel_tool_use"):
        out["parallel_tool_calls"] = False
    return out


# --- OpenAI response → Anthropic response (the front door) --------------------------------------


def openai_response_to_anthropic(completion: JSONObject, model: str) -> JSONObject:
    """The Anthropic message for an OpenAI ``chat.completion``; ``model`` is the name the client
    asked for. Tool-call arguments that are not a JSON object are kept as a string under
    ``_raw_arguments`` (Anthropic's ``input`` must be an object)."""
    choices = completion.get("choices") or [{}]
    choice = choices[0] if isinstance(choices[0], dict) else {}
    message = choice.get("message") or {}
    content: list[JSONObject] = []
    text = message.get("content")
    if isinstance(text, str) and text:
        content.append({"type": "text", "text": text})
    for call in message.get("tool_calls") or []:
        function = call.get("function") or {}
        content.append(
            {
                "type": "tool_use",
                "id": call.get("id") or f"toolu_{len(content)}",
                "name": function.get("name", ""),
                "input": tool_input(function.get("arguments")),
            }
        )
    usage = completion.get("usage") or {}
    return {
        "id": _message_id(completion.get("id")),
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": anthropic_stop_reason(choice.get("finish_reason")),
        "stop_sequence": None,
        "usage": {
            "input_tokens": int(usage.get("prompt_tokens") or 0),
            "output_tokens": int(usage.get("completion_tokens") or 0),
        },
    }


def _message_id(completion_id: object) -> str:
    text = str(completion_id or "")
    return text if text.startswith("msg_") else f"msg_{text or int(time.time() * 1000)}"
