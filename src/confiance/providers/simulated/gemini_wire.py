"""The Gemini wire format: ``POST /v1beta/models/{model}:generateContent`` and
``:streamGenerateContent`` (server-sent events with ``?alt=sse``, else one JSON array sent piece
by piece). Also served under ``/v1/models/...``.

``contents`` / ``parts``, ``systemInstruction``, ``generationConfig`` (``maxOutputTokens``,
``stopSequences``, ``candidateCount``, ``seed``, ``responseMimeType: application/json`` with
``responseSchema`` or ``responseJsonSchema``), ``tools[].functionDeclarations`` with
``toolConfig.functionCallingConfig`` → ``functionCall`` parts, and ``usageMetadata``. Keys are
accepted in camelCase and snake_case, as the REST API does.
"""

from __future__ import annotations

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
    stop_list,
    text_of,
)
from confiance.providers.simulated.reply import Completion, Finish, Reply
from confiance.providers.simulated.transport import Frame
from confiance.providers.simulated.vendor_errors import Vendor

__all__ = ["GeminiGenerate", "split_target"]

_METHODS = frozenset({"generateContent", "streamGenerateContent"})


def split_target(target: str) -> tuple[str, str]:
    """``"gemini-2.0-flash:generateContent"`` → model and method; ``InvalidRequest`` else."""
    model, _, method = target.rpartition(":")
    if not model or method not in _METHODS:
        raise InvalidRequest(
            f"unknown method in {target!r}: use models/MODEL:generateContent or "
            "models/MODEL:streamGenerateContent",
            "model",
        )
    return model, method


def _get(body: JSONObject, camel: str) -> Any:
    if camel in body:
        return body[camel]
    snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in camel)
    return body.get(snake)


class GeminiGenerate:
    """Codec for ``models/{model}:generateContent`` and ``:streamGenerateContent``."""

    vendor = Vendor.GEMINI
    endpoint = "gemini.generate"

    def parse(self, body: JSONObject, request: web.Request) -> Prompt:
        model, method = split_target(request.match_info["target"])
        config = _get(body, "generationConfig") or {}
        if not isinstance(config, dict):
            raise InvalidRequest("generationConfig must be an object", "generationConfig")
        tools, mode, forced = _tools(body)
        json_mode = _get(config, "responseMimeType") == "application/json"
        schema = _get(config, "responseJsonSchema") or _get(config, "responseSchema")
        return Prompt(
            model=model,
            turns=_turns(_get(body, "contents")),
            system=text_of(_parts(_get(body, "systemInstruction"))),
            tools=tools,
            tool_mode=mode,
            forced_tool=forced,
            json_mode=json_mode,
            json_schema=schema if json_mode and isinstance(schema, dict) else None,
            max_tokens=_int(config, "maxOutputTokens", 1),
            stop=stop_list(_get(config, "stopSequences"), "stopSequences", 5),
            n=_int(config, "candidateCount", 1) or 1,
            seed=_int(config, "seed", -(2**31)),
            stream=method == "streamGenerateContent",
        )

    def render(self, reply: Reply) -> JSONObject:
        return {
            "candidates": [_candidate(c, _parts_of(c), finished=True) for c in reply.completions],
            "usageMetadata": _usage(reply, reply.completion_tokens),
            "modelVersion": reply.model,
            "responseId": reply.uid,
        }

    def frames(self, reply: Reply, request: web.Request) -> list[Frame]:
        chunks: list[tuple[JSONObject, bool]] = []
        for completion in reply.completions:
            for part in _streamed_parts(completion):
                chunk = _chunk(reply, [_candidate(completion, [part], finished=False)], 0)
                chunks.append((chunk, True))
        last = [_candidate(c, [], finished=True) for c in reply.completions]
        chunks.append((_chunk(reply, last, reply.completion_tokens), False))
        if request.query.get("alt") == "sse":
            return [Frame(b"data: " + orjson.dumps(c) + b"\r\n\r\n", t) for c, t in chunks]
        frames = [
            Frame((b"," if i else b"[") + orjson.dumps(c) + b"\r\n", t)
            for i, (c, t) in enumerate(chunks)
        ]
        frames.append(Frame(b"]"))
        return frames

    def stream_content_type(self, request: web.Request) -> str:
        return "text/event-stream" if request.query.get("alt") == "sse" else "application/json"


