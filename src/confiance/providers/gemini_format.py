"""Gemini ``generateContent`` ↔ OpenAI chat completions: pure translations for the adapter.

OpenAI messages become ``contents`` of ``parts`` (system messages → ``systemInstruction``,
assistant → role ``model``, tool calls → ``functionCall``, tool messages → ``functionResponse``
named after the call they answer); sampling parameters become ``generationConfig``; function tools
become ``functionDeclarations`` with their JSON Schema (``parametersJsonSchema``). Answers and
stream events come back as OpenAI completions and chunks. A function call's ``thoughtSignature``
(which thinking models require back in the next turn) rides in the OpenAI tool call id. Bad client
input raises ``UsageError`` naming the field.
"""

from __future__ import annotations

import mimetypes
import time
import uuid

import orjson

from confiance.domain.types import JSONObject
from confiance.errors import UsageError
from confiance.providers.sse import SSEEvent, SSEFormatError, VendorStreamError

__all__ = [
    "GeminiChunkTranslator",
    "gemini_finish_reason",
    "gemini_to_openai_response",
    "gemini_usage_to_openai",
    "openai_to_gemini_request",
]

_FINISH_REASONS = {
    "STOP": "stop",
    "MAX_TOKENS": "length",
    "SAFETY": "content_filter",
    "RECITATION": "content_filter",
    "BLOCKLIST": "content_filter",
    "PROHIBITED_CONTENT": "content_filter",
    "SPII": "content_filter",
    "IMAGE_SAFETY": "content_filter",
}
_CONFIG_KEYS = {
    "temperature": "temperature",
    "top_p": "topP",
    "top_k": "topK",
    "n": "candidateCount",
    "seed": "seed",
    "presence_penalty": "presencePenalty",
    "frequency_penalty": "frequencyPenalty",
    "logprobs": "responseLogprobs",
    "top_logprobs": "logprobs",
}
_CHOICE_MODES = {"auto": "AUTO", "none": "NONE", "required": "ANY"}
_SIGNATURE_MARK = "~sig~"
"""Separates a tool call id from the Gemini thought signature carried inside it."""


# --- OpenAI request → Gemini request ------------------------------------------------------------


def openai_to_gemini_request(body: JSONObject) -> JSONObject:
    """The ``generateContent`` body for an OpenAI chat-completions ``body``."""
    system, contents = _contents(body.get("messages"))
    request: JSONObject = {"contents": contents}
    if system:
        request["systemInstruction"] = {"parts": [{"text": "\n\n".join(system)}]}
    config = _generation_config(body)
    if config:
        request["generationConfig"] = config
    tools = body.get("tools")
    if tools:
        declarations = [_declaration(tool, i) for i, tool in enumerate(tools)]
        request["tools"] = [{"functionDeclarations": declarations}]
        choice = body.get("tool_choice")
        if choice is not None:
            request["toolConfig"] = {"functionCallingConfig": _calling_config(choice)}
    return request


def _contents(messages: object) -> tuple[list[str], list[JSONObject]]:
    if not isinstance(messages, list) or not messages:
        raise UsageError("messages must be a non-empty list of message objects")
    system: list[str] = []
    contents: list[JSONObject] = []
    call_names: dict[str, str] = {}  # tool_call_id → function name, for functionResponse
    for i, message in enumerate(messages):
        where = f"messages[{i}]"
        if not isinstance(message, dict):
            raise UsageError(f"{where} must be an object with a role")
        role = message.get("role")
        if role in ("system", "developer"):
            system.append(_text(message.get("content"), f"{where}.content"))
        elif role == "user":
            _append(contents, "user", _user_parts(message.get("content"), f"{where}.content"))
        elif role == "assistant":
            _append(contents, "model", _model_parts(message, where, call_names))
        elif role == "tool":
            _append(contents, "user", [_function_response(message, where, call_names)])
        else:
            raise UsageError(
                f"{where}.role is {role!r}; use system, developer, user, assistant or tool"
            )
    return system, contents


def _append(contents: list[JSONObject], role: str, parts: list[JSONObject]) -> None:
    # Gemini wants turns to alternate: merge consecutive same-role messages into one turn.
    if contents and contents[-1]["role"] == role:
        contents[-1]["parts"].extend(parts)
    else:
        contents.append({"role": role, "parts": parts})


def _text(content: object, where: str) -> str:
    if isinstance(content, str):
        return content
    if content is None:
        return ""
    if isinstance(content, list):
        texts = []
        for j, part in enumerate(content):
            if not isinstance(part, dict) or part.get("type") not in ("text", "refusal"):
                raise UsageError(f"{where}[{j}] must be a text part here")
            texts.append(str(part.get("text") or part.get("refusal") or ""))
        return "".join(texts)
    raise UsageError(f"{where} must be a string or a list of content parts")


def _user_parts(content: object, where: str) -> list[JSONObject]:
    if isinstance(content, str):
        return [{"text": content}]
    if not isinstance(content, list):
        raise UsageError(f"{where} must be a string or a list of content parts")
    parts = []
    for j, part in enumerate(content):
        kind = part.get("type") if isinstance(part, dict) else None
        if kind == "text":
            parts.append({"text": str(part.get("text", ""))})
        elif kind == "image_url":
            parts.append(_image_part(part.get("image_url"), f"{where}[{j}].image_url"))
        else:
            raise UsageError(f"{where}[{j}]: part type {kind!r} is not supported for Gemini")
    return parts


def _image_part(image: object, where: str) -> JSONObject:
    url = image.get("url") if isinstance(image, dict) else image
    if not isinstance(url, str) or not url:
        raise UsageError(f"{where}.url must be an http(s) URL or a data: URL")
    if url.startswith("data:"):
        header, sep, data = url[5:].partition(",")
        mime, _, encoding = header.partition(";")
        if not sep or encoding != "base64" or not mime:
            raise UsageError(f"{where}.url: data URLs must look like data:image/png;base64,...")
        return {"inlineData": {"mimeType": mime, "data": data}}
    mime = mimetypes.guess_type(url.split("?", 1)[0])[0] or "image/jpeg"
    return {"fileData": {"mimeType": mime, "fileUri": url}}


def _model_parts(message: JSONObject, where: str, call_names: dict[str, str]) -> list[JSONObject]:
    parts: list[JSONObject] = []
    text = _text(message.get("content"), f"{where}.content")
    if text:
        parts.append({"text": text})
    for j, call in enumerate(message.get("tool_calls") or []):
        at = f"{where}.tool_calls[{j}]"
        function = call.get("function") if isinstance(call, dict) else None
        if not isinstance(call, dict) or not isinstance(function, dict):
            raise UsageError(f"{at} must be an object with id and function")
        name = str(function.get("name") or "")
        call_id = str(call.get("id"))
        call_names[call_id] = name
        part: JSONObject = {"functionCall": {"name": name, "args": _arguments(function, at)}}
        _, marker, signature = call_id.partition(_SIGNATURE_MARK)
        if marker and signature:
            part["thoughtSignature"] = signature
        parts.append(part)
    return parts or [{"text": ""}]


def _arguments(function: JSONObject, where: str) -> JSONObject:
    raw = function.get("arguments") or "{}"
    try:
        args = orjson.loads(raw) if isinstance(raw, str) else raw
    except orjson.JSONDecodeError:
        raise UsageError(f"{where}.function.arguments is not valid JSON") from None
    if not isinstance(args, dict):
        raise UsageError(f"{where}.function.arguments must encode a JSON object")
    return args


def _function_response(message: JSONObject, where: str, call_names: dict[str, str]) -> JSONObject:
    call_id = message.get("tool_call_id")
    name = call_names.get(str(call_id)) or message.get("name")
    if not isinstance(name, str) or not name:
        raise UsageError(
            f"{where}.tool_call_id {call_id!r} matches no earlier assistant tool call: Gemini "
            "needs the function's name to return its result"
        )
    text = _text(message.get("content"), f"{where}.content")
    try:
        parsed = orjson.loads(text)
    except orjson.JSONDecodeError:
        parsed = None
    response = parsed if isinstance(parsed, dict) else {"content": text}
    return {"functionResponse": {"name": name, "response": response}}


def _generation_config(body: JSONObject) -> JSONObject:
    config: JSONObject = {}
    for key, gemini_key in _CONFIG_KEYS.items():
        if body.get(key) is not None:
            config[gemini_key] = body[key]
    max_tokens = body.get("max_completion_tokens") or body.get("max_tokens")
    if max_tokens:
        config["maxOutputTokens"] = max_tokens
    stop = body.get("stop")
    if stop:
        config["stopSequences"] = [stop] if isinstance(stop, str) else list(stop)
    response_format = body.get("response_format")
    if isinstance(response_format, dict):
        kind = response_format.get("type")
        if kind in ("json_object", "json_schema"):
            config["responseMimeType"] = "application/json"
        spec = response_format.get("json_schema")
        if kind == "json_schema" and isinstance(spec, dict) and spec.get("schema") is not None:
            config["responseJsonSchema"] = spec["schema"]
    return config