def _chunk(reply: Reply, candidates: list[JSONObject], completion_tokens: int) -> JSONObject:
    return {
        "candidates": candidates,
        "usageMetadata": _usage(reply, completion_tokens),
        "modelVersion": reply.model,
        "responseId": reply.uid,
    }


def _usage(reply: Reply, completion_tokens: int) -> JSONObject:
    usage: JSONObject = {"promptTokenCount": reply.prompt_tokens}
    if completion_tokens:
        usage["candidatesTokenCount"] = completion_tokens
    usage["totalTokenCount"] = reply.prompt_tokens + completion_tokens
    return usage


def _parts_of(completion: Completion) -> list[JSONObject]:
    call = completion.tool_call
    if call is None:
        return [{"text": completion.text}]
    try:
        arguments: Any = orjson.loads(call.arguments)
    except orjson.JSONDecodeError:
        arguments = call.arguments  # broken on purpose: the raw text goes
    return [{"functionCall": {"name": call.name, "args": arguments}}]


def _streamed_parts(completion: Completion) -> list[JSONObject]:
    if completion.tool_call is not None:
        return _parts_of(completion)
    return [{"text": piece} for piece in completion.pieces]


def _candidate(completion: Completion, parts: list[JSONObject], *, finished: bool) -> JSONObject:
    candidate: JSONObject = {
        "content": {"parts": parts, "role": "model"},
        "index": completion.index,
    }
    if finished:
        candidate["finishReason"] = "MAX_TOKENS" if completion.finish is Finish.LENGTH else "STOP"
    return candidate


def _int(config: JSONObject, name: str, low: int) -> int | None:
    value = _get(config, name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise InvalidRequest(f"generationConfig.{name} must be an integer >= {low}", name)
    return value


def _parts(content: Any) -> list[Any]:
    if isinstance(content, str):
        return [content]
    if isinstance(content, dict) and isinstance(content.get("parts"), list):
        return list(content["parts"])
    return []


def _turns(contents: Any) -> tuple[Turn, ...]:
    if isinstance(contents, dict):
        contents = [contents]
    if not isinstance(contents, list) or not contents:
        raise InvalidRequest("contents is not specified", "contents")
    turns = []
    for index, content in enumerate(contents):
        if not isinstance(content, dict) or not isinstance(content.get("parts"), list):
            raise InvalidRequest(f"contents[{index}].parts must be a list", f"contents[{index}]")
        parts = content["parts"]
        role = {"model": "assistant", "function": "tool"}.get(content.get("role") or "user", "user")
        responses = [p for p in parts if isinstance(p, dict) and _get(p, "functionResponse")]
        if responses and len(responses) == len(parts):
            role = "tool"
            text = orjson.dumps([_get(p, "functionResponse") for p in responses]).decode()
        else:
            text = text_of(parts)
        turns.append(Turn(role, text))
    return tuple(turns)


def _tools(body: JSONObject) -> tuple[tuple[ToolSpec, ...], ToolMode, str | None]:
    tools: list[ToolSpec] = []
    for group in _get(body, "tools") or []:
        declarations = _get(group, "functionDeclarations") if isinstance(group, dict) else None
        for declaration in declarations or []:
            name = declaration.get("name") if isinstance(declaration, dict) else None
            if not isinstance(name, str) or not name:
                raise InvalidRequest("functionDeclarations[].name is required", "tools")
            schema = _get(declaration, "parametersJsonSchema") or _get(declaration, "parameters")
            tools.append(ToolSpec(name, schema if isinstance(schema, dict) else {}))
    config = _get(_get(body, "toolConfig") or {}, "functionCallingConfig") or {}
    mode = str(config.get("mode", "AUTO")).upper()
    allowed = _get(config, "allowedFunctionNames") or []
    if mode == "NONE":
        return tuple(tools), ToolMode.NONE, None
    if mode in ("ANY", "VALIDATED"):
        forced = allowed[0] if len(allowed) == 1 else None
        return tuple(tools), ToolMode.REQUIRED, forced
    return tuple(tools), ToolMode.AUTO, None