def _declaration(tool: object, i: int) -> JSONObject:
    function = tool.get("function") if isinstance(tool, dict) else None
    if not isinstance(tool, dict) or tool.get("type", "function") != "function":
        raise UsageError(f"tools[{i}] must be a function tool ({{'type': 'function', ...}})")
    if not isinstance(function, dict) or not isinstance(function.get("name"), str):
        raise UsageError(f"tools[{i}].function.name is required")
    out: JSONObject = {"name": function["name"]}
    if function.get("description"):
        out["description"] = function["description"]
    if function.get("parameters"):
        out["parametersJsonSchema"] = function["parameters"]
    return out


def _calling_config(choice: object) -> JSONObject:
    if isinstance(choice, str) and choice in _CHOICE_MODES:
        return {"mode": _CHOICE_MODES[choice]}
    function = choice.get("function") if isinstance(choice, dict) else None
    if isinstance(function, dict) and isinstance(function.get("name"), str):
        return {"mode": "ANY", "allowedFunctionNames": [function["name"]]}
    raise UsageError(f"tool_choice {choice!r}: use auto, none, required or a function")


# --- Gemini answer → OpenAI answer --------------------------------------------------------------


def gemini_finish_reason(reason: object, has_calls: bool) -> str:
    """OpenAI ``finish_reason`` for a Gemini ``finishReason``."""
    mapped = _FINISH_REASONS.get(str(reason), "stop")
    return "tool_calls" if has_calls and mapped == "stop" else mapped


def gemini_usage_to_openai(meta: object) -> JSONObject:
    """OpenAI ``usage`` for Gemini ``usageMetadata`` (thinking tokens count as completion)."""
    meta = meta if isinstance(meta, dict) else {}
    prompt = _int(meta.get("promptTokenCount"))
    completion = _int(meta.get("candidatesTokenCount")) + _int(meta.get("thoughtsTokenCount"))
    usage: JSONObject = {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }
    cached = _int(meta.get("cachedContentTokenCount"))
    if cached:
        usage["prompt_tokens_details"] = {"cached_tokens": cached}
    return usage


def gemini_to_openai_response(
    answer: JSONObject, model: str, created: int | None = None
) -> JSONObject:
    """The OpenAI ``chat.completion`` for a ``generateContent`` answer. Raises ``ValueError``
    when the answer has neither candidates nor a prompt block reason."""
    choices = [_choice(candidate, i) for i, candidate in enumerate(_candidates(answer))]
    return {
        "id": answer.get("responseId") or f"gemini-{uuid.uuid4().hex}",
        "object": "chat.completion",
        "created": created if created is not None else int(time.time()),
        "model": answer.get("modelVersion") or model,
        "choices": choices,
        "usage": gemini_usage_to_openai(answer.get("usageMetadata")),
    }


def _candidates(answer: JSONObject) -> list[JSONObject]:
    candidates = answer.get("candidates")
    if isinstance(candidates, list) and candidates:
        return [c if isinstance(c, dict) else {} for c in candidates]
    feedback = answer.get("promptFeedback")
    if isinstance(feedback, dict) and feedback.get("blockReason"):
        # The prompt itself was blocked: an empty, filtered answer, as OpenAI reports it.
        return [{"finishReason": "SAFETY", "content": {"parts": []}}]
    raise ValueError("the answer has no candidates and no promptFeedback.blockReason")


def _choice(candidate: JSONObject, position: int) -> JSONObject:
    text, calls = _read_parts(candidate)
    message: JSONObject = {"role": "assistant", "content": text if text or not calls else None}
    if calls:
        message["tool_calls"] = calls
    return {
        "index": _int(candidate.get("index", position)),
        "message": message,
        "logprobs": None,
        "finish_reason": gemini_finish_reason(candidate.get("finishReason"), bool(calls)),
    }


def _read_parts(candidate: JSONObject) -> tuple[str, list[JSONObject]]:
    content = candidate.get("content")
    parts = content.get("parts") if isinstance(content, dict) else None
    texts: list[str] = []
    calls: list[JSONObject] = []
    for part in parts if isinstance(parts, list) else ():
        if not isinstance(part, dict) or part.get("thought"):
            continue  # thought summaries are not the answer
        if isinstance(part.get("text"), str):
            texts.append(part["text"])
        call = part.get("functionCall")
        if isinstance(call, dict):
            calls.append(_tool_call(call, part.get("thoughtSignature")))
    return "".join(texts), calls


def _tool_call(call: JSONObject, signature: object = None) -> JSONObject:
    call_id = str(call.get("id") or f"call_{uuid.uuid4().hex[:24]}")
    if isinstance(signature, str) and signature:
        # Thinking models need the call's thought signature back with the call in the next
        # turn; the tool call id is the one thing OpenAI clients are sure to return verbatim.
        call_id += _SIGNATURE_MARK + signature
    return {
        "id": call_id,
        "type": "function",
        "function": {
            "name": str(call.get("name", "")),
            "arguments": orjson.dumps(call.get("args") or {}).decode(),
        },
    }


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


# --- Gemini stream → OpenAI chunks --------------------------------------------------------------


class GeminiChunkTranslator:
    """``streamGenerateContent?alt=sse`` events → OpenAI chunks (a ``ChunkTranslator``).

    Gemini sends whole function calls in one event (they become one tool-call delta each) and no
    terminal event: the stream is complete when the body ends after a ``finishReason``.
    """

    __slots__ = ("_calls", "_created", "_finished", "_id", "_model", "_started", "_usage")

    def __init__(self, model: str, created: int | None = None) -> None:
        self._model = model
        self._created = created if created is not None else int(time.time())
        self._id = f"gemini-{uuid.uuid4().hex}"
        self._started: set[int] = set()  # candidate indexes whose role was sent
        self._calls: dict[int, int] = {}  # candidate index → tool calls sent so far
        self._finished = False
        self._usage: object = None

    @property
    def done(self) -> bool:
        return False  # Gemini has no terminal event; the body's end is the end

    def feed(self, event: SSEEvent) -> list[JSONObject]:
        data = orjson.loads(event.data)
        if isinstance(data, list) and data:
            data = data[0]
        if not isinstance(data, dict):
            raise SSEFormatError(f"event data is not a JSON object: {event.data[:120]!r}")
        if "error" in data and "candidates" not in data:
            raise _stream_error(data["error"], event.data)
        self._id = str(data.get("responseId") or self._id)
        self._model = str(data.get("modelVersion") or self._model)
        if data.get("usageMetadata") is not None:
            self._usage = data["usageMetadata"]
        candidates = data.get("candidates")
        if not isinstance(candidates, list):
            candidates = _candidates(data) if data.get("promptFeedback") else []
        return [c for i, cand in enumerate(candidates) if (c := self._delta(cand, i)) is not None]

    def finish(self) -> list[JSONObject]:
        if not self._finished:
            raise SSEFormatError("the stream ended before any candidate's finishReason")
        usage = gemini_usage_to_openai(self._usage)
        return [{**self._head(), "choices": [], "usage": usage}]

    def _delta(self, candidate: object, position: int) -> JSONObject | None:
        if not isinstance(candidate, dict):
            raise SSEFormatError("a stream candidate is not a JSON object")
        index = _int(candidate.get("index", position))
        text, calls = _read_parts(candidate)
        delta: JSONObject = {}
        if index not in self._started:
            self._started.add(index)
            delta["role"] = "assistant"
        if text or "role" in delta:
            delta["content"] = text
        if calls:
            sent = self._calls.get(index, 0)
            delta["tool_calls"] = [{"index": sent + k, **call} for k, call in enumerate(calls)]
            self._calls[index] = sent + len(calls)
        reason = candidate.get("finishReason")
        finish = None
        if reason:
            self._finished = True
            finish = gemini_finish_reason(reason, self._calls.get(index, 0) > 0)
        if not delta and finish is None:
            return None
        choice = {"index": index, "delta": delta, "logprobs": None, "finish_reason": finish}
        return {**self._head(), "choices": [choice]}

    def _head(self) -> JSONObject:
        return {
            "id": self._id,
            "object": "chat.completion.chunk",
            "created": self._created,
            "model": self._model,
        }


def _stream_error(error: object, raw: bytes) -> VendorStreamError:
    error = error if isinstance(error, dict) else {"message": str(error)}
    code = error.get("code")
    status = code if isinstance(code, int) and 400 <= code <= 599 else 500
    message = f"{error.get('status') or 'error'}: {error.get('message') or 'unspecified error'}"
    return VendorStreamError(status, message, raw)
